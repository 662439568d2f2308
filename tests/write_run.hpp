// Tests that need a result.h5 on disk: run a case quietly through the writers it asks for.
#pragma once
#include <memory>
#include <vector>

#include "io/writers.hpp"
#include "solver/simulation.hpp"

namespace fplab_test {

// Runs `c` with make_writers(c) (output.dir, output.formats), no progress line.
inline fplab::SimulationResult run_with_writers(const fplab::CaseSpec& c) {
  auto writers = fplab::make_writers(c);
  std::vector<fplab::OutputSink*> sinks;
  for (auto& w : writers) sinks.push_back(w.get());
  fplab::SimulationOptions quiet;
  quiet.progress = false;
  return fplab::simulate(c, sinks, quiet);
}

}  // namespace fplab_test
