// Reading result.h5 back (docs/reference.md §6 layout) with the HDF5 C API: grid from the cell edges, times,
// diagnostics in column order, root attributes, and any snapshot of any field; `fplab info`.
#include "io/result_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "io/case_file.hpp"
#include "io/hdf5_writer.hpp"
#include "io/particle_writer.hpp"
#include "solver/discretisation.hpp"
#include "solver/errors.hpp"

namespace fplab {
namespace {

using h5::dataset_dims;
using h5::link_exists;
using h5::root_attributes;

// A whole 1D float dataset as doubles; InputError naming the file and dataset when absent.
std::vector<double> read_vector(hid_t f, const std::string& dset, const std::string& file) {
  if (!link_exists(f, dset))
    throw InputError(file + " is not an fplab result: it has no " + dset + " dataset.");
  h5::Handle d(H5Dopen2(f, dset.c_str(), H5P_DEFAULT));
  const auto dims = d.valid() ? dataset_dims(d.get()) : std::vector<hsize_t>{};
  if (dims.size() != 1)
    throw InputError(file + " is not an fplab result: " + dset + " is not a 1D dataset.");
  std::vector<double> v(dims[0]);
  if (!v.empty() &&
      H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
    throw InputError("cannot read " + dset + " from " + file + ".");
  return v;
}

// Names of a group's links, in creation order where the writer tracked it, else by name.
std::vector<std::string> group_members(hid_t f, const char* group) {
  std::vector<std::string> names;
  if (!link_exists(f, group)) return names;
  h5::Handle g(H5Gopen2(f, group, H5P_DEFAULT));
  if (!g.valid()) return names;
  const auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  hsize_t idx = 0;
  if (H5Literate(g.get(), H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect, &names) < 0) {
    names.clear();
    idx = 0;
    H5Literate(g.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect, &names);
  }
  return names;
}

// "2.0012 ± 0.0003 over t = 0.2 .. 1 (9 points); theory 2 (Bakry–Émery)" for each fitted series.
std::string describe_decay_rates(const ResultFile& r) {
  const auto theories = result_decay_theories(r);
  std::string s;
  auto out = std::back_inserter(s);
  for (std::string_view name : kDecayDiagnostics) {
    const auto it = r.diagnostics.find(std::string(name));
    if (it == r.diagnostics.end()) continue;
    if (s.empty()) fmt::format_to(out, "decay rates (fit of log value against t):\n");
    fmt::format_to(out, "  {:<12} ", name);
    if (const auto fit = decay_rate_fit(r.times, it->second))
      fmt::format_to(out, "{:.5g} ± {:.2g} over t = {:.4g} .. {:.4g} ({} points)", fit->rate,
                     fit->rate_stderr, fit->t_from, fit->t_to, fit->points);
    else
      fmt::format_to(out, "none: fewer than {} snapshots above round-off after the first 20 %",
                     DecayWindow{}.min_points);
    if (const auto th = theories.find(std::string(name)); th != theories.end())
      fmt::format_to(out, "; theory {:g} ({})", th->second.rate, th->second.source);
    fmt::format_to(out, "\n");
  }
  return s;
}

// A particle result: what its density is and, from particles.h5 beside it, the particles.
std::string describe_particle_result(const ResultFile& r) {
  std::string s = fmt::format("density     particle histogram ({}){}\n", r.density_name,
                              r.has_field("density") ? "; density: the grid run compared" : "");
  const std::string beside = particles_beside(r.path);
  if (beside.empty()) return s + "particles   no particles.h5 beside the result\n";
  try {
    return s + describe_particles(open_particles(beside));
  } catch (const InputError& e) {
    return s + "particles   " + e.what() + "\n";  // the histogram is still worth describing
  }
}

}  // namespace

std::map<std::string, DecayTheory> result_decay_theories(const ResultFile& r) {
  const auto it = r.attributes.find("case_yaml");
  if (it == r.attributes.end() || it->second.empty()) return {};
  try {
    return decay_rate_theories(parse_case(it->second, r.path + " (case_yaml)"));
  } catch (const std::exception&) {
    return {};  // the rates fitted to the stored series are still worth showing
  }
}

ResultFile open_result(const std::string& path) {
  h5::Handle f = h5::open_read(path, "result file");
  h5::ErrorSilencer quiet;
  const hid_t fid = f.get();
  // A particle run's own density is its histogram, even beside the grid density it compares with.
  const bool particles = link_exists(fid, std::string("/fields/") + kParticleDensityName);
  if (!particles && !link_exists(fid, "/fields/density"))
    throw InputError(path + " is not an fplab result: it has no /fields/density dataset.");

  ResultFile r;
  r.path = path;
  r.density_name = particles ? kParticleDensityName : "density";
  const auto xe = read_vector(fid, "/grid/x_edges", path);
  const auto ye = read_vector(fid, "/grid/y_edges", path);
  if (xe.size() < 2 || ye.size() < 2)
    throw InputError(path + " is not an fplab result: its grid has no cells.");
  r.grid.nx = static_cast<int>(xe.size()) - 1;
  r.grid.ny = static_cast<int>(ye.size()) - 1;
  r.grid.x0 = xe.front();
  r.grid.x1 = xe.back();
  r.grid.y0 = ye.front();
  r.grid.y1 = ye.back();

  r.times = read_vector(fid, "/time", path);
  r.fields = group_members(fid, "/fields");
  // A run interrupted inside a snapshot may have grown some datasets and not others: the
  // result holds the snapshots every field and /time agree on.
  std::size_t nt = r.times.size();
  for (const auto& name : r.fields) {
    h5::Handle d(H5Dopen2(fid, ("/fields/" + name).c_str(), H5P_DEFAULT));
    const auto dims = d.valid() ? dataset_dims(d.get()) : std::vector<hsize_t>{};
    if (dims.size() != 3 || dims[1] != static_cast<hsize_t>(r.grid.ny) ||
        dims[2] != static_cast<hsize_t>(r.grid.nx))
      throw InputError(fmt::format("{} is not an fplab result: /fields/{} is not (nt, {}, {}).",
                                   path, name, r.grid.ny, r.grid.nx));
    nt = std::min<std::size_t>(nt, dims[0]);
  }
  r.diagnostic_names = group_members(fid, "/diagnostics");
  for (const auto& name : r.diagnostic_names) {
    auto v = read_vector(fid, "/diagnostics/" + name, path);
    nt = std::min(nt, v.size());
    r.diagnostics[name] = std::move(v);
  }
  r.times.resize(nt);
  for (auto& [name, v] : r.diagnostics) v.resize(nt);
  r.attributes = root_attributes(fid);
  return r;
}

bool ResultFile::has_field(const std::string& name) const {
  return std::find(fields.begin(), fields.end(), name) != fields.end();
}

std::vector<double> ResultFile::read_field(const std::string& name, int k) const {
  if (!has_field(name))
    throw InputError(path + " has no field " + name + " (it holds " +
                     fmt::format("{}", fmt::join(fields, ", ")) + ").");
  if (k < 0 || static_cast<std::size_t>(k) >= times.size())
    throw InputError(fmt::format("{} has no snapshot {} of {} (it holds {}: 0 to {}).", path, k,
                                 name, times.size(), static_cast<long>(times.size()) - 1));
  h5::Handle f = h5::open_read(path, "result file");
  h5::ErrorSilencer quiet;
  const std::string dset = "/fields/" + name;
  h5::Handle d(H5Dopen2(f.get(), dset.c_str(), H5P_DEFAULT));
  if (!d.valid()) throw InputError("cannot open " + dset + " in " + path + ".");
  const hsize_t start[3] = {static_cast<hsize_t>(k), 0, 0};
  const hsize_t count[3] = {1, static_cast<hsize_t>(grid.ny), static_cast<hsize_t>(grid.nx)};
  h5::Handle fspace(H5Dget_space(d.get()));
  h5::Handle mspace(H5Screate_simple(3, count, nullptr));
  std::vector<double> out(grid.size());
  if (H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
      H5Dread(d.get(), H5T_NATIVE_DOUBLE, mspace.get(), fspace.get(), H5P_DEFAULT, out.data()) < 0)
    throw InputError(fmt::format("cannot read snapshot {} of {} from {}.", k, dset, path));
  return out;
}

CaseIdentity case_identity(const ResultFile& r) {
  CaseIdentity id;
  const auto it = r.attributes.find("case_yaml");
  if (it == r.attributes.end()) return id;
  try {
    const YAML::Node c = YAML::Load(it->second);
    const auto get = [](const YAML::Node& n, std::string& out) {
      if (n && n.IsScalar()) out = n.as<std::string>();
    };
    if (c.IsMap()) {
      get(c["name"], id.name);
      get(c["boundary"], id.boundary);
      if (c["equation"]) get(c["equation"]["type"], id.equation);
      if (c["solver"]) {
        get(c["solver"]["method"], id.method);
        get(c["solver"]["scheme"], id.scheme);
        get(c["solver"]["integrator"], id.integrator);
      }
    }
  } catch (const YAML::Exception&) {
    // An unparsable case echo leaves "?" in place: the numbers are still worth showing.
  }
  return id;
}


std::string describe_result(const ResultFile& r) {
  const auto attr = [&](const char* key) {
    const auto it = r.attributes.find(key);
    return it == r.attributes.end() || it->second.empty() ? std::string("?") : it->second;
  };
  const CaseIdentity id = case_identity(r);
  const Grid2D& g = r.grid;
  std::string s;
  auto out = std::back_inserter(s);
  fmt::format_to(out, "result      {}\n", r.path);
  fmt::format_to(out, "case        {}  ({}; {} / {})\n", id.name, id.equation,
                 method_label(id.method, id.scheme, id.boundary), id.integrator);
  fmt::format_to(out,
                 "grid        {} x {} cells on [{:g}, {:g}] x [{:g}, {:g}], dx = {:.6g}, "
                 "dy = {:.6g}, boundary {}\n",
                 g.nx, g.ny, g.x0, g.x1, g.y0, g.y1, g.dx(), g.dy(), id.boundary);
  if (r.times.empty())
    fmt::format_to(out, "times       none written\n");
  else
    fmt::format_to(out, "times       {} snapshot{}, t = {:.6g} .. {:.6g}\n", r.times.size(),
                   r.times.size() == 1 ? "" : "s", r.times.front(), r.times.back());
  fmt::format_to(out, "fields      {}\n", fmt::join(r.fields, ", "));
  if (r.particles()) s += describe_particle_result(r);
  // What a value means: FV cell averages or spectral point values (absent in older files).
  if (const std::string sampling = attr("sampling"); sampling != "?")
    fmt::format_to(out, "sampling    {}\n",
                   sampling == "point" ? "point values at the cell centres"
                                       : sampling == "cell_average" ? "cell averages" : sampling);
  // "running" is written at begin() and replaced at end(): in a file nobody is writing any
  // more it marks a run that stopped early (killed, disk full) with its snapshots kept.
  const std::string status = attr("status");
  std::string status_words = status;
  if (status == "running")
    status_words = "not finished (the run is still going or stopped early)";
  else if (status == "interrupted" && !r.times.empty())
    status_words = fmt::format("interrupted at t = {:.6g} (resumable: fplab run CASE --resume DIR)",
                               r.times.back());
  else if (status == "failed")
    status_words = "failed (numerical failure; the snapshots before it are kept)";
  fmt::format_to(out, "status      {}\n", status_words);
  if (attr("stationary") == "true")
    fmt::format_to(out, "stationary  the one snapshot is the steady state (fplab steady)\n");
  if (!r.times.empty() && !r.diagnostic_names.empty()) {
    std::size_t width = 0;
    for (const auto& n : r.diagnostic_names) width = std::max(width, n.size());
    fmt::format_to(out, "diagnostics at t = {:.6g}:\n", r.times.back());
    for (const auto& n : r.diagnostic_names)
      fmt::format_to(out, "  {:<{}}  {:.10g}\n", n, width, r.diagnostics.at(n).back());
  }
  s += describe_decay_rates(r);
  fmt::format_to(out, "written by  fplab {} (git {}) on {}\n", attr("fplab_version"),
                 attr("git_sha"), attr("created"));
  fmt::format_to(out, "command     {}\n", attr("command_line"));
  return s;
}

}  // namespace fplab
