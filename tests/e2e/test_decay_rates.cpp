// End-to-end: `fplab run` stores the fitted decay rates in summary.json and `fplab info` prints
// them, with the theory's rate, from the series stored in result.h5.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/e2e/e2e_support.hpp"

namespace fs = std::filesystem;
using fplab_e2e::run_fplab;
using fplab_e2e::scratch;
using fplab_e2e::slurp;

TEST_CASE("fplab run writes decay_rate_* to summary.json and fplab info prints them") {
  const fs::path dir = scratch("decay_rates");
  const std::string out = (dir / "out").string();
  const auto r = run_fplab(
      "run cases/ou_gaussian.yaml --quiet --set grid.nx=48 --set grid.ny=48 "
      "--set time.t_end=2 --set 'output.formats=[hdf5]' -o " +
          out,
      dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const auto s = nlohmann::json::parse(slurp(dir / "out" / "summary.json"));
  for (const char* key :
       {"decay_rate_rel_entropy", "decay_rate_fisher_rel", "decay_rate_l1_to_eq"}) {
    CAPTURE(key);
    REQUIRE(s.contains(key));
    const auto& d = s.at(key);
    for (const char* field : {"rate", "stderr", "t_from", "t_to", "points", "theory"})
      CHECK(d.contains(field));
    CHECK(d.at("t_from").get<double>() == doctest::Approx(0.4));
    CHECK(d.at("t_to").get<double>() == doctest::Approx(2.0));
  }
  const auto& h = s.at("decay_rate_rel_entropy");
  CHECK(h.at("rate").get<double>() == doctest::Approx(2.05).epsilon(0.02));  // exact H: 2.049
  CHECK(h.at("theory").at("rate").get<double>() == 2.0);

  const auto info = run_fplab("info " + out + "/result.h5", dir);
  REQUIRE_MESSAGE(info.exit_code == 0, info.err);
  INFO(info.out);
  CHECK(info.out.find("decay rates") != std::string::npos);
  CHECK(info.out.find("rel_entropy  2.0") != std::string::npos);
  CHECK(info.out.find("theory 2 (Bakry–Émery)") != std::string::npos);
  CHECK(info.out.find("theory 1 (spectral gap)") != std::string::npos);
}
