// `fplab render RESULT.h5`: density pictures for the chosen snapshots and the diagnostics plots,
// read from a result file through io/result_file.hpp (never from solver internals).
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "io/result_file.hpp"
#include "solver/errors.hpp"
#include "viz/png_io.hpp"
#include "viz/render.hpp"
#include "viz/render_detail.hpp"

namespace fplab {
namespace {

// The case name stored in the file's resolved case; the result's folder name when absent.
std::string case_name_of(const ResultFile& r) {
  if (auto it = r.attributes.find("case_yaml"); it != r.attributes.end()) {
    try {
      const YAML::Node node = YAML::Load(it->second);
      if (node.IsMap() && node["name"] && node["name"].IsScalar())
        return node["name"].as<std::string>();
    } catch (const YAML::Exception&) {
      // An unreadable echo only costs the title its case name.
    }
  }
  const auto folder = std::filesystem::absolute(r.path).parent_path().filename().string();
  return folder.empty() ? std::string("result") : folder;
}

}  // namespace

std::vector<std::string> render_result(const std::string& h5_path, const std::string& out_dir,
                                       const std::string& times) {
  const ResultFile r = open_result(h5_path);
  const std::vector<int> picked = viz::snapshots_select(r.times, times);
  std::filesystem::path dir = out_dir;
  if (dir.empty()) {
    const auto folder = std::filesystem::path(h5_path).parent_path();
    dir = (folder.empty() ? std::filesystem::path(".") : folder) / "png";
  }
  viz::ensure_dir(dir.string());

  const std::string name = case_name_of(r);
  std::vector<std::string> written;
  for (int k : picked) {
    const std::vector<double> density = r.read_density(k);
    const DensityPicture pic =
        viz::density_picture_fitted(r.grid, fmt::format("{}  t = {:.4g}", name, r.times[k]));
    const std::string path = (dir / viz::density_png_name(k)).string();
    render_density_png(r.grid, density, pic, path);
    written.push_back(path);
  }
  for (auto& path : viz::plot_diagnostics(r.times, r.diagnostics, name, dir.string()))
    written.push_back(std::move(path));
  return written;
}

}  // namespace fplab
