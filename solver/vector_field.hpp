// Vector fields evaluated in batches — drifts f(x, t) and scores s(x, t) — for all the points a
// stage needs at one time, never one virtual call per point. An operator asks once for the field
// at its fixed points (face centres, nodes) and then evaluates it at many times; a field may
// precompute per-point data there (interpolation stencils of a tabulated score).
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace fplab {

// A uniform lattice of nx × ny points, row-major: point k = j nx + i at (x0 + i hx, y0 + j hy).
struct Lattice {
  int nx = 0, ny = 0;
  double x0 = 0, y0 = 0, hx = 1, hy = 1;
};

// Points (x[k], y[k]), k < size(). `lattice`, when set, says that the points are that lattice
// (to round-off): a field may then exploit the structure (a score's log density is a quadratic
// along each row). Make such sets with lattice_points, so that the two always agree.
struct PointSet {
  std::vector<double> x, y;
  std::optional<Lattice> lattice;
  std::size_t size() const { return x.size(); }
};

inline PointSet lattice_points(const Lattice& l) {
  PointSet p;
  p.x.reserve(static_cast<std::size_t>(l.nx) * l.ny);
  p.y.reserve(p.x.capacity());
  for (int j = 0; j < l.ny; ++j)
    for (int i = 0; i < l.nx; ++i) {
      p.x.push_back(l.x0 + i * l.hx);
      p.y.push_back(l.y0 + j * l.hy);
    }
  p.lattice = l;
  return p;
}

// A field at the fixed points it was made for. eval is not thread-safe (it may use scratch
// buffers of its own) but parallelises internally; each operator owns its evaluators.
class FieldAtPoints {
 public:
  virtual ~FieldAtPoints() = default;
  virtual std::size_t size() const = 0;
  // out_x[k], out_y[k] = the field at point k and time t. An empty span: that component is not
  // wanted (the FV x-faces need only f_x), and the field may skip computing it.
  virtual void eval(double t, std::span<double> out_x, std::span<double> out_y) = 0;
};

// A vector field of (x, y, t).
class VectorField {
 public:
  virtual ~VectorField() = default;
  // The field at (xs[k], ys[k], t); empty out_x or out_y as in FieldAtPoints::eval.
  // Thread-safe: const, no shared mutable state.
  virtual void eval(std::span<const double> xs, std::span<const double> ys, double t,
                    std::span<double> out_x, std::span<double> out_y) const = 0;
  // The field at fixed points; the default keeps the points and calls eval. Keeps a reference:
  // the field must outlive the evaluator.
  virtual std::unique_ptr<FieldAtPoints> at_points(PointSet points) const;
};

// The default FieldAtPoints: the points, and a batched evaluation (a field's eval, an equation's
// drift_batch) applied to them.
class BatchAtPoints final : public FieldAtPoints {
 public:
  using Batch = std::function<void(std::span<const double>, std::span<const double>, double,
                                   std::span<double>, std::span<double>)>;
  BatchAtPoints(Batch batch, PointSet points)
      : batch_(std::move(batch)), points_(std::move(points)) {}
  std::size_t size() const override { return points_.size(); }
  void eval(double t, std::span<double> out_x, std::span<double> out_y) override {
    batch_(points_.x, points_.y, t, out_x, out_y);
  }

 private:
  Batch batch_;
  PointSet points_;
};

inline std::unique_ptr<FieldAtPoints> VectorField::at_points(PointSet points) const {
  return std::make_unique<BatchAtPoints>(
      [this](auto xs, auto ys, double t, auto out_x, auto out_y) { eval(xs, ys, t, out_x, out_y); },
      std::move(points));
}

}  // namespace fplab
