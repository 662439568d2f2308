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

namespace fplab {

// Named diagnostics in a fixed order (docs/reference.md §6 names).
using DiagnosticRow = std::vector<std::pair<std::string, double>>;

struct RunInfo {
  const CaseSpec* spec = nullptr;  // resolved case (spec->resolved_yaml is its echo)
  Grid2D grid;
  std::string command_line;
  std::string output_dir;
  std::vector<std::string> diagnostic_names;   // the columns every snapshot carries, in order
  // The fields every snapshot carries besides the density, in order (docs/reference.md §6 names: "exact",
  // "score_x", "score_y", "score_error"); writers store each under its name.
  std::vector<std::string> field_names;
  Sampling sampling = Sampling::cell_average;  // what density/exact values are (docs/reference.md §2)
};

struct Snapshot {
  int index = 0;       // 0, 1, 2, ... in output order
  double t = 0.0;
  std::size_t step = 0;  // time steps taken so far
  std::span<const double> density;  // grid.size(), row-major (j, i)
  // RunInfo::field_names in order, each with grid.size() values.
  std::vector<std::pair<std::string_view, std::span<const double>>> fields;
  std::span<const double> field(std::string_view name) const {  // empty when not carried
    for (const auto& [n, v] : fields)
      if (n == name) return v;
    return {};
  }
  const DiagnosticRow* diagnostics = nullptr;
};

struct RunSummary {
  std::size_t steps = 0;
  double t_end = 0.0;
  double wall_seconds = 0.0;
  double cell_updates_per_second = 0.0;
  // Peak resident memory of the process, and that in arrays of the grid's size (8 nx ny bytes):
  // what a large run costs, stated in the unit its data structures are counted in.
  double peak_memory_bytes = 0.0;
  double peak_memory_grid_arrays = 0.0;
  DiagnosticRow final_row;
};

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void begin(const RunInfo& info) = 0;
  virtual void write(const Snapshot& snap) = 0;
  virtual void end(const RunSummary& summary) = 0;
};

}  // namespace fplab
