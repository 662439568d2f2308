// Closed-form and reference (RK4) evolution of Gaussian moments under a linear drift with a
// schedule, and the stationary covariance from the Lyapunov equation (docs/reference.md §5).
#include "solver/gaussian_flow.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <unsupported/Eigen/MatrixFunctions>

namespace fplab {

namespace {

using Vec3 = Eigen::Vector3d;

Vec3 sym_to_vec(const Mat2& S) { return {S(0, 0), 0.5 * (S(0, 1) + S(1, 0)), S(1, 1)}; }

Mat2 vec_to_sym(const Vec3& v) {
  Mat2 S;
  S << v(0), v(1), v(1), v(2);
  return S;
}

Mat2 symmetrised(const Mat2& S) { return 0.5 * (S + S.transpose()); }

}  // namespace

Eigen::Matrix3d lyapunov_operator(const Mat2& C) {
  Eigen::Matrix3d L;
  for (int k = 0; k < 3; ++k) {
    Vec3 e = Vec3::Zero();
    e(k) = 1.0;
    const Mat2 E = vec_to_sym(e);
    L.col(k) = sym_to_vec(C * E + E * C.transpose());
  }
  return L;
}

GaussianFlow::GaussianFlow(const Schedule& schedule, const Mat2& C, const Mat2& D)
    : schedule_(schedule), C_(C), D_(symmetrised(D)) {}

LinearFlowMap GaussianFlow::map(double t) const {
  LinearFlowMap out;
  if (schedule_.type() == "ve") {
    // a ≡ 0: no transport, the noise simply accumulates.
    out.Phi = Mat2::Identity();
    out.Q = 2.0 * schedule_.d_integral(t) * D_;
    return out;
  }
  const double tau = schedule_.a_integral(t);
  out.Phi = (-tau * C_).exp();
  const Eigen::Matrix3d L = lyapunov_operator(C_);
  const Vec3 vD = sym_to_vec(D_);
  if (schedule_.type() == "subvp") {
    // State (σ, 1, w = e^{−4τ}): dσ/dτ = −Lσ + 2vD·1 − 2vD·w, dw/dτ = −4w.
    Eigen::Matrix<double, 5, 5> M = Eigen::Matrix<double, 5, 5>::Zero();
    M.topLeftCorner<3, 3>() = -L;
    M.block<3, 1>(0, 3) = 2.0 * vD;
    M.block<3, 1>(0, 4) = -2.0 * vD;
    M(4, 4) = -4.0;
    Eigen::Matrix<double, 5, 1> s0;
    s0 << 0, 0, 0, 1, 1;
    const Eigen::Matrix<double, 5, 5> E = (tau * M).exp();
    out.Q = vec_to_sym((E * s0).head<3>());
  } else {
    // constant and vp: d = a, so dσ/dτ = −Lσ + 2vD.
    Eigen::Matrix4d M = Eigen::Matrix4d::Zero();
    M.topLeftCorner<3, 3>() = -L;
    M.block<3, 1>(0, 3) = 2.0 * vD;
    const Eigen::Matrix4d E = (tau * M).exp();
    out.Q = vec_to_sym(E.block<3, 1>(0, 3));
  }
  return out;
}

GaussianMoments GaussianFlow::evolve(const GaussianMoments& g0, double t) const {
  const LinearFlowMap fm = map(t);
  return {fm.Phi * g0.mean, symmetrised(fm.Phi * g0.cov * fm.Phi.transpose() + fm.Q)};
}

GaussianMixture GaussianFlow::evolve(const GaussianMixture& p0, double t) const {
  GaussianMixture out;
  evolve(p0, t, out);
  return out;
}

void GaussianFlow::evolve(const GaussianMixture& p0, double t, GaussianMixture& out) const {
  const LinearFlowMap fm = map(t);
  out = p0;
  for (std::size_t k = 0; k < out.means.size(); ++k) {
    out.means[k] = fm.Phi * p0.means[k];
    out.covs[k] = symmetrised(fm.Phi * p0.covs[k] * fm.Phi.transpose() + fm.Q);
  }
}

GaussianMoments gaussian_flow_rk4(const Schedule& schedule, const Mat2& C, const Mat2& D,
                                  const GaussianMoments& g0, double t, int steps) {
  auto rhs = [&](double s, const GaussianMoments& g) {
    const double a = schedule.a(s), d = schedule.d(s);
    return GaussianMoments{-a * C * g.mean, -a * (C * g.cov + g.cov * C.transpose()) + 2.0 * d * D};
  };
  auto axpy = [](const GaussianMoments& g, double h, const GaussianMoments& k) {
    return GaussianMoments{g.mean + h * k.mean, g.cov + h * k.cov};
  };
  GaussianMoments g = g0;
  const double h = t / steps;
  for (int n = 0; n < steps; ++n) {
    const double s = n * h;
    const auto k1 = rhs(s, g);
    const auto k2 = rhs(s + 0.5 * h, axpy(g, 0.5 * h, k1));
    const auto k3 = rhs(s + 0.5 * h, axpy(g, 0.5 * h, k2));
    const auto k4 = rhs(s + h, axpy(g, h, k3));
    g.mean += h / 6.0 * (k1.mean + 2.0 * k2.mean + 2.0 * k3.mean + k4.mean);
    g.cov += h / 6.0 * (k1.cov + 2.0 * k2.cov + 2.0 * k3.cov + k4.cov);
  }
  g.cov = symmetrised(g.cov);
  return g;
}

std::optional<Mat2> stationary_covariance(const Mat2& C, const Mat2& D) {
  const Eigen::EigenSolver<Mat2> es(C, /*computeEigenvectors=*/false);
  for (int k = 0; k < 2; ++k)
    if (!(es.eigenvalues()(k).real() > 0.0)) return std::nullopt;
  // C stable ⇒ L = I⊗C + C⊗I restricted to symmetric matrices is invertible (its eigenvalues are
  // the sums λᵢ + λⱼ, all with positive real part).
  const Vec3 s = lyapunov_operator(C).fullPivLu().solve(2.0 * sym_to_vec(D));
  const Mat2 S = vec_to_sym(s);
  const Eigen::SelfAdjointEigenSolver<Mat2> ss(S, Eigen::EigenvaluesOnly);
  const double scale = std::max(1.0, S.cwiseAbs().maxCoeff());
  if (!(ss.eigenvalues()(0) > 1e-12 * scale)) return std::nullopt;
  return S;
}

}  // namespace fplab
