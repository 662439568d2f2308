// Learned scores through libtorch (see learned_score.hpp).
#include "solver/learned/learned_score.hpp"

#include <fmt/format.h>
#include <ATen/Parallel.h>
#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <omp.h>

#include "solver/errors.hpp"

namespace fplab {
namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

class LearnedScore final : public ScoreField {
 public:
  LearnedScore(torch::jit::Module module, std::string path, double t_min)
      : module_(std::move(module)), path_(std::move(path)), t_min_(t_min) {
    module_.eval();
    at::set_num_threads(std::max(1, omp_get_max_threads()));  // libtorch's intra-op threads
    dtype_ = torch::kFloat64;  // a module without parameters takes what it is given
    for (const auto& p : module_.parameters()) {
      dtype_ = p.scalar_type();
      break;
    }
    if (dtype_ != torch::kFloat32 && dtype_ != torch::kFloat64)
      throw InputError(fmt::format("{}: the network's parameters are {}, expected float32 or "
                                   "float64", path_, c10::toString(dtype_)));
  }

  // out = s_θ at the points (xs, ys) and time max(t, t_min); one forward call for all of them.
  void eval(std::span<const double> xs, std::span<const double> ys, double t,
            std::span<double> out_x, std::span<double> out_y) const override {
    const auto n = static_cast<std::int64_t>(xs.size());
    torch::Tensor x = torch::empty({n, 2}, torch::kFloat64);
    double* xp = x.data_ptr<double>();
    for (std::int64_t k = 0; k < n; ++k) {
      xp[2 * k] = xs[k];
      xp[2 * k + 1] = ys[k];
    }
    forward(x, t, out_x, out_y);
  }

  // At fixed points the input tensor is built once, in the network's dtype.
  std::unique_ptr<FieldAtPoints> at_points(PointSet points) const override;

  // s_θ(x, max(t, t_min)) for an [N, 2] float64 x, written to out_x, out_y (empty: not wanted).
  void forward(const torch::Tensor& x, double t, std::span<double> out_x,
               std::span<double> out_y) const {
    const std::int64_t n = x.size(0);
    const std::lock_guard<std::mutex> lock(mutex_);  // one forward at a time per module
    c10::InferenceMode guard;
    const torch::Tensor xin = x.to(dtype_);
    const torch::Tensor tin = torch::full({n}, std::max(t, t_min_), xin.options());
    torch::Tensor s;
    try {
      s = module_.forward({xin, tin}).toTensor();
    } catch (const c10::Error& e) {
      throw InputError(fmt::format("{}: forward(x, t) failed on x of shape [{}, 2]: {}", path_,
                                   n, first_line(e.what_without_backtrace())));
    }
    if (s.dim() != 2 || s.size(0) != n || s.size(1) != 2)
      throw InputError(fmt::format("{}: forward(x, t) returned shape {} for x of shape [{}, 2]; "
                                   "expected [{}, 2]", path_, fmt::join(s.sizes(), "×"), n, n));
    s = s.to(torch::kFloat64).contiguous();
    const double* sp = s.data_ptr<double>();
    for (std::int64_t k = 0; k < n; ++k) {
      if (!std::isfinite(sp[2 * k]) || !std::isfinite(sp[2 * k + 1]))
        throw NumericalError(fmt::format("{}: the network returned a non-finite score at "
                                         "x = ({:.4g}, {:.4g}), t = {:.4g}", path_,
                                         x[k][0].item<double>(), x[k][1].item<double>(),
                                         std::max(t, t_min_)));
      if (!out_x.empty()) out_x[k] = sp[2 * k];
      if (!out_y.empty()) out_y[k] = sp[2 * k + 1];
    }
  }

  std::string describe() const override {
    return fmt::format("learned {} ({}, t_min {:.3g})", path_,
                       dtype_ == torch::kFloat32 ? "float32" : "float64", t_min_);
  }
  double t_min() const { return t_min_; }

 private:
  mutable torch::jit::Module module_;  // forward is not const in libtorch's API
  std::string path_;
  double t_min_;
  torch::Dtype dtype_;
  mutable std::mutex mutex_;
};

class LearnedAtPoints final : public FieldAtPoints {
 public:
  LearnedAtPoints(const LearnedScore& score, const PointSet& pts)
      : score_(score), x_(torch::empty({static_cast<std::int64_t>(pts.size()), 2}, torch::kFloat64)) {
    double* xp = x_.data_ptr<double>();
    for (std::size_t k = 0; k < pts.size(); ++k) {
      xp[2 * k] = pts.x[k];
      xp[2 * k + 1] = pts.y[k];
    }
  }
  std::size_t size() const override { return static_cast<std::size_t>(x_.size(0)); }
  void eval(double t, std::span<double> out_x, std::span<double> out_y) override {
    score_.forward(x_, t, out_x, out_y);
  }

 private:
  const LearnedScore& score_;
  torch::Tensor x_;
};

std::unique_ptr<FieldAtPoints> LearnedScore::at_points(PointSet points) const {
  return std::make_unique<LearnedAtPoints>(*this, points);
}

// The forward method's schema must be (self, x, t).
void check_signature(torch::jit::Module& m, const std::string& path) {
  const auto method = m.find_method("forward");
  if (!method)
    throw InputError(fmt::format("{}: the TorchScript module has no forward method", path));
  const auto& args = method->function().getSchema().arguments();
  if (args.size() != 3)
    throw InputError(fmt::format("{}: forward takes {} argument(s); expected forward(x, t) with "
                                 "x of shape [N, 2] and t of shape [N]",
                                 path, args.size() - 1));
}

}  // namespace

std::shared_ptr<const ScoreField> load_learned_score(const std::string& path, double t_min) {
  torch::jit::Module m;
  try {
    m = torch::jit::load(path);
  } catch (const c10::Error& e) {
    throw InputError(fmt::format("{}: not a TorchScript module that libtorch can load ({})", path,
                                 first_line(e.what_without_backtrace())));
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: not a TorchScript module ({})", path, first_line(e.what())));
  }
  check_signature(m, path);
  if (!(t_min > 0.0)) {
    t_min = kDefaultScoreTMin;
    if (m.hasattr("t_min") && m.attr("t_min").isDouble()) t_min = m.attr("t_min").toDouble();
  }
  auto score = std::make_shared<LearnedScore>(std::move(m), path, t_min);
  // A probe: four points at t_min; a wrong output shape or a failing forward is an input error.
  const double xs[] = {0.0, 1.0, -1.0, 0.5}, ys[] = {0.0, -0.5, 1.0, 2.0};
  double sx[4], sy[4];
  score->eval(xs, ys, t_min, sx, sy);
  return score;
}

}  // namespace fplab
