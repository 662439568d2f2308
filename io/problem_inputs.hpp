// What a case needs from files, read for the solver (which stays free of HDF5): a tabulated
// score from a forward run's result.h5, a user's score file (docs/reference.md §4 layout), the last snapshot
// of a previous run (`initial: {type: from_run}`), and the data density a reverse run aims at.
#pragma once
#include <memory>
#include <string>

#include "solver/case_spec.hpp"
#include "solver/problem.hpp"
#include "solver/score/grid_score.hpp"

namespace fplab {

// A learned score's loader: (path, t_min; 0 = the model's or 1e-3) → the network as a score.
// fplab-torch, the build linked with libtorch, registers one at start-up; the plain program has
// none and hands learned cases to fplab-torch (app/torch_handoff.cpp).
using LearnedScoreLoader = std::shared_ptr<const ScoreField> (*)(const std::string&, double);
void set_learned_score_loader(LearnedScoreLoader loader);
bool learned_scores_available();
// Whether the case needs a learned score (a network, so libtorch).
bool needs_learned_score(const CaseSpec& spec);

// Everything the case reads from files; nothing for cases that read none. InputError (exit 2)
// with one sentence naming the case file, the key and the dataset when a file does not fit.
ProblemInputs load_problem_inputs(const CaseSpec& spec);

// A user's score file: /grid/x, /grid/y (uniform node coordinates), /time (increasing),
// /fields/score_x, /fields/score_y of shape (nt, ny, nx). InputError naming the dataset.
ScoreTable read_score_file(const std::string& path);

// A forward run's score: its /fields/score_x, score_y when stored (output.store_score), else
// ∇ log p of every /fields/density snapshot (score_from_density). InputError naming the dataset.
ScoreTable read_score_from_run(const std::string& path);

}  // namespace fplab
