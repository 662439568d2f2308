// Registry<T>: name → factory of T, in registration order, shared by the flux schemes and the
// time integrators. Built-ins are added by an explicit function on first use (never by static
// initialisers, which a static-library link can drop); a later registration of a name replaces
// the earlier one. Factories run outside the lock, so a factory may itself make another entry.
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "solver/errors.hpp"

namespace fplab {

template <class T>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;
  using Adder = std::function<void(const std::string&, Factory)>;

  // `kind` names the entries in errors ("flux scheme", "time integrator"); `builtins` receives an
  // adder that writes straight into the registry (add() would re-enter the once-flag).
  Registry(std::string kind, std::function<void(const Adder&)> builtins)
      : kind_(std::move(kind)), builtins_(std::move(builtins)) {}

  void add(const std::string& name, Factory factory) {
    ready();
    std::lock_guard lock(mutex_);
    insert(name, std::move(factory));
  }

  // InputError naming the valid entries when `name` is unknown.
  std::unique_ptr<T> make(const std::string& name) {
    ready();
    Factory factory;
    std::string valid;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [n, f] : entries_) {
        if (n == name) factory = f;
        valid += (valid.empty() ? "" : ", ") + n;
      }
    }
    if (factory) return factory();
    throw InputError("unknown " + kind_ + " '" + name + "'; the valid ones are " + valid);
  }

  std::vector<std::string> names() {
    ready();
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [n, f] : entries_) out.push_back(n);
    return out;
  }

 private:
  void ready() {
    std::call_once(once_, [this] {
      builtins_([this](const std::string& n, Factory f) { insert(n, std::move(f)); });
    });
  }
  void insert(const std::string& name, Factory factory) {
    for (auto& [n, f] : entries_)
      if (n == name) {
        f = std::move(factory);
        return;
      }
    entries_.emplace_back(name, std::move(factory));
  }

  std::string kind_;
  std::function<void(const Adder&)> builtins_;
  std::once_flag once_;
  std::mutex mutex_;
  std::vector<std::pair<std::string, Factory>> entries_;
};

}  // namespace fplab
