// The writers a case asks for (docs/reference.md §6), and the file helpers they share.
#include "io/writers.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "io/hdf5_writer.hpp"
#include "io/history_writer.hpp"
#include "io/summary_writer.hpp"
#include "io/vtk_module.hpp"
#include "solver/errors.hpp"

namespace fplab {

std::vector<std::unique_ptr<OutputSink>> make_writers(const CaseSpec& spec) {
  std::vector<std::unique_ptr<OutputSink>> w;
  // One HDF5 sink also rewrites result.xmf: the sidecar describes exactly the snapshots the .h5
  // already holds, never one more.
  if (spec.output.has("hdf5")) w.push_back(std::make_unique<Hdf5Writer>(true));
  if (spec.output.has("vtk")) w.push_back(vtk_io("output.formats: vtk").make_vtk_writer());
  w.push_back(std::make_unique<HistoryWriter>());
  w.push_back(std::make_unique<SummaryWriter>());
  return w;
}

std::filesystem::path output_dir_create(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw InputError("cannot create the output folder " + dir.string() + " (" +
                     (ec ? ec.message() : std::string("a file of that name exists")) + ").");
  return dir;
}

namespace {
// "no space left", "file too large", ...: errno's words as the start of a sentence.
std::string errno_words(int err) {
  std::string why = err == ENOSPC ? "no space left"
                    : err != 0    ? std::string(std::strerror(err))
                                  : "could not write";
  why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
  return why;
}
}  // namespace

std::string output_failure(const std::filesystem::path& path, int err, std::size_t written) {
  return fmt::format("{} writing {} {}", errno_words(err), path.string(),
                     written == 0 ? std::string("before the first snapshot")
                                  : fmt::format("after snapshot {}", written - 1));
}

void remove_stale_temporaries(const std::filesystem::path& dir) {
  static const std::regex stale(R"(.+\.tmp\d*)");
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file(ec) && std::regex_match(e.path().filename().string(), stale))
      std::filesystem::remove(e.path(), ec);
}

void file_write_atomic(const std::filesystem::path& path, const std::string& text) {
  // Same folder, so rename() is atomic; the pid keeps two writers of one folder apart. A
  // temporary that was not written whole is removed, never renamed into place.
  auto tmp = path;
  tmp += ".tmp" + std::to_string(::getpid());
  int err = 0;
  {
    std::ofstream out(tmp, std::ios::out | std::ios::trunc | std::ios::binary);
    out << text;
    out.flush();
    if (!out) err = errno ? errno : EIO;
  }
  std::error_code ec;
  if (err == 0) std::filesystem::rename(tmp, path, ec);
  if (err != 0 || ec) {
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error(fmt::format("{} writing {}", errno_words(err ? err : errno),
                                         path.string()));
  }
}

void check_snapshot_fields(const Snapshot& snap, const std::vector<std::string>& names,
                           const Grid2D& g, const char* writer) {
  if (snap.fields.size() != names.size())
    throw std::logic_error(std::string(writer) + ": snapshot fields differ from RunInfo's.");
  for (std::size_t f = 0; f < names.size(); ++f)
    if (snap.fields[f].first != names[f] || snap.fields[f].second.size() != g.size())
      throw std::logic_error(std::string(writer) + ": snapshot field " + names[f] +
                             " is not the announced one on the grid.");
}

}  // namespace fplab
