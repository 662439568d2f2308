// expm: exact time integration of a time-independent assembled operator, u(t + dt) =
// exp(dt A) u + the affine part, by the truncated Taylor series with scaling of Al-Mohy & Higham
// ("Computing the action of the matrix exponential", SIAM J. Sci. Comput. 33, 2011, Alg. 3.2;
// what scipy's expm_multiply does). The series is cut where
// two consecutive terms fall below `tolerance` relative to the sum (solver.tolerance); the
// degree m and the number of substeps s come from ‖dt A‖₁ and the θ_m bounds for double
// precision. Sparse matrix–vector products are row-major, OpenMP-parallel.
#pragma once
#include <Eigen/SparseCore>
#include <span>
#include <string>
#include <vector>

#include "solver/time/integrator.hpp"
#include "solver/time/sparse_rows.hpp"

namespace fplab {

class IntegratorExpm final : public TimeIntegrator {
 public:
  std::string name() const override { return "expm"; }
  int order() const override { return kExactInTime; }
  bool is_explicit() const override { return false; }
  Needs needs() const override { return Needs::assembly; }
  void set_tolerance(double tol) override { tol_ = tol; }
  void init(SpatialOperator& op) override;
  void step(SpatialOperator& op, double t, double dt, std::span<double> u) override;

  // The Taylor degree m and substeps s minimising m·s with s·θ_m ≥ ‖dt A‖₁ (Al-Mohy & Higham's
  // cost for the 1-norm bound), for a shifted matrix of 1-norm `norm1`.
  struct Plan {
    int m = 0, s = 0;
  };
  static Plan plan_for(double norm1);
  Plan last_plan() const { return plan_; }
  int last_terms() const { return terms_; }  // matrix–vector products of the last step

 private:
  double tol_ = 1e-10;
  RowMajorMatrix A_;
  std::vector<double> b_;  // the affine part b of F(u) = A u + b
  double norm1_ = 0.0;     // ‖[A b; 0 0]‖₁
  std::vector<double> f_, v_, w_;                   // sum, term, product
  double dt_planned_ = -1.0;
  Plan plan_;
  int terms_ = 0;
};

}  // namespace fplab
