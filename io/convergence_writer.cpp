// convergence table / JSON / CSV for `fplab verify` (see convergence_writer.hpp).
#include "io/convergence_writer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "io/writers.hpp"
#include "solver/discretisation.hpp"

namespace fplab {
namespace {

std::string order_cell(const std::vector<double>& orders, std::size_t k) {
  return k == 0 ? std::string("-") : fmt::format("{:.3f}", orders[k - 1]);
}

}  // namespace

std::string convergence_table(const ConvergenceStudy& s) {
  std::string out = fmt::format(
      "refine {} ({})\n{:>5} {:>6} {:>6} {:>11} {:>7} {:>11} {:>11} {:>11} {:>8} {:>8} {:>8}\n",
      s.refine,
      s.against_exact ? "errors against the exact solution"
                      : "errors against the finest level (Richardson)",
      "level", "nx", "ny", "dt", "steps", "L1", "L2", "Linf", "p_L1", "p_L2", "p_Linf");
  for (std::size_t k = 0; k < s.levels.size(); ++k) {
    const auto& lv = s.levels[k];
    out += fmt::format(
        "{:>5} {:>6} {:>6} {:>11.4e} {:>7} {:>11.4e} {:>11.4e} {:>11.4e} {:>8} {:>8} {:>8}\n", k,
        lv.nx, lv.ny, lv.dt, lv.steps, lv.l1, lv.l2, lv.linf, order_cell(s.order_l1, k),
        order_cell(s.order_l2, k), order_cell(s.order_linf, k));
  }
  return out;
}

void write_convergence(const CaseSpec& spec, const ConvergenceStudy& s, double expected_order,
                       double tolerance, bool passed, const std::string& dir) {
  const auto root = output_dir_create(dir);
  nlohmann::ordered_json j;
  j["case"] = spec.name;
  j["equation"] = spec.equation.type;
  j["method"] = spec.solver.method;
  j["scheme"] = scheme_of(spec);
  j["integrator"] = spec.solver.integrator;
  j["refine"] = s.refine;
  j["against_exact"] = s.against_exact;
  j["expected_order"] = expected_order;
  j["tolerance"] = tolerance;
  j["passed"] = passed;
  auto& levels = j["levels"] = nlohmann::ordered_json::array();
  for (const auto& lv : s.levels)
    levels.push_back({{"nx", lv.nx},
                      {"ny", lv.ny},
                      {"dt", lv.dt},
                      {"steps", lv.steps},
                      {"l1", lv.l1},
                      {"l2", lv.l2},
                      {"linf", lv.linf},
                      {"wall_seconds", lv.wall_seconds}});
  j["order_l1"] = s.order_l1;
  j["order_l2"] = s.order_l2;
  j["order_linf"] = s.order_linf;
  file_write_atomic(root / "convergence.json", j.dump(2) + "\n");

  std::string csv = "level,nx,ny,dt,steps,l1,l2,linf,order_l1,order_l2,order_linf\n";
  for (std::size_t k = 0; k < s.levels.size(); ++k) {
    const auto& lv = s.levels[k];
    auto ord = [&](const std::vector<double>& o) {
      return k == 0 ? std::string() : fmt::format("{:.17g}", o[k - 1]);
    };
    csv += fmt::format("{},{},{},{:.17g},{},{:.17g},{:.17g},{:.17g},{},{},{}\n", k, lv.nx, lv.ny,
                       lv.dt, lv.steps, lv.l1, lv.l2, lv.linf, ord(s.order_l1), ord(s.order_l2),
                       ord(s.order_linf));
  }
  file_write_atomic(root / "convergence.csv", csv);
}

}  // namespace fplab
