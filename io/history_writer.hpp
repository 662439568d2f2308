// Diagnostics history (docs/reference.md §6): diagnostics.csv, one row per output time, one column per
// diagnostic, like Athena++'s .hst volume-integral history.
#pragma once
#include <fstream>
#include <string>
#include <vector>

#include "solver/output_sink.hpp"

namespace fplab {

// Header `time,step,<names...>` (RunInfo::diagnostic_names, in order); values with 17
// significant digits so they read back bit-exactly; each row flushed when written. A diagnostic
// a row does not carry is written as `nan`.
class HistoryWriter final : public OutputSink {
 public:
  void begin(const RunInfo& info) override;
  void write(const Snapshot& snap) override;
  void end(const RunSummary& summary) override;

 private:
  std::string path_;
  std::vector<std::string> names_;
  std::ofstream out_;
  std::string line_;  // reused row buffer
};

}  // namespace fplab
