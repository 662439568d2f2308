// Diagnostics history (docs/reference.md §6): diagnostics.csv written row by row, flushed after each row so
// a run that stops early keeps every finished output time.
#include "io/history_writer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "io/writers.hpp"
#include "solver/errors.hpp"

namespace fplab {

void HistoryWriter::begin(const RunInfo& info) {
  const auto dir = output_dir_create(info.output_dir);
  path_ = (dir / "diagnostics.csv").string();
  names_ = info.diagnostic_names;
  out_ = std::ofstream(path_, std::ios::out | std::ios::trunc);
  if (!out_) throw InputError("cannot create " + path_ + " (is the output folder writable?).");
  out_ << "time,step";
  for (const auto& n : names_) out_ << ',' << n;
  out_ << '\n' << std::flush;
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
  out_ << line_ << std::flush;
  if (!out_) throw std::runtime_error("could not write to " + path_ + ".");
}

void HistoryWriter::end(const RunSummary& /*summary*/) { out_.close(); }

}  // namespace fplab
