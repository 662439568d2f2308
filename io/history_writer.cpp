// Diagnostics history (docs/reference.md §6): diagnostics.csv written row by row, flushed after each row so
// a run that stops early keeps every finished output time.
#include "io/history_writer.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "io/writers.hpp"
#include "solver/errors.hpp"

namespace fplab {

namespace {
// The header line and the first `rows` rows of an existing diagnostics.csv, when its header is
// `header`; else the header alone (the rows before a resumed run's first output).
std::string kept_rows(const std::string& path, const std::string& header, std::size_t rows) {
  std::ifstream in(path);
  std::string line, text = header + '\n';
  if (!std::getline(in, line) || line != header) return text;
  for (std::size_t r = 0; r < rows && std::getline(in, line) && !in.eof(); ++r) text += line + '\n';
  return text;
}
}  // namespace

void HistoryWriter::begin(const RunInfo& info) {
  const auto dir = output_dir_create(info.output_dir);
  path_ = (dir / "diagnostics.csv").string();
  names_ = info.diagnostic_names;
  std::string header = "time,step";
  for (const auto& n : names_) header += ',' + n;
  // A resumed run keeps the rows of the snapshots it continues from (a row half-written when
  // the earlier run was killed goes) and appends.
  const std::size_t keep = info.past ? info.past->times.size() : 0;
  file_write_atomic(path_, kept_rows(path_, header, keep));
  out_ = std::ofstream(path_, std::ios::out | std::ios::app);
  if (!out_) throw InputError("cannot create " + path_ + " (is the output folder writable?).");
}

void HistoryWriter::write(const Snapshot& snap) {
  if (!out_.is_open()) throw std::logic_error("HistoryWriter::write called before begin().");
  line_.clear();
  fmt::format_to(std::back_inserter(line_), "{:.17g},{}", snap.t, snap.step);
  for (const auto& n : names_) {
    double v = std::nan("");
    if (snap.diagnostics)
      for (const auto& [name, value] : *snap.diagnostics)
        if (name == n) v = value;
    // An undefined diagnostic (NaN: moments of a zero mass) is an empty cell, not "nan".
    if (std::isnan(v))
      line_ += ',';
    else
      fmt::format_to(std::back_inserter(line_), ",{:.17g}", v);
  }
  line_ += '\n';
  errno = 0;
  out_ << line_ << std::flush;
  if (!out_) throw std::runtime_error(output_failure(path_, errno, snap.index));
}

void HistoryWriter::end(const RunSummary& /*summary*/) { out_.close(); }

}  // namespace fplab
