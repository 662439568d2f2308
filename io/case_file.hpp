// Case files (docs/reference.md §2): YAML → validated, defaults-filled CaseSpec; `--set key=value` overrides
// with the same validation; the resolved case echoed back as YAML.
#pragma once
#include <string>
#include <vector>

#include "solver/case_spec.hpp"

namespace fplab {

// Loads and validates a case file, applying overrides ("grid.nx=256", values in YAML syntax).
// Throws InputError with one sentence naming the file, line and key (exit code 2).
CaseSpec load_case_file(const std::string& path, const std::vector<std::string>& overrides = {});

// The same from YAML text; source_name stands for the file in messages.
CaseSpec parse_case(const std::string& yaml_text, const std::string& source_name,
                    const std::vector<std::string>& overrides = {});

// The resolved case as YAML (every key, defaults filled); parse_case(case_to_yaml(c)) == c.
std::string case_to_yaml(const CaseSpec& c);

}  // namespace fplab
