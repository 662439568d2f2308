// The `png` output format (docs/reference.md §6 png/): a density picture at each output time and, at the end,
// the diagnostics plots from the rows collected along the run.
#include <fmt/format.h>

#include <filesystem>
#include <limits>
#include <map>

#include "solver/decay_rate.hpp"
#include "viz/plot_series.hpp"
#include "viz/png_io.hpp"
#include "viz/render.hpp"
#include "viz/render_detail.hpp"

namespace fplab {
namespace {

class PngWriter final : public OutputSink {
 public:
  explicit PngWriter(std::string case_name) : case_name_(std::move(case_name)) {}

  void begin(const RunInfo& info) override {
    grid_ = info.grid;
    density_name_ = info.density_name;
    stationary_ = info.stationary;
    if (info.spec != nullptr) {
      case_name_ = info.spec->name;
      theories_ = decay_rate_theories(*info.spec);
    }
    png_dir_ = (std::filesystem::path(info.output_dir) / "png").string();
    viz::ensure_dir(png_dir_);
    times_.clear();
    columns_.clear();
    for (const auto& name : info.diagnostic_names) columns_[name];
    if (info.past)  // a resumed run plots the series of the run it continues too
      for (std::size_t k = 0; k < info.past->times.size(); ++k)
        add_row(info.past->times[k], &info.past->rows[k]);
  }

  void write(const Snapshot& snap) override {
    DensityPicture pic = viz::density_picture_fitted(grid_, title(snap));
    pic.colorbar_label = density_name_;
    render_density_png(
        grid_, snap.density, pic,
        (std::filesystem::path(png_dir_) / viz::density_png_name(snap.index)).string());
    const auto jx = snap.field("current_x"), jy = snap.field("current_y");
    if (!jx.empty() && !jy.empty() && viz::display_available()) current_picture(snap, jx, jy);
    add_row(snap.t, snap.diagnostics);
  }

  void end(const RunSummary&) override {
    viz::plot_diagnostics(times_, columns_, case_name_, png_dir_, theories_);
  }

 private:
  // current_NNNN.png: the density with the streamlines of the probability current over it.
  void current_picture(const Snapshot& snap, std::span<const double> jx,
                       std::span<const double> jy) const {
    viz::Panel panel{snap.density, viz::scale_resolved({}, snap.density),
                     "density and streamlines of the probability current J"};
    panel.colorbar_label = density_name_;
    panel.vector_x = jx;
    panel.vector_y = jy;
    const std::vector<viz::Panel> panels{panel};
    const auto [w, h] = viz::panels_size_fitted(grid_, panels, true);
    viz::render_panels_png(
        grid_, panels, title(snap), w, h,
        (std::filesystem::path(png_dir_) / fmt::format("current_{:04d}.png", snap.index)).string());
  }

  std::string title(const Snapshot& snap) const {
    return stationary_ ? case_name_ + "  steady state"
                       : fmt::format("{}  t = {:.4g}", case_name_, snap.t);
  }

  void add_row(double t, const DiagnosticRow* row) {
    times_.push_back(t);
    // Every column gets a value at every time (NaN for one a row lacks), so series stay aligned.
    for (auto& [name, column] : columns_)
      column.push_back(std::numeric_limits<double>::quiet_NaN());
    if (row == nullptr) return;
    for (const auto& [name, value] : *row) {
      auto& column = columns_[name];
      column.resize(times_.size(), std::numeric_limits<double>::quiet_NaN());
      column.back() = value;
    }
  }

  std::string case_name_;
  Grid2D grid_;
  std::string density_name_ = "density";
  bool stationary_ = false;  // fplab steady: one snapshot valid at every t
  std::string png_dir_;
  std::vector<double> times_;
  std::map<std::string, std::vector<double>> columns_;
  std::map<std::string, DecayTheory> theories_;  // the case's theoretical decay rates
};

}  // namespace

std::unique_ptr<OutputSink> make_png_writer(const CaseSpec& spec) {
  return std::make_unique<PngWriter>(spec.name);
}

}  // namespace fplab
