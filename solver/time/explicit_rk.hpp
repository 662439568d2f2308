// IntegratorExplicitRK: one generic explicit Runge–Kutta stepper driven by a Butcher tableau
// (solver/time/tableaux.hpp); every explicit method is this class plus its data.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "solver/time/integrator.hpp"
#include "solver/time/tableaux.hpp"

namespace fplab {

class IntegratorExplicitRK final : public TimeIntegrator {
 public:
  template <int S>
  explicit IntegratorExplicitRK(const ButcherTableau<S>& t)
      : name_(t.name),
        order_(t.order),
        stages_(S),
        a_(S * S),
        b_(t.b.begin(), t.b.end()),
        c_(t.c.begin(), t.c.end()) {
    for (int i = 0; i < S; ++i)
      for (int j = 0; j < S; ++j) a_[i * S + j] = t.a[i][j];
  }

  std::string name() const override { return name_; }
  int order() const override { return order_; }
  bool is_explicit() const override { return true; }
  int stages() const { return stages_; }

  // Allocates the stage derivatives k_1..k_s and one stage state (the only allocation).
  void init(SpatialOperator& op) override;
  void step(SpatialOperator& op, double t, double dt, std::span<double> u) override;

 private:
  void combine(double* out, const double* base, double dt, const double* w, int count) const;

  std::string name_;
  int order_;
  int stages_;
  std::vector<double> a_, b_, c_;  // a_ row-major stages × stages
  std::size_t n_ = 0;
  std::vector<double> k_;      // stages × n stage derivatives, stage i at [i n, (i+1) n)
  std::vector<double> stage_;  // u + dt Σ a_ij k_j
};

}  // namespace fplab
