// Score fields s(x, t) ≈ ∇ log p(x, t) of a forward Fokker–Planck solution (docs/reference.md §4): the
// reverse equation's drift is built from one. Sources: exact (closed form), grid tables
// (tabulated from a forward run, or a user's HDF5 file; io/ reads the files) and, later,
// learned networks — all behind this interface, so operators never change with the source.
#pragma once
#include <limits>
#include <string>

#include "solver/vector_field.hpp"

namespace fplab {

class ScoreField : public VectorField {
 public:
  // One line for logs and summaries: "exact (3-component mixture)", "tabulated (41 times)".
  virtual std::string describe() const = 0;
  // The forward times [first, last] the field is defined on (the reverse run needs [0, T]).
  virtual double t_first() const { return -std::numeric_limits<double>::infinity(); }
  virtual double t_last() const { return std::numeric_limits<double>::infinity(); }
};

}  // namespace fplab
