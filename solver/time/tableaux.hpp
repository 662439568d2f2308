// Explicit Runge–Kutta methods as constexpr Butcher tableaux (Dedalus-style data, STYLE lesson 5):
//   k_i = F(u + dt Σ_{j<i} a_ij k_j, t + c_i dt),   u ← u + dt Σ_i b_i k_i.
#pragma once
#include <array>
#include <cmath>

namespace fplab {

template <int S>
struct ButcherTableau {
  static constexpr int stages = S;
  const char* name;
  int order;  // design order of accuracy
  std::array<std::array<double, S>, S> a;
  std::array<double, S> b;
  std::array<double, S> c;
};

// Compile-time checks of every built-in tableau: a strictly lower triangular (explicit),
// row sums c_i = Σ_j a_ij (internal consistency) and Σ b_i = 1 (consistency, order ≥ 1).
template <int S>
constexpr bool tableau_is_consistent(const ButcherTableau<S>& t) {
  double sum_b = 0.0;
  for (int i = 0; i < S; ++i) {
    double row = 0.0;
    for (int j = 0; j < S; ++j) {
      if (j >= i && t.a[i][j] != 0.0) return false;
      row += t.a[i][j];
    }
    if (row - t.c[i] > 1e-15 || t.c[i] - row > 1e-15) return false;
    sum_b += t.b[i];
  }
  return sum_b - 1.0 < 1e-15 && 1.0 - sum_b < 1e-15;
}

// Forward Euler, order 1.
inline constexpr ButcherTableau<1> tableau_euler{"euler", 1, {{{0.0}}}, {1.0}, {0.0}};

// SSPRK(3,3) of Shu & Osher (J. Comput. Phys. 77, 1988), order 3, SSP coefficient 1: a convex
// combination of forward Euler steps, so any dt that keeps forward Euler positive keeps it
// positive. Butcher form of the Shu–Osher stages
//   u1 = u + dt F(u),  u2 = ¾u + ¼(u1 + dt F(u1)),  u' = ⅓u + ⅔(u2 + dt F(u2)).
inline constexpr ButcherTableau<3> tableau_ssprk3{
    "ssprk3",
    3,
    {{{0.0, 0.0, 0.0}, {1.0, 0.0, 0.0}, {0.25, 0.25, 0.0}}},
    {1.0 / 6.0, 1.0 / 6.0, 2.0 / 3.0},
    {0.0, 1.0, 0.5}};

// The classic fourth-order Runge–Kutta method (Kutta 1901).
inline constexpr ButcherTableau<4> tableau_rk4{
    "rk4",
    4,
    {{{0.0, 0.0, 0.0, 0.0}, {0.5, 0.0, 0.0, 0.0}, {0.0, 0.5, 0.0, 0.0}, {0.0, 0.0, 1.0, 0.0}}},
    {1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0},
    {0.0, 0.5, 0.5, 1.0}};

static_assert(tableau_is_consistent(tableau_euler));
static_assert(tableau_is_consistent(tableau_ssprk3));
static_assert(tableau_is_consistent(tableau_rk4));

}  // namespace fplab
