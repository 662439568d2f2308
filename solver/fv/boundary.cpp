// Names of the finite-volume boundary conditions (see boundary.hpp).
#include "solver/fv/boundary.hpp"

#include "solver/errors.hpp"
#include "solver/fv/fv_operator.hpp"

namespace fplab {
namespace {
constexpr BoundaryKind kBoundaries[] = {BoundaryKind::zero_flux, BoundaryKind::periodic,
                                        BoundaryKind::dirichlet};
}

const char* boundary_name(BoundaryKind b) {
  switch (b) {
    case BoundaryKind::zero_flux:
      return "zero_flux";
    case BoundaryKind::periodic:
      return "periodic";
    case BoundaryKind::dirichlet:
      return "dirichlet";
  }
  return "unknown";
}

std::vector<std::string> boundary_names() {
  std::vector<std::string> names;
  for (auto b : kBoundaries) names.emplace_back(boundary_name(b));
  return names;
}

BoundaryKind boundary_from_name(const std::string& name) {
  for (auto b : kBoundaries)
    if (name == boundary_name(b)) return b;
  std::string valid;
  for (const auto& n : boundary_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw InputError("unknown boundary '" + name +
                   "' for the finite-volume method; valid boundaries are " + valid);
}

}  // namespace fplab
