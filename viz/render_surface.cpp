// `fplab render --surface`: a snapshot as a 3D height field. The cell values on a structured grid
// of the cell centres are lifted by vtkWarpScalar (height ∝ value, scaled so that the highest
// value stands at 0.4 of the domain's larger side) and coloured by the picture's scale, seen from
// a camera at 60° from the vertical and 30° around; needs an X server.
#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkDataSetMapper.h>
#include <vtkDoubleArray.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkStructuredGrid.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkWarpScalar.h>

#include <algorithm>
#include <cmath>

#include "viz/png_io.hpp"
#include "viz/render_detail.hpp"

namespace fplab::viz {
namespace {

// The cell centres as a flat structured grid carrying the field as point scalars.
vtkSmartPointer<vtkStructuredGrid> centres_grid(const Grid2D& g, std::span<const double> field) {
  vtkNew<vtkPoints> points;
  points->SetNumberOfPoints(static_cast<vtkIdType>(g.size()));
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i)
      points->SetPoint(static_cast<vtkIdType>(g.index(i, j)), g.xc(i), g.yc(j), 0.0);
  vtkNew<vtkDoubleArray> values;
  values->SetName("density");
  values->SetNumberOfValues(static_cast<vtkIdType>(g.size()));
  std::copy(field.begin(), field.end(), values->GetPointer(0));
  auto grid = vtkSmartPointer<vtkStructuredGrid>::New();
  grid->SetDimensions(g.nx, g.ny, 1);
  grid->SetPoints(points);
  grid->GetPointData()->SetScalars(values);
  return grid;
}

}  // namespace

void render_surface_png(const Grid2D& g, std::span<const double> field, const ColourScale& scale,
                        const std::string& title, int width, int height,
                        const std::string& png_path) {
  const double extent = std::max(g.x1 - g.x0, g.y1 - g.y0);
  const double top = std::max(std::abs(scale.lo), std::abs(scale.hi));
  vtkNew<vtkWarpScalar> warp;
  warp->SetInputData(centres_grid(g, field));
  warp->SetScaleFactor(top > 0.0 ? 0.4 * extent / top : 1.0);
  vtkNew<vtkDataSetMapper> mapper;
  mapper->SetInputConnection(warp->GetOutputPort());
  mapper->SetLookupTable(lookup_table(scale));
  mapper->UseLookupTableScalarRangeOn();
  vtkNew<vtkActor> actor;
  actor->SetMapper(mapper);

  vtkNew<vtkRenderer> renderer;
  renderer->SetBackground(1.0, 1.0, 1.0);
  renderer->AddActor(actor);
  vtkNew<vtkTextActor> caption;
  caption->SetInput(title.c_str());
  caption->GetTextProperty()->SetFontFamilyToArial();
  caption->GetTextProperty()->SetFontSize(std::max(12, width / 45));
  caption->GetTextProperty()->SetColor(0.0, 0.0, 0.0);
  caption->GetTextProperty()->SetJustificationToCentered();
  caption->GetTextProperty()->SetVerticalJustificationToTop();
  caption->GetPositionCoordinate()->SetCoordinateSystemToNormalizedDisplay();
  caption->GetPositionCoordinate()->SetValue(0.5, 0.97);
  renderer->AddActor2D(caption);

  // Looking down at the domain's centre from the −y side, then turned 30° around the vertical.
  vtkCamera* camera = renderer->GetActiveCamera();
  camera->SetFocalPoint(0.5 * (g.x0 + g.x1), 0.5 * (g.y0 + g.y1), 0.0);
  camera->SetPosition(0.5 * (g.x0 + g.x1), 0.5 * (g.y0 + g.y1) - 1.0, std::tan(M_PI / 6.0));
  camera->SetViewUp(0.0, 0.0, 1.0);
  camera->Azimuth(30.0);
  renderer->ResetCamera();
  camera->Zoom(1.1);
  render_to_png(renderer, width, height, png_path);
}

}  // namespace fplab::viz
