// Line plots of diagnostics against time (vtkChartXY drawn offscreen), and the
// standard set of diagnostics plots of a run: mass and moments, entropy, relative entropy and
// Fisher information (log-y, their decay shows the Bakry–Émery rate), errors (log-y).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkContextActor.h>
#include <vtkContextScene.h>
#include <vtkDoubleArray.h>
#include <vtkNew.h>
#include <vtkPen.h>
#include <vtkPlot.h>
#include <vtkPlotPoints.h>
#include <vtkRect.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>

#include "solver/errors.hpp"
#include "viz/png_io.hpp"
#include "viz/render.hpp"
#include "viz/render_detail.hpp"

namespace fplab {
namespace {

constexpr int kPlotWidth = 900, kPlotHeight = 600;

// matplotlib's "tab10" qualitative colours: distinct, and the ones readers of plots expect.
constexpr unsigned char kLineColours[][3] = {
    {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
    {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

void text_black(vtkTextProperty* p, int size) {
  p->SetFontFamilyToArial();
  p->SetFontSize(size);
  p->SetColor(0.0, 0.0, 0.0);
  p->ShadowOff();
}

// Charts need an X server (GLX); without one, say so once and draw nothing.
bool plots_possible() {
  if (viz::display_available()) return true;
  static std::once_flag warned;
  std::call_once(warned, [] {
    spdlog::warn(
        "no X server (DISPLAY unset or unreachable): diagnostics plots are skipped (run under "
        "xvfb-run -a to draw them)");
  });
  return false;
}

// Where on the plot's edge the curves pass least, for the legend (vtkChartLegend alignments):
// right or left × top, bottom or centre. Each curve is sampled along t in plot coordinates scaled
// to [0, 1]² (log10 on a log axis); the legend covers about the outer 25 % × 20 % of its spot.
// Ties go to the first of top right, top left, bottom right, bottom left, centre right/left.
std::pair<int, int> legend_corner(const std::vector<double>& t, vtkTable* table, bool log_y) {
  const vtkIdType columns = table->GetNumberOfColumns();
  std::vector<std::vector<double>> ys;
  double lo = INFINITY, hi = -INFINITY;
  for (vtkIdType c = 1; c < columns; ++c) {
    auto* column = vtkDoubleArray::SafeDownCast(table->GetColumn(c));
    std::vector<double> y(t.size());
    for (std::size_t k = 0; k < t.size(); ++k) {
      const double v = column->GetValue(static_cast<vtkIdType>(k));
      y[k] = log_y ? std::log10(v) : v;  // NaN stays NaN
      if (std::isfinite(y[k])) lo = std::min(lo, y[k]), hi = std::max(hi, y[k]);
    }
    ys.push_back(std::move(y));
  }
  const double t0 = t.empty() ? 0.0 : t.front(), t1 = t.empty() ? 1.0 : t.back();
  if (!(hi > lo) || !(t1 > t0)) return {vtkChartLegend::RIGHT, vtkChartLegend::TOP};
  struct Spot {
    int horizontal, vertical;
    double v_lo, v_hi;
  };
  constexpr Spot kSpots[] = {{vtkChartLegend::RIGHT, vtkChartLegend::TOP, 0.8, 1.0},
                             {vtkChartLegend::LEFT, vtkChartLegend::TOP, 0.8, 1.0},
                             {vtkChartLegend::RIGHT, vtkChartLegend::BOTTOM, 0.0, 0.2},
                             {vtkChartLegend::LEFT, vtkChartLegend::BOTTOM, 0.0, 0.2},
                             {vtkChartLegend::RIGHT, vtkChartLegend::CENTER, 0.4, 0.6},
                             {vtkChartLegend::LEFT, vtkChartLegend::CENTER, 0.4, 0.6}};
  std::array<int, std::size(kSpots)> hits{};
  constexpr int kSamples = 200;  // along the whole t range
  const int per_segment = std::max(2, kSamples / static_cast<int>(t.size() - 1));
  for (const auto& y : ys)
    for (std::size_t k = 0; k + 1 < t.size(); ++k) {
      if (!std::isfinite(y[k]) || !std::isfinite(y[k + 1])) continue;
      for (int s = 0; s < per_segment; ++s) {
        const double w = s / (per_segment - 1.0);
        const double u = ((1 - w) * t[k] + w * t[k + 1] - t0) / (t1 - t0);
        const double v = ((1 - w) * y[k] + w * y[k + 1] - lo) / (hi - lo);
        for (std::size_t p = 0; p < std::size(kSpots); ++p) {
          const bool across =
              kSpots[p].horizontal == vtkChartLegend::RIGHT ? (u > 0.75) : (u < 0.25);
          hits[p] += across && v >= kSpots[p].v_lo && v <= kSpots[p].v_hi;
        }
      }
    }
  const auto best = std::min_element(hits.begin(), hits.end()) - hits.begin();
  return {kSpots[best].horizontal, kSpots[best].vertical};
}

}  // namespace

void plot_series_png(const std::vector<double>& t,
                     const std::vector<std::pair<std::string, std::vector<double>>>& series,
                     const std::string& title, bool log_y, const std::string& png_path) {
  plot_xy_png(t, "t", false, series, title, log_y, png_path);
}

void plot_xy_png(const std::vector<double>& t, const std::string& x_title, bool log_x,
                 const std::vector<std::pair<std::string, std::vector<double>>>& series,
                 const std::string& title, bool log_y, const std::string& png_path) {
  for (const auto& [name, v] : series)
    if (v.size() != t.size())
      throw InputError(fmt::format("plot '{}': series '{}' has {} values but there are {} times.",
                                   title, name, v.size(), t.size()));
  if (!plots_possible()) return;

  // One column per series. On a log axis a non-positive value cannot be drawn: it becomes NaN,
  // which vtkPlotPoints treats as a gap; a series with nothing left to draw is left out.
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  vtkNew<vtkTable> table;
  vtkNew<vtkDoubleArray> t_column;
  t_column->SetName("t");
  for (double v : t) t_column->InsertNextValue(v);
  table->AddColumn(t_column);
  std::vector<std::string> drawn;
  for (const auto& [name, values] : series) {
    vtkNew<vtkDoubleArray> column;
    column->SetName(name.c_str());
    bool any = false;
    for (double v : values) {
      const bool ok = std::isfinite(v) && (!log_y || v > 0.0);
      column->InsertNextValue(ok ? v : nan);
      any = any || ok;
    }
    if (!any) continue;
    table->AddColumn(column);
    drawn.push_back(name);
  }

  // The chart's scene in a plain renderer: what vtkContextView sets up, without the interactor it
  // creates (no interaction offscreen, and a spurious VTK warning without vtkInteractionStyle).
  vtkNew<vtkRenderer> renderer;
  renderer->SetBackground(1.0, 1.0, 1.0);
  vtkNew<vtkContextActor> scene_actor;
  renderer->AddActor(scene_actor);
  scene_actor->GetScene()->SetRenderer(renderer);
  vtkNew<vtkChartXY> chart;
  scene_actor->GetScene()->AddItem(chart);

  // VTK draws the title just above the plot area, whose top border leaves a 22 pt title touching
  // the picture's edge: a chart 12 pixels shorter than the picture gives it room.
  chart->SetAutoSize(false);
  chart->SetSize(vtkRectf(0.0f, 0.0f, kPlotWidth, kPlotHeight - 12));
  chart->SetTitle(title);
  text_black(chart->GetTitleProperties(), 22);
  vtkAxis* x_axis = chart->GetAxis(vtkAxis::BOTTOM);
  vtkAxis* y_axis = chart->GetAxis(vtkAxis::LEFT);
  x_axis->SetTitle(x_title);
  y_axis->SetTitle(drawn.size() == 1 ? drawn.front() : std::string());
  for (vtkAxis* axis : {x_axis, y_axis}) {
    text_black(axis->GetTitleProperties(), 19);
    axis->GetTitleProperties()->BoldOff();
    text_black(axis->GetLabelProperties(), 16);
    axis->GetGridPen()->SetColor(225, 225, 225);
  }
  y_axis->SetLogScale(log_y);
  x_axis->SetLogScale(log_x);
  // The whole time range, even where a log axis drops a zero at t = 0.
  if (t.size() > 1 && t.back() > t.front()) {
    x_axis->SetBehavior(vtkAxis::FIXED);
    x_axis->SetRange(t.front(), t.back());
  }

  // Markers make short series visible; a single time has no line, only its points.
  const bool few_points = t.size() < 25;
  for (std::size_t k = 0; k < drawn.size(); ++k) {
    vtkPlot* line = chart->AddPlot(t.size() < 2 ? vtkChart::POINTS : vtkChart::LINE);
    line->SetInputData(table, 0, static_cast<vtkIdType>(k + 1));
    const auto* c = kLineColours[k % std::size(kLineColours)];
    line->SetColor(c[0], c[1], c[2], 255);
    line->SetWidth(2.5);
    if (auto* points = vtkPlotPoints::SafeDownCast(line))
      points->SetMarkerStyle(few_points ? vtkPlotPoints::CIRCLE : vtkPlotPoints::NONE);
  }
  chart->SetShowLegend(!drawn.empty());
  chart->GetLegend()->SetLabelSize(17);
  const auto [horizontal, vertical] = legend_corner(t, table, log_y);
  chart->GetLegend()->SetHorizontalAlignment(horizontal);
  chart->GetLegend()->SetVerticalAlignment(vertical);

  viz::render_to_png(renderer, kPlotWidth, kPlotHeight, png_path);
}

namespace viz {

std::vector<std::string> plot_diagnostics(const std::vector<double>& t,
                                          const std::map<std::string, std::vector<double>>& columns,
                                          const std::string& case_name,
                                          const std::string& png_dir) {
  std::vector<std::string> written;
  if (t.empty() || !plots_possible()) return written;
  struct Plot {
    const char* file;
    const char* what;
    std::vector<const char*> names;
    bool log_y;
  };
  const std::array<Plot, 4> plots{{
      {"mass_moments.png", "mass and mean", {"mass", "mean_x", "mean_y"}, false},
      {"entropy.png", "entropy", {"entropy"}, false},
      {"rel_entropy.png",
       "relative entropy and Fisher information to equilibrium",
       {"rel_entropy", "fisher_rel"},
       true},
      {"errors.png",
       "errors against the exact solution",
       {"l1_error", "l2_error", "linf_error"},
       true},
  }};
  for (const Plot& p : plots) {
    std::vector<std::pair<std::string, std::vector<double>>> series;
    for (const char* name : p.names)
      if (auto it = columns.find(name); it != columns.end()) series.emplace_back(name, it->second);
    if (series.empty()) continue;
    const std::string path = (std::filesystem::path(png_dir) / p.file).string();
    plot_series_png(t, series, fmt::format("{}: {}", case_name, p.what), p.log_y, path);
    written.push_back(path);
  }
  return written;
}

}  // namespace viz
}  // namespace fplab
