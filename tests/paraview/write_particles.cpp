// Test fixture: writes a synthetic particle run through make_particle_writers (particles.h5 and
// vtk/particles_NNNN.vtp + vtk/particles.pvd) into OUT_DIR, and OUT_DIR/expected.json with what
// ParaView must find there: the times, and per time the living stored particles' count and mean.
// Usage: fplab_particle_fixture OUT_DIR
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "io/particle_writer.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    fplab::CaseSpec spec;
    spec.name = "particle_fixture";
    spec.output.formats = {"hdf5", "vtk"};
    fplab::ParticleRunInfo info;
    info.spec = &spec;
    info.output_dir = argv[1];
    info.n = 4000;
    info.stored = 2500;
    info.seed = 11;
    info.scheme = "euler_maruyama";
    info.dynamics = "sde";
    auto writers = fplab::make_particle_writers(spec);
    for (auto& w : writers) w->begin(info);
    std::mt19937 rng(11);
    std::normal_distribution<double> normal;
    std::vector<double> x(info.n), y(info.n);
    std::vector<std::uint8_t> alive(info.n, 1);
    nlohmann::json expected{{"times", nlohmann::json::array()}, {"snapshots", nlohmann::json::array()}};
    for (int k = 0; k < 3; ++k) {
      const double t = 0.1 * k;
      double sx = 0.0, sy = 0.0;
      std::size_t living = 0;
      for (std::size_t i = 0; i < info.n; ++i) {
        x[i] = 1.0 + t + 0.7 * normal(rng);
        y[i] = -0.5 + 0.4 * normal(rng);
        alive[i] = (i % 9 == 0 && k > 0) ? 0 : 1;  // absorbed particles are not points
        if (i < info.stored && alive[i] == 1) {
          sx += x[i];
          sy += y[i];
          ++living;
        }
      }
      fplab::ParticleSnapshot snap;
      snap.index = k;
      snap.t = t;
      snap.x = std::span(x).first(info.stored);
      snap.y = std::span(y).first(info.stored);
      snap.alive = std::span(alive).first(info.stored);
      snap.n_alive = static_cast<std::size_t>(std::count(alive.begin(), alive.end(), 1));
      for (auto& w : writers) w->write(snap);
      expected["times"].push_back(t);
      expected["snapshots"].push_back(
          {{"points", living}, {"mean_x", sx / living}, {"mean_y", sy / living}});
    }
    for (auto& w : writers) w->end(fplab::RunStatus::complete);
    std::ofstream(std::filesystem::path(argv[1]) / "expected.json") << expected.dump(1) << "\n";
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fplab_particle_fixture: %s\n", e.what());
    return 1;
  }
  return 0;
}
