// The particles' equation of motion (see particle_dynamics.hpp).
#include "solver/particles/particle_dynamics.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>

#include "solver/equations/fokker_planck.hpp"
#include "solver/errors.hpp"
#include "solver/score/exact_score.hpp"

namespace fplab {

ParticleDynamics::ParticleDynamics(const Equation& eq, std::shared_ptr<const ScoreField> ode_score)
    : eq_(eq), ode_score_(std::move(ode_score)), has_noise_(!ode_score_ && eq.has_diffusion()) {}

Mat2 ParticleDynamics::diffusion(double t) const {
  return has_noise_ ? eq_.diffusion(t) : Mat2::Zero();
}

void ParticleDynamics::velocity(std::span<const double> xs, std::span<const double> ys, double t,
                                std::span<double> vx, std::span<double> vy) {
  const auto n = static_cast<std::ptrdiff_t>(xs.size());
  if (eq_.has_drift()) {
    eq_.drift_batch(xs, ys, t, vx, vy);
  } else {
#pragma omp parallel for simd schedule(static)
    for (std::ptrdiff_t k = 0; k < n; ++k) vx[k] = vy[k] = 0.0;
  }
  if (!ode_score_) return;
  // Probability flow: v = f − K s (K = d D, the forward equation's diffusion).
  sx_.resize(xs.size());
  sy_.resize(xs.size());
  ode_score_->eval(xs, ys, t, sx_, sy_);
  const Mat2 K = eq_.diffusion(t);
  const double k00 = K(0, 0), k01 = K(0, 1), k11 = K(1, 1);
  const double* sx = sx_.data();
  const double* sy = sy_.data();
#pragma omp parallel for simd schedule(static)
  for (std::ptrdiff_t k = 0; k < n; ++k) {
    vx[k] -= k00 * sx[k] + k01 * sy[k];
    vy[k] -= k01 * sx[k] + k11 * sy[k];
  }
}

Mat2 noise_factor(const Mat2& K) {
  const Eigen::SelfAdjointEigenSolver<Mat2> es(2.0 * 0.5 * (K + K.transpose()));
  const Eigen::Vector2d root = es.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  return es.eigenvectors() * root.asDiagonal() * es.eigenvectors().transpose();
}

namespace {

// The forward probability-flow ODE needs the forward solution's score in closed form.
std::shared_ptr<const ScoreField> forward_exact_score(const CaseSpec& spec, const Equation& eq) {
  const auto* fp = dynamic_cast<const FokkerPlanck*>(&eq);
  if (!fp || !fp->linear_flow() || !spec.initial.is_gaussian_mixture())
    throw InputError(
        "particles.flow: ode (the probability-flow ODE) needs the score of the forward solution, "
        "known in closed form for a linear drift from a gaussian or mixture initial density; "
        "use flow: sde, or a reverse_fokker_planck case with lambda: 0 and a score source");
  return std::make_shared<ExactScore>(*fp->linear_flow(), mixture_from_spec(spec.initial, "initial"));
}

std::string resolve_scheme(const ParticleSpec& p, bool ode) {
  if (p.scheme == "auto") return ode ? "heun" : "weak2";
  if (!ode && (p.scheme == "heun" || p.scheme == "rk4"))
    throw InputError(fmt::format(
        "particles.scheme: {} integrates an ODE, but this case's particles obey an SDE (it has "
        "diffusion); use euler_maruyama or weak2, or flow: ode for the probability-flow ODE",
        p.scheme));
  return p.scheme;
}

}  // namespace

ParticleModel make_particle_model(const CaseSpec& spec, const Equation& eq) {
  try {
    const std::string& type = spec.equation.type;
    if (type == "bgk")
      throw InputError(
          "equation.type: bgk relaxes the density towards equilibrium with no motion in space, so "
          "it has no particle (SDE) view; fplab sample takes fokker_planck, heat and "
          "reverse_fokker_planck cases");
    if (eq.has_variable_diffusion())
      throw InputError(
          "equation.diffusion.D: particles move with a constant noise √(2 d D); a "
          "space-dependent D(x) needs multiplicative noise, which fplab sample does not "
          "integrate; solve it on the grid with fplab run or fplab steady");
    if (spec.particles.flow != "auto" && type != "fokker_planck")
      throw InputError(fmt::format(
          "particles.flow: {} applies to fokker_planck cases only ({}: {})", spec.particles.flow,
          type, type == "reverse_fokker_planck"
                    ? "equation.lambda decides, 0 the probability-flow ODE, > 0 the reverse SDE"
                    : "an SDE"));
    std::shared_ptr<const ScoreField> ode_score;
    if (type == "fokker_planck" && spec.particles.flow == "ode")
      ode_score = forward_exact_score(spec, eq);
    ParticleModel m;
    m.dynamics = std::make_unique<ParticleDynamics>(eq, std::move(ode_score));
    m.scheme = resolve_scheme(spec.particles, m.dynamics->is_ode());
    return m;
  } catch (const InputError& e) {
    throw InputError(locate_in_case(spec, e.what()));
  }
}

}  // namespace fplab
