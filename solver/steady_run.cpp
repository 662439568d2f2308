// `fplab steady` (see steady_run.hpp): checks, the direct solve, diagnostics, current, sinks.
#include "solver/steady_run.hpp"

#include <spdlog/spdlog.h>

#include "solver/diagnostics.hpp"
#include "solver/errors.hpp"
#include "solver/fv/flux_scheme.hpp"
#include "solver/non_finite_drift.hpp"
#include "solver/run_checks.hpp"
#include "solver/steady_state.hpp"
#include "solver/wall_clock.hpp"

namespace fplab {
namespace {

// What the case must be for A p = 0 to have one normalised solution the FV generator gives.
void check_steady_case(const CaseSpec& spec) {
  const auto fail = [&](const std::string& message) {
    throw InputError(locate_in_case(spec, message));
  };
  const std::string& type = spec.equation.type;
  if (type != "fokker_planck" && type != "heat")
    fail("equation.type: fplab steady solves fokker_planck and heat cases; a " + type +
         " case has " +
         (type == "bgk" ? std::string("its equilibrium in closed form (equation.equilibrium)")
                        : std::string("a score that changes with time, so no steady state")));
  if (spec.solver.method != "finite_volume")
    fail("solver.method: fplab steady solves the assembled finite-volume generator; set "
         "solver.method: finite_volume (the " + spec.solver.method +
         " operator is not assembled)");
  if (spec.boundary == "dirichlet")
    fail("boundary: dirichlet walls absorb, so every density drains away and the only steady "
         "state is p = 0; use zero_flux or periodic walls");
  if (type == "fokker_planck" && spec.equation.schedule.type != "constant")
    fail("equation.schedule: a " + spec.equation.schedule.type +
         " schedule changes the coefficients with t; a steady state needs time-independent "
         "coefficients (schedule: constant)");
}

// The case with a linear flux scheme: a limited one (muscl, the default) cannot be assembled, and
// chang_cooper is the scheme whose discrete equilibria are exact for potential drifts.
CaseSpec with_linear_scheme(const CaseSpec& spec) {
  CaseSpec linear = spec;
  if (!make_flux_scheme(spec.solver.scheme)->is_linear()) {
    spdlog::info("solver.scheme {} is nonlinear (limited) and cannot be assembled: fplab steady "
                 "uses chang_cooper",
                 spec.solver.scheme);
    linear.solver.scheme = "chang_cooper";
  }
  return linear;
}

Problem steady_problem(const CaseSpec& spec, const ProblemInputs& inputs) {
  Problem pb;
  try {
    pb = make_problem(spec, inputs);
  } catch (const NonFiniteDrift& e) {
    throw InputError(locate_in_case(spec, drift_key(spec, e.component) + ": " + e.what()));
  }
  const Equation& eq = *pb.equation;
  if (eq.drift_depends_on_time())
    throw InputError(locate_in_case(
        spec, "equation.drift: the drift changes with t; a steady state needs time-independent "
              "coefficients"));
  if (eq.diffusion_depends_on_time())
    throw InputError(locate_in_case(
        spec, "equation.diffusion.D: the diffusion changes with t; a steady state needs "
              "time-independent coefficients"));
  if (!eq.has_diffusion())
    throw InputError(locate_in_case(
        spec, "equation.diffusion.D: without diffusion the steady state is not unique (every "
              "invariant set of the drift carries one); give D a positive entry"));
  return pb;
}

RunInfo steady_info(const CaseSpec& spec, const Problem& pb, const std::string& command_line,
                    bool has_equilibrium) {
  RunInfo info;
  info.spec = &spec;
  info.grid = pb.grid;
  info.command_line = command_line;
  info.output_dir = spec.output.dir;
  info.diagnostic_names = diagnostic_names(has_equilibrium, has_equilibrium);
  info.diagnostic_names.emplace_back("residual");
  if (has_equilibrium) info.field_names.emplace_back("exact");
  info.field_names.emplace_back("current_x");
  info.field_names.emplace_back("current_y");
  info.sampling = pb.sampling;
  info.stationary = true;
  return info;
}

// The one stationary snapshot to every sink, and the summary that ends them.
void write_steady(const RunInfo& info, std::span<const double> p_eq, SteadyRunResult& r,
                  std::span<OutputSink* const> sinks, Clock::time_point t0) {
  Snapshot snap;
  snap.density = r.solve.density;
  if (!p_eq.empty()) snap.fields.emplace_back("exact", p_eq);
  snap.fields.emplace_back("current_x", r.current_x);
  snap.fields.emplace_back("current_y", r.current_y);
  snap.diagnostics = &r.final_row;
  const RunState state;
  snap.state = &state;
  for (auto* s : sinks) s->begin(info);
  for (auto* s : sinks) s->write(snap);
  r.wall_seconds = seconds_since(t0);
  r.peak_memory_bytes = peak_resident_bytes();
  RunSummary summary;
  summary.wall_seconds = r.wall_seconds;
  summary.peak_memory_bytes = r.peak_memory_bytes;
  summary.peak_memory_grid_arrays =
      r.peak_memory_bytes / (sizeof(double) * static_cast<double>(info.grid.size()));
  summary.final_row = r.final_row;
  summary.residual = r.solve.residual;
  summary.residual_relative = r.solve.residual_relative;
  summary.assemble_seconds = r.solve.assemble_seconds;
  summary.factorise_seconds = r.solve.factorise_seconds;
  summary.lu_nonzeros = r.solve.lu_nonzeros;
  for (auto* s : sinks) s->end(summary);
}

}  // namespace

SteadyRunResult solve_steady_case(const CaseSpec& case_spec, std::span<OutputSink* const> sinks,
                                  const std::string& command_line, ProblemInputs inputs) {
  const auto t0 = Clock::now();
  check_domain(case_spec);
  check_steady_case(case_spec);
  const CaseSpec spec = with_linear_scheme(case_spec);
  SteadyRunResult r;
  r.scheme = spec.solver.scheme;
  Problem pb = steady_problem(spec, inputs);
  const Grid2D& g = pb.grid;
  std::vector<double> guess(g.size());
  initial_state(spec, pb, inputs, guess);  // only picks where the solve is pinned

  r.solve = solve_steady_state(*pb.op, g, guess, spec.boundary == "periodic");
  r.current_x.resize(g.size());
  r.current_y.resize(g.size());
  pb.op->current(r.solve.density, 0.0, r.current_x, r.current_y);

  // Where the equilibrium is known in closed form (potential drift, linear drift), the errors
  // are against it: the stationary density of the PDE, so they are the discretisation's.
  const Equation& eq = *pb.equation;
  std::vector<double> p_eq;
  if (eq.has_equilibrium()) {
    p_eq.resize(g.size());
    eq.equilibrium(g, p_eq, pb.sampling);
  }
  r.final_row = compute_diagnostics(g, r.solve.density, p_eq, p_eq);
  r.final_row.emplace_back("residual", r.solve.residual);
  write_steady(steady_info(spec, pb, command_line, !p_eq.empty()), p_eq, r, sinks, t0);
  return r;
}

}  // namespace fplab
