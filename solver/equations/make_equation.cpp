// make_equation: the equation a case names (equation.type, docs/reference.md §1), built explicitly here (no
// static registration, which a static-library link would drop).
#include <fmt/format.h>

#include "solver/equations/bgk.hpp"
#include "solver/equations/equation.hpp"
#include "solver/equations/fokker_planck.hpp"
#include "solver/equations/heat.hpp"
#include "solver/equations/reverse_fokker_planck.hpp"
#include "solver/errors.hpp"
#include "solver/score/make_score.hpp"

namespace fplab {

std::unique_ptr<Equation> make_equation(const CaseSpec& spec,
                                        std::shared_ptr<const ScoreField> score) {
  const EquationSpec& eq = spec.equation;
  if (spec.exact != "auto" && spec.exact != "none")
    throw InputError(fmt::format("exact: expected auto or none, got '{}'", spec.exact));
  const bool want_exact = spec.exact != "none";
  if (eq.type == "fokker_planck")
    return std::make_unique<FokkerPlanck>(eq, spec.initial, want_exact);
  if (eq.type == "heat") return std::make_unique<Heat>(eq, spec.initial, want_exact);
  if (eq.type == "bgk") return std::make_unique<Bgk>(eq, spec.initial, want_exact);
  if (eq.type == "reverse_fokker_planck")
    return std::make_unique<ReverseFokkerPlanck>(eq, score ? std::move(score) : make_score(eq),
                                                 spec.initial.type == "forward_solution",
                                                 want_exact);
  throw InputError(fmt::format(
      "equation.type: expected one of fokker_planck, heat, bgk, reverse_fokker_planck, got '{}'",
      eq.type));
}

}  // namespace fplab
