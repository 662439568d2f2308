// RAII layer over FFTW 3: move-only plans (on AlignedVector buffers, solver/aligned_vector.hpp), and one place
// that plans (threads via fftw3_omp, wisdom cached on disk, a mutex: FFTW's planner is not
// thread-safe while fftw_execute* is).
#pragma once
#include <fftw3.h>

#include "solver/aligned_vector.hpp"

#include <cstddef>
#include <new>
#include <string>
#include <vector>

namespace fplab {

// solver.fftw_planning: FFTW_MEASURE times candidate algorithms (slow the first time, then
// cached as wisdom); FFTW_ESTIMATE picks one heuristically (instant, often slower to execute).
enum class FftwPlanning { measure, estimate };

FftwPlanning fftw_planning_from_name(const std::string& name);  // InputError if unknown
std::vector<std::string> fftw_planning_names();                 // {"measure", "estimate"}

// True when p has the alignment of fftw_malloc'd memory, so a plan made on aligned arrays may
// execute on it.
bool fftw_aligned(const double* p);

// A move-only owner of an fftw_plan.
class FftwPlan {
 public:
  FftwPlan() = default;
  explicit FftwPlan(fftw_plan p) : p_(p) {}
  FftwPlan(FftwPlan&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  FftwPlan& operator=(FftwPlan&& o) noexcept;
  FftwPlan(const FftwPlan&) = delete;
  FftwPlan& operator=(const FftwPlan&) = delete;
  ~FftwPlan();
  fftw_plan get() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  fftw_plan p_ = nullptr;
};

// Planning. Arrays are overwritten while measuring: plan before filling them. The plan uses
// omp_get_max_threads() threads. Throws NumericalError if FFTW cannot make the plan.
// Real ny×nx (row-major, x fastest) → complex ny×(nx/2+1), and back (c2r destroys its input).
// destroy_input lets the r2c overwrite its input, which spares FFTW a copy (~20 % faster).
FftwPlan plan_r2c_2d(int ny, int nx, double* in, fftw_complex* out, FftwPlanning planning,
                     bool destroy_input = false);
FftwPlan plan_c2r_2d(int ny, int nx, fftw_complex* in, double* out, FftwPlanning planning);
// Real-to-real ny×nx with one kind per dimension (REDFT10 = DCT-II, REDFT01 = DCT-III).
FftwPlan plan_r2r_2d(int ny, int nx, double* in, double* out, fftw_r2r_kind kind_y,
                     fftw_r2r_kind kind_x, FftwPlanning planning);

// Where wisdom is cached: $XDG_CACHE_HOME/fplab/fftw-wisdom, else ~/.cache/fplab/fftw-wisdom
// ("" when neither variable is set: no cache).
std::string fftw_wisdom_path();

}  // namespace fplab
