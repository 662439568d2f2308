// Validated reading of YAML case files (see case_yaml.hpp): locations, typed readers, overrides
// and nearest-name suggestions. Every error is one sentence "where: key: what".
#include "io/case_yaml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <system_error>

#include "solver/errors.hpp"

namespace fplab {
namespace {

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

// YAML scalar text → double, the whole text or nothing (a leading '+' is allowed, as in YAML).
bool number_parse(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool integer_parse(std::string_view s, long long& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// `key` lies inside what an override of `set_key` replaced (itself, a sub-key or a list item).
bool key_within(const std::string& set_key, const std::string& key) {
  if (key.size() < set_key.size() || key.compare(0, set_key.size(), set_key) != 0) return false;
  return key.size() == set_key.size() || key[set_key.size()] == '.' || key[set_key.size()] == '[';
}

std::string key_parent(const std::string& key) {
  const auto p = key.find_last_of(".[");
  return p == std::string::npos ? std::string() : key.substr(0, p);
}

std::string key_join(const std::string& block, const std::string& k) {
  return block.empty() ? k : block + "." + k;
}

void describe_flow(const YAML::Node& n, std::string& out) {
  if (!n.IsDefined() || n.IsNull()) {
    out += "null";
  } else if (n.IsScalar()) {
    out += n.Scalar().empty() ? std::string("''") : n.Scalar();
  } else if (n.IsSequence()) {
    out += '[';
    for (std::size_t k = 0; k < n.size(); ++k) {
      if (k) out += ", ";
      describe_flow(n[k], out);
      if (out.size() > 200) break;  // long enough for a message
    }
    out += ']';
  } else if (n.IsMap()) {
    out += '{';
    bool first = true;
    for (const auto& kv : n) {
      if (!first) out += ", ";
      first = false;
      describe_flow(kv.first, out);
      out += ": ";
      describe_flow(kv.second, out);
      if (out.size() > 200) break;
    }
    out += '}';
  }
}

}  // namespace

// ---- overrides ----

CaseOverride override_parse(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw InputError(fmt::format(
        "--set '{}': expected key=value with a dotted key, e.g. --set grid.nx=256", text));
  CaseOverride o;
  o.text = text;
  o.key = trim(std::string_view(text).substr(0, eq));
  const std::string value = trim(std::string_view(text).substr(eq + 1));
  bool key_ok = !o.key.empty() && o.key.front() != '.' && o.key.back() != '.' &&
                o.key.find("..") == std::string::npos;
  for (const char c : o.key)
    key_ok = key_ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.');
  if (!key_ok)
    throw InputError(fmt::format(
        "--set {}: expected a dotted key such as grid.nx or solver.dt before '=', got '{}'", text,
        o.key));
  if (value.empty())
    throw InputError(
        fmt::format("--set {}: expected a value after '=', e.g. --set {}=64", text, o.key));
  try {
    o.value = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    throw InputError(fmt::format("--set {}: the value is not valid YAML ({})", text, e.msg));
  }
  return o;
}

void override_apply(const CaseOverride& o, YAML::Node& root) {
  std::vector<std::string> parts;
  for (std::size_t a = 0;;) {
    const auto b = o.key.find('.', a);
    parts.push_back(o.key.substr(a, b == std::string::npos ? std::string::npos : b - a));
    if (b == std::string::npos) break;
    a = b + 1;
  }
  // Handles are references in yaml-cpp: walk with reset(), since `=` would overwrite the node.
  YAML::Node cur;
  cur.reset(root);
  std::string path;
  for (std::size_t k = 0; k + 1 < parts.size(); ++k) {
    path = key_join(path, parts[k]);
    YAML::Node next = cur[parts[k]];
    if (!next.IsDefined() || next.IsNull()) {
      cur[parts[k]] = YAML::Node(YAML::NodeType::Map);
      next.reset(cur[parts[k]]);
    } else if (!next.IsMap()) {
      throw InputError(fmt::format("--set {}: {}: expected a block of keys to set '{}' in, got {}",
                                   o.text, path, parts[k + 1], describe_yaml(next)));
    }
    cur.reset(next);
  }
  cur[parts.back()] = o.value;
}

// ---- locations and errors ----

CaseSource::CaseSource(std::string file, std::vector<CaseOverride> overrides)
    : file_(std::move(file)), overrides_(std::move(overrides)) {}

std::string CaseSource::where(const std::string& key, const YAML::Node& at) const {
  // The last override whose value holds `key` is the one in effect.
  for (auto o = overrides_.rbegin(); o != overrides_.rend(); ++o)
    if (!key.empty() && key_within(o->key, key)) return "--set " + o->text;
  if (at.IsDefined() && at.Mark().line >= 0) return fmt::format("{}:{}", file_, at.Mark().line + 1);
  // A block that only exists because an override created it: name that override.
  for (std::string k = key; !k.empty(); k = key_parent(k))
    for (auto o = overrides_.rbegin(); o != overrides_.rend(); ++o)
      if (key_within(k, o->key)) return "--set " + o->text;
  return file_;
}

void CaseItem::fail(const std::string& what) const {
  const std::string where = source->where(key, present() ? node : parent);
  if (key.empty()) throw InputError(fmt::format("{}: {}", where, what));
  throw InputError(fmt::format("{}: {}: {}", where, key, what));
}

void CaseItem::fail_expected(std::string_view expected, std::string_view suggestion) const {
  if (!present()) fail(fmt::format("missing required key, expected {}", expected));
  std::string what = fmt::format("expected {}, got {}", expected, describe_yaml(node));
  if (!suggestion.empty()) what += fmt::format(" (did you mean '{}'?)", suggestion);
  fail(what);
}

// ---- blocks ----

CaseBlock::CaseBlock(const CaseItem& item, std::string_view expected) : item_(item) {
  if (!item_.present() || !item_.node.IsMap()) item_.fail_expected(expected);
}

void CaseBlock::keys_allowed(const std::vector<std::string>& keys, std::string_view what,
                             const std::vector<std::pair<std::string, std::string>>& hints) const {
  std::map<std::string, int> seen;  // key → 1-based line
  for (const auto& kv : item_.node) {
    CaseItem key_item{item_.source, kv.first, item_.key, item_.node};
    if (!kv.first.IsScalar())
      key_item.fail(fmt::format("expected the keys of {} to be names, got {}", what,
                                describe_yaml(kv.first)));
    const std::string name = kv.first.Scalar();
    key_item.key = key_join(item_.key, name);
    const int line = kv.first.Mark().line + 1;
    if (const auto s = seen.find(name); s != seen.end())
      key_item.fail(fmt::format("the key is given twice (lines {} and {})", s->second, line));
    seen.emplace(name, line);
    if (std::find(keys.begin(), keys.end(), name) != keys.end()) continue;
    std::string suggestion;
    for (const auto& [k, full] : hints)
      if (k == name) suggestion = key_join(item_.key, full);
    if (suggestion.empty()) suggestion = nearest_name(name, keys);
    std::string msg = fmt::format("unknown key in {}, expected one of {}", what, join_names(keys));
    if (!suggestion.empty()) msg += fmt::format(" (did you mean '{}'?)", suggestion);
    key_item.fail(msg);
  }
}

CaseItem CaseBlock::get(const std::string& k) const {
  const YAML::Node map = item_.node;  // const: a missing key must not be inserted
  // At the top level a missing key is located by file only: the root's line is not the key's.
  YAML::Node parent = item_.key.empty() ? YAML::Node() : item_.node;
  return CaseItem{item_.source, map[k], key_join(item_.key, k), parent};
}

CaseItem CaseBlock::required(const std::string& k, std::string_view expected) const {
  CaseItem it = get(k);
  if (!it.present()) it.fail(fmt::format("missing required key, expected {}", expected));
  return it;
}

// ---- typed readers ----

double read_number(const CaseItem& it, std::string_view expected,
                   const std::function<bool(double)>& ok) {
  double v = 0;
  if (!it.present() || !it.node.IsScalar() || !number_parse(it.node.Scalar(), v) ||
      !std::isfinite(v) || (ok && !ok(v)))
    it.fail_expected(expected);
  return v;
}

long long read_integer(const CaseItem& it, std::string_view expected, long long lo, long long hi) {
  long long v = 0;
  if (!it.present() || !it.node.IsScalar() || !integer_parse(it.node.Scalar(), v) || v < lo ||
      v > hi)
    it.fail_expected(expected);
  return v;
}

std::string read_string(const CaseItem& it, std::string_view expected) {
  if (!it.present() || !it.node.IsScalar() || trim(it.node.Scalar()).empty())
    it.fail_expected(expected);
  return it.node.Scalar();
}

bool read_bool(const CaseItem& it) {
  if (it.present() && it.node.IsScalar()) {
    try {
      return it.node.as<bool>();
    } catch (const YAML::Exception&) {
    }
  }
  it.fail_expected("true or false");
}

std::string read_choice(const CaseItem& it, const std::vector<std::string>& choices) {
  const std::string expected = "one of " + join_names(choices);
  if (!it.present() || !it.node.IsScalar()) it.fail_expected(expected);
  const std::string& s = it.node.Scalar();
  if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
  it.fail_expected(expected, nearest_name(s, choices));
}

Vec2 read_vec2(const CaseItem& it, std::string_view expected) {
  Vec2 v;
  if (!it.present() || !it.node.IsSequence() || it.node.size() != 2) it.fail_expected(expected);
  for (int k = 0; k < 2; ++k) {
    const YAML::Node e = it.node[k];
    if (!e.IsScalar() || !number_parse(e.Scalar(), v[k]) || !std::isfinite(v[k]))
      it.fail_expected(expected);
  }
  return v;
}

Mat2 read_mat2(const CaseItem& it, std::string_view expected) {
  Mat2 m;
  if (!it.present() || !it.node.IsSequence() || it.node.size() != 2) it.fail_expected(expected);
  for (int r = 0; r < 2; ++r) {
    const YAML::Node row = it.node[r];
    if (!row.IsSequence() || row.size() != 2) it.fail_expected(expected);
    for (int c = 0; c < 2; ++c) {
      const YAML::Node e = row[c];
      if (!e.IsScalar() || !number_parse(e.Scalar(), m(r, c)) || !std::isfinite(m(r, c)))
        it.fail_expected(expected);
    }
  }
  return m;
}

std::vector<CaseItem> read_list(const CaseItem& it, std::string_view expected) {
  if (!it.present() || !it.node.IsSequence()) it.fail_expected(expected);
  std::vector<CaseItem> out;
  for (std::size_t k = 0; k < it.node.size(); ++k)
    out.push_back(CaseItem{it.source, it.node[k], fmt::format("{}[{}]", it.key, k), it.node});
  return out;
}

// ---- text helpers ----

std::string describe_yaml(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsScalar()) {
    double v = 0;
    if (number_parse(n.Scalar(), v)) return n.Scalar();
    return "'" + n.Scalar() + "'";
  }
  std::string s;
  describe_flow(n, s);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

int edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<int> d((n + 1) * (m + 1));
  auto at = [&](std::size_t i, std::size_t j) -> int& { return d[i * (m + 1) + j]; };
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  for (std::size_t i = 0; i <= n; ++i) at(i, 0) = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) at(0, j) = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);  // transposition
    }
  return at(n, m);
}

std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  int best_d = 1 << 30;
  for (const auto& c : candidates) {
    const int d = edit_distance(word, c);
    // About one edit in three characters still reads as a misspelling of the same word.
    const int limit = std::max<int>(1, static_cast<int>(std::max(word.size(), c.size())) / 3);
    if (d <= limit && d < best_d) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t k = 0; k < names.size(); ++k) s += (k ? ", " : "") + names[k];
  return s;
}

std::string number_text(double v) { return fmt::format("{}", v); }

}  // namespace fplab
