// particles.h5 (docs/reference.md §6), written and read with the HDF5 C API through the helpers of
// io/h5_util.hpp, and the particle writers a case asks for.
#include "io/particle_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "io/vtk_module.hpp"
#include "io/writers.hpp"
#include "solver/errors.hpp"

namespace fplab {

std::vector<std::unique_ptr<ParticleSink>> make_particle_writers(const CaseSpec& spec) {
  std::vector<std::unique_ptr<ParticleSink>> w;
  if (spec.output.has("hdf5")) w.push_back(std::make_unique<ParticleHdf5Writer>());
  if (spec.output.has("vtk"))
    w.push_back(vtk_io("output.formats: vtk").make_particle_vtk_writer());
  return w;
}

namespace {

constexpr const char* kFileName = "particles.h5";

void attr_write_u64(hid_t f, const char* name, std::uint64_t v, const std::filesystem::path& file) {
  h5::attr_write_scalar(f, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v, file);
}

}  // namespace

void ParticleHdf5Writer::begin(const ParticleRunInfo& info) {
  path_ = output_dir_create(info.output_dir) / kFileName;
  stored_ = info.stored;
  written_ = 0;
  xy_.assign(2 * stored_, 0.0);
  h5::ErrorSilencer quiet;
  create(info);
}

void ParticleHdf5Writer::create(const ParticleRunInfo& info) {
  file_ = h5::file_create(path_, "particle file", info.command_line,
                          info.spec ? info.spec->resolved_yaml : std::string());
  const hid_t f = file_.get();
  h5::attr_write_string(f, "scheme", info.scheme, path_);
  h5::attr_write_string(f, "dynamics", info.dynamics, path_);
  attr_write_u64(f, "n", info.n, path_);
  attr_write_u64(f, "stored", info.stored, path_);
  attr_write_u64(f, "seed", info.seed, path_);
  const auto stored = static_cast<hsize_t>(stored_);
  time_ = h5::dataset_create_extendible(f, "time", {}, 64, path_);
  positions_ = h5::dataset_create_extendible(f, "positions", {stored, 2}, 1, path_);
  alive_ = h5::dataset_create_extendible(f, "alive", {stored}, 1, path_, H5T_STD_U8LE);
  n_alive_ = h5::dataset_create_extendible(f, "n_alive", {}, 64, path_, H5T_STD_U64LE);
  h5::checked(H5Fflush(f, H5F_SCOPE_GLOBAL), path_, "flush the file");
}

void ParticleHdf5Writer::write(const ParticleSnapshot& snap) {
  if (!file_.valid())
    throw std::logic_error("ParticleHdf5Writer::write called outside begin()/end().");
  if (snap.x.size() < stored_ || snap.y.size() < stored_ || snap.alive.size() < stored_)
    throw std::logic_error("ParticleHdf5Writer: the snapshot holds fewer than `stored` particles.");
  // The positions, the alive flags and room for HDF5's metadata.
  const std::uintmax_t bytes = stored_ * (2 * sizeof(double) + 1) + 65536;
  if (const int err = h5::room_missing(path_, bytes); err != 0) {
    abandon();
    throw std::runtime_error(output_failure(path_, err, written_));
  }
  h5::ErrorSilencer quiet;
  try {
    append(snap);
  } catch (const std::runtime_error&) {
    abandon();
    throw std::runtime_error(output_failure(path_, h5::failed_errno(), written_));
  }
}

void ParticleHdf5Writer::append(const ParticleSnapshot& snap) {
  for (std::size_t k = 0; k < stored_; ++k) {
    xy_[2 * k] = snap.x[k];
    xy_[2 * k + 1] = snap.y[k];
  }
  const auto k = static_cast<hsize_t>(written_);
  const auto stored = static_cast<hsize_t>(stored_);
  const std::uint64_t n_alive = snap.n_alive;
  // Positions first, /time last: a reader takes nt from the shortest, so a snapshot interrupted
  // half-way is simply not there.
  h5::dataset_append(positions_.get(), k, xy_.data(), {stored, 2}, path_);
  h5::dataset_append(alive_.get(), k, snap.alive.data(), {stored}, path_, H5T_NATIVE_UINT8);
  h5::dataset_append(n_alive_.get(), k, &n_alive, {}, path_, H5T_NATIVE_UINT64);
  h5::dataset_append(time_.get(), k, &snap.t, {}, path_);
  h5::checked(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), path_, "flush the file");
  ++written_;
}

// After a failed write: no more HDF5 calls on this file (see h5::Handle::abandon).
void ParticleHdf5Writer::abandon() {
  for (h5::Handle* h : {&time_, &positions_, &alive_, &n_alive_, &file_}) h->abandon();
}

ParticleHdf5Writer::~ParticleHdf5Writer() {
  h5::ErrorSilencer quiet;
  for (h5::Handle* h : {&time_, &positions_, &alive_, &n_alive_, &file_}) h->reset();
}

void ParticleHdf5Writer::end(RunStatus status) {
  if (!file_.valid()) return;
  h5::ErrorSilencer quiet;
  try {
    h5::attr_write_string(file_.get(), "status", status_name(status), path_);
  } catch (const std::runtime_error&) {
    abandon();
    throw std::runtime_error(output_failure(path_, h5::failed_errno(), written_));
  }
  for (h5::Handle* h : {&time_, &positions_, &alive_, &n_alive_, &file_}) h->reset();
}

namespace {

std::string not_particles(const std::string& path, const std::string& why) {
  return path + " is not an fplab particle file: " + why + ".";
}

// The dimensions of dataset `name`, which must have `rank` of them.
std::vector<hsize_t> dims_of(hid_t f, const std::string& name, std::size_t rank,
                             const std::string& path) {
  if (!h5::link_exists(f, name)) throw InputError(not_particles(path, "it has no " + name + " dataset"));
  h5::Handle d(H5Dopen2(f, name.c_str(), H5P_DEFAULT));
  auto dims = d.valid() ? h5::dataset_dims(d.get()) : std::vector<hsize_t>{};
  if (dims.size() != rank)
    throw InputError(not_particles(path, fmt::format("{} is not a {}D dataset", name, rank)));
  return dims;
}

// A whole 1D dataset read as `mem_type` into `out` (sized by the caller).
void read_whole(hid_t f, const char* name, hid_t mem_type, void* out, const std::string& path) {
  h5::Handle d(H5Dopen2(f, name, H5P_DEFAULT));
  if (!d.valid() || H5Dread(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    throw InputError(fmt::format("cannot read {} from {}.", name, path));
}

std::uint64_t attr_u64(hid_t f, const char* name, const std::string& path) {
  std::uint64_t v = 0;
  h5::Handle a(H5Aexists(f, name) > 0 ? H5Aopen(f, name, H5P_DEFAULT) : H5I_INVALID_HID);
  if (!a.valid() || H5Aread(a.get(), H5T_NATIVE_UINT64, &v) < 0)
    throw InputError(not_particles(path, fmt::format("it has no number attribute {}", name)));
  return v;
}

// Entry k of an (nt, tail...) dataset into `out`, read as `mem_type`.
void read_entry(hid_t f, const char* name, int k, std::vector<hsize_t> count, hid_t mem_type,
                void* out, const std::string& path) {
  h5::Handle d(H5Dopen2(f, name, H5P_DEFAULT));
  std::vector<hsize_t> start(count.size(), 0);
  start[0] = static_cast<hsize_t>(k);
  h5::Handle fspace(d.valid() ? H5Dget_space(d.get()) : H5I_INVALID_HID);
  h5::Handle mspace(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr));
  if (!fspace.valid() ||
      H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                          nullptr) < 0 ||
      H5Dread(d.get(), mem_type, mspace.get(), fspace.get(), H5P_DEFAULT, out) < 0)
    throw InputError(fmt::format("cannot read snapshot {} of /{} from {}.", k, name, path));
}

}  // namespace

ParticleFile open_particles(const std::string& path) {
  h5::Handle f = h5::open_read(path, "particle file");
  h5::ErrorSilencer quiet;
  const hid_t fid = f.get();
  ParticleFile p;
  p.path = path;
  p.n = attr_u64(fid, "n", path);
  p.stored = attr_u64(fid, "stored", path);
  p.seed = attr_u64(fid, "seed", path);
  p.attributes = h5::root_attributes(fid);
  p.scheme = h5::attr_text(fid, "scheme");
  p.dynamics = h5::attr_text(fid, "dynamics");
  p.status = h5::attr_text(fid, "status");
  const auto time_dims = dims_of(fid, "/time", 1, path);
  const auto alive_dims = dims_of(fid, "/n_alive", 1, path);
  const auto pos = dims_of(fid, "/positions", 3, path);
  const auto alive = dims_of(fid, "/alive", 2, path);
  if (pos[1] != p.stored || pos[2] != 2 || alive[1] != p.stored)
    throw InputError(not_particles(
        path, fmt::format("/positions is not (nt, {0}, 2) or /alive not (nt, {0})", p.stored)));
  p.times.resize(time_dims[0]);
  p.n_alive.resize(alive_dims[0]);
  if (!p.times.empty()) read_whole(fid, "/time", H5T_NATIVE_DOUBLE, p.times.data(), path);
  if (!p.n_alive.empty()) read_whole(fid, "/n_alive", H5T_NATIVE_UINT64, p.n_alive.data(), path);
  // A run stopped inside a snapshot may have grown some datasets and not others.
  const std::size_t nt = std::min({p.times.size(), p.n_alive.size(),
                                   static_cast<std::size_t>(pos[0]),
                                   static_cast<std::size_t>(alive[0])});
  p.times.resize(nt);
  p.n_alive.resize(nt);
  return p;
}

ParticlePositions ParticleFile::read_positions(int k) const {
  if (k < 0 || static_cast<std::size_t>(k) >= times.size())
    throw InputError(fmt::format("{} has no snapshot {} (it holds {}: 0 to {}).", path, k,
                                 times.size(), static_cast<long>(times.size()) - 1));
  ParticlePositions out;
  out.x.resize(stored);
  out.y.resize(stored);
  out.alive.resize(stored);
  if (stored == 0) return out;
  h5::Handle f = h5::open_read(path, "particle file");
  h5::ErrorSilencer quiet;
  std::vector<double> xy(2 * stored);
  read_entry(f.get(), "positions", k, {1, stored, 2}, H5T_NATIVE_DOUBLE, xy.data(), path);
  read_entry(f.get(), "alive", k, {1, stored}, H5T_NATIVE_UINT8, out.alive.data(), path);
  for (std::size_t i = 0; i < stored; ++i) {
    out.x[i] = xy[2 * i];
    out.y[i] = xy[2 * i + 1];
  }
  return out;
}

std::string particles_beside(const std::string& result_path) {
  const auto folder = std::filesystem::path(result_path).parent_path();
  const auto p = (folder.empty() ? std::filesystem::path(".") : folder) / kFileName;
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) ? p.string() : std::string();
}

std::string describe_particles(const ParticleFile& p) {
  std::string s = fmt::format("particles   {} ({} stored), {} dynamics, scheme {}, seed {}\n", p.n,
                              p.stored, p.dynamics, p.scheme, p.seed);
  if (!p.n_alive.empty() && p.n_alive.back() != p.n)
    s += fmt::format("            {} alive at t = {:.6g} ({} absorbed)\n", p.n_alive.back(),
                     p.times.back(), p.n - p.n_alive.back());
  return s;
}

}  // namespace fplab
