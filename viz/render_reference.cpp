// The reference a result's pictures are compared with (render_reference.hpp): the exact solution,
// or a reverse run's data density computed from its stored case with the solver's pure density
// functions (solver/density.hpp), as the run itself computes it for l1_to_data.
#include "viz/render_reference.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "io/case_file.hpp"
#include "solver/density.hpp"
#include "solver/errors.hpp"

namespace fplab::viz {
namespace {

std::optional<std::string> attribute(const ResultFile& r, const std::string& key) {
  const auto it = r.attributes.find(key);
  if (it == r.attributes.end()) return std::nullopt;
  return it->second;
}

// The data density of a reverse case on the result's grid; empty when the case has none.
std::vector<double> data_density(const CaseSpec& spec, const ResultFile& r) {
  const ScoreSpec& sc = spec.equation.score;
  const Sampling s = attribute(r, "sampling") == "point" ? Sampling::point : Sampling::cell_average;
  if (sc.has_data) {
    std::vector<double> out(r.grid.size());
    density_on_grid(sc.data, r.grid, out, "equation.score.data", s);
    return out;
  }
  if (sc.type != "tabulated") return {};
  const ResultFile forward = open_result(sc.path);
  if (forward.grid.nx != r.grid.nx || forward.grid.ny != r.grid.ny)
    throw InputError("the forward run " + sc.path + " has another grid");
  return forward.read_density(0);
}

std::vector<double> reverse_data_density(const ResultFile& r) {
  const auto yaml = attribute(r, "case_yaml");
  if (!yaml || case_identity(r).equation != "reverse_fokker_planck") return {};
  try {
    return data_density(parse_case(*yaml, r.path + " (case_yaml)"), r);
  } catch (const InputError& e) {
    spdlog::warn("{}: no data-density panels: {}", r.path, e.what());
    return {};
  }
}

}  // namespace

Reference reference_of(const ResultFile& r) {
  if (std::find(r.fields.begin(), r.fields.end(), "exact") != r.fields.end())
    return {Reference::Kind::exact, {}, "exact", "numerical", "numerical \u2212 exact", "L1 error"};
  std::vector<double> data = reverse_data_density(r);
  if (data.empty()) return {};
  return {Reference::Kind::data, std::move(data),       "data density",
          "reverse run",         "reverse \u2212 data", "L1 to data"};
}

std::string case_name_of(const ResultFile& r) {
  // An unreadable echo only costs the title its case name: the folder's stands in.
  if (const std::string name = case_identity(r).name; name != "?") return name;
  const auto folder = std::filesystem::absolute(r.path).parent_path().filename().string();
  return folder.empty() ? std::string("result") : folder;
}

}  // namespace fplab::viz
