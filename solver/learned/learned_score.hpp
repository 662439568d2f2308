// A learned score s_θ(x, t) (docs/reference.md §4 `learned`): a TorchScript module whose forward(x, t) takes
// x of shape [N, 2] and t of shape [N] and returns [N, 2], in float32 or float64 — trained by
// `fplab train-score` or scripted by a user in PyTorch. Evaluated in batches in inference mode
// with libtorch's intra-op threads, at max(t, t_min): networks divide by σ_t, undefined at 0.
// Only fplab-torch links this (libtorch adds ~0.8 s to a program's start); no torch header here.
#pragma once
#include <memory>
#include <string>

#include "solver/score/score_field.hpp"

namespace fplab {

// The default t_min when neither the case nor the model gives one.
inline constexpr double kDefaultScoreTMin = 1e-3;

// Loads the module at `path` and checks it on a small batch: InputError (exit 2) naming the file
// when it is not TorchScript, its forward does not take (x, t), or the output is not [N, 2].
// t_min > 0: the case's; 0: the model's `t_min` attribute (train-score stores one), else 1e-3.
// A non-finite output while solving is a NumericalError (exit 3) naming the file and the time.
std::shared_ptr<const ScoreField> load_learned_score(const std::string& path, double t_min);

}  // namespace fplab
