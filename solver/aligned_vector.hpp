// AlignedVector: a std::vector of doubles on 64-byte boundaries (a cache line, and at least the
// SIMD alignment FFTW plans for), so that transform-basis coefficients can be handed to FFTW's
// new-array execute functions and to vectorised loops without staging copies.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace fplab {

template <class T>
struct AlignedAllocator {
  static constexpr std::size_t kAlignment = 64;
  using value_type = T;
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(std::size_t n) {
    // std::aligned_alloc needs a size that is a multiple of the alignment.
    const std::size_t bytes = (n * sizeof(T) + kAlignment - 1) / kAlignment * kAlignment;
    void* p = std::aligned_alloc(kAlignment, bytes == 0 ? kAlignment : bytes);
    if (!p) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) { std::free(p); }
  template <class U>
  bool operator==(const AlignedAllocator<U>&) const {
    return true;
  }
};
using AlignedVector = std::vector<double, AlignedAllocator<double>>;

// Loops over fewer elements than this run on one thread: below it an OpenMP fork/join costs more
// than the loop (and on a loaded machine, much more).
inline constexpr long omp_min_work = 32768;

}  // namespace fplab
