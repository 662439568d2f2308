// FFTW planning with threads and a wisdom cache (see fftw.hpp). Wisdom is re-read and merged
// before each save, and saved through a rename, so concurrent runs never leave a torn file.
#include "solver/spectral/fftw.hpp"

#include <fmt/format.h>
#include <omp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>

#include "solver/errors.hpp"

namespace fplab {
namespace {

std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

// Threads and wisdom are set up once per process, under the planner mutex.
struct PlannerState {
  bool ready = false;
  std::string wisdom_path;
  std::string saved_wisdom;  // what we last read or wrote, to skip needless writes
};

PlannerState& planner_state() {
  static PlannerState s;
  return s;
}

std::string export_wisdom() {
  std::unique_ptr<char, decltype(&std::free)> w(fftw_export_wisdom_to_string(), &std::free);
  return w ? std::string(w.get()) : std::string();
}

void ensure_ready() {
  auto& s = planner_state();
  if (s.ready) return;
  s.ready = true;
  if (!fftw_init_threads()) spdlog::warn("FFTW threads could not be initialised: one thread");
  s.wisdom_path = fftw_wisdom_path();
  if (!s.wisdom_path.empty() && std::filesystem::exists(s.wisdom_path)) {
    if (fftw_import_wisdom_from_filename(s.wisdom_path.c_str()))
      s.saved_wisdom = export_wisdom();
    else
      spdlog::debug("ignoring unreadable FFTW wisdom file {}", s.wisdom_path);
  }
}

// Saves wisdom gathered by a FFTW_MEASURE plan, merged with whatever another run saved meanwhile.
void save_wisdom() {
  auto& s = planner_state();
  if (s.wisdom_path.empty()) return;
  if (export_wisdom() == s.saved_wisdom) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path path(s.wisdom_path);
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    spdlog::debug("cannot create {}: FFTW wisdom not cached", path.parent_path().string());
    return;
  }
  if (fs::exists(path)) fftw_import_wisdom_from_filename(path.c_str());
  const std::string tmp = fmt::format("{}.{}.tmp", s.wisdom_path, static_cast<long>(getpid()));
  if (!fftw_export_wisdom_to_filename(tmp.c_str())) {
    spdlog::debug("cannot write {}: FFTW wisdom not cached", tmp);
    return;
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return;
  }
  s.saved_wisdom = export_wisdom();
}

unsigned flags_of(FftwPlanning p) {
  return p == FftwPlanning::measure ? FFTW_MEASURE : FFTW_ESTIMATE;
}

// Threads pay off only on grids large enough to amortise the fork/join of every transform.
int threads_for(int ny, int nx) {
  return static_cast<long>(nx) * ny >= 128L * 128L ? omp_get_max_threads() : 1;
}

template <class MakePlan>
FftwPlan make_plan(int ny, int nx, FftwPlanning planning, const char* what, MakePlan make) {
  std::lock_guard lock(planner_mutex());
  ensure_ready();
  fftw_plan_with_nthreads(threads_for(ny, nx));
  fftw_plan p = make(flags_of(planning));
  if (!p)
    throw NumericalError(
        fmt::format("FFTW could not plan the {} transform of a {}×{} grid", what, nx, ny));
  if (planning == FftwPlanning::measure) save_wisdom();
  return FftwPlan(p);
}

}  // namespace

FftwPlanning fftw_planning_from_name(const std::string& name) {
  if (name == "measure") return FftwPlanning::measure;
  if (name == "estimate") return FftwPlanning::estimate;
  throw InputError("solver.fftw_planning: expected measure or estimate, got '" + name + "'");
}

std::vector<std::string> fftw_planning_names() { return {"measure", "estimate"}; }

bool fftw_aligned(const double* p) {
  // fftw_alignment_of takes a non-const pointer but only inspects the address.
  static const int reference = [] {
    double* q = fftw_alloc_real(4);
    const int a = fftw_alignment_of(q);
    fftw_free(q);
    return a;
  }();
  return fftw_alignment_of(const_cast<double*>(p)) == reference;
}

FftwPlan& FftwPlan::operator=(FftwPlan&& o) noexcept {
  if (this != &o) {
    FftwPlan tmp(std::move(*this));
    p_ = o.p_;
    o.p_ = nullptr;
  }
  return *this;
}

FftwPlan::~FftwPlan() {
  if (!p_) return;
  std::lock_guard lock(planner_mutex());  // destroying a plan touches the planner's tables
  fftw_destroy_plan(p_);
}

FftwPlan plan_r2c_2d(int ny, int nx, double* in, fftw_complex* out, FftwPlanning planning,
                     bool destroy_input) {
  return make_plan(ny, nx, planning, "real-to-complex", [&](unsigned flags) {
    return fftw_plan_dft_r2c_2d(ny, nx, in, out, flags | (destroy_input ? FFTW_DESTROY_INPUT : 0));
  });
}

FftwPlan plan_c2r_2d(int ny, int nx, fftw_complex* in, double* out, FftwPlanning planning) {
  return make_plan(ny, nx, planning, "complex-to-real",
                   [&](unsigned flags) { return fftw_plan_dft_c2r_2d(ny, nx, in, out, flags); });
}

FftwPlan plan_r2r_2d(int ny, int nx, double* in, double* out, fftw_r2r_kind kind_y,
                     fftw_r2r_kind kind_x, FftwPlanning planning) {
  return make_plan(ny, nx, planning, "cosine", [&](unsigned flags) {
    return fftw_plan_r2r_2d(ny, nx, in, out, kind_y, kind_x, flags);
  });
}

std::string fftw_wisdom_path() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/fplab/fftw-wisdom";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/fplab/fftw-wisdom";
  return {};
}

}  // namespace fplab
