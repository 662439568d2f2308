// Validated reading of YAML case files (docs/reference.md §2): where each value came from (file:line or a
// `--set` override), typed readers that fail with one sentence, and nearest-name suggestions.
#pragma once
#include <yaml-cpp/depthguard.h>  // YAML::DeepRecursion
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "solver/case_spec.hpp"

namespace fplab {

// One `--set key=value` override: the text as typed, the dotted key and the value as YAML.
struct CaseOverride {
  std::string text;        // "grid.nx=256"
  std::string key;         // "grid.nx"
  YAML::Node value;        // 256
  std::string value_text;  // "256", the YAML text the value was read from
};

// Splits "key=value" and parses the value as YAML (flow syntax); InputError when malformed.
CaseOverride override_parse(const std::string& text);
// Sets o.key in the map `root`, creating missing blocks on the way; InputError when a key on the
// way holds a value or a list rather than a block.
void override_apply(const CaseOverride& o, YAML::Node& root);

// Where the values of one case came from: the file (Mark lines) and the overrides applied.
class CaseSource {
 public:
  CaseSource(std::string file, std::vector<CaseOverride> overrides);
  const std::string& file() const { return file_; }
  // "--set grid.nx=2" when an override set `key` (or a block holding it), else "file:line" from
  // the node's Mark, else "file".
  std::string where(const std::string& key, const YAML::Node& at) const;

 private:
  std::string file_;
  std::vector<CaseOverride> overrides_;
};

// A value in the case with its full dotted key ("equation.diffusion.D", "initial.covs[1]").
struct CaseItem {
  const CaseSource* source = nullptr;
  YAML::Node node;    // undefined when the key is absent
  std::string key;    // "" for the whole file
  YAML::Node parent;  // the block holding it, to locate a missing key (undefined at the top)
  YAML::Node name;    // its key in `parent`: a null value's own mark points past it

  bool present() const { return node.IsDefined(); }
  // Throws InputError "where: key: what".
  [[noreturn]] void fail(const std::string& what) const;
  // Throws InputError "where: key: expected <expected>, got <the value>".
  [[noreturn]] void fail_expected(std::string_view expected, std::string_view hint = {}) const;
};

// A YAML map of the case, read key by key.
class CaseBlock {
 public:
  // `item` must hold a map; `expected` describes it when it does not ("a block {nx, ny}").
  CaseBlock(const CaseItem& item, std::string_view expected);
  // Every key must be one of `keys`; `what` names the block in the message ("a mixture
  // density"). An unknown key is suggested the nearest valid key, or the full key from `hints`
  // ({"D", "diffusion.D"}) when it belongs one level down. Duplicate keys are errors too.
  void keys_allowed(const std::vector<std::string>& keys, std::string_view what,
                    const std::vector<std::pair<std::string, std::string>>& hints = {}) const;
  CaseItem get(const std::string& k) const;  // present() is false when absent
  CaseItem required(const std::string& k, std::string_view expected) const;
  const CaseItem& item() const { return item_; }

 private:
  CaseItem item_;
};

// YAML scalar text → double, the whole text or nothing (a leading '+' is allowed, as in YAML).
bool number_parse(std::string_view s, double& out);

// Typed readers: each fails with "expected <expected>, got <value>".
double read_number(const CaseItem& it, std::string_view expected,
                   const std::function<bool(double)>& ok = {});
long long read_integer(const CaseItem& it, std::string_view expected, long long lo, long long hi);
std::string read_string(const CaseItem& it, std::string_view expected);  // non-empty scalar
bool read_bool(const CaseItem& it);
// One of `choices` (a misspelt one gets the nearest name as a suggestion).
std::string read_choice(const CaseItem& it, const std::vector<std::string>& choices);
Vec2 read_vec2(const CaseItem& it, std::string_view expected);
Mat2 read_mat2(const CaseItem& it, std::string_view expected);
// The elements of a YAML list, keyed "key[i]".
std::vector<CaseItem> read_list(const CaseItem& it, std::string_view expected);

// At most this many values in a case, counted with every alias expanded (an alias bomb's are
// billions); a real case holds a few hundred.
inline constexpr std::size_t kCaseValuesMax = 100'000;

// Checks every value under `node` (at dotted key `key`; `text` is the YAML it was read from)
// before anything reads it: no alias refers to a value that holds it, the aliases expand to at
// most kCaseValuesMax values, every key and scalar is UTF-8 text and every quoted scalar is
// closed. Records where each key came from ("file:line" or "--set ...") in `where`.
void check_case_values(const CaseSource& src, const YAML::Node& node, const std::string& key,
                       std::string_view text, std::map<std::string, std::string>& where);

// Byte offset of the first byte of `s` that is not well-formed UTF-8, or npos.
std::size_t utf8_invalid_at(std::string_view s);
// Text as a message quotes it: line breaks as spaces, at most `max` bytes (cut on a character
// boundary, then "…"), so that a 10 MB value makes a one-line message.
std::string shorten(std::string_view s, std::size_t max = 80);

// A YAML value as it reads in a message: 2, 'mucsl', [[1, 2], [3, 4]], nothing.
std::string describe_yaml(const YAML::Node& n);
// Optimal-string-alignment distance (a transposition costs 1), ignoring case.
int edit_distance(std::string_view a, std::string_view b);
// The candidate nearest to `word` when it is close enough to be a likely misspelling, else "".
std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates);
// "a, b, c"
std::string join_names(const std::vector<std::string>& names);
// Shortest decimal text that parses back to the same double (fmt "{}").
std::string number_text(double v);

}  // namespace fplab
