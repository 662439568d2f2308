// What the density pictures of `fplab render` compare a result with: its exact solution
// (/fields/exact), or for a reverse run the data density it should reach (the case's
// equation.score.data, else the first snapshot of the forward run its tabulated score comes
// from, as io/problem_inputs.cpp takes it), read from the result file and its stored case.
#pragma once
#include <string>
#include <vector>

#include "io/result_file.hpp"

namespace fplab::viz {

struct Reference {
  enum class Kind { none, exact, data } kind = Kind::none;
  std::vector<double> data;  // the data density on the result's grid (kind data)
  // Panel titles and the name of ∫|p − reference| in the heading.
  std::string label, result_label, difference_label, l1_label;
};

// The result's reference, none when it has neither. A stored case that no longer loads (e.g. a
// data image since moved) or a forward run that cannot be read costs the comparison only, with
// one warning.
Reference reference_of(const ResultFile& r);

// The case name stored in the file's resolved case; the result's folder name when absent.
std::string case_name_of(const ResultFile& r);

}  // namespace fplab::viz
