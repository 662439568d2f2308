// `fplab render FORWARD.h5 REVERSE.h5`: the way to noise and back in one strip of panels, the
// forward run's snapshots at 4 evenly spaced times, then the reverse run's (its first is the
// noise the forward run ends in), in one colour range with one colour bar, times under each.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "io/result_file.hpp"
#include "solver/errors.hpp"
#include "viz/png_io.hpp"
#include "viz/render.hpp"
#include "viz/render_detail.hpp"
#include "viz/render_reference.hpp"

namespace fplab {
namespace {

constexpr int kStripPerRun = 4;

// kStripPerRun snapshot indices evenly spaced in time from the first to the last (fewer when
// the run stores fewer), each the nearest stored one.
std::vector<int> strip_snapshots(const std::vector<double>& times) {
  std::string wanted;
  for (int i = 0; i < kStripPerRun; ++i)
    wanted += fmt::format("{}{:.17g}", i ? "," : "",
                          times.front() + (times.back() - times.front()) * i / (kStripPerRun - 1));
  return viz::snapshots_select(times, wanted);
}

struct StripField {
  std::vector<double> values;
  std::string caption;
};

void strip_add(const ResultFile& r, const char* time_name, std::vector<StripField>& out) {
  for (int k : strip_snapshots(r.times))
    out.push_back({r.read_density(k), fmt::format("{} = {:.3g}", time_name, r.times[k])});
}

}  // namespace

std::vector<std::string> render_strip(const std::string& forward_h5, const std::string& reverse_h5,
                                      const RenderOptions& o) {
  viz::colormap_check(o.colormap);
  const ResultFile fw = open_result(forward_h5), rv = open_result(reverse_h5);
  const Grid2D& g = fw.grid;
  if (g.nx != rv.grid.nx || g.ny != rv.grid.ny || g.x0 != rv.grid.x0 || g.x1 != rv.grid.x1 ||
      g.y0 != rv.grid.y0 || g.y1 != rv.grid.y1)
    throw InputError(fmt::format("render: {} and {} are on different grids; a strip needs one.",
                                 forward_h5, reverse_h5));
  std::vector<StripField> fields;
  strip_add(fw, "t", fields);
  const std::size_t n_forward = fields.size();
  strip_add(rv, "tau", fields);  // the reverse run's own time τ = T − t (Arial in VTK has no τ)

  // One range over every panel, so that the strip compares.
  ColourScale scale{o.colormap, o.log, INFINITY, -INFINITY};
  for (const auto& f : fields) {
    const auto [lo, hi] = viz::field_range(f.values);
    scale.lo = std::min(scale.lo, lo);
    scale.hi = std::max(scale.hi, hi);
  }
  std::vector<viz::Panel> panels;
  for (std::size_t k = 0; k < fields.size(); ++k)
    panels.push_back({fields[k].values, viz::scale_resolved(scale, fields[k].values),
                      k < n_forward ? "forward" : "reverse", fields[k].caption,
                      k + 1 == fields.size(), "density"});
  const std::string heading =
      fmt::format("{} and back: {}", viz::case_name_of(fw), viz::case_name_of(rv));
  auto [w, h] = viz::panels_size_fitted(g, panels, true);
  if (o.width > 0) std::tie(w, h) = std::pair{o.width, o.height};

  std::filesystem::path dir = o.out_dir;
  if (dir.empty()) {
    const auto folder = std::filesystem::path(forward_h5).parent_path();
    dir = (folder.empty() ? std::filesystem::path(".") : folder) / "png";
  }
  viz::ensure_dir(dir.string());
  const std::string path = (dir / "forward_reverse.png").string();
  viz::render_panels_png(g, panels, heading, w, h, path);
  return {path};
}

}  // namespace fplab
