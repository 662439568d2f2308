// Density pictures (docs/reference.md §6 png/): the layout of a row of density panels (plot rectangles in the
// domain's shape, tick values, margins for labels and colour bars), the no-X picture (the
// colour-mapped fields alone, vtkImageMapToColors + vtkPNGWriter, which need no display) and the
// public entry, which draws a one-panel row (render_panels.cpp).
#include <fmt/format.h>
#include <vtkDoubleArray.h>
#include <vtkImageAppend.h>
#include <vtkImageData.h>
#include <vtkImageMapToColors.h>
#include <vtkImageResize.h>
#include <vtkNew.h>
#include <vtkPointData.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "solver/errors.hpp"
#include "viz/png_io.hpp"
#include "viz/render.hpp"
#include "viz/render_detail.hpp"

namespace fplab {
namespace viz {
namespace {

// Margins around each plot in font sizes: tick labels and axis titles (left, bottom), the title
// (top), the colour bar with its labels or a gap to the next panel (right); a heading's line.
constexpr double kMarginLeft = 5.0, kMarginRight = 7.5, kMarginGap = 1.5, kMarginBottom = 4.0,
                 kMarginTop = 3.2, kHeadingLine = 2.2;
// Default panel widths (pixels): one panel alone, one of a row with its colour bar, one without.
constexpr int kWidthAlone = 900, kWidthInRow = 640, kWidthInRowBare = 400, kHeightMax = 760;

// 1, 2, 5 or 10 × 10^k nearest x (Heckbert 1990, the "round" variant).
double number_nice(double x) {
  const double e = std::floor(std::log10(x));
  const double f = x / std::pow(10.0, e);
  const double nf = f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0;
  return nf * std::pow(10.0, e);
}

// Pixels per unit height of the picture for a width: the domain's height / width as shown.
double shown_aspect(const Grid2D& g) {
  return std::clamp((g.y1 - g.y0) / (g.x1 - g.x0), 1.0 / kPictureAspectMax, kPictureAspectMax);
}

double margin_right(const Panel& p) { return p.colour_bar ? kMarginRight : kMarginGap; }

double margin_top(bool heading) { return kMarginTop + (heading ? kHeadingLine : 0.0); }

// Font size of a row: about 19 pt in the default 900 × 760 picture; from the width per panel
// unless the picture is flat.
int row_font_size(std::size_t n, int width, int height) {
  const double per_panel =
      static_cast<double>(width) / static_cast<double>(std::max<std::size_t>(1, n));
  return std::max(12, static_cast<int>(std::lround(std::min(per_panel / 47.4, height / 25.0))));
}

}  // namespace

std::vector<double> ticks_nice(double lo, double hi, int target) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  const double step = number_nice((hi - lo) / std::max(1, target));
  // Integer multiples of the step, so that zero is exactly 0 and labels print short.
  const double k0 = std::ceil(lo / step - 1e-9), k1 = std::floor(hi / step + 1e-9);
  std::vector<double> ticks;
  for (double k = k0; k <= k1; k += 1.0) ticks.push_back(k * step + 0.0);  // + 0.0: no "-0"
  return ticks;
}

std::vector<DensityLayout> panel_layouts(const Grid2D& g, std::span<const Panel> panels, int width,
                                         int height, bool heading) {
  const std::size_t n = std::max<std::size_t>(1, panels.size());
  const int fs = row_font_size(n, width, height);
  double margins = 0.0;
  for (const Panel& p : panels) margins += (kMarginLeft + margin_right(p)) * fs;
  const double avail_w = std::max(1.0, (width - margins) / static_cast<double>(n));
  const double avail_h = std::max(1.0, height - (kMarginBottom + margin_top(heading)) * fs);
  // Equal pixels per unit in x and y, unless the domain is a strip more than kPictureAspectMax
  // times longer one way: then the short side is stretched to 1/kPictureAspectMax of the long one.
  const double shown = shown_aspect(g);
  DensityLayout L;
  L.font_size = fs;
  L.width = std::min(avail_w, avail_h / shown);
  L.height = L.width * shown;
  L.scale_x = L.width / (g.x1 - g.x0);
  L.scale_y = L.height / (g.y1 - g.y0);
  // Whole pixels for the corners so that the frame lines are crisp; the row (plots, bars and
  // gaps) is centred.
  L.bottom = std::round(kMarginBottom * fs + 0.5 * (avail_h - L.height));
  double x = 0.5 * (width - margins - static_cast<double>(n) * L.width);
  std::vector<DensityLayout> out;
  for (const Panel& p : panels) {
    L.left = std::round(x + kMarginLeft * fs);
    out.push_back(L);
    x += (kMarginLeft + margin_right(p)) * fs + L.width;
  }
  return out;
}

DensityLayout density_layout(const Grid2D& g, int width, int height) {
  const Panel one;
  return panel_layouts(g, std::span(&one, 1), width, height, false).front();
}

std::pair<int, int> panels_size_fitted(const Grid2D& g, std::span<const Panel> panels,
                                       bool heading) {
  int width = 0;
  for (const Panel& p : panels)
    width += panels.size() == 1 ? kWidthAlone : p.colour_bar ? kWidthInRow : kWidthInRowBare;
  const DensityLayout L = panel_layouts(g, panels, width, kHeightMax, heading).front();
  const double fs = L.font_size;
  double margins = 0.0;
  for (const Panel& p : panels) margins += (kMarginLeft + margin_right(p)) * fs;
  const double avail_w = (width - margins) / static_cast<double>(panels.size());
  if (L.width < avail_w - 1.0) return {width, kHeightMax};  // the height already limits the plots
  // Just tall enough for the plots and their margins (a 2:1 domain alone: 900 × 475), and not so
  // flat that the fonts would shrink (row_font_size takes them from min(width / 47.4, height /
  // 25)).
  const double fitted = L.height + (kMarginBottom + margin_top(heading)) * fs;
  return {width, std::clamp(static_cast<int>(std::lround(fitted)),
                            static_cast<int>(std::ceil(25.0 * fs)), kHeightMax)};
}

DensityPicture density_picture_fitted(const Grid2D& g, std::string title) {
  DensityPicture pic;
  pic.title = std::move(title);
  const Panel one;
  std::tie(pic.width, pic.height) = panels_size_fitted(g, std::span(&one, 1), false);
  return pic;
}

std::pair<int, int> fallback_size(const Grid2D& g, int width, int height) {
  const double shown = shown_aspect(g);  // height / width
  if (shown * width <= height)
    return {width, std::max(1, static_cast<int>(std::lround(width * shown)))};
  return {std::max(1, static_cast<int>(std::lround(height / shown))), height};
}

void panels_check(const Grid2D& g, std::span<const Panel> panels, int width, int height) {
  if (g.nx < 1 || g.ny < 1 || !(g.x1 > g.x0) || !(g.y1 > g.y0))
    throw InputError(fmt::format(
        "density picture: the grid must have at least one cell and a non-empty domain (got {}x{} "
        "cells on [{}, {}] x [{}, {}]).",
        g.nx, g.ny, g.x0, g.x1, g.y0, g.y1));
  for (const Panel& p : panels)
    if (p.field.size() != g.size())
      throw InputError(
          fmt::format("density picture: the field has {} values but the {}x{} grid has {} cells.",
                      p.field.size(), g.nx, g.ny, g.size()));
  if (width < 64 || height < 64)
    throw InputError(fmt::format(
        "density picture: the size must be at least 64x64 pixels (got {}x{}).", width, height));
}

vtkSmartPointer<vtkImageMapToColors> panel_colours(const Grid2D& g, const Panel& p, double x0,
                                                   double y0, double sx, double sy) {
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(g.nx, g.ny, 1);
  image->SetOrigin(x0, y0, 0.0);
  image->SetSpacing(sx, sy, 1.0);
  vtkNew<vtkDoubleArray> values;
  values->SetName("density");
  values->SetNumberOfValues(static_cast<vtkIdType>(g.size()));
  // VTK's point order (i fastest, then j) is the field's row-major (j, i) order.
  std::copy(p.field.begin(), p.field.end(), values->GetPointer(0));
  image->GetPointData()->SetScalars(values);
  auto colours = vtkSmartPointer<vtkImageMapToColors>::New();
  colours->SetInputData(image);
  colours->SetLookupTable(lookup_table(p.scale));
  colours->SetOutputFormatToRGB();
  return colours;
}

namespace {

// One panel's field coloured by its scale, cells as blocks of pixels (nearest neighbour, image
// edges on the outer cell edges) in a w × h image. VTK stores row j = 0 (y = y0) first and
// vtkPNGWriter writes the last row at the top, so y points up.
vtkSmartPointer<vtkImageResize> field_coloured(const Grid2D& g, const Panel& p, int w, int h) {
  auto resize = vtkSmartPointer<vtkImageResize>::New();
  resize->SetInputConnection(panel_colours(g, p)->GetOutputPort());
  resize->SetResizeMethodToOutputDimensions();
  resize->SetOutputDimensions(w, h, 1);
  resize->InterpolateOff();
  resize->BorderOn();
  return resize;
}

}  // namespace

void render_panels_png_no_x(const Grid2D& g, std::span<const Panel> panels, int width, int height,
                            const std::string& png_path) {
  panels_check(g, panels, width, height);
  // Each panel in its share of the width, with the domain's aspect ratio, side by side.
  const int share = std::max(1, width / static_cast<int>(std::max<std::size_t>(1, panels.size())));
  const auto [w, h] = fallback_size(g, share, height);
  vtkNew<vtkImageAppend> row;
  row->SetAppendAxis(0);
  for (const Panel& p : panels)
    row->AddInputConnection(field_coloured(g, p, w, h)->GetOutputPort());
  write_png_port(row->GetOutputPort(), png_path);
}

void render_density_png_no_x(const Grid2D& g, std::span<const double> field,
                             const DensityPicture& pic, const std::string& png_path) {
  const Panel one{
      field, scale_resolved(pic.scale, field), pic.title, "x", true, pic.colorbar_label};
  render_panels_png_no_x(g, std::span(&one, 1), pic.width, pic.height, png_path);
}

}  // namespace viz

void render_density_png(const Grid2D& g, std::span<const double> field, const DensityPicture& pic,
                        const std::string& png_path) {
  const viz::Panel one{
      field, viz::scale_resolved(pic.scale, field), pic.title, "x", true, pic.colorbar_label};
  viz::render_panels_png(g, std::span(&one, 1), "", pic.width, pic.height, png_path);
}

}  // namespace fplab
