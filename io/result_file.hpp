// Reading a result.h5 back (docs/reference.md §6 layout): grid, times, diagnostics, attributes, snapshots.
// Used by `fplab info`, `fplab render`, tabulated scores and tests.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "solver/decay_rate.hpp"
#include "solver/grid.hpp"
#include "solver/output_sink.hpp"

namespace fplab {

struct ResultFile {
  std::string path;
  Grid2D grid;
  std::vector<double> times;                                // /time
  std::vector<std::string> diagnostic_names;                // /diagnostics/* in column order
  std::map<std::string, std::vector<double>> diagnostics;   // name → nt values
  std::map<std::string, std::string> attributes;            // fplab_version, git_sha, created, command_line, case_yaml
  std::vector<std::string> fields;                          // names under /fields (density, exact, ...)
  // The result's own density: "density_particles" (the histogram of a particle run, `fplab
  // sample`, which may store the grid run it compares with as "density" too) when present, else
  // "density" (a grid solution).
  std::string density_name = "density";

  // Snapshot k (0-based) of /fields/<name>, row-major (j, i). InputError if absent.
  std::vector<double> read_field(const std::string& name, int k) const;
  std::vector<double> read_density(int k) const { return read_field(density_name, k); }
  bool particles() const { return density_name == kParticleDensityName; }
  bool has_field(const std::string& name) const;
};

// Opens and reads the metadata of a result file. InputError (one sentence naming the file) when
// it is missing, unreadable or not an fplab result.
ResultFile open_result(const std::string& path);

// The theoretical decay rates (solver/decay_rate.hpp) of the case stored with the result; none
// when its case echo is absent or no longer loads (e.g. an input file it names is gone).
std::map<std::string, DecayTheory> result_decay_theories(const ResultFile& r);

// What the resolved case stored with a result (attribute case_yaml, read as plain YAML: it need
// not load as a case) says it was; "?" where it says nothing or cannot be parsed.
struct CaseIdentity {
  std::string name = "?", equation = "?", method = "?", scheme = "?", integrator = "?",
              boundary = "?";
};
CaseIdentity case_identity(const ResultFile& r);

// What `fplab info` prints: case, grid, times, diagnostics at the last time, and the decay rates
// of rel_entropy, fisher_rel and l1_to_eq fitted to the stored series, with the theory's.
std::string describe_result(const ResultFile& r);

}  // namespace fplab
