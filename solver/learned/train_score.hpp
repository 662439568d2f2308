// `fplab train-score`: a multilayer perceptron s_θ(x, t) trained by denoising score matching
// (Vincent 2011; Song et al. 2021, eq. 7) on samples of the case's data density moved by its
// linear forward equation, saved as TorchScript (Python's torch.jit.load reads it too).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"

namespace fplab {

struct TrainingResult {
  std::vector<double> loss;  // per iteration
  double seconds = 0;
  double samples_per_second = 0;
};

// Progress: (iteration, iterations, loss, seconds so far), called every few iterations.
using TrainingProgress = std::function<void(int, int, double, double)>;

// Trains on spec.train and writes the model to model_path. The loss of a batch is
// mean ‖Lₜᵀ s_θ(xₜ, t) + z‖² with xₜ = Φₜ x₀ + Lₜ z, Qₜ = Lₜ Lₜᵀ the forward transition's
// covariance (docs/reference.md §4's ‖σₜ s + z‖² when Qₜ = σₜ² I), t = t_min + (T − t_min) u² with
// u ~ U[0, 1] (denser at small t), x₀ from
// equation.score.data, z ~ N(0, I). Deterministic for a seed (and a thread count).
// InputError naming the key when the case cannot be trained on.
TrainingResult train_score(const CaseSpec& spec, const std::string& model_path,
                           const TrainingProgress& progress);

}  // namespace fplab
