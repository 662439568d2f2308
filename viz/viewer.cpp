// The interactive viewer behind `fplab view`: a scene built once (the density on an image, drawn
// flat or warped into a height field, a colour bar, a time slider and a text corner), a snapshot
// loader that swaps the field in, and an interactor style that turns key presses into actions.
#include "viz/viewer.hpp"

#include <fmt/format.h>
#include <vtkActor.h>
#include <vtkCallbackCommand.h>
#include <vtkCamera.h>
#include <vtkCellData.h>
#include <vtkCellDataToPointData.h>
#include <vtkDataSetMapper.h>
#include <vtkDoubleArray.h>
#include <vtkImageData.h>
#include <vtkImageDataGeometryFilter.h>
#include <vtkInteractorStyleImage.h>
#include <vtkNew.h>
#include <vtkObjectFactory.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty2D.h>
#include <vtkRenderWindow.h>
#include <vtkRenderWindowInteractor.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkSliderRepresentation2D.h>
#include <vtkSliderWidget.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkWarpScalar.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "io/result_file.hpp"
#include "solver/errors.hpp"
#include "viz/png_io.hpp"
#include "viz/render_detail.hpp"

namespace fplab {
namespace viz {
namespace {

constexpr unsigned long kPlayIntervalMs = 250;

// What the window shows and the state the keys change.
struct Viewer {
  ResultFile result;
  ViewOptions options;
  int k = 0;
  bool log_scale = false;
  bool playing = false;
  int play_timer = 0;  // the repeating timer's id: it runs all along, playing or not
  vtkNew<vtkImageData> image;
  vtkMapper* mapper = nullptr;  // the field's, owned by its actor in the renderer
  vtkNew<vtkScalarBarActor> bar;
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkRenderWindow> window;
  vtkNew<vtkRenderWindowInteractor> interactor;
  vtkNew<vtkTextActor> text;
  vtkNew<vtkSliderWidget> slider;
};

// ---- snapshot loading ----

// Viridis over the shown field's own range, or on the log scale of `fplab render --log`.
void update_colours(Viewer& v, const std::vector<double>& density) {
  ColourScale scale;
  scale.log = v.log_scale;
  const auto lut = lookup_table(scale_resolved(scale, density));
  v.mapper->SetLookupTable(lut);
  v.bar->SetLookupTable(lut);
}

// t and the diagnostics a reader looks at first, at snapshot k.
std::string annotation(const Viewer& v) {
  const ResultFile& r = v.result;
  std::string s = fmt::format("{}\nsnapshot {} of {}\nt = {:.6g}", r.path, v.k + 1, r.times.size(),
                              r.times[v.k]);
  for (const char* name : {"mass", "entropy", "rel_entropy", "l1_error"})
    if (auto it = r.diagnostics.find(name); it != r.diagnostics.end())
      s += fmt::format("\n{} = {:.6g}", name, it->second[v.k]);
  if (v.log_scale) s += "\ncolour scale: log10";
  return s;
}

void show_snapshot(Viewer& v, int k) {
  v.k = std::clamp(k, 0, static_cast<int>(v.result.times.size()) - 1);
  const std::vector<double> density = v.result.read_density(v.k);
  vtkNew<vtkDoubleArray> values;
  values->SetName("density");
  values->SetNumberOfValues(static_cast<vtkIdType>(density.size()));
  std::copy(density.begin(), density.end(), values->GetPointer(0));
  v.image->GetCellData()->SetScalars(values);
  v.image->Modified();
  update_colours(v, density);
  v.text->SetInput(annotation(v).c_str());
  auto* rep = vtkSliderRepresentation2D::SafeDownCast(v.slider->GetRepresentation());
  if (rep) rep->SetValue(v.k);
}

// ---- scene building ----

// The cells of the result's grid, as VTK image data with one layer of points in z.
void build_image(Viewer& v) {
  const Grid2D& g = v.result.grid;
  v.image->SetDimensions(g.nx + 1, g.ny + 1, 1);
  v.image->SetOrigin(g.x0, g.y0, 0.0);
  v.image->SetSpacing((g.x1 - g.x0) / g.nx, (g.y1 - g.y0) / g.ny, 1.0);
}

// Flat: each cell one colour, as the solver's cell averages are.
vtkSmartPointer<vtkActor> actor_flat(Viewer& v) {
  vtkNew<vtkDataSetMapper> mapper;
  mapper->SetInputData(v.image);
  mapper->SetScalarModeToUseCellData();
  mapper->UseLookupTableScalarRangeOn();
  v.mapper = mapper;
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  return actor;
}

// Height field: point values (averaged from the cells) lift the surface; the tallest of the first
// and last snapshots rises to 40 % of the domain's longer side, the same scale for every snapshot.
vtkSmartPointer<vtkActor> actor_height(Viewer& v) {
  const Grid2D& g = v.result.grid;
  const auto first = field_range(v.result.read_density(0));
  const auto last = field_range(v.result.read_density(static_cast<int>(v.result.times.size()) - 1));
  const double peak = std::max({first.second, last.second, 1e-300});
  vtkNew<vtkCellDataToPointData> to_points;
  to_points->SetInputData(v.image);
  vtkNew<vtkImageDataGeometryFilter> surface;
  surface->SetInputConnection(to_points->GetOutputPort());
  vtkNew<vtkWarpScalar> warp;
  warp->SetInputConnection(surface->GetOutputPort());
  warp->SetScaleFactor(0.4 * std::max(g.x1 - g.x0, g.y1 - g.y0) / peak);
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputConnection(warp->GetOutputPort());
  mapper->SetScalarModeToUsePointData();
  mapper->UseLookupTableScalarRangeOn();
  v.mapper = mapper;
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  return actor;
}

void build_text_and_colour_bar(Viewer& v) {
  vtkTextProperty* p = v.text->GetTextProperty();
  p->SetFontFamilyToArial();
  p->SetFontSize(16);
  p->SetColor(1.0, 1.0, 1.0);
  p->SetVerticalJustificationToTop();
  v.text->GetPositionCoordinate()->SetCoordinateSystemToNormalizedViewport();
  v.text->GetPositionCoordinate()->SetValue(0.01, 0.98);
  v.renderer->AddActor2D(v.text);

  v.bar->SetTitle(v.result.density_name.c_str());
  v.bar->SetNumberOfLabels(5);
  v.bar->GetPositionCoordinate()->SetValue(0.88, 0.15);
  v.bar->SetWidth(0.1);
  v.bar->SetHeight(0.7);
  v.renderer->AddActor2D(v.bar);
}

void on_slider_moved(vtkObject*, unsigned long, void* client, void*) {
  auto& v = *static_cast<Viewer*>(client);
  auto* rep = vtkSliderRepresentation2D::SafeDownCast(v.slider->GetRepresentation());
  const int k = static_cast<int>(std::lround(rep->GetValue()));
  if (k != v.k) show_snapshot(v, k);
}

// A slider over the snapshot indices along the bottom (none for a single snapshot).
void build_slider(Viewer& v) {
  const int nt = static_cast<int>(v.result.times.size());
  if (nt < 2) return;
  vtkNew<vtkSliderRepresentation2D> rep;
  rep->SetMinimumValue(0);
  rep->SetMaximumValue(nt - 1);
  rep->SetValue(v.k);
  rep->SetTitleText("snapshot");
  rep->SetLabelFormat("%.0f");
  rep->GetPoint1Coordinate()->SetCoordinateSystemToNormalizedDisplay();
  rep->GetPoint1Coordinate()->SetValue(0.15, 0.08);
  rep->GetPoint2Coordinate()->SetCoordinateSystemToNormalizedDisplay();
  rep->GetPoint2Coordinate()->SetValue(0.75, 0.08);
  v.slider->SetInteractor(v.interactor);
  v.slider->SetRepresentation(rep);
  v.slider->SetAnimationModeToJump();
  vtkNew<vtkCallbackCommand> moved;
  moved->SetCallback(on_slider_moved);
  moved->SetClientData(&v);
  v.slider->AddObserver(vtkCommand::InteractionEvent, moved);
  v.slider->EnabledOn();
}

// Flat: looking down z with a parallel projection; height field: from the south-west, above.
void reset_camera(Viewer& v) {
  vtkCamera* cam = v.renderer->GetActiveCamera();
  const Grid2D& g = v.result.grid;
  const double cx = 0.5 * (g.x0 + g.x1), cy = 0.5 * (g.y0 + g.y1);
  cam->SetFocalPoint(cx, cy, 0.0);
  cam->SetPosition(cx, cy, 1.0);
  cam->SetViewUp(0.0, 1.0, 0.0);
  cam->SetParallelProjection(!v.options.height_field);
  if (v.options.height_field) {
    cam->Elevation(-60.0);
    cam->Azimuth(-30.0);
    cam->SetViewUp(0.0, 0.0, 1.0);
  }
  v.renderer->ResetCamera();
  cam->Zoom(v.options.height_field ? 1.0 : 1.15);
}

// ---- key handling ----

std::filesystem::path screenshot_path(const Viewer& v) {
  const auto folder = std::filesystem::absolute(v.result.path).parent_path();
  return folder / ("view_" + density_png_name(v.k));
}

void save_screenshot(Viewer& v) {
  const std::string path = screenshot_path(v).string();
  write_png_window(v.window, path);
  // The test drives the window with real key presses and reads this line to know what it saw.
  fmt::print("screenshot {} (snapshot {}, t = {:.17g})\n", path, v.k, v.result.times[v.k]);
  std::fflush(stdout);
}

void toggle_play(Viewer& v) {
  v.playing = !v.playing;
  if (v.playing && v.k + 1 >= static_cast<int>(v.result.times.size())) show_snapshot(v, 0);
}

// One step of playback on the play timer (call_data: the timer's id); pauses on the last snapshot.
// The timer runs all along: destroying it from its own callback crashed the viewer (VTK 9.1, X).
void on_timer(vtkObject*, unsigned long, void* client, void* call_data) {
  auto& v = *static_cast<Viewer*>(client);
  if (!v.playing || call_data == nullptr || *static_cast<int*>(call_data) != v.play_timer) return;
  show_snapshot(v, v.k + 1);
  if (v.k + 1 >= static_cast<int>(v.result.times.size())) v.playing = false;
  v.window->Render();
}

// Runs the action bound to a key (an X key symbol); other keys do nothing.
void key_action(Viewer& v, const std::string& key) {
  if (key == "s" || key == "S") {
    save_screenshot(v);
    return;
  }
  if (key == "space")
    toggle_play(v);
  else if (key == "Right")
    show_snapshot(v, v.k + 1);
  else if (key == "Left")
    show_snapshot(v, v.k - 1);
  else if (key == "l" || key == "L") {
    v.log_scale = !v.log_scale;
    show_snapshot(v, v.k);
  } else if (key == "r" || key == "R")
    reset_camera(v);
  else
    return;
  v.window->Render();
}

// VTK's image style (pan, zoom; rotation for the height field) with our keys in place of its own;
// only q and e (quit) still reach VTK's key handling.
class ViewerStyle : public vtkInteractorStyleImage {
 public:
  static ViewerStyle* New();
  vtkTypeMacro(ViewerStyle, vtkInteractorStyleImage)
  Viewer* viewer = nullptr;

  void OnKeyPress() override { key_action(*viewer, this->Interactor->GetKeySym()); }
  void OnChar() override {
    const char c = this->Interactor->GetKeyCode();
    if (c == 'q' || c == 'Q' || c == 'e' || c == 'E') vtkInteractorStyleImage::OnChar();
  }
};
vtkStandardNewMacro(ViewerStyle)

void build_scene(Viewer& v) {
  build_image(v);
  v.renderer->SetBackground(0.1, 0.1, 0.12);
  v.renderer->AddActor(v.options.height_field ? actor_height(v) : actor_flat(v));
  build_text_and_colour_bar(v);
  v.window->AddRenderer(v.renderer);
  v.window->SetSize(v.options.width, v.options.height);
  v.window->SetWindowName(("fplab view: " + v.result.path).c_str());
  v.interactor->SetRenderWindow(v.window);
  vtkNew<ViewerStyle> style;
  style->viewer = &v;
  if (v.options.height_field) style->SetInteractionModeToImage3D();
  v.interactor->SetInteractorStyle(style);
  vtkNew<vtkCallbackCommand> timer;
  timer->SetCallback(on_timer);
  timer->SetClientData(&v);
  v.interactor->AddObserver(vtkCommand::TimerEvent, timer);
  build_slider(v);
}

}  // namespace
}  // namespace viz

void view_result(const std::string& h5_path, const ViewOptions& options) {
  viz::Viewer v;
  v.result = open_result(h5_path);
  v.options = options;
  if (v.result.times.empty())
    throw InputError(fmt::format("{} holds no snapshots to view.", h5_path));
  if (!viz::display_available())
    throw InputError(
        "fplab view needs a display: no X server answers (DISPLAY unset or unreachable).");
  viz::build_scene(v);
  viz::show_snapshot(v, 0);
  viz::reset_camera(v);
  v.interactor->Initialize();
  v.play_timer = v.interactor->CreateRepeatingTimer(viz::kPlayIntervalMs);
  v.window->Render();
  v.interactor->Start();
}

}  // namespace fplab
