// `fplab train-score CASE [-o FILE]` in fplab-torch: trains, saves the model, and writes the loss
// history beside it as CSV and PNG (score.pt → score_loss.csv, score_loss.png).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "app/torch_handoff.hpp"
#include "io/vtk_module.hpp"
#include "solver/equations/fokker_planck.hpp"
#include "solver/errors.hpp"
#include "solver/learned/learned_score.hpp"
#include "solver/learned/train_score.hpp"
#include "solver/score/exact_score.hpp"

namespace fplab {

namespace {

// Where the exact score is known (Gaussian or mixture data): the saved model's p-weighted
// relative L2 error at a few times.
void print_score_error(const CaseSpec& spec, const std::string& model) {
  const DensitySpec& data = spec.equation.score.data;
  if (!data.is_gaussian_mixture()) return;
  const FokkerPlanck forward(spec.equation, DensitySpec{}, false);
  const ExactScore exact(*forward.linear_flow(), mixture_from_spec(data, "equation.score.data"));
  const auto learned = load_learned_score(model, 0.0);
  fmt::print("  score error (p-weighted relative L2 against the exact score):");
  const double T = spec.equation.T;
  for (const double t : {0.05 * T, 0.1 * T, 0.25 * T, 0.5 * T, T})
    fmt::print("  t = {:.3g}: {:.3f}", t, score_relative_error(*learned, exact, t, 20000, 7));
  fmt::print("\n");
}

}  // namespace

int train_score_command(const CaseSpec& spec, const std::string& model_path, bool quiet) {
  namespace fs = std::filesystem;
  const fs::path model = model_path;
  if (model.has_parent_path()) fs::create_directories(model.parent_path());
  const TrainSpec& tr = spec.train;
  spdlog::info("train-score {}: MLP {} (SiLU), {} iterations of {} samples, Adam lr {}, seed {}",
               spec.name, fmt::join(tr.hidden, "×"), tr.iterations, tr.batch, tr.learning_rate,
               tr.seed);
  auto progress = [quiet](int it, int n, double loss, double seconds) {
    if (quiet) return;
    const double eta = seconds / it * (n - it);
    fmt::print(stderr, "\r  iteration {:>7}/{}  loss {:.5f}  {:.0f} s, ETA {:.0f} s   ", it, n,
               loss, seconds, eta);
    if (it == n) fmt::print(stderr, "\n");
  };
  const TrainingResult r = [&] {
    try {
      return train_score(spec, model.string(), progress);
    } catch (const InputError& e) {
      throw InputError(locate_in_case(spec, e.what()));  // the file, line and key, as the loader
    }
  }();
  const fs::path stem = model.parent_path() / model.stem();
  const std::string csv = stem.string() + "_loss.csv", png = stem.string() + "_loss.png";
  std::ofstream out(csv);
  out << "iteration,loss\n";
  std::vector<double> it(r.loss.size());
  for (std::size_t k = 0; k < r.loss.size(); ++k) {
    it[k] = double(k + 1);
    out << k + 1 << ',' << fmt::format("{:.9g}", r.loss[k]) << '\n';
  }
  out.close();
  fs::remove(png);  // never list an older run's plot
  vtk_viz("the loss plot of fplab train-score")
      .plot_xy_png(it, "iteration", true, {{"loss", r.loss}},
                   spec.name + ": denoising score-matching loss", true, png);
  fmt::print("fplab train-score: {}\n  model     {}\n  loss      {:.5f} (last), {} iterations\n"
             "  time      {:.1f} s ({:.0f} samples/s)\n  history   {}{}\n",
             spec.name, model.string(), r.loss.back(), r.loss.size(), r.seconds,
             r.samples_per_second, csv, fs::exists(png) ? ", " + png : " (no X server: no plot)");
  print_score_error(spec, model.string());
  return 0;
}

}  // namespace fplab
