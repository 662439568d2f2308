// A row of density panels in one picture (needs an X server): each cell field coloured by its
// scale as a textured rectangle in a parallel-projected VTK scene whose units are window pixels,
// with a frame, outward ticks in domain units, axis titles, a title and optionally a colour bar;
// a heading above the row. Without an X server: the colour-mapped fields alone.
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
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty2D.h>
#include <vtkRenderer.h>
#include <vtkRungeKutta45.h>
#include <vtkScalarBarActor.h>
#include <vtkStreamTracer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "viz/png_io.hpp"
#include "viz/render_detail.hpp"

namespace fplab::viz {
namespace {

// Text in black Arial: titles and labels of the picture.
void text_style(vtkTextProperty* p, double size) {
  p->SetFontFamilyToArial();
  p->SetFontSize(static_cast<int>(std::lround(size)));
  p->SetColor(0.0, 0.0, 0.0);
  p->ShadowOff();
  p->BoldOff();
  p->ItalicOff();
}

std::string tick_label(double v) { return fmt::format("{:g}", v); }

// The 2D overlay of a picture (lines and texts in window pixels, never hidden by the fields) and
// the renderer everything goes into.
struct Scene {
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> lines;

  void line(double xa, double ya, double xb, double yb) {
    const vtkIdType ids[2] = {points->InsertNextPoint(xa, ya, 0.0),
                              points->InsertNextPoint(xb, yb, 0.0)};
    lines->InsertNextCell(2, ids);
  }
  vtkTextActor* text(const std::string& s, double x, double y, double size, int justify,
                     int vjustify) {
    vtkNew<vtkTextActor> actor;
    actor->SetInput(s.c_str());
    text_style(actor->GetTextProperty(), size);
    actor->GetTextProperty()->SetJustification(justify);
    actor->GetTextProperty()->SetVerticalJustification(vjustify);
    actor->GetPositionCoordinate()->SetCoordinateSystemToDisplay();
    actor->GetPositionCoordinate()->SetValue(x, y);
    renderer->AddActor2D(actor);
    return actor;
  }
  // The lines as one black 2D actor, added last.
  void lines_add() {
    vtkNew<vtkPolyData> poly;
    poly->SetPoints(points);
    poly->SetLines(lines);
    vtkNew<vtkPolyDataMapper2D> mapper;
    mapper->SetInputData(poly);
    vtkNew<vtkActor2D> actor;
    actor->SetMapper(mapper);
    actor->GetProperty()->SetColor(0.0, 0.0, 0.0);
    actor->GetProperty()->SetLineWidth(1.0);
    renderer->AddActor2D(actor);
  }
};

// One image point per cell, at its centre (in window pixels: the scene's unit), coloured through
// the lookup table and drawn as a texture with nearest-neighbour sampling: each cell is the
// flat-coloured rectangle it averages over, exactly covering the plot rectangle.
void field_add(Scene& s, const Grid2D& g, const Panel& p, const DensityLayout& L) {
  const double px = g.dx() * L.scale_x, py = g.dy() * L.scale_y;
  const auto colours =
      panel_colours(g, p, L.left + 0.5 * px, L.bottom + 0.5 * py, px, py);
  vtkNew<vtkImageActor> actor;
  actor->GetMapper()->SetInputConnection(colours->GetOutputPort());
  actor->InterpolateOff();
  actor->GetMapper()->BorderOn();  // edge cells drawn whole, not cut at their centres
  s.renderer->AddActor(actor);
}

// The panel's points (inside the domain) as red dots over its field: one 2D actor of vertices.
void points_add(Scene& s, const Grid2D& g, const Panel& p, const DensityLayout& L) {
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> verts;
  for (std::size_t k = 0; k < p.points_x.size(); ++k) {
    const double x = p.points_x[k], y = p.points_y[k];
    if (!(x >= g.x0 && x <= g.x1 && y >= g.y0 && y <= g.y1)) continue;
    const vtkIdType id = points->InsertNextPoint(L.left + (x - g.x0) * L.scale_x,
                                                 L.bottom + (y - g.y0) * L.scale_y, 0.0);
    verts->InsertNextCell(1, &id);
  }
  vtkNew<vtkPolyData> poly;
  poly->SetPoints(points);
  poly->SetVerts(verts);
  vtkNew<vtkPolyDataMapper2D> mapper;
  mapper->SetInputData(poly);
  vtkNew<vtkActor2D> actor;
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(0.9, 0.1, 0.1);
  // Dots of 2 pixels (at the default fonts), 1 where so many would cover the field.
  const double dot = p.points_x.size() > 5000 ? 1.0 : std::max(2.0, std::round(L.font_size / 8.0));
  actor->GetProperty()->SetPointSize(static_cast<float>(dot));
  s.renderer->AddActor2D(actor);
}

// The panel's vector field as streamlines in pixel coordinates: the directions v/|v| at the cell
// centres (where |v| exceeds 10⁻⁴ of its maximum; beyond, a line stops), traced both ways with
// RK45 from a 14 × 14 lattice of seeds, drawn as white 2D lines. Unit directions make every line
// as long as the flow's geometry allows, whatever the magnitude of J along it.
void streamlines_add(Scene& s, const Grid2D& g, const Panel& p, const DensityLayout& L) {
  double vmax = 0.0;
  for (std::size_t k = 0; k < p.vector_x.size(); ++k)
    vmax = std::max(vmax, std::hypot(p.vector_x[k], p.vector_y[k]));
  if (!(vmax > 0.0) || !std::isfinite(vmax)) return;
  vtkNew<vtkImageData> image;
  image->SetDimensions(g.nx, g.ny, 1);
  image->SetOrigin(L.left + 0.5 * g.dx() * L.scale_x, L.bottom + 0.5 * g.dy() * L.scale_y, 0.0);
  image->SetSpacing(g.dx() * L.scale_x, g.dy() * L.scale_y, 1.0);
  vtkNew<vtkDoubleArray> dir;
  dir->SetName("direction");
  dir->SetNumberOfComponents(3);
  dir->SetNumberOfTuples(static_cast<vtkIdType>(g.size()));
  for (std::size_t k = 0; k < g.size(); ++k) {
    const double vx = p.vector_x[k] * L.scale_x, vy = p.vector_y[k] * L.scale_y;
    const double m = std::hypot(vx, vy);
    const bool on = std::hypot(p.vector_x[k], p.vector_y[k]) > 1e-4 * vmax && m > 0.0;
    const double t[3] = {on ? vx / m : 0.0, on ? vy / m : 0.0, 0.0};
    dir->SetTuple(static_cast<vtkIdType>(k), t);
  }
  image->GetPointData()->SetVectors(dir);
  vtkNew<vtkPoints> seeds;
  constexpr int kSeeds = 14;
  for (int b = 0; b < kSeeds; ++b)
    for (int a = 0; a < kSeeds; ++a)
      seeds->InsertNextPoint(L.left + (a + 0.5) / kSeeds * L.width,
                             L.bottom + (b + 0.5) / kSeeds * L.height, 0.0);
  vtkNew<vtkPolyData> seed_set;
  seed_set->SetPoints(seeds);
  vtkNew<vtkRungeKutta45> rk45;
  vtkNew<vtkStreamTracer> tracer;
  tracer->SetInputData(image);
  tracer->SetSourceData(seed_set);
  tracer->SetIntegrator(rk45);
  tracer->SetIntegrationDirectionToBoth();
  tracer->SetIntegrationStepUnit(vtkStreamTracer::CELL_LENGTH_UNIT);
  tracer->SetInitialIntegrationStep(0.2);
  tracer->SetMaximumPropagation(0.6 * (L.width + L.height));
  tracer->SetMaximumNumberOfSteps(4000);
  tracer->SetTerminalSpeed(1e-3);
  tracer->Update();
  vtkNew<vtkPolyDataMapper2D> mapper;
  mapper->SetInputConnection(tracer->GetOutputPort());
  mapper->ScalarVisibilityOff();
  vtkNew<vtkActor2D> actor;
  actor->SetMapper(mapper);
  actor->GetProperty()->SetColor(1.0, 1.0, 1.0);
  actor->GetProperty()->SetLineWidth(static_cast<float>(std::max(1.0, L.font_size / 10.0)));
  s.renderer->AddActor2D(actor);
}

// Frame, outward ticks at round domain values with their labels, axis titles and the title.
void axes_add(Scene& s, const Grid2D& g, const Panel& p, const DensityLayout& L) {
  const double fs = L.font_size, tick = 0.4 * fs, label_size = 0.9 * fs;
  const double xl = L.left, xr = L.left + L.width, yb = L.bottom, yt = L.bottom + L.height;
  s.line(xl, yb, xr, yb);
  s.line(xr, yb, xr, yt);
  s.line(xr, yt, xl, yt);
  s.line(xl, yt, xl, yb);
  const int x_target = std::max(3, static_cast<int>(L.width / (5.0 * fs)));
  for (double x : ticks_nice(g.x0, g.x1, x_target)) {
    const double px = xl + (x - g.x0) * L.scale_x;
    s.line(px, yb, px, yb - tick);
    s.text(tick_label(x), px, yb - tick - 0.3 * fs, label_size, VTK_TEXT_CENTERED, VTK_TEXT_TOP);
  }
  const int y_target = std::max(3, static_cast<int>(L.height / (4.0 * fs)));
  std::size_t widest = 1;
  for (double y : ticks_nice(g.y0, g.y1, y_target)) {
    const double py = yb + (y - g.y0) * L.scale_y;
    s.line(xl, py, xl - tick, py);
    const std::string label = tick_label(y);
    widest = std::max(widest, label.size());
    s.text(label, xl - tick - 0.3 * fs, py, label_size, VTK_TEXT_RIGHT, VTK_TEXT_CENTERED);
  }
  s.text(p.x_title, xl + 0.5 * L.width, yb - tick - 1.6 * fs, fs, VTK_TEXT_CENTERED, VTK_TEXT_TOP);
  s.text("y", xl - tick - 0.3 * fs - 0.6 * label_size * static_cast<double>(widest) - 0.7 * fs,
         yb + 0.5 * L.height, fs, VTK_TEXT_RIGHT, VTK_TEXT_CENTERED);
  s.text(p.title, xl + 0.5 * L.width, yt + 0.9 * fs, 1.2 * fs, VTK_TEXT_CENTERED, VTK_TEXT_BOTTOM);
}

// Colour bar beside the plot, exactly as tall as it, ticks at round values (decades on a log
// scale); its label, if any, reads upwards on the right (the bar's own title would shorten the
// bar).
void colour_bar_add(Scene& s, const Panel& p, const DensityLayout& L) {
  const double fs = L.font_size, label_size = 0.9 * fs;
  vtkNew<vtkDoubleArray> ticks;
  std::size_t widest = 1;
  for (double v : colour_ticks(p.scale, 5)) {
    ticks->InsertNextValue(v);
    widest = std::max(widest, tick_label(v).size());
  }
  const double bar_x = L.left + L.width + 1.0 * fs, bar_width = 1.2 * fs, pad = 0.4 * fs;
  const double labels = 0.62 * label_size * static_cast<double>(widest);
  vtkNew<vtkScalarBarActor> bar;
  bar->SetLookupTable(lookup_table(p.scale));
  bar->SetOrientationToVertical();
  bar->SetTitle("");
  bar->UnconstrainedFontSizeOn();
  text_style(bar->GetLabelTextProperty(), label_size);
  bar->SetLabelFormat("%g");
  bar->SetCustomLabels(ticks);
  bar->UseCustomLabelsOn();
  bar->SetMaximumNumberOfColors(256);
  bar->DrawFrameOff();
  bar->SetTextPad(static_cast<int>(pad));
  bar->SetBarRatio(bar_width / (bar_width + pad + labels));
  bar->GetPositionCoordinate()->SetCoordinateSystemToDisplay();
  bar->GetPositionCoordinate()->SetValue(bar_x, L.bottom);
  bar->GetPosition2Coordinate()->SetCoordinateSystemToDisplay();
  bar->GetPosition2Coordinate()->SetValue(bar_width + pad + labels, L.height);
  s.renderer->AddActor2D(bar);
  if (p.colorbar_label.empty()) return;
  vtkTextActor* title = s.text(p.colorbar_label, bar_x + bar_width + pad + labels + 0.5 * fs,
                               L.bottom + 0.5 * L.height, fs, VTK_TEXT_CENTERED, VTK_TEXT_TOP);
  title->GetTextProperty()->SetOrientation(90.0);
}

// A parallel camera whose view is the window, one scene unit per pixel.
void camera_on_pixels(vtkRenderer* renderer, int width, int height) {
  vtkCamera* camera = renderer->GetActiveCamera();
  camera->ParallelProjectionOn();
  camera->SetFocalPoint(0.5 * width, 0.5 * height, 0.0);
  camera->SetPosition(0.5 * width, 0.5 * height, 1.0);
  camera->SetViewUp(0.0, 1.0, 0.0);
  camera->SetParallelScale(0.5 * height);
  camera->SetClippingRange(0.5, 1.5);
}

}  // namespace

void render_panels_png(const Grid2D& g, std::span<const Panel> panels, const std::string& heading,
                       int width, int height, const std::string& png_path) {
  panels_check(g, panels, width, height);
  if (!display_available()) {
    static std::once_flag warned;
    std::call_once(warned, [] {
      spdlog::warn(
          "no X server (DISPLAY unset or unreachable): density pictures show the coloured fields "
          "only; axes, colour bars and titles need one (run under xvfb-run -a)");
    });
    render_panels_png_no_x(g, panels, width, height, png_path);
    return;
  }
  const std::vector<DensityLayout> layouts =
      panel_layouts(g, panels, width, height, !heading.empty());
  Scene s;
  s.renderer->SetBackground(1.0, 1.0, 1.0);
  for (std::size_t k = 0; k < panels.size(); ++k) {
    field_add(s, g, panels[k], layouts[k]);
    if (!panels[k].vector_x.empty()) streamlines_add(s, g, panels[k], layouts[k]);
    if (!panels[k].points_x.empty()) points_add(s, g, panels[k], layouts[k]);
    axes_add(s, g, panels[k], layouts[k]);
    if (panels[k].colour_bar) colour_bar_add(s, panels[k], layouts[k]);
  }
  if (!heading.empty()) {
    const double fs = layouts.front().font_size;
    s.text(heading, 0.5 * width, height - 0.6 * fs, 1.3 * fs, VTK_TEXT_CENTERED, VTK_TEXT_TOP);
  }
  s.lines_add();
  camera_on_pixels(s.renderer, width, height);
  render_to_png(s.renderer, width, height, png_path);
}

}  // namespace fplab::viz
