// Where `fplab run CASE --resume DIR` continues (docs/reference.md §3, §6): the last snapshot of
// DIR/result.h5 with the /resume state written beside it (io/hdf5_writer.hpp).
#pragma once
#include <string>

#include "solver/case_spec.hpp"
#include "solver/simulation.hpp"

namespace fplab {

// The last snapshot's density and state and the outputs up to it. InputError, one sentence
// naming DIR, when DIR holds no resumable result.h5 (none, not fplab's, no /resume state, a
// failed run) or the case stored there differs from `spec` in anything but time.t_end and the
// output block.
ResumePoint read_resume_point(const std::string& dir, const CaseSpec& spec);

// The first key (dotted, e.g. "solver.integrator") in which two resolved cases differ, ignoring
// time.t_end and output; empty when none does.
std::string case_difference(const std::string& stored_yaml, const std::string& new_yaml);

}  // namespace fplab
