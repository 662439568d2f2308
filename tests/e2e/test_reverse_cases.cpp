// End-to-end runs of the reverse-equation cases through the fplab program: the moons are noised
// (storing the score) and generated back with the tabulated score from that run's result.h5; the
// exact-score mixture case reports the round trip; a missing score file is exit 2 naming its key.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "io/result_file.hpp"
#include "tests/e2e/e2e_support.hpp"

namespace fs = std::filesystem;
using fplab_e2e::run_fplab;
using fplab_e2e::scratch;

TEST_CASE("moons: forward run stores the score, the tabulated reverse run returns to the data") {
  const fs::path dir = scratch("moons");
  const std::string grid = " --quiet --set grid.nx=64 --set grid.ny=64";
  const auto fwd = run_fplab("run cases/moons_forward.yaml -o " + (dir / "fwd").string() + grid +
                                 " --set output.formats=[hdf5]",
                             dir);
  REQUIRE_MESSAGE(fwd.exit_code == 0, fwd.err);
  const std::string h5 = (dir / "fwd" / "result.h5").string();
  const auto f = fplab::open_result(h5);
  CHECK(std::count(f.fields.begin(), f.fields.end(), "score_x") == 1);
  CHECK(std::count(f.fields.begin(), f.fields.end(), "score_y") == 1);

  const auto rev = run_fplab("run cases/moons_reverse_tabulated.yaml -o " +
                                 (dir / "rev").string() + grid + " --set equation.score.path=" +
                                 h5 + " --set initial.path=" + h5 +
                                 " --set output.formats=[hdf5,png]",
                             dir);
  REQUIRE_MESSAGE(rev.exit_code == 0, rev.err);
  const auto r = fplab::open_result((dir / "rev" / "result.h5").string());
  const auto& l1 = r.diagnostics.at("l1_to_data");
  MESSAGE("moons at 64²: L1 to the data " << l1.front() << " -> " << l1.back());
  CHECK(l1.front() > 0.5);        // the noise is far from the moons
  CHECK(l1.back() < 0.1);  // and the reverse run brings it back (0.048 measured)
  CHECK(std::abs(r.diagnostics.at("mass").back() - 1.0) < 1e-12);
  const std::string summary = fplab_e2e::slurp(dir / "rev" / "summary.json");
  CHECK(summary.find("\"l1_to_data\"") != std::string::npos);
  CHECK(summary.find("reverse_fokker_planck") != std::string::npos);
  CHECK(fs::exists(dir / "rev" / "png"));
}

TEST_CASE("mixture_reverse_exact: the round trip is in the summary and the last diagnostics") {
  const fs::path dir = scratch("mixture_reverse");
  const auto res = run_fplab("run cases/mixture_reverse_exact.yaml --quiet -o " +
                                 (dir / "out").string() +
                                 " --set grid.nx=48 --set grid.ny=48 --set output.formats=[hdf5]",
                             dir);
  REQUIRE_MESSAGE(res.exit_code == 0, res.err);
  CHECK(res.out.find("l1_to_data") != std::string::npos);
  const auto r = fplab::open_result((dir / "out" / "result.h5").string());
  CHECK(r.diagnostics.at("l1_to_data").back() < 0.05);
  CHECK(r.diagnostics.count("rel_entropy_to_data") == 1);
}

TEST_CASE("reverse runs with a missing score file or a forward_solution start misplaced exit 2") {
  const fs::path dir = scratch("reverse_bad");
  const auto missing = run_fplab("run cases/mixture_reverse_exact.yaml --quiet -o " +
                                     (dir / "out").string() +
                                     " --set 'equation.score={type: tabulated, path: nowhere.h5}'" +
                                     " --set 'initial={type: gaussian}'",
                                 dir);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("equation.score.path") != std::string::npos);
  CHECK(missing.err.find("nowhere.h5") != std::string::npos);
  CHECK(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
  const auto misplaced = run_fplab("run cases/ou_gaussian.yaml --quiet -o " +
                                       (dir / "ou").string() +
                                       " --set 'initial={type: forward_solution}'",
                                   dir);
  CHECK(misplaced.exit_code == 2);
  CHECK(misplaced.err.find("initial") != std::string::npos);
  CHECK(!fs::exists(dir / "ou" / "result.h5"));  // nothing written before the error
}
