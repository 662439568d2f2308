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

// Depth-limited and cut once long, so that a deep or aliased value describes quickly.
void describe_flow(const YAML::Node& n, std::string& out, int depth = 0) {
  if (out.size() > 200 || depth > 8) {
    out += "...";
  } else if (!n.IsDefined() || n.IsNull()) {
    out += "null";
  } else if (n.IsScalar()) {
    out += n.Scalar().empty() ? std::string("''") : shorten(n.Scalar());
  } else if (n.IsSequence()) {
    out += '[';
    for (std::size_t k = 0; k < n.size(); ++k) {
      if (k) out += ", ";
      describe_flow(n[k], out, depth + 1);
      if (out.size() > 200) break;  // long enough for a message
    }
    out += ']';
  } else if (n.IsMap()) {
    out += '{';
    bool first = true;
    for (const auto& kv : n) {
      if (!first) out += ", ";
      first = false;
      describe_flow(kv.first, out, depth + 1);
      out += ": ";
      describe_flow(kv.second, out, depth + 1);
      if (out.size() > 200) break;
    }
    out += '}';
  }
}

// Whether the quoted scalar opening at text[pos] closes before the end of the text (yaml-cpp
// 0.7 reads an unclosed quote to the end of the file without a word).
bool quote_closes(std::string_view text, std::size_t pos) {
  const char q = text[pos];
  for (std::size_t i = pos + 1; i < text.size(); ++i) {
    if (q == '"' && text[i] == '\\') {
      ++i;  // an escape: the next character is not the end
    } else if (text[i] == q) {
      if (q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is a quote inside a single-quoted scalar
        continue;
      }
      return true;
    }
  }
  return false;
}

// The walk of check_case_values: the blocks and lists above the current value, and a count.
struct ValueWalk {
  const CaseSource& src;
  std::string_view text;
  std::map<std::string, std::string>& where;
  std::vector<YAML::Node> holders;
  std::size_t count = 0;

  void check_text(const CaseItem& it, const YAML::Node& n, std::string_view what) const {
    const std::string& s = n.Scalar();
    if (const auto bad = utf8_invalid_at(s); bad != std::string::npos)
      it.fail(fmt::format("expected UTF-8 text, got {} with the byte 0x{:02X} at byte {}, which is "
                          "not UTF-8; save the case file as UTF-8",
                          what, static_cast<unsigned char>(s[bad]), bad + 1));
    const auto pos = static_cast<std::size_t>(n.Mark().pos);
    if (n.Tag() == "!" && n.Mark().pos >= 0 && pos < text.size() &&
        (text[pos] == '"' || text[pos] == '\'') && !quote_closes(text, pos))
      it.fail(fmt::format("the quoted text ({}...) has no closing {}", text[pos],
                          text[pos] == '"' ? "double quote" : "single quote"));
  }

  void visit(const YAML::Node& n, const std::string& key, const YAML::Node& parent,
             const YAML::Node& name) {
    const CaseItem it{&src, n, key, parent, name};
    for (const auto& h : holders)
      if (h.is(n))
        it.fail("a YAML alias refers to the value that holds it, which makes the value endless");
    if (++count > kCaseValuesMax)
      it.fail(fmt::format("the YAML aliases expand the case to more than {} values; write the "
                          "values out instead",
                          kCaseValuesMax));
    if (!key.empty()) where[key] = src.where(key, n.IsNull() && name.IsDefined() ? name : n);
    if (n.IsScalar()) check_text(it, n, "text");
    if (!n.IsMap() && !n.IsSequence()) return;
    holders.push_back(n);
    if (n.IsSequence()) {
      for (std::size_t k = 0; k < n.size(); ++k)
        visit(n[k], fmt::format("{}[{}]", key, k), n, YAML::Node());
    } else {
      for (const auto& kv : n) {
        if (kv.first.IsScalar())  // else keys_allowed reports a key that is not a name
          check_text(CaseItem{&src, kv.first, key, n, {}}, kv.first, "a key");
        else
          visit(kv.first, key, n, YAML::Node());
        visit(kv.second, key_join(key, kv.first.IsScalar() ? kv.first.Scalar() : "?"), n, kv.first);
      }
    }
    holders.pop_back();
  }
};

}  // namespace

// YAML scalar text → double, the whole text or nothing (a leading '+' is allowed, as in YAML).
bool number_parse(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

void check_case_values(const CaseSource& src, const YAML::Node& node, const std::string& key,
                       std::string_view text, std::map<std::string, std::string>& where) {
  ValueWalk{src, text, where, {}, 0}.visit(node, key, YAML::Node(), YAML::Node());
}

// ---- overrides ----

CaseOverride override_parse(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw InputError(fmt::format(
        "--set '{}': expected key=value with a dotted key, e.g. --set grid.nx=256", shorten(text)));
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
        "--set {}: expected a dotted key such as grid.nx or solver.dt before '=', got '{}'",
        shorten(text), shorten(o.key)));
  if (value.empty())
    throw InputError(
        fmt::format("--set {}: expected a value after '=', e.g. --set {}=64", shorten(text), o.key));
  try {
    o.value = YAML::Load(value);
  } catch (const YAML::DeepRecursion&) {
    throw InputError(fmt::format("--set {}: the value is nested too deeply", shorten(text)));
  } catch (const YAML::Exception& e) {
    throw InputError(
        fmt::format("--set {}: the value is not valid YAML ({})", shorten(text), e.msg));
  }
  o.value_text = value;
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
                                   shorten(o.text), path, parts[k + 1], describe_yaml(next)));
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
    if (!key.empty() && key_within(o->key, key)) return "--set " + shorten(o->text);
  if (at.IsDefined() && at.Mark().line >= 0) return fmt::format("{}:{}", file_, at.Mark().line + 1);
  // A block that only exists because an override created it: name that override.
  for (std::string k = key; !k.empty(); k = key_parent(k))
    for (auto o = overrides_.rbegin(); o != overrides_.rend(); ++o)
      if (key_within(k, o->key)) return "--set " + shorten(o->text);
  return file_;
}

void CaseItem::fail(const std::string& what) const {
  // A null value's mark is where the next token starts: its key's line is the one meant.
  const YAML::Node& at = !present() ? parent : node.IsNull() && name.IsDefined() ? name : node;
  const std::string where = source->where(key, at);
  if (key.empty()) throw InputError(fmt::format("{}: {}", where, what));
  throw InputError(fmt::format("{}: {}: {}", where, shorten(key), what));
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
    CaseItem key_item{item_.source, kv.first, item_.key, item_.node, {}};
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
  YAML::Node name;
  for (const auto& kv : map)
    if (kv.first.IsScalar() && kv.first.Scalar() == k) {
      name = kv.first;
      break;
    }
  return CaseItem{item_.source, map[k], key_join(item_.key, k), parent, name};
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
    out.push_back(CaseItem{it.source, it.node[k], fmt::format("{}[{}]", it.key, k), it.node, {}});
  return out;
}

// ---- text helpers ----

std::string describe_yaml(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsScalar()) {
    double v = 0;
    if (number_parse(n.Scalar(), v)) return shorten(n.Scalar());
    return "'" + shorten(n.Scalar()) + "'";
  }
  std::string s;
  describe_flow(n, s);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::size_t utf8_invalid_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    // The length of the sequence and the range of its second byte (RFC 3629's table: no
    // overlong forms, no surrogates, nothing above U+10FFFF).
    std::size_t len = 1;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

std::string shorten(std::string_view s, std::size_t max) {
  std::size_t cut = s.size();
  if (cut > max) {
    cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // a whole character
  }
  std::string out(s.substr(0, cut));
  std::replace_if(out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  if (cut < s.size()) out += "…";
  return out;
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
