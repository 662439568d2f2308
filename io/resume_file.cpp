// Reading the /resume state of result.h5 back and checking the case against it (see
// resume_file.hpp).
#include "io/resume_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include "io/hdf5_writer.hpp"
#include "io/result_file.hpp"
#include "solver/errors.hpp"

namespace fplab {
namespace {

// A node as one line of text, for comparing and quoting values.
std::string flat(const YAML::Node& n) {
  if (!n) return "(absent)";
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

// The first differing key under `key` ("" at the top), with both values, or "".
std::string first_difference(const YAML::Node& a, const YAML::Node& b, const std::string& key) {
  if (key == "output" || key == "time.t_end") return "";
  if (a && b && a.IsMap() && b.IsMap()) {
    std::set<std::string> keys;
    for (const auto& kv : a) keys.insert(kv.first.Scalar());
    for (const auto& kv : b) keys.insert(kv.first.Scalar());
    for (const auto& k : keys) {
      const auto d = first_difference(a[k], b[k], key.empty() ? k : key + "." + k);
      if (!d.empty()) return d;
    }
    return "";
  }
  if (flat(a) == flat(b)) return "";
  return fmt::format("{} (stored {}, now {})", key, flat(a), flat(b));
}

double attr_double(hid_t g, const char* name, const std::string& dir) {
  double v = 0.0;
  h5::Handle a(H5Aopen(g, name, H5P_DEFAULT));
  if (!a.valid() || H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) < 0)
    throw InputError(fmt::format("cannot resume {}: its result.h5 lacks /resume {}.", dir, name));
  return v;
}

std::vector<double> read_1d(hid_t g, const std::string& name, const std::string& dir) {
  h5::Handle d(H5Dopen2(g, name.c_str(), H5P_DEFAULT));
  const auto dims = d.valid() ? h5::dataset_dims(d.get()) : std::vector<hsize_t>{};
  std::vector<double> v(dims.size() == 1 ? dims[0] : 0);
  if (dims.size() != 1 ||
      H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
    throw InputError(fmt::format("cannot resume {}: its /resume/{} is unreadable.", dir, name));
  return v;
}

// /resume of an open result.h5: the state and the snapshot it belongs to.
RunState read_state(hid_t f, const std::string& dir, long long& snapshot) {
  if (H5Lexists(f, "resume", H5P_DEFAULT) <= 0)
    throw InputError(fmt::format(
        "cannot resume {}: its result.h5 holds no /resume state (written by an older fplab).",
        dir));
  h5::Handle g(H5Gopen2(f, "resume", H5P_DEFAULT));
  RunState s;
  s.t = attr_double(g.get(), "t", dir);
  s.dt = attr_double(g.get(), "dt", dir);
  s.abs0 = attr_double(g.get(), "abs0", dir);
  s.neg0 = attr_double(g.get(), "neg0", dir);
  s.outflow = attr_double(g.get(), "outflow", dir);
  s.step = static_cast<std::size_t>(attr_double(g.get(), "step", dir));
  snapshot = static_cast<long long>(attr_double(g.get(), "snapshot", dir));
  if (H5Lexists(g.get(), "history_scalars", H5P_DEFAULT) > 0)
    s.history.scalars = read_1d(g.get(), "history_scalars", dir);
  for (int a = 0;; ++a) {
    const std::string name = "history_array_" + std::to_string(a);
    if (H5Lexists(g.get(), name.c_str(), H5P_DEFAULT) <= 0) break;
    s.history.arrays.push_back(read_1d(g.get(), name, dir));
  }
  return s;
}

}  // namespace

std::string case_difference(const std::string& stored_yaml, const std::string& new_yaml) {
  try {
    return first_difference(YAML::Load(stored_yaml), YAML::Load(new_yaml), "");
  } catch (const YAML::Exception&) {
    return "the stored case (it no longer parses)";
  }
}

ResumePoint read_resume_point(const std::string& dir, const CaseSpec& spec) {
  const std::string path = (std::filesystem::path(dir) / "result.h5").string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw InputError(fmt::format("cannot resume {}: it holds no result.h5.", dir));
  ResultFile r;
  try {
    r = open_result(path);
  } catch (const InputError& e) {
    throw InputError(fmt::format("cannot resume {}: {}", dir, e.what()));
  }
  if (r.particles())
    throw InputError(fmt::format(
        "cannot resume {}: its result.h5 holds a particle histogram (fplab sample), not a grid "
        "run.",
        dir));
  const auto status = r.attributes.find("status");
  if (status != r.attributes.end() && status->second == "failed")
    throw InputError(fmt::format("cannot resume {}: its run failed; start it afresh.", dir));
  const auto stored = r.attributes.find("case_yaml");
  const std::string diff =
      case_difference(stored == r.attributes.end() ? "" : stored->second, spec.resolved_yaml);
  if (!diff.empty())
    throw InputError(fmt::format(
        "cannot resume {}: the case differs from the stored one in {}; only time.t_end and "
        "output keys may change.",
        dir, diff));

  ResumePoint p;
  long long snapshot = -1;
  {
    h5::Handle f = h5::open_read(path, "result file");
    h5::ErrorSilencer quiet;
    p.state = read_state(f.get(), dir, snapshot);
  }
  if (snapshot < 0 || static_cast<std::size_t>(snapshot) >= r.times.size() ||
      r.times[snapshot] != p.state.t)
    throw InputError(fmt::format(
        "cannot resume {}: its /resume state does not match a snapshot in result.h5.", dir));
  p.density = r.read_density(static_cast<int>(snapshot));
  p.past.times.assign(r.times.begin(), r.times.begin() + snapshot + 1);
  for (long long k = 0; k <= snapshot; ++k) {
    DiagnosticRow row;
    for (const auto& name : r.diagnostic_names) row.emplace_back(name, r.diagnostics.at(name)[k]);
    p.past.rows.push_back(std::move(row));
  }
  return p;
}

}  // namespace fplab
