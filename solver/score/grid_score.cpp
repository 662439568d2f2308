// Tabulated scores: bilinear in space, cubic Hermite in time (see grid_score.hpp), and the score
// of a density on its grid by differences of log p.
#include "solver/score/grid_score.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fplab {
namespace {

constexpr std::ptrdiff_t kParallelMin = 8192;

// Derivative at times[k] of the quadratic through three neighbouring nodes (second order):
// centred at interior nodes, one-sided at the ends. Adds coef · v[idx] terms times `scale` to w.
void add_slope(std::span<const double> t, int k, double scale, int first, double* w) {
  const int n = static_cast<int>(t.size());
  if (n == 2) {  // one interval: the secant
    const double h = t[1] - t[0];
    w[0 - first] -= scale / h;
    w[1 - first] += scale / h;
    return;
  }
  const int c = std::clamp(k, 1, n - 2);  // centre node of the three
  const double ha = t[c] - t[c - 1], hb = t[c + 1] - t[c];
  double a, b, d;  // coefficients of v[c−1], v[c], v[c+1]
  if (k == c) {
    a = -hb / (ha * (ha + hb));
    b = (hb - ha) / (ha * hb);
    d = ha / (hb * (ha + hb));
  } else if (k < c) {  // k = 0: derivative at the left node
    a = -(2 * ha + hb) / (ha * (ha + hb));
    b = (ha + hb) / (ha * hb);
    d = -ha / (hb * (ha + hb));
  } else {  // k = n − 1: derivative at the right node
    a = hb / (ha * (ha + hb));
    b = -(ha + hb) / (ha * hb);
    d = (ha + 2 * hb) / (hb * (ha + hb));
  }
  w[c - 1 - first] += scale * a;
  w[c - first] += scale * b;
  w[c + 1 - first] += scale * d;
}

// Bilinear cell and weights of a point on the table grid (clamped to the outermost nodes).
struct Bilinear {
  std::size_t idx;  // lower-left node
  double ax, ay;    // fractions towards the next node in x and y
};

Bilinear bilinear(const ScoreTable& tb, double x, double y) {
  const double fx = std::clamp((x - tb.x_first) / tb.hx, 0.0, double(tb.nx - 1));
  const double fy = std::clamp((y - tb.y_first) / tb.hy, 0.0, double(tb.ny - 1));
  const int i = std::min(static_cast<int>(fx), tb.nx - 2);
  const int j = std::min(static_cast<int>(fy), tb.ny - 2);
  return {static_cast<std::size_t>(j) * tb.nx + i, fx - i, fy - j};
}

double interpolate(const double* f, const Bilinear& b, int nx) {
  const double* r0 = f + b.idx;
  const double* r1 = r0 + nx;
  return (1 - b.ay) * ((1 - b.ax) * r0[0] + b.ax * r0[1]) +
         b.ay * ((1 - b.ax) * r1[0] + b.ax * r1[1]);
}

// out = Σ_q w[q] · field at time node first + q, over the whole table grid.
void blend(const std::vector<double>& field, const TimeStencil& ts, std::size_t nodes,
           std::span<double> out) {
  const double* base = field.data() + static_cast<std::size_t>(ts.first) * nodes;
  const auto n = static_cast<std::ptrdiff_t>(nodes);
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
  for (std::ptrdiff_t k = 0; k < n; ++k) {
    double v = 0.0;
    for (int q = 0; q < ts.count; ++q) v += ts.w[q] * base[q * n + k];
    out[k] = v;
  }
}

// The score at fixed points: stencils once, then per time one blend and one interpolation.
class GridScoreAtPoints final : public FieldAtPoints {
 public:
  GridScoreAtPoints(const ScoreTable& table, const PointSet& pts) : tb_(table) {
    stencil_.reserve(pts.size());
    for (std::size_t k = 0; k < pts.size(); ++k) stencil_.push_back(bilinear(tb_, pts.x[k], pts.y[k]));
  }
  std::size_t size() const override { return stencil_.size(); }
  void eval(double t, std::span<double> out_x, std::span<double> out_y) override {
    const TimeStencil ts = hermite_stencil(tb_.times, t);
    component(tb_.sx, ts, bx_, out_x);
    component(tb_.sy, ts, by_, out_y);
  }

 private:
  void component(const std::vector<double>& field, const TimeStencil& ts,
                 std::vector<double>& scratch, std::span<double> out) {
    if (out.empty()) return;
    scratch.resize(tb_.nodes());  // once: the size never changes
    blend(field, ts, tb_.nodes(), scratch);
    const auto n = static_cast<std::ptrdiff_t>(stencil_.size());
    const double* f = scratch.data();
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (std::ptrdiff_t k = 0; k < n; ++k) out[k] = interpolate(f, stencil_[k], tb_.nx);
  }

  const ScoreTable& tb_;
  std::vector<Bilinear> stencil_;
  std::vector<double> bx_, by_;
};

// One lattice row of GridScoreOnLattice: line[c] = Σ_q w_q ((1 − ay) r0_q[c] + ay r1_q[c]) over
// the table columns [c_lo, c_hi) (the table blended in time and y; r1 skipped on a table row),
// then each point from its column pair. Streaming loops, cloned for AVX2/FMA and the baseline.
struct LatticeRow {
  const double* r0;  // time node ts.first, table row below; node q at r0 + q·nodes
  std::ptrdiff_t nodes;
  int nx_table, c_lo, c_hi;
  double ay;
};

[[gnu::target_clones("arch=x86-64-v3", "default")]]
void lattice_row(const LatticeRow& row, const TimeStencil& ts, double* line, const int* col,
                 const double* ax, int n, const CombineStore& out) {
  const double* r0 = row.r0;
  const double* r1 = r0 + row.nx_table;
  for (int q = 0; q < ts.count; ++q) {
    const double w0 = ts.w[q] * (1 - row.ay), w1 = ts.w[q] * row.ay;
    const double* a = r0 + q * row.nodes;
    const double* b = r1 + q * row.nodes;
    const bool first = q == 0, on_row = row.ay == 0.0;
    if (on_row && first) {
#pragma omp simd
      for (int c = row.c_lo; c < row.c_hi; ++c) line[c] = w0 * a[c];
    } else if (on_row) {
#pragma omp simd
      for (int c = row.c_lo; c < row.c_hi; ++c) line[c] += w0 * a[c];
    } else if (first) {
#pragma omp simd
      for (int c = row.c_lo; c < row.c_hi; ++c) line[c] = w0 * a[c] + w1 * b[c];
    } else {
#pragma omp simd
      for (int c = row.c_lo; c < row.c_hi; ++c) line[c] += w0 * a[c] + w1 * b[c];
    }
  }
  for (int i = 0; i < n; ++i) out.put(i, (1 - ax[i]) * line[col[i]] + ax[i] * line[col[i] + 1]);
}

// The score on a lattice (the FV faces, spectral nodes): bilinear interpolation separates into a
// table row pair and weight per lattice row and a table column and weight per lattice column.
// Per lattice row, the time nodes and the row pair are blended into one table-row buffer
// (contiguous, vectorised) and the points interpolate along it: the table is read once per
// lattice row, never blended over the whole grid into a buffer the size of the table.
class GridScoreOnLattice final : public FieldAtPoints {
 public:
  GridScoreOnLattice(const ScoreTable& table, const Lattice& l)
      : tb_(table), nx_(l.nx), threads_(std::max(1, omp_get_max_threads())) {
    for (int i = 0; i < l.nx; ++i) {
      const Bilinear b = bilinear(tb_, l.x0 + i * l.hx, l.y0);
      col_.push_back(static_cast<int>(b.idx % tb_.nx));
      ax_.push_back(b.ax);
    }
    for (int j = 0; j < l.ny; ++j) {
      const Bilinear b = bilinear(tb_, l.x0, l.y0 + j * l.hy);
      row_.push_back(static_cast<int>(b.idx / tb_.nx));
      ay_.push_back(b.ay);
    }
    c_lo_ = *std::min_element(col_.begin(), col_.end());
    c_hi_ = *std::max_element(col_.begin(), col_.end()) + 2;  // + the right neighbour
    line_.resize(static_cast<std::size_t>(threads_) * tb_.nx);
  }
  std::size_t size() const override { return col_.size() * row_.size(); }
  void eval(double t, std::span<double> out_x, std::span<double> out_y) override {
    eval_combined(t, Combine{}, out_x, out_y);
  }
  void eval_combined(double t, const Combine& c, std::span<double> out_x,
                     std::span<double> out_y) override {
    const TimeStencil ts = hermite_stencil(tb_.times, t);
    component(tb_.sx, ts, c, false, out_x);
    component(tb_.sy, ts, c, true, out_y);
  }

 private:
  void component(const std::vector<double>& field, const TimeStencil& ts, const Combine& comb,
                 bool y_component, std::span<double> out) {
    if (out.empty()) return;
    const int ny = static_cast<int>(row_.size());
    const auto nodes = static_cast<std::ptrdiff_t>(tb_.nodes());
#pragma omp parallel for schedule(static) num_threads(threads_) \
    if (static_cast<std::ptrdiff_t>(size()) >= kParallelMin)
    for (int j = 0; j < ny; ++j) {
      double* line = line_.data() + static_cast<std::size_t>(omp_get_thread_num()) * tb_.nx;
      const LatticeRow row{field.data() + ts.first * nodes + std::ptrdiff_t{row_[j]} * tb_.nx,
                           nodes, tb_.nx, c_lo_, c_hi_, ay_[j]};
      lattice_row(row, ts, line, col_.data(), ax_.data(), nx_,
                  CombineStore(comb, y_component, out, static_cast<std::size_t>(j) * nx_));
    }
  }

  const ScoreTable& tb_;
  int nx_, threads_;
  std::vector<int> col_, row_;     // per lattice column / row: the lower table node
  std::vector<double> ax_, ay_;    // and the fraction towards the next
  int c_lo_ = 0, c_hi_ = 0;        // table columns any point reads, [c_lo, c_hi)
  std::vector<double> line_;       // one table row per thread
};

}  // namespace

TimeStencil hermite_stencil(std::span<const double> times, double t) {
  TimeStencil s;
  const int n = static_cast<int>(times.size());
  if (n == 1 || t <= times.front()) return s;  // first node (w = {1})
  if (t >= times.back()) {
    s.first = n - 1;
    return s;
  }
  const int k = static_cast<int>(std::upper_bound(times.begin(), times.end(), t) - times.begin()) - 1;
  s.first = std::max(0, std::min(k - 1, n - 4));
  s.count = std::min(4, n - s.first);
  std::fill(s.w, s.w + 4, 0.0);
  // H(t) = h00 v_k + h10 h m_k + h01 v_{k+1} + h11 h m_{k+1}, u = (t − t_k)/h.
  const double h = times[k + 1] - times[k], u = (t - times[k]) / h;
  const double h00 = (1 + 2 * u) * (1 - u) * (1 - u), h10 = u * (1 - u) * (1 - u);
  const double h01 = u * u * (3 - 2 * u), h11 = u * u * (u - 1);
  s.w[k - s.first] += h00;
  s.w[k + 1 - s.first] += h01;
  add_slope(times, k, h10 * h, s.first, s.w);
  add_slope(times, k + 1, h11 * h, s.first, s.w);
  return s;
}

GridScore::GridScore(ScoreTable table, std::string origin)
    : table_(std::move(table)), origin_(std::move(origin)) {
  const auto& t = table_;
  const std::size_t need = t.times.size() * t.nodes();
  if (t.nx < 2 || t.ny < 2 || !(t.hx > 0) || !(t.hy > 0) || t.times.empty() ||
      t.sx.size() != need || t.sy.size() != need)
    throw std::invalid_argument("GridScore: inconsistent score table from " + origin_);
  for (std::size_t k = 1; k < t.times.size(); ++k)
    if (!(t.times[k] > t.times[k - 1]))
      throw std::invalid_argument("GridScore: times must increase (" + origin_ + ")");
}

void GridScore::eval(std::span<const double> xs, std::span<const double> ys, double t,
                     std::span<double> out_x, std::span<double> out_y) const {
  const TimeStencil ts = hermite_stencil(table_.times, t);
  const std::size_t nodes = table_.nodes();
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const Bilinear b = bilinear(table_, xs[k], ys[k]);
    double sx = 0, sy = 0;
    for (int q = 0; q < ts.count; ++q) {
      const std::size_t off = static_cast<std::size_t>(ts.first + q) * nodes;
      sx += ts.w[q] * interpolate(table_.sx.data() + off, b, table_.nx);
      sy += ts.w[q] * interpolate(table_.sy.data() + off, b, table_.nx);
    }
    if (!out_x.empty()) out_x[k] = sx;
    if (!out_y.empty()) out_y[k] = sy;
  }
}

std::unique_ptr<FieldAtPoints> GridScore::at_points(PointSet points) const {
  if (points.lattice) return std::make_unique<GridScoreOnLattice>(table_, *points.lattice);
  return std::make_unique<GridScoreAtPoints>(table_, points);
}

std::string GridScore::describe() const {
  return fmt::format("{} ({} × {} nodes, {} times in [{:.4g}, {:.4g}])", origin_, table_.nx,
                     table_.ny, table_.times.size(), t_first(), t_last());
}

ScoreTable tabulate_score(const ScoreField& score, const Grid2D& g, std::span<const double> times) {
  ScoreTable tb{g.nx, g.ny, g.xc(0), g.yc(0), g.dx(), g.dy(), {times.begin(), times.end()}, {}, {}};
  auto at = score.at_points(lattice_points({g.nx, g.ny, g.xc(0), g.yc(0), g.dx(), g.dy()}));
  std::vector<double> sx(g.size()), sy(g.size());
  for (const double t : times) {
    at->eval(t, sx, sy);
    tb.sx.insert(tb.sx.end(), sx.begin(), sx.end());
    tb.sy.insert(tb.sy.end(), sy.begin(), sy.end());
  }
  return tb;
}

std::vector<double> score_time_nodes(double T, int K) {
  std::vector<double> times(K);
  for (int k = 0; k < K; ++k) {
    const double u = double(k) / (K - 1);
    times[k] = T * u * u;
  }
  return times;
}

void score_from_density(const Grid2D& g, std::span<const double> p, std::span<double> out_x,
                        std::span<double> out_y) {
  if (p.size() != g.size() || out_x.size() != g.size() || out_y.size() != g.size())
    throw std::invalid_argument("score_from_density: sizes differ from the grid");
  double pmax = 0.0;
  for (double v : p) pmax = std::max(pmax, v);
  const double floor = kScoreFloor * pmax;
  auto lp = [&](int i, int j) { return std::log(std::max(p[g.index(i, j)], floor)); };
  const int nx = g.nx, ny = g.ny;
#pragma omp parallel for schedule(static) if (static_cast<std::ptrdiff_t>(g.size()) >= kParallelMin)
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      const int il = std::max(i - 1, 0), ir = std::min(i + 1, nx - 1);
      const int jl = std::max(j - 1, 0), jr = std::min(j + 1, ny - 1);
      out_x[g.index(i, j)] = (lp(ir, j) - lp(il, j)) / ((ir - il) * g.dx());
      out_y[g.index(i, j)] = (lp(i, jr) - lp(i, jl)) / ((jr - jl) * g.dy());
    }
}

}  // namespace fplab
