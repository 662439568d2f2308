// make_problem: the four objects of a run from a case (see problem.hpp).
#include "solver/problem.hpp"

#include <fmt/format.h>

#include "solver/discretisation.hpp"
#include "solver/equations/reverse_fokker_planck.hpp"
#include "solver/errors.hpp"
#include "solver/time/linear_solve.hpp"

namespace fplab {
namespace {

// Without diffusion (λ = 0) the reverse equation is pure transport: a non-positive flux then
// oscillates and drives the density negative, so only positivity-preserving fluxes are allowed.
void check_scheme(const CaseSpec& spec, const Equation& eq) {
  if (spec.solver.method != "finite_volume" || eq.has_diffusion()) return;
  if (eq.name() == "reverse_fokker_planck" && spec.solver.scheme == "central")
    throw InputError(
        "solver.scheme: central fluxes are not positivity preserving, and with equation.lambda "
        "= 0 the reverse equation is pure transport (no diffusion damps their oscillations); "
        "use muscl (limited, 2nd order) or upwind");
}

}  // namespace

Problem make_problem(const CaseSpec& spec, const ProblemInputs& inputs) {
  Problem pb;
  try {
    pb.grid = Grid2D{spec.nx, spec.ny, spec.x0, spec.x1, spec.y0, spec.y1};
    pb.sampling = sampling_of(spec);
    pb.equation = make_equation(spec, inputs.score);
    check_scheme(spec, *pb.equation);
    pb.op = make_operator(spec, *pb.equation, pb.grid);
    pb.integrator = make_integrator(spec.solver.integrator);
    pb.integrator->set_tolerance(spec.solver.tolerance);
    pb.integrator->set_linear_solver(linear_solver_from_name(spec.solver.linear_solver));
  } catch (const InputError& e) {
    throw InputError(locate_in_case(spec, e.what()));  // the file, line and key, as the loader
  }
  return pb;
}

void initial_state(const CaseSpec& spec, const Problem& pb, const ProblemInputs& inputs,
                   std::span<double> out) {
  const std::string& type = spec.initial.type;
  if (type == "from_run") {
    if (inputs.initial.size() != out.size())
      throw std::logic_error("initial_state: from_run needs the run's snapshot (io/ loads it)");
    std::copy(inputs.initial.begin(), inputs.initial.end(), out.begin());
    return;
  }
  if (type == "forward_solution") {
    const auto* rev = dynamic_cast<const ReverseFokkerPlanck*>(pb.equation.get());
    if (!rev)
      throw InputError(
          "initial.type: forward_solution is the exact forward density at T of a "
          "reverse_fokker_planck equation with an exact score");
    rev->forward_solution(pb.grid, out, pb.sampling);
    return;
  }
  initial_density(spec, pb.grid, out, pb.sampling);
}

std::vector<double> target_density(const Problem& pb, const ProblemInputs& inputs) {
  if (!inputs.target.empty()) return inputs.target;
  std::vector<double> out;
  if (pb.equation->has_target()) {
    out.resize(pb.grid.size());
    pb.equation->target(pb.grid, out, pb.sampling);
  }
  return out;
}

}  // namespace fplab
