// Particle time steps and walls (see particle_stepper.hpp).
#include "solver/particles/particle_stepper.hpp"

#include <cmath>
#include <stdexcept>

#include "solver/particles/particle_random.hpp"

namespace fplab {
namespace {

// The mirror image of v in [lo, hi], folded as often as needed (period 2(hi − lo)).
double reflect(double v, double lo, double hi) {
  if (v >= lo && v <= hi) return v;
  const double len = hi - lo;
  double u = std::fmod(v - lo, 2.0 * len);
  if (u < 0.0) u += 2.0 * len;
  return lo + (u <= len ? u : 2.0 * len - u);
}

// v moved into [lo, hi) by whole periods.
double wrap(double v, double lo, double hi) {
  if (v >= lo && v < hi) return v;
  const double len = hi - lo;
  double u = v - lo;
  u -= len * std::floor(u / len);
  return lo + (u < len ? u : 0.0);
}

// The chance that a Brownian bridge from a to b (both on the inner side of the wall at w, variance
// s2 = σ²h over the step) touched the wall: exp(−2 |a − w| |b − w| / s2).
double crossed(double a, double b, double w, double s2) {
  return s2 > 0.0 ? std::exp(-2.0 * std::abs(a - w) * std::abs(b - w) / s2) : 0.0;
}

}  // namespace

Wall wall_of(const std::string& boundary) {
  if (boundary == "zero_flux") return Wall::reflect;
  if (boundary == "periodic") return Wall::wrap;
  if (boundary == "dirichlet") return Wall::absorb;
  throw std::invalid_argument("wall_of: unknown boundary " + boundary);
}

ParticleStepper::ParticleStepper(ParticleDynamics& dynamics, std::string scheme, Wall wall,
                                 const Grid2D& g, std::uint64_t seed, std::size_t n)
    : dyn_(dynamics), scheme_(std::move(scheme)), wall_(wall), g_(g), seed_(seed),
      ax_(n), ay_(n), bx_(n), by_(n) {
  if (scheme_ != "euler_maruyama" && scheme_ != "weak2" && scheme_ != "heun" && scheme_ != "rk4")
    throw std::invalid_argument("ParticleStepper: unknown scheme " + scheme_);
  if (scheme_ != "euler_maruyama") {
    cx_.resize(n);
    cy_.resize(n);
  }
}

void ParticleStepper::step(Particles& p, double t, double h, std::uint64_t step) {
  if (scheme_ == "euler_maruyama")
    euler_maruyama(p, t, h, step);
  else if (scheme_ == "rk4")
    rk4(p, t, h);
  else
    weak2(p, t, h, step);  // heun: the same without noise
}

void ParticleStepper::move(Particles& p, std::size_t k, double nx, double ny, const Mat2& K,
                           double h, std::uint64_t step) const {
  switch (wall_) {
    case Wall::reflect:
      p.x[k] = reflect(nx, g_.x0, g_.x1);
      p.y[k] = reflect(ny, g_.y0, g_.y1);
      return;
    case Wall::wrap:
      p.x[k] = wrap(nx, g_.x0, g_.x1);
      p.y[k] = wrap(ny, g_.y0, g_.y1);
      return;
    case Wall::absorb:
      break;
  }
  if (!(nx >= g_.x0 && nx <= g_.x1 && ny >= g_.y0 && ny <= g_.y1)) {
    p.alive[k] = 0;  // left the domain: frozen where it last was
    return;
  }
  const double sx = 2.0 * K(0, 0) * h, sy = 2.0 * K(1, 1) * h;
  const double x = p.x[k], y = p.y[k];
  const double survive = (1.0 - crossed(x, nx, g_.x0, sx)) * (1.0 - crossed(x, nx, g_.x1, sx)) *
                         (1.0 - crossed(y, ny, g_.y0, sy)) * (1.0 - crossed(y, ny, g_.y1, sy));
  if (survive < 1.0 &&
      random::uniform(particle_words(seed_, k, step, Purpose::bridge)[0]) > survive) {
    p.alive[k] = 0;
    return;
  }
  p.x[k] = nx;
  p.y[k] = ny;
}

void ParticleStepper::euler_maruyama(Particles& p, double t, double h, std::uint64_t step) {
  dyn_.velocity(p.x, p.y, t, ax_, ay_);
  const Mat2 K = dyn_.diffusion(t);  // Itô: the coefficient at the start of the step
  const Mat2 L = noise_factor(K) * std::sqrt(h);
  const bool noise = dyn_.has_noise();
  const auto n = static_cast<std::int64_t>(p.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < n; ++k) {
    if (!p.alive[k]) continue;
    double dx = ax_[k] * h, dy = ay_[k] * h;
    if (noise) {
      const auto z = noise_normals(seed_, static_cast<std::uint64_t>(k), step);
      dx += L(0, 0) * z.x + L(0, 1) * z.y;
      dy += L(1, 0) * z.x + L(1, 1) * z.y;
    }
    move(p, k, p.x[k] + dx, p.y[k] + dy, K, h, step);
  }
}

void ParticleStepper::weak2(Particles& p, double t, double h, std::uint64_t step) {
  dyn_.velocity(p.x, p.y, t, ax_, ay_);
  // The noise of the step carries ∫K over it: Simpson's rule, exact to O(h⁵).
  const Mat2 K = (dyn_.diffusion(t) + 4.0 * dyn_.diffusion(t + 0.5 * h) + dyn_.diffusion(t + h)) / 6.0;
  const Mat2 L = noise_factor(K) * std::sqrt(h);
  const bool noise = dyn_.has_noise();
  const auto n = static_cast<std::int64_t>(p.size());
  // The predictor Y = X + v h + L √h ξ, in b.
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < n; ++k) {
    double dx = ax_[k] * h, dy = ay_[k] * h;
    if (noise && p.alive[k]) {
      const auto z = noise_normals(seed_, static_cast<std::uint64_t>(k), step);
      dx += L(0, 0) * z.x + L(0, 1) * z.y;
      dy += L(1, 0) * z.x + L(1, 1) * z.y;
    }
    bx_[k] = p.x[k] + dx;
    by_[k] = p.y[k] + dy;
  }
  dyn_.velocity(bx_, by_, t + h, cx_, cy_);
  // X' = X + ½(v(X) + v(Y)) h + L √h ξ = Y + ½ h (v(Y) − v(X)).
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < n; ++k) {
    if (!p.alive[k]) continue;
    move(p, k, bx_[k] + 0.5 * h * (cx_[k] - ax_[k]), by_[k] + 0.5 * h * (cy_[k] - ay_[k]), K, h,
         step);
  }
}

void ParticleStepper::rk4(Particles& p, double t, double h) {
  const auto n = static_cast<std::int64_t>(p.size());
  // a: the stage slope, b: the stage point, c: the weighted sum of slopes so far.
  dyn_.velocity(p.x, p.y, t, ax_, ay_);
#pragma omp parallel for simd schedule(static)
  for (std::int64_t k = 0; k < n; ++k) {
    cx_[k] = ax_[k], cy_[k] = ay_[k];
    bx_[k] = p.x[k] + 0.5 * h * ax_[k], by_[k] = p.y[k] + 0.5 * h * ay_[k];
  }
  for (const double c : {0.5, 1.0}) {  // stages 2 and 3, each followed by its next point
    dyn_.velocity(bx_, by_, t + 0.5 * h, ax_, ay_);
#pragma omp parallel for simd schedule(static)
    for (std::int64_t k = 0; k < n; ++k) {
      cx_[k] += 2.0 * ax_[k], cy_[k] += 2.0 * ay_[k];
      bx_[k] = p.x[k] + c * h * ax_[k], by_[k] = p.y[k] + c * h * ay_[k];
    }
  }
  dyn_.velocity(bx_, by_, t + h, ax_, ay_);
  const Mat2 K = Mat2::Zero();
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < n; ++k) {
    if (!p.alive[k]) continue;
    move(p, k, p.x[k] + h / 6.0 * (cx_[k] + ax_[k]), p.y[k] + h / 6.0 * (cy_[k] + ay_[k]), K, h, 0);
  }
}

}  // namespace fplab
