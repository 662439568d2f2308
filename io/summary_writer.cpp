// Run summary (docs/reference.md §6): summary.json written with nlohmann-json when the run ends.
#include "io/summary_writer.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "fplab/version.hpp"
#include "io/writers.hpp"
#include "solver/discretisation.hpp"

namespace fplab {

void SummaryWriter::begin(const RunInfo& info) {
  const auto dir = output_dir_create(info.output_dir);
  path_ = (dir / "summary.json").string();
  output_dir_ = info.output_dir;
  std::error_code ec;
  std::filesystem::remove(path_, ec);  // a stale summary would claim an unfinished run finished
  times_.clear();
  decay_series_.clear();
  for (std::string_view name : kDecayDiagnostics)
    if (std::find(info.diagnostic_names.begin(), info.diagnostic_names.end(), name) !=
        info.diagnostic_names.end())
      decay_series_[std::string(name)];
  theories_ = info.spec ? decay_rate_theories(*info.spec) : std::map<std::string, DecayTheory>{};
  nx_ = info.grid.nx;
  ny_ = info.grid.ny;
  spec_ = info.spec;
  if (info.spec) {
    name_ = info.spec->name;
    equation_ = info.spec->equation.type;
    method_ = info.spec->solver.method;
    scheme_ = scheme_of(*info.spec);  // fourier | cosine for spectral runs
    integrator_ = info.spec->solver.integrator;
    boundary_ = info.spec->boundary;
    const EquationSpec& eq = info.spec->equation;
    if (eq.type == "reverse_fokker_planck") {  // which score drove it, and how
      reverse_ = {{"T", eq.T}, {"lambda", eq.lambda}, {"score", eq.score.type}};
      if (!eq.score.path.empty()) reverse_["score_path"] = eq.score.path;
    }
  }
  particles_ = info.density_name == kParticleDensityName;
  stationary_ = info.stationary;
  if (stationary_) integrator_ = "steady";  // no time integrator: a direct solve
  if (info.past)  // a resumed run: the series of the run it continues come first
    for (std::size_t k = 0; k < info.past->times.size(); ++k) {
      Snapshot past;
      past.t = info.past->times[k];
      past.diagnostics = &info.past->rows[k];
      write(past);
    }
}

// The decay series at every output (NaN where a row lacks one), and for reverse runs measured
// against the exact score, score_error by reverse time τ and forward time t = T − τ.
void SummaryWriter::write(const Snapshot& snap) {
  times_.push_back(snap.t);
  for (auto& [name, series] : decay_series_) {
    double v = std::numeric_limits<double>::quiet_NaN();
    if (snap.diagnostics)
      for (const auto& [n, value] : *snap.diagnostics)
        if (n == name) v = value;
    series.push_back(v);
  }
  if (reverse_.is_null() || !snap.diagnostics) return;
  for (const auto& [name, value] : *snap.diagnostics)
    if (name == "score_error") {
      auto& e = reverse_["score_error"];
      e["tau"].push_back(snap.t);
      e["t"].push_back(std::max(reverse_["T"].get<double>() - snap.t, 0.0));
      e["value"].push_back(value);
    }
}

// decay_rate_<name> of the summary: the fit over its window with the theory's rate, or null.
nlohmann::ordered_json SummaryWriter::decay_rate_json(const std::string& name) const {
  const auto fit = decay_rate_fit(times_, decay_series_.at(name));
  if (!fit) return nullptr;
  nlohmann::ordered_json j = {{"rate", fit->rate},     {"stderr", fit->rate_stderr},
                              {"t_from", fit->t_from}, {"t_to", fit->t_to},
                              {"points", fit->points}, {"theory", nullptr}};
  if (const auto it = theories_.find(name); it != theories_.end())
    j["theory"] = {{"rate", it->second.rate}, {"source", it->second.source}};
  return j;
}

void SummaryWriter::end(const RunSummary& summary) {
  // ordered_json: keys stay in the documented order and diagnostics in column order.
  nlohmann::ordered_json final_row = nlohmann::ordered_json::object();
  for (const auto& [name, value] : summary.final_row) final_row[name] = value;  // NaN → null
  nlohmann::ordered_json j = {
      {"name", name_},
      {"status", status_name(summary.status)},
      {"equation", equation_},
      {"method", method_},
      {"scheme", scheme_},
      {"integrator", integrator_},
      {"boundary", boundary_},
      {"nx", nx_},
      {"ny", ny_},
      {"t_end", summary.t_end},
      {"steps", summary.steps},
      {"wall_seconds", summary.wall_seconds},
      {"cell_updates_per_second", summary.cell_updates_per_second},
      {"peak_memory_bytes", summary.peak_memory_bytes},
      {"peak_memory_grid_arrays", summary.peak_memory_grid_arrays},
      {"final", final_row},
      {"output_dir", output_dir_},
      {"fplab_version", kVersion},
      {"git_sha", kGitSha},
  };
  if (!reverse_.is_null()) j["reverse"] = reverse_;
  if (particles_) {  // the particles' scheme is their time integrator; no grid method moved them
    j["method"] = "particles";
    j["scheme"] = j["integrator"] = summary.particle_scheme;
  }
  if (stationary_)
    j["steady"] = {{"residual", summary.residual},
                   {"residual_relative", summary.residual_relative},
                   {"assemble_seconds", summary.assemble_seconds},
                   {"factorise_seconds", summary.factorise_seconds},
                   {"lu_nonzeros", summary.lu_nonzeros}};
  if (particles_ && spec_) {
    const ParticleSpec& p = spec_->particles;
    j["particles"] = {{"n", p.n},
                      {"alive", summary.particles_alive},
                      {"seed", p.seed},
                      {"scheme", summary.particle_scheme},
                      {"dt", p.dt ? nlohmann::ordered_json(*p.dt) : nlohmann::ordered_json("auto")},
                      {"bandwidth", p.bandwidth},
                      {"particle_steps_per_second", summary.particle_steps_per_second}};
  }
  for (std::string_view name : kDecayDiagnostics)  // in the documented order
    if (decay_series_.contains(std::string(name)))
      j["decay_rate_" + std::string(name)] = decay_rate_json(std::string(name));
  file_write_atomic(path_, j.dump(2) + "\n");
}

}  // namespace fplab
