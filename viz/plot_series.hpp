// The plots of plot_series.cpp that draw more than series against one x: the diagnostics plots
// with fitted and theoretical decay rates, and the convergence plot of `fplab verify`.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "solver/case_spec.hpp"
#include "solver/convergence.hpp"
#include "solver/decay_rate.hpp"

namespace fplab {

// The convergence plot of `fplab verify`: L1, L2, L∞ errors against h = (x1 − x0)/nx (dt under
// time refinement), log–log, with the observed orders in the legend and dashed reference lines
// of slope expected_order through each norm's finest error. Needs an X server: without one it
// logs a warning once and writes nothing.
void plot_convergence_png(const CaseSpec& spec, const ConvergenceStudy& study,
                          double expected_order, const std::string& png_path);

namespace viz {

// viz::plot_diagnostics (render_detail.hpp) with l1_to_eq.png (log-y) besides, and on it and
// rel_entropy.png each series' fitted decay (dashed, over its window; solver/decay_rate.hpp) and
// the rate `theories` gives for it (dotted, through the fit's midpoint), the rates in the legend.
// The four-argument plot_diagnostics draws the fits without theory.
std::vector<std::string> plot_diagnostics(const std::vector<double>& t,
                                          const std::map<std::string, std::vector<double>>& columns,
                                          const std::string& case_name, const std::string& png_dir,
                                          const std::map<std::string, DecayTheory>& theories);

}  // namespace viz
}  // namespace fplab
