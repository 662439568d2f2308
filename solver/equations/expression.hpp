// User expressions in x, y (and t) from a case file, compiled once by muparser and safe to
// evaluate from OpenMP loops (potential U and expression drifts fx, fy of docs/reference.md §1).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace fplab {

// muparser parsers are not thread-safe (Eval keeps its stack and the bound variables in the
// parser), so every thread evaluates through its own copies: a thread_local cache keyed by a
// unique id of the set, filled on the thread's first call. Cache entries of destroyed sets are
// dropped the next time that thread misses. No locking on the evaluation path.
class ExpressionSet {
 public:
  // exprs[k] is validated at once (syntax, unknown names); keys[k] names it in the InputError.
  // allow_t: whether the variable t may appear (else only x, y).
  ExpressionSet(std::vector<std::string> exprs, std::vector<std::string> keys, bool allow_t);

  std::size_t size() const;
  bool uses_t() const { return uses_t_; }  // t appears in at least one expression
  // Every expression at (x, y, t): out.size() == size().
  void eval(double x, double y, double t, std::span<double> out) const;
  double eval(std::size_t k, double x, double y, double t) const;

 private:
  struct Shared {
    std::vector<std::string> exprs;
    bool allow_t = false;
  };
  struct Local;
  Local& local() const;

  std::shared_ptr<const Shared> shared_;
  std::uint64_t id_ = 0;
  bool uses_t_ = false;
};

}  // namespace fplab
