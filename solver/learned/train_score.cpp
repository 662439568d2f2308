// Denoising score matching with libtorch (see train_score.hpp). The network is built as a
// torch::jit::Module — parameters, buffers and TorchScript source — so that it saves as
// TorchScript without Python:
//   features  [x, y, sin(f_k t), cos(f_k t)], f_k log-spaced (a sinusoidal embedding of t);
//   hidden    Linear + SiLU layers (spec.train.hidden);
//   output    Linear(·, 2) / σ_t, σ_t² = tr Q_t / 2 interpolated from a table in √(t/T),
//             so that the network learns σ_t s, of order one at every t.
#include "solver/learned/train_score.hpp"

#include <fmt/format.h>
#include <torch/torch.h>
#include <torch/script.h>

#include <chrono>
#include <cmath>

#include "solver/data_density.hpp"
#include "solver/equations/fokker_planck.hpp"
#include "solver/errors.hpp"

namespace fplab {
namespace {

constexpr int kFrequencies = 8;     // sin and cos of each: 16 time features
constexpr int kSigmaNodes = 513;    // σ_t table, uniform in √(t/T)
constexpr std::size_t kPool = 200000;  // data samples drawn once, then indexed
constexpr double kEmaDecay = 0.995;     // of the saved weights' moving average

// The TorchScript source of forward for `layers` hidden layers.
std::string forward_source(int layers) {
  std::string s =
      "def forward(self, x, t):\n"
      "    u = torch.sqrt(torch.clamp(t / self.T, 0.0, 1.0)) * (self.nodes - 1)\n"
      "    i = torch.clamp(torch.floor(u), 0.0, self.nodes - 2.0)\n"
      "    w = u - i\n"
      "    k = i.long()\n"
      "    sig = (1.0 - w) * torch.index_select(self.sigma, 0, k) + "
      "w * torch.index_select(self.sigma, 0, k + 1)\n"
      "    f = t[:, None] * self.freqs[None, :]\n"
      "    h = torch.cat([x, torch.sin(f), torch.cos(f)], dim=1)\n";
  for (int l = 0; l < layers; ++l) {
    s += fmt::format("    h = torch.matmul(h, self.W{0}) + self.b{0}\n", l);
    s += "    h = h * torch.sigmoid(h)\n";  // SiLU (torch.nn.functional does not resolve here)
  }
  s += fmt::format("    return (torch.matmul(h, self.W{0}) + self.b{0}) / sig[:, None]\n", layers);
  return s;
}

// Linear layer weights as PyTorch initialises them: U(−1/√fan_in, 1/√fan_in).
void add_linear(torch::jit::Module& m, int index, int fan_in, int fan_out) {
  const double a = 1.0 / std::sqrt(double(fan_in));
  m.register_parameter(fmt::format("W{}", index),
                       ((torch::rand({fan_in, fan_out}) * 2 - 1) * a).set_requires_grad(true),
                       false);
  m.register_parameter(fmt::format("b{}", index),
                       ((torch::rand({fan_out}) * 2 - 1) * a).set_requires_grad(true), false);
}

torch::jit::Module build_network(const TrainSpec& tr, double T, const GaussianFlow& flow) {
  torch::jit::Module m("fplab_score_mlp");
  std::vector<float> sigma(kSigmaNodes);
  for (int k = 0; k < kSigmaNodes; ++k) {
    const double u = double(k) / (kSigmaNodes - 1), t = T * u * u;
    sigma[k] = static_cast<float>(std::sqrt(std::max(0.5 * flow.map(t).Q.trace(), 1e-12)));
  }
  m.register_buffer("sigma", torch::tensor(sigma));
  m.register_buffer("freqs", torch::exp(torch::linspace(std::log(0.5), std::log(200.0), kFrequencies)));
  m.register_attribute("T", c10::FloatType::get(), T);
  m.register_attribute("nodes", c10::FloatType::get(), double(kSigmaNodes));
  m.register_attribute("t_min", c10::FloatType::get(), tr.t_min);
  int fan_in = 2 + 2 * kFrequencies, l = 0;
  for (const int width : tr.hidden) {
    add_linear(m, l++, fan_in, width);
    fan_in = width;
  }
  add_linear(m, l, fan_in, 2);
  m.define(forward_source(static_cast<int>(tr.hidden.size())));
  return m;
}

// One batch: t, x_t and Lᵀ per sample, z; x₀ drawn from the pool.
struct Batch {
  torch::Tensor t, xt, lt, z;
};

Batch draw_batch(const TrainSpec& tr, double T, const GaussianFlow& flow,
                 const torch::Tensor& pool) {
  const int B = tr.batch;
  Batch b;
  // t = t_min + (T − t_min) u², u uniform: more samples at small t, where the score is
  // steepest and hardest to learn (any law of t keeps the true score the minimiser).
  const torch::Tensor u = torch::rand({B}, torch::kFloat64);
  b.t = tr.t_min + (T - tr.t_min) * u * u;
  b.z = torch::randn({B, 2}, torch::kFloat64);
  const torch::Tensor x0 = pool.index_select(0, torch::randint(pool.size(0), {B}, torch::kInt64));
  b.xt = torch::empty({B, 2}, torch::kFloat64);
  b.lt = torch::empty({B, 2, 2}, torch::kFloat64);
  const double* tp = b.t.data_ptr<double>();
  const double* zp = b.z.data_ptr<double>();
  const double* xp = x0.data_ptr<double>();
  double* xtp = b.xt.data_ptr<double>();
  double* ltp = b.lt.data_ptr<double>();
  for (int k = 0; k < B; ++k) {
    const LinearFlowMap fm = flow.map(tp[k]);
    const Mat2 L = fm.Q.llt().matrixL();
    const Vec2 x = fm.Phi * Vec2(xp[2 * k], xp[2 * k + 1]) + L * Vec2(zp[2 * k], zp[2 * k + 1]);
    xtp[2 * k] = x.x();
    xtp[2 * k + 1] = x.y();
    const Mat2 Lt = L.transpose();
    for (int e = 0; e < 4; ++e) ltp[4 * k + e] = Lt(e / 2, e % 2);
  }
  return b;
}

// The data density's samples, drawn once (counter-based, so fixed by the seed).
torch::Tensor data_pool(const DensitySpec& data, std::uint64_t seed) {
  const auto pts = sample_density(data, kPool, seed);
  torch::Tensor pool = torch::empty({static_cast<std::int64_t>(pts.size()), 2}, torch::kFloat64);
  double* p = pool.data_ptr<double>();
  for (std::size_t k = 0; k < pts.size(); ++k) {
    p[2 * k] = pts[k].x();
    p[2 * k + 1] = pts[k].y();
  }
  return pool;
}

// An exponential moving average of the weights, which is what is saved (Song & Ermon 2020,
// §3.4): it averages out the noise of the last steps. It follows the weights exactly for the
// first `start` iterations.
class WeightAverage {
 public:
  WeightAverage(std::vector<torch::Tensor> params, int start)
      : params_(std::move(params)), start_(start) {
    for (const auto& p : params_) avg_.push_back(p.detach().clone());
  }
  void update(int iteration) {
    torch::NoGradGuard no_grad;
    const double decay = iteration < start_ ? 0.0 : kEmaDecay;
    for (std::size_t k = 0; k < params_.size(); ++k)
      avg_[k].mul_(decay).add_(params_[k].detach(), 1.0 - decay);
  }
  void copy_to_parameters() {
    torch::NoGradGuard no_grad;
    for (std::size_t k = 0; k < params_.size(); ++k) params_[k].copy_(avg_[k]);
  }

 private:
  std::vector<torch::Tensor> params_, avg_;
  int start_;
};

}  // namespace

TrainingResult train_score(const CaseSpec& spec, const std::string& model_path,
                           const TrainingProgress& progress) {
  const EquationSpec& eq = spec.equation;
  if (eq.type != "reverse_fokker_planck")
    throw InputError("equation.type: train-score needs a reverse_fokker_planck case (its forward "
                     "block, T and score.data)");
  if (!eq.score.has_data)
    throw InputError("equation.score.data: train-score samples the data density given here");
  const FokkerPlanck forward(require_constant_diffusion(eq, "train-score"), DensitySpec{}, false);
  if (!forward.linear_flow())
    throw InputError("equation.forward.drift: train-score needs a linear forward drift "
                     "(μ_t and σ_t in closed form)");
  const GaussianFlow& flow = *forward.linear_flow();
  const TrainSpec& tr = spec.train;
  torch::manual_seed(tr.seed);
  const torch::Tensor pool = data_pool(eq.score.data, tr.seed);
  torch::jit::Module net = build_network(tr, eq.T, flow);
  std::vector<torch::Tensor> params;
  for (const auto& p : net.parameters()) params.push_back(p);
  torch::optim::Adam adam(params, torch::optim::AdamOptions(tr.learning_rate));
  WeightAverage ema(params, tr.iterations / 10);
  TrainingResult res;
  const auto start = std::chrono::steady_clock::now();
  for (int it = 0; it < tr.iterations; ++it) {
    const Batch b = draw_batch(tr, eq.T, flow, pool);
    const torch::Tensor s = net.forward({b.xt.to(torch::kFloat32), b.t.to(torch::kFloat32)}).toTensor();
    const torch::Tensor r = torch::bmm(b.lt.to(torch::kFloat32), s.unsqueeze(2)).squeeze(2) +
                            b.z.to(torch::kFloat32);
    const torch::Tensor loss = (r * r).sum(1).mean();
    // Cosine decay of the step to 5% (Loshchilov & Hutter 2017): the score-matching loss is
    // noisy, and the late small steps average the noise out.
    const double lr = tr.learning_rate *
                      (0.05 + 0.95 * 0.5 * (1.0 + std::cos(M_PI * it / double(tr.iterations))));
    for (auto& group : adam.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    adam.zero_grad();
    loss.backward();
    adam.step();
    ema.update(it);
    res.loss.push_back(loss.item<double>());
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (progress && ((it + 1) % 100 == 0 || it + 1 == tr.iterations))
      progress(it + 1, tr.iterations, res.loss.back(), res.seconds);
    if (!std::isfinite(res.loss.back()))
      throw NumericalError(fmt::format("train-score: the loss became non-finite at iteration {} "
                                       "(lower train.learning_rate)", it + 1));
  }
  res.samples_per_second = res.seconds > 0 ? double(tr.iterations) * tr.batch / res.seconds : 0;
  ema.copy_to_parameters();
  net.save(model_path);
  return res;
}

}  // namespace fplab
