// The writers a case asks for (docs/reference.md §6), and the file helpers they share.
#include "io/writers.hpp"

#include <unistd.h>

#include <fstream>
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

void file_write_atomic(const std::filesystem::path& path, const std::string& text) {
  // Same folder, so rename() is atomic; the pid keeps two writers of one folder apart.
  auto tmp = path;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::out | std::ios::trunc | std::ios::binary);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("could not write " + tmp.string() + ".");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error("could not replace " + path.string() + ".");
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
