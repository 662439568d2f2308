// The README's recipe holds: a score network trained in PyTorch by docs/score_from_pytorch.py and
// saved with torch.jit.script(model).save(...) drives `fplab run` on moons_reverse_learned, and
// the reverse run carries the prior towards the moons (a short training: the shape, not the
// accuracy, is what this checks; the README states the accuracy of a full one).
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "../e2e/e2e_support.hpp"
#include "io/result_file.hpp"

namespace fs = std::filesystem;

TEST_CASE("the PyTorch recipe: a model trained and scripted in Python drives the reverse run") {
  const fs::path dir = fplab_e2e::scratch("pytorch_recipe");
  const fs::path model = dir / "score_py.pt";
  const std::string train = std::string(FPLAB_SYSTEM_PYTHON) + " " + FPLAB_SOURCE_DIR +
                            "/docs/score_from_pytorch.py " + model.string() + " 600 > " +
                            (dir / "train.txt").string() + " 2>&1";
  INFO(fplab_e2e::slurp(dir / "train.txt"));
  REQUIRE(std::system(train.c_str()) == 0);
  REQUIRE(fs::exists(model));
  const auto run = fplab_e2e::run_fplab(
      "run cases/moons_reverse_learned.yaml -q --set equation.score.path=" + model.string() +
          " --set grid.nx=64 --set grid.ny=64 --set time.output_every=1 --set "
          "output.formats=[hdf5] -o " + (dir / "out").string(),
      dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto result = fplab::open_result((dir / "out" / "result.h5").string());
  const auto& l1 = result.diagnostics.at("l1_to_data");
  MESSAGE("l1_to_data from the prior " << l1.front() << ", after the reverse run " << l1.back());
  CHECK(l1.back() < 0.6 * l1.front());  // measured at 64²: 1.10 → 0.42
}
