// Colour maps and scales of the pictures: viridis (matplotlib's default, van der Walt & Smith 2015:
// perceptually uniform, readable in grey scale and by colour-blind readers) for densities and
// Moreland's cool-warm diverging map (Moreland, "Diverging Color Maps for Scientific
// Visualization", ISVC 2009) for signed fields, as VTK lookup tables, linear or log10.
#include <fmt/format.h>
#include <vtkColorTransferFunction.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>

#include "solver/errors.hpp"
#include "viz/render_detail.hpp"

namespace fplab::viz {
namespace {

// matplotlib's 256 viridis colours (matplotlib/_cm_listed.py, _viridis_data) rounded to 8 bits.
constexpr unsigned char kViridis[256][3] = {
    {68, 1, 84},    {68, 2, 86},    {69, 4, 87},    {69, 5, 89},    {70, 7, 90},    {70, 8, 92},
    {70, 10, 93},   {70, 11, 94},   {71, 13, 96},   {71, 14, 97},   {71, 16, 99},   {71, 17, 100},
    {71, 19, 101},  {72, 20, 103},  {72, 22, 104},  {72, 23, 105},  {72, 24, 106},  {72, 26, 108},
    {72, 27, 109},  {72, 28, 110},  {72, 29, 111},  {72, 31, 112},  {72, 32, 113},  {72, 33, 115},
    {72, 35, 116},  {72, 36, 117},  {72, 37, 118},  {72, 38, 119},  {72, 40, 120},  {72, 41, 121},
    {71, 42, 122},  {71, 44, 122},  {71, 45, 123},  {71, 46, 124},  {71, 47, 125},  {70, 48, 126},
    {70, 50, 126},  {70, 51, 127},  {70, 52, 128},  {69, 53, 129},  {69, 55, 129},  {69, 56, 130},
    {68, 57, 131},  {68, 58, 131},  {68, 59, 132},  {67, 61, 132},  {67, 62, 133},  {66, 63, 133},
    {66, 64, 134},  {66, 65, 134},  {65, 66, 135},  {65, 68, 135},  {64, 69, 136},  {64, 70, 136},
    {63, 71, 136},  {63, 72, 137},  {62, 73, 137},  {62, 74, 137},  {62, 76, 138},  {61, 77, 138},
    {61, 78, 138},  {60, 79, 138},  {60, 80, 139},  {59, 81, 139},  {59, 82, 139},  {58, 83, 139},
    {58, 84, 140},  {57, 85, 140},  {57, 86, 140},  {56, 88, 140},  {56, 89, 140},  {55, 90, 140},
    {55, 91, 141},  {54, 92, 141},  {54, 93, 141},  {53, 94, 141},  {53, 95, 141},  {52, 96, 141},
    {52, 97, 141},  {51, 98, 141},  {51, 99, 141},  {50, 100, 142}, {50, 101, 142}, {49, 102, 142},
    {49, 103, 142}, {49, 104, 142}, {48, 105, 142}, {48, 106, 142}, {47, 107, 142}, {47, 108, 142},
    {46, 109, 142}, {46, 110, 142}, {46, 111, 142}, {45, 112, 142}, {45, 113, 142}, {44, 113, 142},
    {44, 114, 142}, {44, 115, 142}, {43, 116, 142}, {43, 117, 142}, {42, 118, 142}, {42, 119, 142},
    {42, 120, 142}, {41, 121, 142}, {41, 122, 142}, {41, 123, 142}, {40, 124, 142}, {40, 125, 142},
    {39, 126, 142}, {39, 127, 142}, {39, 128, 142}, {38, 129, 142}, {38, 130, 142}, {38, 130, 142},
    {37, 131, 142}, {37, 132, 142}, {37, 133, 142}, {36, 134, 142}, {36, 135, 142}, {35, 136, 142},
    {35, 137, 142}, {35, 138, 141}, {34, 139, 141}, {34, 140, 141}, {34, 141, 141}, {33, 142, 141},
    {33, 143, 141}, {33, 144, 141}, {33, 145, 140}, {32, 146, 140}, {32, 146, 140}, {32, 147, 140},
    {31, 148, 140}, {31, 149, 139}, {31, 150, 139}, {31, 151, 139}, {31, 152, 139}, {31, 153, 138},
    {31, 154, 138}, {30, 155, 138}, {30, 156, 137}, {30, 157, 137}, {31, 158, 137}, {31, 159, 136},
    {31, 160, 136}, {31, 161, 136}, {31, 161, 135}, {31, 162, 135}, {32, 163, 134}, {32, 164, 134},
    {33, 165, 133}, {33, 166, 133}, {34, 167, 133}, {34, 168, 132}, {35, 169, 131}, {36, 170, 131},
    {37, 171, 130}, {37, 172, 130}, {38, 173, 129}, {39, 173, 129}, {40, 174, 128}, {41, 175, 127},
    {42, 176, 127}, {44, 177, 126}, {45, 178, 125}, {46, 179, 124}, {47, 180, 124}, {49, 181, 123},
    {50, 182, 122}, {52, 182, 121}, {53, 183, 121}, {55, 184, 120}, {56, 185, 119}, {58, 186, 118},
    {59, 187, 117}, {61, 188, 116}, {63, 188, 115}, {64, 189, 114}, {66, 190, 113}, {68, 191, 112},
    {70, 192, 111}, {72, 193, 110}, {74, 193, 109}, {76, 194, 108}, {78, 195, 107}, {80, 196, 106},
    {82, 197, 105}, {84, 197, 104}, {86, 198, 103}, {88, 199, 101}, {90, 200, 100}, {92, 200, 99},
    {94, 201, 98},  {96, 202, 96},  {99, 203, 95},  {101, 203, 94}, {103, 204, 92}, {105, 205, 91},
    {108, 205, 90}, {110, 206, 88}, {112, 207, 87}, {115, 208, 86}, {117, 208, 84}, {119, 209, 83},
    {122, 209, 81}, {124, 210, 80}, {127, 211, 78}, {129, 211, 77}, {132, 212, 75}, {134, 213, 73},
    {137, 213, 72}, {139, 214, 70}, {142, 214, 69}, {144, 215, 67}, {147, 215, 65}, {149, 216, 64},
    {152, 216, 62}, {155, 217, 60}, {157, 217, 59}, {160, 218, 57}, {162, 218, 55}, {165, 219, 54},
    {168, 219, 52}, {170, 220, 50}, {173, 220, 48}, {176, 221, 47}, {178, 221, 45}, {181, 222, 43},
    {184, 222, 41}, {186, 222, 40}, {189, 223, 38}, {192, 223, 37}, {194, 223, 35}, {197, 224, 33},
    {200, 224, 32}, {202, 225, 31}, {205, 225, 29}, {208, 225, 28}, {210, 226, 27}, {213, 226, 26},
    {216, 226, 25}, {218, 227, 25}, {221, 227, 24}, {223, 227, 24}, {226, 228, 24}, {229, 228, 25},
    {231, 228, 25}, {234, 229, 26}, {236, 229, 27}, {239, 229, 28}, {241, 229, 29}, {244, 230, 30},
    {246, 230, 32}, {248, 230, 33}, {251, 231, 35}, {253, 231, 37},
};

using ColourTable = std::array<std::array<unsigned char, 3>, 256>;

ColourTable table_viridis() {
  ColourTable t{};
  for (int k = 0; k < 256; ++k) t[k] = {kViridis[k][0], kViridis[k][1], kViridis[k][2]};
  return t;
}

// Moreland's cool-warm: VTK's diverging colour space (Msh interpolation) between his end colours,
// blue (59, 76, 192) and red (180, 4, 38), through a neutral grey at the middle.
ColourTable table_coolwarm() {
  vtkNew<vtkColorTransferFunction> ctf;
  ctf->SetColorSpaceToDiverging();
  ctf->AddRGBPoint(0.0, 0.230, 0.299, 0.754);
  ctf->AddRGBPoint(1.0, 0.706, 0.016, 0.150);
  ColourTable t{};
  double rgb[3];
  for (int k = 0; k < 256; ++k) {
    ctf->GetColor(k / 255.0, rgb);
    for (int c = 0; c < 3; ++c) t[k][c] = static_cast<unsigned char>(std::lround(rgb[c] * 255.0));
  }
  return t;
}

const ColourTable& colour_table(std::string_view name) {
  static const ColourTable viridis = table_viridis(), coolwarm = table_coolwarm();
  colormap_check(name);
  return name == "viridis" ? viridis : coolwarm;
}

}  // namespace

void colormap_check(std::string_view name) {
  if (name != "viridis" && name != kDivergingMap)
    throw InputError(fmt::format(
        "--colormap: unknown colour map '{}'; expected viridis (sequential) or {} (diverging).",
        name, kDivergingMap));
}

std::array<unsigned char, 3> colormap_rgb(std::string_view name, int k) {
  return colour_table(name)[std::clamp(k, 0, 255)];
}

vtkSmartPointer<vtkLookupTable> lookup_table(const ColourScale& s) {
  const ColourTable& table = colour_table(s.colormap);
  auto lut = vtkSmartPointer<vtkLookupTable>::New();
  lut->SetNumberOfTableValues(256);
  lut->SetNanColor(0.6, 0.6, 0.6, 1.0);
  // Setting the last entry rebuilds the out-of-range colours, so no Build() afterwards (it
  // would overwrite the table with VTK's default rainbow).
  for (int k = 0; k < 256; ++k)
    lut->SetTableValue(k, table[k][0] / 255.0, table[k][1] / 255.0, table[k][2] / 255.0, 1.0);
  // Log scale: values at or below the floor (zero and negative ones too) take the lowest colour.
  if (s.log) lut->SetScaleToLog10();
  lut->SetTableRange(s.lo, s.hi);
  return lut;
}

ColourScale scale_resolved(ColourScale s, std::span<const double> field) {
  if (!std::isfinite(s.lo) || !std::isfinite(s.hi)) std::tie(s.lo, s.hi) = field_range(field);
  if (!s.log) return s;
  if (!(s.hi > 0.0)) {  // nothing positive to show on a log scale: one decade below 1
    s.lo = kLogFloor;
    s.hi = 1.0;
    return s;
  }
  s.lo = std::max(s.lo, s.hi * kLogFloor);
  return s;
}

std::vector<double> colour_ticks(const ColourScale& s, int target) {
  if (!s.log) return ticks_nice(s.lo, s.hi, target);
  // Decades inside [lo, hi], thinned to about `target` of them.
  const int e0 = static_cast<int>(std::ceil(std::log10(s.lo) - 1e-9));
  const int e1 = static_cast<int>(std::floor(std::log10(s.hi) + 1e-9));
  const int step = std::max(1, (e1 - e0 + target - 1) / std::max(1, target));
  std::vector<double> ticks;
  for (int e = e1; e >= e0; e -= step) ticks.insert(ticks.begin(), std::pow(10.0, e));
  return ticks;
}

std::pair<double, double> field_range(std::span<const double> field) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : field) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!(lo <= hi)) return {0.0, 1.0};
  if (hi - lo <= 1e-12 * std::max(std::abs(lo), std::abs(hi))) {
    // A flat field (e.g. the uniform equilibrium of the heat equation): centre it in the map.
    const double pad = lo == 0.0 ? 1.0 : 0.5 * std::abs(lo);
    return {lo - pad, hi + pad};
  }
  return {lo, hi};
}

}  // namespace fplab::viz
