// One time step of the particles (docs/reference.md §7 schemes), then the walls:
//   euler_maruyama  X' = X + v(X,t) h + L √h ξ                               weak order 1
//   weak2           Y = X + v(X,t) h + L √h ξ;  X' = X + ½(v(X,t) + v(Y,t+h)) h + L √h ξ
//                   (Kloeden & Platen 1992, §15.1, the explicit order-2.0 weak scheme, which for
//                   additive noise needs no more), L from the mean of K over the step  weak order 2
//   heun            the same without noise (the ODE's explicit trapezoid)         order 2
//   rk4             the classical Runge–Kutta method (ODE)                        order 4
// ξ ~ N(0, I) from Philox keyed by (seed, particle, step) (particle_random.hpp), so a run is the
// same with any number of threads. Walls: zero_flux reflects (mirror images, any number of
// times), periodic wraps, dirichlet absorbs — a particle that ends a step outside, or whose
// Brownian bridge crossed a wall within the step (probability exp(−2 d₀ d₁ / (σ² h)) per wall,
// Gobet 2000), is frozen where it was and counted as outflow.
// The stage buffers are allocated once, at construction: no allocation inside the time loop.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "solver/grid.hpp"
#include "solver/particles/particle_dynamics.hpp"
#include "solver/particles/particles.hpp"

namespace fplab {

enum class Wall { reflect, wrap, absorb };
// zero_flux → reflect, periodic → wrap, dirichlet → absorb.
Wall wall_of(const std::string& boundary);

class ParticleStepper {
 public:
  ParticleStepper(ParticleDynamics& dynamics, std::string scheme, Wall wall, const Grid2D& g,
                  std::uint64_t seed, std::size_t n);
  // From t to t + h; `step` (0, 1, 2, ...) keys the step's random numbers.
  void step(Particles& p, double t, double h, std::uint64_t step);
  const std::string& scheme() const { return scheme_; }

 private:
  void euler_maruyama(Particles& p, double t, double h, std::uint64_t step);
  void weak2(Particles& p, double t, double h, std::uint64_t step);
  void rk4(Particles& p, double t, double h);
  // Moves particle k from (x, y) to (nx, ny) through the walls.
  void move(Particles& p, std::size_t k, double nx, double ny, const Mat2& K, double h,
            std::uint64_t step) const;

  ParticleDynamics& dyn_;
  std::string scheme_;
  Wall wall_;
  Grid2D g_;
  std::uint64_t seed_;
  std::vector<double> ax_, ay_, bx_, by_, cx_, cy_;  // stage buffers, n each
};

}  // namespace fplab
