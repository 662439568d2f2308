// OutputSink: what the driver notifies at each output time. Writers (io/) implement it and
// know nothing of schemes; the driver knows nothing of file formats.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/density.hpp"
#include "solver/grid.hpp"
#include "solver/run_state.hpp"

namespace fplab {

// The field name of a particle histogram (RunInfo::density_name of `fplab sample`; docs/reference.md
// §6): "density" is always a grid solution, "density_particles" always a histogram of particles.
inline constexpr const char* kParticleDensityName = "density_particles";

// Named diagnostics in a fixed order (docs/reference.md §6 names).
using DiagnosticRow = std::vector<std::pair<std::string, double>>;

// A resumed run (fplab run --resume): the snapshots already in the output folder, which the
// sinks keep and append to.
struct PastOutputs {
  std::vector<double> times;
  std::vector<DiagnosticRow> rows;  // one per time
};

struct RunInfo {
  const CaseSpec* spec = nullptr;  // resolved case (spec->resolved_yaml is its echo)
  Grid2D grid;
  std::string command_line;
  std::string output_dir;
  std::vector<std::string> diagnostic_names;   // the columns every snapshot carries, in order
  // What Snapshot::density is stored as: "density" (a grid solution) or "density_particles" (the
  // histogram of a particle run, `fplab sample`); writers use it as the field's name.
  std::string density_name = "density";
  // The fields every snapshot carries besides the density, in order (docs/reference.md §6 names: "exact",
  // "score_x", "score_y", "score_error"); writers store each under its name.
  std::vector<std::string> field_names;
  Sampling sampling = Sampling::cell_average;  // what density/exact values are (docs/reference.md §2)
  const PastOutputs* past = nullptr;           // set when the run resumes an earlier one
  // A steady state (`fplab steady`): one snapshot, the stationary density, valid at every t.
  bool stationary = false;
};

struct Snapshot {
  int index = 0;       // 0, 1, 2, ... in output order
  double t = 0.0;
  std::size_t step = 0;  // time steps taken so far
  std::span<const double> density;  // grid.size(), row-major (j, i), named RunInfo::density_name
  // RunInfo::field_names in order, each with grid.size() values.
  std::vector<std::pair<std::string_view, std::span<const double>>> fields;
  std::span<const double> field(std::string_view name) const {  // empty when not carried
    for (const auto& [n, v] : fields)
      if (n == name) return v;
    return {};
  }
  const DiagnosticRow* diagnostics = nullptr;
  const RunState* state = nullptr;  // what resuming from this snapshot needs
};

struct RunSummary {
  RunStatus status = RunStatus::complete;
  std::size_t steps = 0;
  double t_end = 0.0;
  double wall_seconds = 0.0;
  double cell_updates_per_second = 0.0;
  // Peak resident memory of the process, and that in arrays of the grid's size (8 nx ny bytes):
  // what a large run costs, stated in the unit its data structures are counted in.
  double peak_memory_bytes = 0.0;
  double peak_memory_grid_arrays = 0.0;
  DiagnosticRow final_row;
  // A particle run (RunInfo::density_name kParticleDensityName): its resolved scheme, the
  // particles still alive and the particle steps per second of its stepping.
  std::string particle_scheme;
  std::size_t particles_alive = 0;
  double particle_steps_per_second = 0.0;
  // A steady state (RunInfo::stationary): ‖A p‖₁ dx dy and ‖A p‖∞/(‖A‖∞‖p‖∞) of the generator A
  // at the solution, and the cost of the direct solve.
  double residual = 0.0, residual_relative = 0.0;
  double assemble_seconds = 0.0, factorise_seconds = 0.0;
  std::size_t lu_nonzeros = 0;
};

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void begin(const RunInfo& info) = 0;
  virtual void write(const Snapshot& snap) = 0;
  // Also after an interruption or a failure (summary.status says which); after a failure a sink
  // may throw again, which the driver ignores.
  virtual void end(const RunSummary& summary) = 0;
};

}  // namespace fplab
