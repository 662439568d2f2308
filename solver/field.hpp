// Field2D: one flat owning row-major buffer on a Grid2D, plus non-owning views (i fastest).
#pragma once
#include <cassert>
#include <span>
#include <vector>

#include "solver/grid.hpp"

namespace fplab {

template <class T>
struct FieldViewT {
  T* data = nullptr;
  int nx = 0, ny = 0;
  T& operator()(int i, int j) const { return data[static_cast<std::size_t>(j) * nx + i]; }
  std::size_t size() const { return static_cast<std::size_t>(nx) * ny; }
  std::span<T> flat() const { return {data, size()}; }
};
using FieldView = FieldViewT<double>;
using ConstFieldView = FieldViewT<const double>;

class Field2D {
 public:
  Field2D() = default;
  explicit Field2D(const Grid2D& g, double value = 0.0)
      : nx_(g.nx), ny_(g.ny), data_(g.size(), value) {}
  Field2D(int nx, int ny, double value = 0.0)
      : nx_(nx), ny_(ny), data_(static_cast<std::size_t>(nx) * ny, value) {}

  int nx() const { return nx_; }
  int ny() const { return ny_; }
  std::size_t size() const { return data_.size(); }
  double& operator()(int i, int j) { return data_[static_cast<std::size_t>(j) * nx_ + i]; }
  double operator()(int i, int j) const { return data_[static_cast<std::size_t>(j) * nx_ + i]; }
  double* data() { return data_.data(); }
  const double* data() const { return data_.data(); }
  std::span<double> flat() { return data_; }
  std::span<const double> flat() const { return data_; }
  FieldView view() { return {data_.data(), nx_, ny_}; }
  ConstFieldView view() const { return {data_.data(), nx_, ny_}; }

 private:
  int nx_ = 0, ny_ = 0;
  std::vector<double> data_;
};

inline ConstFieldView as_view(std::span<const double> s, const Grid2D& g) {
  assert(s.size() == g.size());
  return {s.data(), g.nx, g.ny};
}
inline FieldView as_view(std::span<double> s, const Grid2D& g) {
  assert(s.size() == g.size());
  return {s.data(), g.nx, g.ny};
}

}  // namespace fplab
