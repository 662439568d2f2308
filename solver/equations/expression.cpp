// Thread-safe evaluation of muparser expressions in x, y, t: one compiled parser per thread.
#include "solver/equations/expression.hpp"

#include <fmt/format.h>
#include <muParser.h>

#include <atomic>

#include "solver/errors.hpp"

namespace fplab {

struct ExpressionSet::Local {
  std::uint64_t id = 0;
  std::weak_ptr<const Shared> alive;
  double x = 0, y = 0, t = 0;  // the parsers hold pointers to these: Local never moves
  std::vector<mu::Parser> parsers;
};

namespace {

std::atomic<std::uint64_t> next_id{1};

// Binds x, y (and t) of `vars` into p and compiles expr.
void setup_parser(mu::Parser& p, const std::string& expr, bool allow_t, double* x, double* y,
                  double* t) {
  p.DefineVar("x", x);
  p.DefineVar("y", y);
  if (allow_t) p.DefineVar("t", t);
  p.SetExpr(expr);
}

}  // namespace

ExpressionSet::ExpressionSet(std::vector<std::string> exprs, std::vector<std::string> keys,
                             bool allow_t) {
  // Validate now, on this thread, so that a bad expression is an input error before any solve.
  double x = 0.1, y = 0.2, t = 0.3;
  for (std::size_t k = 0; k < exprs.size(); ++k) {
    const std::string& key = k < keys.size() ? keys[k] : std::string("expression");
    if (exprs[k].find_first_not_of(" \t\n") == std::string::npos)
      throw InputError(fmt::format("{}: expected an expression in x, y{}, got an empty string", key,
                                   allow_t ? ", t" : ""));
    try {
      mu::Parser p;
      setup_parser(p, exprs[k], allow_t, &x, &y, &t);
      p.Eval();
      if (allow_t && p.GetUsedVar().count("t")) uses_t_ = true;
    } catch (const mu::Parser::exception_type& e) {
      throw InputError(fmt::format("{}: cannot parse '{}' as an expression in x, y{}: {}", key,
                                   exprs[k], allow_t ? ", t" : "", e.GetMsg()));
    }
  }
  shared_ = std::make_shared<const Shared>(Shared{std::move(exprs), allow_t});
  id_ = next_id.fetch_add(1);
}

std::size_t ExpressionSet::size() const { return shared_->exprs.size(); }

ExpressionSet::Local& ExpressionSet::local() const {
  thread_local std::vector<std::unique_ptr<Local>> cache;
  for (auto& l : cache)
    if (l->id == id_) return *l;
  // Miss: forget the parsers of sets that no longer exist, then compile ours for this thread.
  std::erase_if(cache, [](const std::unique_ptr<Local>& l) { return l->alive.expired(); });
  auto l = std::make_unique<Local>();
  l->id = id_;
  l->alive = shared_;
  l->parsers.resize(shared_->exprs.size());
  for (std::size_t k = 0; k < l->parsers.size(); ++k)
    setup_parser(l->parsers[k], shared_->exprs[k], shared_->allow_t, &l->x, &l->y, &l->t);
  cache.push_back(std::move(l));
  return *cache.back();
}

void ExpressionSet::eval(double x, double y, double t, std::span<double> out) const {
  Local& l = local();
  l.x = x;
  l.y = y;
  l.t = t;
  for (std::size_t k = 0; k < l.parsers.size(); ++k) out[k] = l.parsers[k].Eval();
}

double ExpressionSet::eval(std::size_t k, double x, double y, double t) const {
  Local& l = local();
  l.x = x;
  l.y = y;
  l.t = t;
  return l.parsers[k].Eval();
}

}  // namespace fplab
