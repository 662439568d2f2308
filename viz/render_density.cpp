// Density pictures (SPEC §6 png/): the cell field coloured with viridis in a parallel-projected
// VTK scene, with axes in domain units, a colour bar and a title; without an X server, the
// colour-mapped field alone (vtkImageMapToColors + vtkPNGWriter, which need no display).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <vtkActor2D.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCoordinate.h>
#include <vtkDoubleArray.h>
#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkImageMapToColors.h>
#include <vtkImageMapper3D.h>
#include <vtkImageResize.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty2D.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "solver/errors.hpp"
#include "viz/png_io.hpp"
#include "viz/render.hpp"
#include "viz/render_detail.hpp"

namespace fplab {
namespace viz {
namespace {

void check_picture_input(const Grid2D& g, std::span<const double> field,
                         const DensityPicture& pic) {
  if (g.nx < 1 || g.ny < 1 || !(g.x1 > g.x0) || !(g.y1 > g.y0))
    throw InputError(fmt::format(
        "density picture: the grid must have at least one cell and a non-empty domain (got {}x{} "
        "cells on [{}, {}] x [{}, {}]).",
        g.nx, g.ny, g.x0, g.x1, g.y0, g.y1));
  if (field.size() != g.size())
    throw InputError(
        fmt::format("density picture: the field has {} values but the {}x{} grid has {} cells.",
                    field.size(), g.nx, g.ny, g.size()));
  if (pic.width < 64 || pic.height < 64)
    throw InputError(
        fmt::format("density picture: the size must be at least 64x64 pixels (got {}x{}).",
                    pic.width, pic.height));
}

// Text in black Arial: titles and labels of the picture.
void text_style(vtkTextProperty* p, double size) {
  p->SetFontFamilyToArial();
  p->SetFontSize(static_cast<int>(std::lround(size)));
  p->SetColor(0.0, 0.0, 0.0);
  p->ShadowOff();
  p->BoldOff();
  p->ItalicOff();
}

vtkSmartPointer<vtkTextActor> text_at(const std::string& text, double x, double y, double size,
                                      int justify, int vjustify) {
  auto actor = vtkSmartPointer<vtkTextActor>::New();
  actor->SetInput(text.c_str());
  text_style(actor->GetTextProperty(), size);
  actor->GetTextProperty()->SetJustification(justify);
  actor->GetTextProperty()->SetVerticalJustification(vjustify);
  actor->GetPositionCoordinate()->SetCoordinateSystemToDisplay();
  actor->GetPositionCoordinate()->SetValue(x, y);
  return actor;
}

std::string tick_label(double v) { return fmt::format("{:g}", v); }

// The full picture: needs an X server (GLX).
void render_density_png_x(const Grid2D& g, std::span<const double> field, const DensityPicture& pic,
                          const std::string& png_path) {
  const int W = pic.width, H = pic.height;
  const DensityLayout L = density_layout(g, W, H);
  const double fs = L.font_size;
  const auto [lo, hi] = field_range(field);
  auto lut = lookup_table_viridis(lo, hi);

  // One image point per cell, at its centre, coloured through the lookup table and drawn as a
  // texture with nearest-neighbour sampling: each cell is the flat-coloured rectangle it
  // averages over, exactly covering [x0, x1] × [y0, y1]. (Cell data through a vtkDataSetMapper
  // gives the same picture from one polygon per cell; this is one textured rectangle.)
  // The scene's y is the domain's y stretched by r, which is 1 unless the domain is a strip (see
  // density_layout), so that one parallel camera maps both directions onto the plot rectangle.
  const double r = L.scale_y / L.scale_x;
  vtkNew<vtkImageData> image;
  image->SetDimensions(g.nx, g.ny, 1);
  image->SetOrigin(g.xc(0), g.yc(0) * r, 0.0);
  image->SetSpacing(g.dx(), g.dy() * r, 1.0);
  vtkNew<vtkDoubleArray> values;
  values->SetName("density");
  values->SetNumberOfValues(static_cast<vtkIdType>(g.size()));
  // VTK's point order (i fastest, then j) is the field's row-major (j, i) order.
  std::copy(field.begin(), field.end(), values->GetPointer(0));
  image->GetPointData()->SetScalars(values);

  vtkNew<vtkImageMapToColors> colours;
  colours->SetInputData(image);
  colours->SetLookupTable(lut);
  colours->SetOutputFormatToRGB();
  vtkNew<vtkImageActor> field_actor;
  field_actor->GetMapper()->SetInputConnection(colours->GetOutputPort());
  field_actor->InterpolateOff();
  field_actor->GetMapper()->BorderOn();  // edge cells drawn whole, not cut at their centres

  vtkNew<vtkRenderer> renderer;
  renderer->SetBackground(1.0, 1.0, 1.0);
  renderer->AddActor(field_actor);

  // Parallel camera placed so that the domain lands exactly on the layout's plot rectangle:
  // the window spans W / scale_x scene units across and H / scale_x up.
  vtkCamera* camera = renderer->GetActiveCamera();
  camera->ParallelProjectionOn();
  const double cx = g.x0 + (0.5 * W - L.left) / L.scale_x;
  const double cy = g.y0 * r + (0.5 * H - L.bottom) / L.scale_x;
  camera->SetFocalPoint(cx, cy, 0.0);
  camera->SetPosition(cx, cy, 1.0);
  camera->SetViewUp(0.0, 1.0, 0.0);
  camera->SetParallelScale(0.5 * H / L.scale_x);
  camera->SetClippingRange(0.5, 1.5);

  // Frame and outward ticks, in display pixels (overlay, never hidden by the field).
  const double tick = 0.4 * fs, label_size = 0.9 * fs;
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> lines;
  auto add_line = [&](double xa, double ya, double xb, double yb) {
    const vtkIdType a = points->InsertNextPoint(xa, ya, 0.0);
    const vtkIdType b = points->InsertNextPoint(xb, yb, 0.0);
    const vtkIdType ids[2] = {a, b};
    lines->InsertNextCell(2, ids);
  };
  const double xl = L.left, xr = L.left + L.width, yb = L.bottom, yt = L.bottom + L.height;
  add_line(xl, yb, xr, yb);
  add_line(xr, yb, xr, yt);
  add_line(xr, yt, xl, yt);
  add_line(xl, yt, xl, yb);

  std::vector<vtkSmartPointer<vtkTextActor>> texts;
  const int x_target = std::max(3, static_cast<int>(L.width / (5.0 * fs)));
  for (double x : ticks_nice(g.x0, g.x1, x_target)) {
    const double px = L.left + (x - g.x0) * L.scale_x;
    add_line(px, yb, px, yb - tick);
    texts.push_back(text_at(tick_label(x), px, yb - tick - 0.3 * fs, label_size, VTK_TEXT_CENTERED,
                            VTK_TEXT_TOP));
  }
  const int y_target = std::max(3, static_cast<int>(L.height / (4.0 * fs)));
  std::size_t widest = 1;
  for (double y : ticks_nice(g.y0, g.y1, y_target)) {
    const double py = L.bottom + (y - g.y0) * L.scale_y;
    add_line(xl, py, xl - tick, py);
    const std::string label = tick_label(y);
    widest = std::max(widest, label.size());
    texts.push_back(
        text_at(label, xl - tick - 0.3 * fs, py, label_size, VTK_TEXT_RIGHT, VTK_TEXT_CENTERED));
  }
  texts.push_back(text_at("x", L.left + 0.5 * L.width, yb - tick - 1.6 * fs, fs, VTK_TEXT_CENTERED,
                          VTK_TEXT_TOP));
  texts.push_back(text_at("y", xl - tick - 0.3 * fs - 0.6 * label_size * widest - 0.7 * fs,
                          L.bottom + 0.5 * L.height, fs, VTK_TEXT_RIGHT, VTK_TEXT_CENTERED));
  texts.push_back(text_at(pic.title, L.left + 0.5 * L.width, yt + 0.9 * fs, 1.2 * fs,
                          VTK_TEXT_CENTERED, VTK_TEXT_BOTTOM));

  vtkNew<vtkPolyData> axes;
  axes->SetPoints(points);
  axes->SetLines(lines);
  vtkNew<vtkPolyDataMapper2D> axes_mapper;
  axes_mapper->SetInputData(axes);
  vtkNew<vtkActor2D> axes_actor;
  axes_actor->SetMapper(axes_mapper);
  axes_actor->GetProperty()->SetColor(0.0, 0.0, 0.0);
  axes_actor->GetProperty()->SetLineWidth(1.0);
  renderer->AddActor2D(axes_actor);
  for (auto& t : texts) renderer->AddActor2D(t);

  // Colour bar beside the plot, exactly as tall as it, ticks at round values of the density;
  // its label reads upwards on the right (the bar's own title would shorten the bar).
  vtkNew<vtkDoubleArray> bar_ticks;
  std::size_t widest_bar_label = 1;
  for (double v : ticks_nice(lo, hi, 5)) {
    bar_ticks->InsertNextValue(v);
    widest_bar_label = std::max(widest_bar_label, tick_label(v).size());
  }
  const double bar_x = xr + 1.0 * fs, bar_width = 1.2 * fs, bar_pad = 0.4 * fs;
  const double bar_labels = 0.62 * label_size * static_cast<double>(widest_bar_label);
  vtkNew<vtkScalarBarActor> bar;
  bar->SetLookupTable(lut);
  bar->SetOrientationToVertical();
  bar->SetTitle("");
  bar->UnconstrainedFontSizeOn();
  text_style(bar->GetLabelTextProperty(), label_size);
  bar->SetLabelFormat("%g");
  bar->SetCustomLabels(bar_ticks);
  bar->UseCustomLabelsOn();
  bar->SetMaximumNumberOfColors(256);
  bar->DrawFrameOff();
  bar->SetTextPad(static_cast<int>(bar_pad));
  bar->SetBarRatio(bar_width / (bar_width + bar_pad + bar_labels));
  bar->GetPositionCoordinate()->SetCoordinateSystemToDisplay();
  bar->GetPositionCoordinate()->SetValue(bar_x, yb);
  bar->GetPosition2Coordinate()->SetCoordinateSystemToDisplay();
  bar->GetPosition2Coordinate()->SetValue(bar_width + bar_pad + bar_labels, L.height);
  renderer->AddActor2D(bar);
  auto bar_title = text_at(pic.colorbar_label, bar_x + bar_width + bar_pad + bar_labels + 0.5 * fs,
                           yb + 0.5 * L.height, fs, VTK_TEXT_CENTERED, VTK_TEXT_TOP);
  bar_title->GetTextProperty()->SetOrientation(90.0);
  renderer->AddActor2D(bar_title);

  render_to_png(renderer, W, H, png_path);
}

// Margins around the plot in font sizes: tick labels and axis titles (left, bottom), the title
// (top), the colour bar with its labels (right).
constexpr double kMarginLeft = 5.0, kMarginRight = 7.5, kMarginBottom = 4.0, kMarginTop = 3.2;

// 1, 2, 5 or 10 × 10^k nearest x (Heckbert 1990, the "round" variant).
double number_nice(double x) {
  const double e = std::floor(std::log10(x));
  const double f = x / std::pow(10.0, e);
  const double nf = f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0;
  return nf * std::pow(10.0, e);
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

DensityLayout density_layout(const Grid2D& g, int width, int height) {
  DensityLayout L;
  // About 19 pt in the default 900 × 760 picture; from the width unless the picture is flat.
  L.font_size = std::max(12, static_cast<int>(std::lround(std::min(width / 47.4, height / 25.0))));
  const double fs = L.font_size;
  const double m_left = kMarginLeft * fs, m_right = kMarginRight * fs;
  const double m_bottom = kMarginBottom * fs, m_top = kMarginTop * fs;
  const double avail_w = std::max(1.0, width - m_left - m_right);
  const double avail_h = std::max(1.0, height - m_bottom - m_top);
  // Equal pixels per unit in x and y, unless the domain is a strip more than kPictureAspectMax
  // times longer one way: then the short side is stretched to 1/kPictureAspectMax of the long one.
  const double lx = g.x1 - g.x0, ly = g.y1 - g.y0;
  const double shown = std::clamp(ly / lx, 1.0 / kPictureAspectMax, kPictureAspectMax);
  L.width = std::min(avail_w, avail_h / shown);
  L.height = L.width * shown;
  L.scale_x = L.width / lx;
  L.scale_y = L.height / ly;
  // Whole pixels for the corner so that the frame lines are crisp; the colour bar follows the
  // plot's right edge, so plot and bar are centred together.
  L.left = std::round(m_left + 0.5 * (avail_w - L.width));
  L.bottom = std::round(m_bottom + 0.5 * (avail_h - L.height));
  return L;
}

DensityPicture density_picture_fitted(const Grid2D& g, std::string title) {
  DensityPicture pic;
  pic.title = std::move(title);
  const DensityLayout L = density_layout(g, pic.width, pic.height);
  const double fs = L.font_size;
  const double avail_w = pic.width - (kMarginLeft + kMarginRight) * fs;
  if (L.width < avail_w - 1.0) return pic;  // the height already limits the plot
  // Just tall enough for the plot and its margins (a 2:1 domain: 900 × 475), and not so flat
  // that the fonts would shrink (density_layout takes them from min(width / 47.4, height / 25)).
  const double fitted = L.height + (kMarginBottom + kMarginTop) * fs;
  pic.height = std::clamp(static_cast<int>(std::lround(fitted)),
                          static_cast<int>(std::ceil(25.0 * fs)), pic.height);
  return pic;
}

std::pair<int, int> fallback_size(const Grid2D& g, int width, int height) {
  const double shown = std::clamp((g.y1 - g.y0) / (g.x1 - g.x0), 1.0 / kPictureAspectMax,
                                  kPictureAspectMax);  // height / width
  if (shown * width <= height)
    return {width, std::max(1, static_cast<int>(std::lround(width * shown)))};
  return {std::max(1, static_cast<int>(std::lround(height / shown))), height};
}

void render_density_png_no_x(const Grid2D& g, std::span<const double> field,
                             const DensityPicture& pic, const std::string& png_path) {
  check_picture_input(g, field, pic);
  const auto [lo, hi] = field_range(field);
  auto lut = lookup_table_viridis(lo, hi);

  // One point per cell, i fastest: VTK stores row j = 0 (y = y0) first and vtkPNGWriter writes
  // the last row at the top of the file, so y points up in the picture.
  vtkNew<vtkImageData> image;
  image->SetDimensions(g.nx, g.ny, 1);
  vtkNew<vtkDoubleArray> values;
  values->SetName("density");
  values->SetNumberOfValues(static_cast<vtkIdType>(g.size()));
  std::copy(field.begin(), field.end(), values->GetPointer(0));
  image->GetPointData()->SetScalars(values);

  vtkNew<vtkImageMapToColors> colours;
  colours->SetInputData(image);
  colours->SetLookupTable(lut);
  colours->SetOutputFormatToRGB();

  // Cells become blocks of pixels (nearest neighbour, image edges on the outer cell edges) in a
  // picture with the domain's aspect ratio.
  const auto [w, h] = fallback_size(g, pic.width, pic.height);
  vtkNew<vtkImageResize> resize;
  resize->SetInputConnection(colours->GetOutputPort());
  resize->SetResizeMethodToOutputDimensions();
  resize->SetOutputDimensions(w, h, 1);
  resize->InterpolateOff();
  resize->BorderOn();
  write_png_port(resize->GetOutputPort(), png_path);
}

}  // namespace viz

void render_density_png(const Grid2D& g, std::span<const double> field, const DensityPicture& pic,
                        const std::string& png_path) {
  viz::check_picture_input(g, field, pic);
  if (!viz::display_available()) {
    static std::once_flag warned;
    std::call_once(warned, [] {
      spdlog::warn(
          "no X server (DISPLAY unset or unreachable): density pictures show the coloured field "
          "only; axes, colour bar and title need one (run under xvfb-run -a)");
    });
    viz::render_density_png_no_x(g, field, pic, png_path);
    return;
  }
  viz::render_density_png_x(g, field, pic, png_path);
}

}  // namespace fplab
