// `fplab render RESULT.h5`: density pictures for the chosen snapshots (beside a reference, the
// exact solution or a reverse run's data density, and their difference, when there is one), the
// diagnostics plots, and optionally surface views and an animation; read from a result file
// through io/ (never from solver internals).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "io/result_file.hpp"
#include "solver/errors.hpp"
#include "viz/plot_series.hpp"
#include "viz/png_io.hpp"
#include "viz/render.hpp"
#include "viz/render_detail.hpp"
#include "viz/render_reference.hpp"

namespace fplab {
namespace {

// One snapshot as drawn: the density, the reference and their difference (when there is a
// reference) and ∫|p − reference| (Σ|p − ref|·dx·dy).
struct Frame {
  double t = 0.0;
  std::vector<double> density, reference, difference;
  double l1 = 0.0;
};

Frame frame_read(const ResultFile& r, const viz::Reference& ref, int k) {
  Frame f{r.times[k], r.read_density(k), {}, {}, 0.0};
  if (ref.kind == viz::Reference::Kind::none) return f;
  f.reference = ref.kind == viz::Reference::Kind::exact ? r.read_field("exact", k) : ref.data;
  f.difference.resize(f.density.size());
  double sum = 0.0;
  for (std::size_t c = 0; c < f.density.size(); ++c) {
    f.difference[c] = f.density[c] - f.reference[c];
    sum += std::abs(f.difference[c]);
  }
  f.l1 = sum * r.grid.cell_area();
  return f;
}

// Colour ranges: of the densities (with the reference, so that both panels compare) and the
// largest |difference|, over the frames given.
struct Ranges {
  double lo = INFINITY, hi = -INFINITY, diff = 0.0;
  void add(const Frame& f) {
    for (const auto* field : {&f.density, &f.reference}) {
      if (field->empty()) continue;
      const auto [a, b] = viz::field_range(*field);
      lo = std::min(lo, a);
      hi = std::max(hi, b);
    }
    for (double d : f.difference)
      if (std::isfinite(d)) diff = std::max(diff, std::abs(d));
  }
};

// The panels of a frame in the given ranges: the density alone, or reference, result and
// difference (symmetric about zero on the diverging map).
std::vector<viz::Panel> frame_panels(const Frame& f, const viz::Reference& ref, const Ranges& rg,
                                     const RenderOptions& o, const std::string& title) {
  const ColourScale density_scale{o.colormap, o.log, rg.lo, rg.hi};
  viz::Panel result{f.density, viz::scale_resolved(density_scale, f.density), title};
  if (ref.kind == viz::Reference::Kind::none) return {result};
  const double m = rg.diff > 0.0 ? rg.diff : 1.0;
  const viz::Panel reference{f.reference, result.scale, ref.label};
  // Symmetric about zero, so that zero takes the diverging map's neutral middle colour.
  const ColourScale centred{viz::kDivergingMap, false, -m, m};
  const viz::Panel difference{f.difference, centred, ref.difference_label, "x", true, ""};
  result.title = ref.result_label;
  if (ref.kind == viz::Reference::Kind::exact) return {result, reference, difference};
  return {reference, result, difference};  // data first: the reverse run ends at it
}

std::filesystem::path picture_dir(const std::string& h5_path, const RenderOptions& o) {
  std::filesystem::path dir = o.out_dir;
  if (dir.empty()) {
    const auto folder = std::filesystem::path(h5_path).parent_path();
    dir = (folder.empty() ? std::filesystem::path(".") : folder) / "png";
  }
  viz::ensure_dir(dir.string());
  return dir;
}

Ranges ranges_fixed(const ResultFile& r, const viz::Reference& ref,
                    const std::vector<int>& picked) {
  Ranges rg;
  for (int k : picked) rg.add(frame_read(r, ref, k));
  return rg;
}

// current_NNNN.png: the density with the streamlines of the probability current J over it.
std::string current_picture(const ResultFile& r, const Frame& f, const ColourScale& scale,
                            const std::string& title, const std::filesystem::path& dir, int k,
                            const RenderOptions& o) {
  const std::vector<double> jx = r.read_field("current_x", k), jy = r.read_field("current_y", k);
  viz::Panel panel{f.density, scale, "density and streamlines of the probability current J"};
  panel.vector_x = jx;
  panel.vector_y = jy;
  const std::vector<viz::Panel> panels{panel};
  auto [w, h] = viz::panels_size_fitted(r.grid, panels, true);
  if (o.width > 0) std::tie(w, h) = std::pair{o.width, o.height};
  const std::string path = (dir / fmt::format("current_{:04d}.png", k)).string();
  viz::render_panels_png(r.grid, panels, title, w, h, path);
  return path;
}

// The grid result's pictures (beside its reference when it has one), the current's streamlines
// when the result stores J (current_NNNN.png, needs an X server) and surface views.
std::vector<std::string> density_pictures(const ResultFile& r, const std::vector<int>& picked,
                                          const std::filesystem::path& dir,
                                          const RenderOptions& o) {
  const std::string name = viz::case_name_of(r);
  const viz::Reference ref = viz::reference_of(r);
  const Ranges fixed = o.per_frame ? Ranges{} : ranges_fixed(r, ref, picked);
  std::vector<std::string> written;
  for (std::size_t n = 0; n < picked.size(); ++n) {
    const int k = picked[n];
    const Frame f = frame_read(r, ref, k);
    Ranges rg = fixed;
    if (o.per_frame) rg.add(f);
    const auto stationary = r.attributes.find("stationary");
    const std::string title = stationary != r.attributes.end() && stationary->second == "true"
                                  ? name + "  steady state"
                                  : fmt::format("{}  t = {:.4g}", name, f.t);
    const auto panels = frame_panels(f, ref, rg, o, title);
    const std::string heading = ref.kind == viz::Reference::Kind::none
                                    ? ""
                                    : fmt::format("{}   {} = {:.3g}", title, ref.l1_label, f.l1);
    auto [w, h] = viz::panels_size_fitted(r.grid, panels, !heading.empty());
    if (o.width > 0) std::tie(w, h) = std::pair{o.width, o.height};
    written.push_back(viz::frame_png_path(dir, o, k, static_cast<int>(n)));
    viz::render_panels_png(r.grid, panels, heading, w, h, written.back());
    if (r.has_field("current_x") && r.has_field("current_y") && viz::display_available())
      written.push_back(current_picture(r, f, panels.front().scale, title, dir, k, o));
    if (!o.surface || !viz::display_available()) continue;
    written.push_back((dir / fmt::format("surface_{:04d}.png", k)).string());
    viz::render_surface_png(r.grid, f.density, panels.front().scale, title, o.width > 0 ? w : 900,
                            o.width > 0 ? h : 760, written.back());
  }
  return written;
}

}  // namespace

std::string viz::frame_png_path(const std::filesystem::path& dir, const RenderOptions& o, int k,
                                int n) {
  if (o.animate) return (dir / "frames" / fmt::format("frame_{:04d}.png", n)).string();
  return (dir / viz::density_png_name(k)).string();
}

std::pair<int, int> picture_size_parse(const std::string& text) {
  int w = 0, h = 0;
  const char* end = text.data() + text.size();
  const auto x = text.find('x');
  bool ok = x != std::string::npos;
  if (ok) {
    const auto [pw, ew] = std::from_chars(text.data(), text.data() + x, w);
    const auto [ph, eh] = std::from_chars(text.data() + x + 1, end, h);
    ok = ew == std::errc() && pw == text.data() + x && eh == std::errc() && ph == end;
  }
  if (!ok || w < 64 || h < 64)
    throw InputError(fmt::format(
        "--size: expected WIDTHxHEIGHT in pixels, each at least 64 (e.g. 1200x800), got '{}'.",
        text));
  return {w, h};
}

std::vector<std::string> render_result(const std::string& h5_path, const RenderOptions& o) {
  viz::colormap_check(o.colormap);
  const ResultFile r = open_result(h5_path);
  const std::string times = o.times.empty() ? (o.animate ? "all" : "last") : o.times;
  const std::vector<int> picked = viz::snapshots_select(r.times, times);
  const std::filesystem::path dir = picture_dir(h5_path, o);
  if (o.animate) std::filesystem::remove_all(dir / "frames");  // no stale frames in the MP4
  std::vector<std::string> written = r.particles()
                                         ? viz::render_particle_pictures(r, picked, dir, o)
                                         : density_pictures(r, picked, dir, o);
  if (o.animate && viz::animation_encode((dir / "frames").string(), (dir / "density.mp4").string()))
    written.push_back((dir / "density.mp4").string());
  for (auto& path : viz::plot_diagnostics(r.times, r.diagnostics, viz::case_name_of(r),
                                          dir.string(), result_decay_theories(r)))
    written.push_back(std::move(path));
  return written;
}

}  // namespace fplab
