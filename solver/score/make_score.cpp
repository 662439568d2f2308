// equation.score → ScoreField for the sources that need no file (see make_score.hpp).
#include "solver/score/make_score.hpp"

#include <fmt/format.h>

#include "solver/equations/fokker_planck.hpp"
#include "solver/errors.hpp"
#include "solver/score/exact_score.hpp"

namespace fplab {

std::shared_ptr<const ScoreField> make_score(const EquationSpec& eq) {
  const ScoreSpec& s = eq.score;
  if (s.type != "exact")
    throw InputError(fmt::format(
        "equation.score.type: a {} score is read from equation.score.path by fplab run or verify; "
        "it cannot be built without that file",
        s.type));
  if (!s.has_data)
    throw InputError("equation.score.data: an exact score needs the data density it is the score of");
  if (!s.data.is_gaussian_mixture())
    throw InputError(fmt::format(
        "equation.score.data.type: the exact score is known in closed form for gaussian and "
        "mixture data only, got '{}' (use a tabulated score from a forward run)",
        s.data.type));
  const FokkerPlanck forward(require_constant_diffusion(eq, "the exact score"), DensitySpec{},
                             false);
  if (!forward.linear_flow())
    throw InputError(fmt::format(
        "equation.forward.drift.type: the exact score needs a linear forward drift, got '{}'",
        eq.drift.type));
  return std::make_shared<ExactScore>(*forward.linear_flow(),
                                      mixture_from_spec(s.data, "equation.score.data"));
}

}  // namespace fplab
