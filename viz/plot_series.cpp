// Line plots of diagnostics against time (vtkChartXY drawn offscreen); the standard set of
// diagnostics plots of a run: mass and moments, entropy, relative entropy and Fisher information
// and the L1 distance to equilibrium (log-y, with their fitted decay rates and the theory's:
// Bakry–Émery for OU), errors (log-y); and the log–log error plot of a refinement study.
#include "viz/plot_series.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
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
#include <vtkSmartPointer.h>
#include <vtkStringArray.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>

#include "solver/convergence.hpp"
#include "solver/decay_rate.hpp"
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

// One line of a chart: its own x and y (NaN is a gap), colour, and pen.
struct Curve {
  std::string name;
  std::vector<double> x, y;
  int colour = 0;  // index into kLineColours
  int line_type = vtkPen::SOLID_LINE;
  bool markers = false;
  bool in_legend = true;
};

// The frame of a chart.
struct Frame {
  std::string title, x_title, y_title;
  bool log_x = false, log_y = false;
  double x_lo = NAN, x_hi = NAN;  // fixed x range when both finite
  std::vector<double> x_ticks;    // labelled x ticks (VTK's own when empty)
};

// A curve's points in [0, 1]² plot coordinates (log10 on a log axis; NaN stays NaN).
struct Scaled {
  double lo_x = INFINITY, hi_x = -INFINITY, lo_y = INFINITY, hi_y = -INFINITY;
  std::vector<std::vector<double>> xs, ys;
};
Scaled scaled_curves(const std::vector<Curve>& curves, const Frame& f) {
  Scaled s;
  for (const Curve& c : curves) {
    std::vector<double> x(c.x.size()), y(c.y.size());
    for (std::size_t k = 0; k < c.x.size(); ++k) {
      x[k] = f.log_x ? std::log10(c.x[k]) : c.x[k];
      y[k] = f.log_y ? std::log10(c.y[k]) : c.y[k];
      if (std::isfinite(x[k])) s.lo_x = std::min(s.lo_x, x[k]), s.hi_x = std::max(s.hi_x, x[k]);
      if (std::isfinite(y[k])) s.lo_y = std::min(s.lo_y, y[k]), s.hi_y = std::max(s.hi_y, y[k]);
    }
    s.xs.push_back(std::move(x));
    s.ys.push_back(std::move(y));
  }
  return s;
}

// Where on the plot's edge the curves pass least, for the legend (vtkChartLegend alignments):
// right or left × top, bottom or centre. Each curve is sampled along x in plot coordinates scaled
// to [0, 1]² (log10 on a log axis); the legend covers about the outer 25 % × 20 % of its spot.
// Ties go to the first of top right, top left, bottom right, bottom left, centre right/left.
std::pair<int, int> legend_corner(const std::vector<Curve>& curves, const Frame& f) {
  const Scaled s = scaled_curves(curves, f);
  if (!(s.hi_y > s.lo_y) || !(s.hi_x > s.lo_x)) return {vtkChartLegend::RIGHT, vtkChartLegend::TOP};
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
  constexpr int kSamples = 200;  // along each curve
  for (std::size_t c = 0; c < s.xs.size(); ++c) {
    const auto &x = s.xs[c], &y = s.ys[c];
    if (x.size() < 2) continue;
    const int per_segment = std::max(2, kSamples / static_cast<int>(x.size() - 1));
    for (std::size_t k = 0; k + 1 < x.size(); ++k) {
      if (!std::isfinite(y[k]) || !std::isfinite(y[k + 1])) continue;
      for (int i = 0; i < per_segment; ++i) {
        const double w = i / (per_segment - 1.0);
        const double u = ((1 - w) * x[k] + w * x[k + 1] - s.lo_x) / (s.hi_x - s.lo_x);
        const double v = ((1 - w) * y[k] + w * y[k + 1] - s.lo_y) / (s.hi_y - s.lo_y);
        for (std::size_t p = 0; p < std::size(kSpots); ++p) {
          const bool across =
              kSpots[p].horizontal == vtkChartLegend::RIGHT ? (u > 0.75) : (u < 0.25);
          hits[p] += across && v >= kSpots[p].v_lo && v <= kSpots[p].v_hi;
        }
      }
    }
  }
  const auto best = std::min_element(hits.begin(), hits.end()) - hits.begin();
  return {kSpots[best].horizontal, kSpots[best].vertical};
}

// The curve as a two-column table; on a log axis a non-positive value cannot be drawn and
// becomes NaN, which vtkPlotPoints treats as a gap.
vtkSmartPointer<vtkTable> curve_table(const Curve& c, const Frame& f) {
  auto table = vtkSmartPointer<vtkTable>::New();
  vtkNew<vtkDoubleArray> x, y;
  x->SetName("x");
  y->SetName(c.name.c_str());
  for (std::size_t k = 0; k < c.x.size(); ++k) {
    const bool ok = std::isfinite(c.y[k]) && (!f.log_y || c.y[k] > 0.0);
    x->InsertNextValue(c.x[k]);
    y->InsertNextValue(ok ? c.y[k] : std::numeric_limits<double>::quiet_NaN());
  }
  table->AddColumn(x);
  table->AddColumn(y);
  return table;
}

bool drawable(const Curve& c, const Frame& f) {
  return std::any_of(c.y.begin(), c.y.end(),
                     [&](double v) { return std::isfinite(v) && (!f.log_y || v > 0.0); });
}

// Title, axis titles, fonts, grid and log scales of a chart.
void chart_frame(vtkChartXY* chart, const Frame& f) {
  // VTK draws the title just above the plot area, whose top border leaves a 22 pt title touching
  // the picture's edge: a chart 12 pixels shorter than the picture gives it room.
  chart->SetAutoSize(false);
  chart->SetSize(vtkRectf(0.0f, 0.0f, kPlotWidth, kPlotHeight - 12));
  chart->SetTitle(f.title);
  text_black(chart->GetTitleProperties(), 22);
  vtkAxis* x_axis = chart->GetAxis(vtkAxis::BOTTOM);
  vtkAxis* y_axis = chart->GetAxis(vtkAxis::LEFT);
  x_axis->SetTitle(f.x_title);
  y_axis->SetTitle(f.y_title);
  for (vtkAxis* axis : {x_axis, y_axis}) {
    text_black(axis->GetTitleProperties(), 19);
    axis->GetTitleProperties()->BoldOff();
    text_black(axis->GetLabelProperties(), 16);
    axis->GetGridPen()->SetColor(225, 225, 225);
  }
  y_axis->SetLogScale(f.log_y);
  x_axis->SetLogScale(f.log_x);
  if (std::isfinite(f.x_lo) && std::isfinite(f.x_hi) && f.x_hi > f.x_lo) {
    x_axis->SetBehavior(vtkAxis::FIXED);
    x_axis->SetRange(f.x_lo, f.x_hi);
  }
  if (f.x_ticks.empty()) return;
  // VTK's own ticks crowd a log axis spanning less than a decade; on a log axis the tick
  // positions are given in log10 units.
  vtkNew<vtkDoubleArray> positions;
  vtkNew<vtkStringArray> labels;
  for (double x : f.x_ticks) {
    positions->InsertNextValue(f.log_x ? std::log10(x) : x);
    labels->InsertNextValue(fmt::format("{:.3g}", x));
  }
  x_axis->SetCustomTickPositions(positions, labels);
}

// Draws the curves that have something to draw into one PNG (the caller checked for X).
void plot_curves_png(const std::vector<Curve>& all, const Frame& f, const std::string& png_path) {
  std::vector<Curve> curves;
  for (const Curve& c : all)
    if (drawable(c, f)) curves.push_back(c);

  // The chart's scene in a plain renderer: what vtkContextView sets up, without the interactor it
  // creates (no interaction offscreen, and a spurious VTK warning without vtkInteractionStyle).
  vtkNew<vtkRenderer> renderer;
  renderer->SetBackground(1.0, 1.0, 1.0);
  vtkNew<vtkContextActor> scene_actor;
  renderer->AddActor(scene_actor);
  scene_actor->GetScene()->SetRenderer(renderer);
  vtkNew<vtkChartXY> chart;
  scene_actor->GetScene()->AddItem(chart);
  chart_frame(chart, f);

  for (const Curve& c : curves) {
    // A single point has no line, only its marker.
    vtkPlot* line = chart->AddPlot(c.x.size() < 2 ? vtkChart::POINTS : vtkChart::LINE);
    line->SetInputData(curve_table(c, f), 0, 1);
    const auto* rgb = kLineColours[c.colour % std::size(kLineColours)];
    line->SetColor(rgb[0], rgb[1], rgb[2], 255);
    line->SetWidth(c.line_type == vtkPen::DOT_LINE ? 3.0 : 2.5);  // dots thin out a line
    line->GetPen()->SetLineType(c.line_type);
    line->SetLegendVisibility(c.in_legend);
    if (auto* points = vtkPlotPoints::SafeDownCast(line))
      points->SetMarkerStyle(c.markers ? vtkPlotPoints::CIRCLE : vtkPlotPoints::NONE);
  }
  chart->SetShowLegend(!curves.empty());
  chart->GetLegend()->SetLabelSize(17);
  const auto [horizontal, vertical] = legend_corner(curves, f);
  chart->GetLegend()->SetHorizontalAlignment(horizontal);
  chart->GetLegend()->SetVerticalAlignment(vertical);

  viz::render_to_png(renderer, kPlotWidth, kPlotHeight, png_path);
}

// Samples of a fitted exponential over [t0, t1] (a straight line on log-y).
Curve exponential_curve(std::string name, double t0, double t1, double log_amplitude, double rate,
                        int colour, int line_type) {
  Curve c{std::move(name), {}, {}, colour, line_type, false};
  constexpr int kSamples = 32;
  for (int k = 0; k < kSamples; ++k) {
    const double t = t0 + (t1 - t0) * k / (kSamples - 1.0);
    c.x.push_back(t);
    c.y.push_back(std::exp(log_amplitude - rate * t));
  }
  return c;
}

// The fitted line of a decaying series over its window (dashed), and the theory's rate through
// the fit's midpoint (dotted), in the series' colour.
void decay_curves(const std::string& name, const std::vector<double>& t,
                  const std::vector<double>& v, const DecayTheory* theory, int colour,
                  std::vector<Curve>& out) {
  const auto fit = decay_rate_fit(t, v);
  if (!fit) return;
  out.push_back(exponential_curve(
      fmt::format("{} fit: rate {:.4g} ± {:.2g}", name, fit->rate, fit->rate_stderr), fit->t_from,
      fit->t_to, fit->log_intercept, fit->rate, colour, vtkPen::DASH_LINE));
  if (theory == nullptr) return;
  const double t_mid = 0.5 * (fit->t_from + fit->t_to);
  const double log_mid = std::log(fit->value_at(t_mid));
  out.push_back(exponential_curve(
      fmt::format("{} theory: rate {:g} ({})", name, theory->rate, theory->source), fit->t_from,
      fit->t_to, log_mid + theory->rate * t_mid, theory->rate, colour, vtkPen::DOT_LINE));
}

// Series against one x as curves in successive colours, markers when there are few points.
std::vector<Curve> series_curves(
    const std::vector<double>& x,
    const std::vector<std::pair<std::string, std::vector<double>>>& series) {
  std::vector<Curve> curves;
  for (const auto& [name, values] : series)
    curves.push_back(
        Curve{name, x, values, static_cast<int>(curves.size()), vtkPen::SOLID_LINE, x.size() < 25});
  return curves;
}

void check_lengths(const std::vector<double>& t,
                   const std::vector<std::pair<std::string, std::vector<double>>>& series,
                   const std::string& title) {
  for (const auto& [name, v] : series)
    if (v.size() != t.size())
      throw InputError(fmt::format("plot '{}': series '{}' has {} values but there are {} times.",
                                   title, name, v.size(), t.size()));
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
  check_lengths(t, series, title);
  if (!plots_possible()) return;
  const std::vector<Curve> curves = series_curves(t, series);
  Frame f;
  f.title = title;
  f.x_title = x_title;
  f.log_x = log_x;
  f.log_y = log_y;
  const auto drawn =
      std::count_if(curves.begin(), curves.end(), [&](const Curve& c) { return drawable(c, f); });
  if (drawn == 1)
    for (const Curve& c : curves)
      if (drawable(c, f)) f.y_title = c.name;
  // The whole time range, even where a log axis drops a zero at t = 0.
  if (t.size() > 1 && t.back() > t.front()) f.x_lo = t.front(), f.x_hi = t.back();
  plot_curves_png(curves, f, png_path);
}

void plot_convergence_png(const CaseSpec& spec, const ConvergenceStudy& s, double expected_order,
                          const std::string& png_path) {
  if (s.levels.empty() || !plots_possible()) return;
  const bool in_time = s.refine == "time";
  std::vector<double> h, l1, l2, linf;
  for (const auto& lv : s.levels) {
    h.push_back(in_time ? lv.dt : (spec.x1 - spec.x0) / lv.nx);
    l1.push_back(lv.l1);
    l2.push_back(lv.l2);
    linf.push_back(lv.linf);
  }
  const auto orders = [](const std::vector<double>& p) {
    return p.empty() ? std::string()
                     : fmt::format(" (observed order{} {:.2f})", p.size() > 1 ? "s" : "",
                                   fmt::join(p, ", "));
  };
  std::vector<Curve> curves = series_curves(h, {{"L1" + orders(s.order_l1), l1},
                                                {"L2" + orders(s.order_l2), l2},
                                                {"Linf" + orders(s.order_linf), linf}});
  for (Curve& c : curves) c.markers = true;
  // Reference slopes C·h^p through each norm's finest error: the observed lines run parallel.
  const std::size_t n = curves.size();
  for (std::size_t k = 0; k < n; ++k) {
    Curve ref{fmt::format("slope {:g} (expected order)", expected_order),
              h,
              {},
              static_cast<int>(k),
              vtkPen::DASH_LINE,
              false,
              k == 0};
    for (double hk : h)
      ref.y.push_back(curves[k].y.back() * std::pow(hk / h.back(), expected_order));
    curves.push_back(std::move(ref));
  }
  const auto [lo, hi] = std::minmax_element(h.begin(), h.end());
  Frame f;
  f.title =
      fmt::format("{}: errors under {} refinement ({})", spec.name, s.refine,
                  s.against_exact ? "against the exact solution" : "against the finest level");
  f.x_title = in_time ? "dt" : "h";
  f.y_title = "error";
  f.log_x = f.log_y = true;
  f.x_lo = *lo / 1.25;
  f.x_hi = *hi * 1.25;
  f.x_ticks = h;
  plot_curves_png(curves, f, png_path);
}

namespace viz {

std::vector<std::string> plot_diagnostics(const std::vector<double>& t,
                                          const std::map<std::string, std::vector<double>>& columns,
                                          const std::string& case_name, const std::string& png_dir,
                                          const std::map<std::string, DecayTheory>& theories) {
  std::vector<std::string> written;
  if (t.empty() || !plots_possible()) return written;
  struct Plot {
    const char* file;
    const char* what;
    std::vector<const char*> names;
    bool log_y, decay;  // decay: fitted and theoretical rates drawn over the series
  };
  const std::array<Plot, 5> plots{{
      {"mass_moments.png", "mass and mean", {"mass", "mean_x", "mean_y"}, false, false},
      {"entropy.png", "entropy", {"entropy"}, false, false},
      {"rel_entropy.png",
       "relative entropy and Fisher information to equilibrium",
       {"rel_entropy", "fisher_rel"},
       true,
       true},
      {"l1_to_eq.png", "L1 distance to equilibrium", {"l1_to_eq"}, true, true},
      {"errors.png",
       "errors against the exact solution",
       {"l1_error", "l2_error", "linf_error"},
       true,
       false},
  }};
  for (const Plot& p : plots) {
    std::vector<std::pair<std::string, std::vector<double>>> series;
    for (const char* name : p.names)
      if (auto it = columns.find(name); it != columns.end()) series.emplace_back(name, it->second);
    if (series.empty()) continue;
    check_lengths(t, series, p.what);
    std::vector<Curve> curves = series_curves(t, series);
    if (p.decay)
      for (std::size_t k = 0; k < series.size(); ++k) {
        const auto th = theories.find(series[k].first);
        decay_curves(series[k].first, t, series[k].second,
                     th == theories.end() ? nullptr : &th->second, static_cast<int>(k), curves);
      }
    Frame f;
    f.title = fmt::format("{}: {}", case_name, p.what);
    f.x_title = "t";
    f.log_y = p.log_y;
    if (series.size() == 1) f.y_title = series.front().first;
    if (t.size() > 1 && t.back() > t.front()) f.x_lo = t.front(), f.x_hi = t.back();
    const std::string path = (std::filesystem::path(png_dir) / p.file).string();
    plot_curves_png(curves, f, path);
    written.push_back(path);
  }
  return written;
}

std::vector<std::string> plot_diagnostics(const std::vector<double>& t,
                                          const std::map<std::string, std::vector<double>>& columns,
                                          const std::string& case_name,
                                          const std::string& png_dir) {
  return plot_diagnostics(t, columns, case_name, png_dir, {});
}

}  // namespace viz
}  // namespace fplab
