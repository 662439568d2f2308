// Reading a result.h5 back (SPEC §6 layout): grid, times, diagnostics, attributes, snapshots.
// Used by `fplab info`, `fplab render`, tabulated scores and tests.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "solver/grid.hpp"

namespace fplab {

struct ResultFile {
  std::string path;
  Grid2D grid;
  std::vector<double> times;                                // /time
  std::vector<std::string> diagnostic_names;                // /diagnostics/* in column order
  std::map<std::string, std::vector<double>> diagnostics;   // name → nt values
  std::map<std::string, std::string> attributes;            // fplab_version, git_sha, created, command_line, case_yaml
  std::vector<std::string> fields;                          // names under /fields (density, exact, ...)

  // Snapshot k (0-based) of /fields/<name>, row-major (j, i). InputError if absent.
  std::vector<double> read_field(const std::string& name, int k) const;
  std::vector<double> read_density(int k) const { return read_field("density", k); }
};

// Opens and reads the metadata of a result file. InputError (one sentence naming the file) when
// it is missing, unreadable or not an fplab result.
ResultFile open_result(const std::string& path);

// What `fplab info` prints: case, grid, times, diagnostics at the last time.
std::string describe_result(const ResultFile& r);

}  // namespace fplab
