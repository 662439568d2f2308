// NonFiniteDrift: a drift value that is not finite at a point, thrown by the operators when they
// evaluate the drift (defined with the run's other checks, solver/run_checks.cpp).
#pragma once
#include "solver/errors.hpp"

namespace fplab {

// component 0: f_x, 1: f_y. The driver turns one found while building the problem (t = 0) into
// an input error naming the key (run_checks.hpp, drift_key); later it is a numerical failure.
struct NonFiniteDrift : NumericalError {
  NonFiniteDrift(int component, double x, double y, double t);
  int component;
  double x, y, t;
};

}  // namespace fplab
