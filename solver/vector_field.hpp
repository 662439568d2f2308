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

// out_c[k] = base_scale · base_c[k] + scale_c · field_c(point k) for c = x, y. An empty base_c
// counts as 0; out must not alias base.
struct Combine {
  double base_scale = 0.0;
  std::span<const double> base_x, base_y;
  double scale_x = 1.0, scale_y = 1.0;
};

// One component of a Combine, from point `first` on: what an evaluator's inner loop stores.
struct CombineStore {
  double* out;
  const double* base;  // null: no base
  double base_scale, scale;
  CombineStore(const Combine& c, bool y_component, std::span<double> out_c, std::size_t first)
      : out(out_c.empty() ? nullptr : out_c.data() + first),
        base(nullptr),
        base_scale(c.base_scale),
        scale(y_component ? c.scale_y : c.scale_x) {
    const std::span<const double> b = y_component ? c.base_y : c.base_x;
    if (!b.empty() && base_scale != 0.0) base = b.data() + first;
  }
  explicit operator bool() const { return out != nullptr; }
  void put(std::size_t k, double v) const {
    out[k] = base ? base_scale * base[k] + scale * v : scale * v;
  }
};

// A field at the fixed points it was made for. eval is not thread-safe (it may use scratch
// buffers of its own) but parallelises internally; each operator owns its evaluators.
class FieldAtPoints {
 public:
  virtual ~FieldAtPoints() = default;
  virtual std::size_t size() const = 0;
  // out_x[k], out_y[k] = the field at point k and time t. An empty span: that component is not
  // wanted (the FV x-faces need only f_x), and the field may skip computing it.
  virtual void eval(double t, std::span<double> out_x, std::span<double> out_y) = 0;
  // The field combined with a base in the same pass over the points (the reverse drift
  // g = −f + (1+λ) d D s reads f and writes g once, see Combine). The default evaluates into out
  // and then combines; fields that stream their points (scores) override it.
  virtual void eval_combined(double t, const Combine& c, std::span<double> out_x,
                             std::span<double> out_y);
};

inline void FieldAtPoints::eval_combined(double t, const Combine& c, std::span<double> out_x,
                                         std::span<double> out_y) {
  eval(t, out_x, out_y);
  for (const bool y : {false, true}) {
    std::span<double> out = y ? out_y : out_x;
    const CombineStore s(c, y, out, 0);
    const auto n = static_cast<std::ptrdiff_t>(out.size());
#pragma omp parallel for simd schedule(static) if (n >= 8192)
    for (std::ptrdiff_t k = 0; k < n; ++k) s.put(k, out[k]);
  }
}

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
