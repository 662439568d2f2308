// work_precision: the work–precision diagram of fplab on the peer problem (cases/ou_gaussian.yaml:
// 2D OU on [−6, 6]², zero flux, from N((1.5, −1), 0.25 I) to t = 1, L1 error against the exact
// solution). Runs `fplab run` as a whole process for every configuration — finite volumes
// (upwind, central, muscl, chang_cooper × ssprk3, rkl2, expm, crank_nicolson where valid) on
// N = 32…512 and spectral etdrk4 at several dt on N = 16…64 — with output cut to summary.json and
// diagnostics.csv; measures the whole-process wall time itself (fork/exec to exit), takes the
// solve time (wall_seconds) and L1 (final.l1_error) from summary.json, repeats short runs and keeps
// the median; writes work_precision.csv, draws wall time against L1 (log–log, one line per method)
// and prints the best configuration for each of issue 12's targets. docs/work_precision.md has the
// command that made docs/work_precision.png.
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkContextActor.h>
#include <vtkContextScene.h>
#include <vtkDoubleArray.h>
#include <vtkNew.h>
#include <vtkPen.h>
#include <vtkPlot.h>
#include <vtkPlotPoints.h>
#include <vtkRect.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkStringArray.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "viz/png_io.hpp"
#include "viz/render_detail.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// Configurations

// One line of the diagram: a discretisation and time integrator with its dt rule, run over grids.
struct Method {
  std::string label;       // legend text and the CSV's `method`
  std::string family;      // finite_volume | spectral
  std::string scheme;      // FV flux (empty for spectral)
  std::string integrator;  // ssprk3 | rkl2 | expm | crank_nicolson | etdrk4
  std::string dt;          // auto or a number
  double cfl;              // with dt auto
  double cost_exponent;    // run time ∝ N^cost_exponent, to predict the next grid's time
  std::vector<int> grids;
  int colour;  // index into kColours (by scheme)
  int style;   // line and marker style (by integrator or dt)
};

struct Run {
  const Method* method = nullptr;
  std::string label, family, scheme, integrator, dt;
  double cfl = NAN;
  int n = 0;
  long steps = -1;
  int runs = 0;
  double whole_s = NAN, solve_s = NAN, cpu_s = NAN, l1 = NAN;
  std::string status;  // ok | skipped (predicted …) | exit N: … | timeout | …
  bool ok() const { return status == "ok"; }
};

std::vector<Method> make_methods(const std::vector<int>& fv_grids,
                                 const std::vector<int>& spectral_grids, double cn_dt,
                                 double rkl2_cfl, const std::vector<double>& spectral_dts) {
  const std::vector<std::string> schemes = {"upwind", "central", "muscl", "chang_cooper"};
  struct Integ {
    std::string name, dt;
    double cfl, exponent;
    bool linear_only;  // expm and the implicit integrators need an assembled (linear) operator
  };
  const std::vector<Integ> integrators = {
      {"ssprk3", "auto", 0.4, 4.0, false},     // steps ∝ N² (diffusive bound), cells ∝ N²
      {"rkl2", "auto", rkl2_cfl, 3.5, false},  // steps ∝ N (drift bound), stages ∝ √N
      {"expm", "1", NAN, 4.0, true},           // one step; Taylor terms ∝ ‖A‖ ∝ N²
      {"crank_nicolson", fmt::format("{:g}", cn_dt), NAN, 3.0, true},  // sparse LU ∝ N³
  };
  std::vector<Method> methods;
  for (std::size_t s = 0; s < schemes.size(); ++s)
    for (std::size_t i = 0; i < integrators.size(); ++i) {
      const Integ& in = integrators[i];
      if (in.linear_only && schemes[s] == "muscl") continue;  // muscl's limiter is nonlinear
      std::string label = schemes[s] + " + " + in.name;
      if (in.name == "crank_nicolson") label += " dt " + in.dt;
      if (in.name == "rkl2" && in.cfl != 0.4) label += fmt::format(" cfl {:g}", in.cfl);
      methods.push_back({label, "finite_volume", schemes[s], in.name, in.dt, in.cfl, in.exponent,
                         fv_grids, static_cast<int>(s), static_cast<int>(i)});
    }
  for (std::size_t k = 0; k < spectral_dts.size(); ++k) {
    const std::string dt = fmt::format("{:g}", spectral_dts[k]);
    methods.push_back({"spectral etdrk4 dt " + dt, "spectral", "", "etdrk4", dt, NAN, 2.2,
                       spectral_grids, 4, static_cast<int>(k)});
  }
  return methods;
}

// ---------------------------------------------------------------------------------------------
// Running a process

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  bool timed_out = false;
  double wall_s = NAN, cpu_s = NAN;
};

// Runs argv with stdout and stderr to log_path; wall time from just before the spawn to the
// moment the exit is reaped; killed (by its pid) after timeout_s.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& log_path,
                          double timeout_s) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  ProcessResult r;
  pid_t pid = 0;
  const auto t0 = std::chrono::steady_clock::now();
  const int err = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0)
    throw std::runtime_error(fmt::format("cannot start {}: {}", argv[0], strerror(err)));

  // Wait for the exit with a timeout: poll a pidfd (Linux ≥ 5.3), else sleep in short slices.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  const auto deadline = t0 + std::chrono::duration<double>(timeout_s);
  int status = 0;
  struct rusage usage {};
  for (;;) {
    const pid_t done = wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) break;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      kill(pid, SIGKILL);
      wait4(pid, &status, 0, &usage);
      r.timed_out = true;
      break;
    }
    const double left_ms = std::chrono::duration<double, std::milli>(deadline - now).count();
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      poll(&p, 1, static_cast<int>(std::min(left_ms, 1000.0)) + 1);
    } else {
      usleep(200);
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  if (pidfd >= 0) close(pidfd);
  r.wall_s = std::chrono::duration<double>(t1 - t0).count();
  r.cpu_s = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
            1e-6 * (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  if (!r.timed_out && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// ---------------------------------------------------------------------------------------------
// CSV

const char* kCsvHeader =
    "method,family,scheme,integrator,dt,cfl,n,steps,runs,whole_s,solve_s,cpu_s,l1_error,status";

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string num(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : ""; }

void write_csv(const std::vector<Run>& runs, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << kCsvHeader << "\n";
    for (const Run& r : runs)
      out << csv_field(r.label) << ',' << r.family << ',' << r.scheme << ',' << r.integrator << ','
          << r.dt << ',' << num(r.cfl) << ',' << r.n << ','
          << (r.steps >= 0 ? std::to_string(r.steps) : "") << ',' << r.runs << ',' << num(r.whole_s)
          << ',' << num(r.solve_s) << ',' << num(r.cpu_s) << ',' << num(r.l1) << ','
          << csv_field(r.status) << "\n";
  }
  fs::rename(tmp, path);
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
        cur += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        cur += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur), cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

double to_num(const std::string& s) { return s.empty() ? NAN : std::stod(s); }

std::vector<Run> read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string line;
  std::getline(in, line);
  if (line != kCsvHeader) throw std::runtime_error(path + ": not a work_precision CSV");
  std::vector<Run> runs;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split_csv_line(line);
    if (f.size() != 14) throw std::runtime_error(path + ": bad row: " + line);
    Run r;
    r.label = f[0], r.family = f[1], r.scheme = f[2], r.integrator = f[3], r.dt = f[4];
    r.cfl = to_num(f[5]);
    r.n = std::stoi(f[6]);
    r.steps = f[7].empty() ? -1 : std::stol(f[7]);
    r.runs = std::stoi(f[8]);
    r.whole_s = to_num(f[9]), r.solve_s = to_num(f[10]), r.cpu_s = to_num(f[11]);
    r.l1 = to_num(f[12]);
    r.status = f[13];
    runs.push_back(r);
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// The diagram

// matplotlib's tab10 (as viz/plot_series.cpp): one colour per scheme, purple for spectral.
constexpr unsigned char kColours[][3] = {{31, 119, 180}, {255, 127, 14},  {44, 160, 44},
                                         {214, 39, 40},  {148, 103, 189}, {127, 127, 127}};
constexpr int kLineTypes[] = {vtkPen::SOLID_LINE, vtkPen::DASH_LINE, vtkPen::DOT_LINE,
                              vtkPen::DASH_DOT_LINE, vtkPen::DASH_DOT_DOT_LINE};
constexpr int kMarkers[] = {vtkPlotPoints::CIRCLE, vtkPlotPoints::SQUARE, vtkPlotPoints::DIAMOND,
                            vtkPlotPoints::CROSS, vtkPlotPoints::PLUS};

struct Line {
  std::string name;
  std::vector<double> x, y;
  int colour, style;
  bool markers = true;
  bool in_legend = true;
};

int colour_of(const Run& r) {
  static const std::vector<std::string> schemes = {"upwind", "central", "muscl", "chang_cooper"};
  if (r.family == "spectral") return 4;
  const auto it = std::find(schemes.begin(), schemes.end(), r.scheme);
  return it == schemes.end() ? 5 : static_cast<int>(it - schemes.begin());
}

int style_of(const Run& r, const std::vector<std::string>& spectral_dts) {
  static const std::vector<std::string> integs = {"ssprk3", "rkl2", "expm", "crank_nicolson"};
  if (r.family == "spectral") {
    const auto it = std::find(spectral_dts.begin(), spectral_dts.end(), r.dt);
    return static_cast<int>(it - spectral_dts.begin()) % 5;
  }
  const auto it = std::find(integs.begin(), integs.end(), r.integrator);
  return static_cast<int>(it - integs.begin()) % 5;
}

struct Target {
  std::string name, legend;
  double l1, seconds;
  bool fv_256_only;
  bool whole;  // judged on whole-process time (else solve time)
};

// Time (whole process or solve) against L1, log–log, one line per method through its grids, the
// targets as grey corners (L1 ≤ l1 and time ≤ seconds lies below-left of the corner).
void draw_diagram(const std::vector<Run>& runs, bool whole, const std::vector<Target>& targets,
                  const std::string& title, const std::string& png_path) {
  std::vector<std::string> order;  // methods in the order first met
  std::map<std::string, std::vector<const Run*>> by_method;
  std::vector<std::string> spectral_dts;
  for (const Run& r : runs) {
    if (r.family == "spectral" &&
        std::find(spectral_dts.begin(), spectral_dts.end(), r.dt) == spectral_dts.end())
      spectral_dts.push_back(r.dt);
    const double t = whole ? r.whole_s : r.solve_s;
    if (!r.ok() || !(r.l1 > 0) || !(t > 0)) continue;
    if (!by_method.contains(r.label)) order.push_back(r.label);
    by_method[r.label].push_back(&r);
  }
  std::sort(spectral_dts.begin(), spectral_dts.end(),
            [](const std::string& a, const std::string& b) { return std::stod(a) > std::stod(b); });
  // Legend order: the schemes (colours) in turn, each with its integrators; spectral last.
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    const Run &ra = *by_method[a].front(), &rb = *by_method[b].front();
    return std::pair(colour_of(ra), style_of(ra, spectral_dts)) <
           std::pair(colour_of(rb), style_of(rb, spectral_dts));
  });
  std::vector<Line> lines;
  double lo_x = INFINITY, hi_x = 0, lo_y = INFINITY, hi_y = 0;
  for (const auto& label : order) {
    auto pts = by_method[label];
    std::sort(pts.begin(), pts.end(), [](const Run* a, const Run* b) { return a->n < b->n; });
    Line line{label, {}, {}, colour_of(*pts.front()), style_of(*pts.front(), spectral_dts)};
    for (const Run* r : pts) {
      const double t = whole ? r->whole_s : r->solve_s;
      line.x.push_back(r->l1);
      line.y.push_back(t);
      lo_x = std::min(lo_x, r->l1), hi_x = std::max(hi_x, r->l1);
      lo_y = std::min(lo_y, t), hi_y = std::max(hi_y, t);
    }
    lines.push_back(std::move(line));
  }
  if (lines.empty()) {
    std::cerr << "work_precision: nothing to draw for " << png_path << "\n";
    return;
  }
  // Axis ranges: whole decades around the data and the targets.
  for (const Target& t : targets) {
    lo_x = std::min(lo_x, t.l1), hi_x = std::max(hi_x, t.l1);
    lo_y = std::min(lo_y, t.seconds), hi_y = std::max(hi_y, t.seconds);
  }
  const double x0 = std::pow(10.0, std::floor(std::log10(lo_x))),
               x1 = std::pow(10.0, std::ceil(std::log10(hi_x)));
  const double y0 = std::pow(10.0, std::floor(std::log10(lo_y))),
               y1 = std::pow(10.0, std::ceil(std::log10(hi_y)));
  int k = 0;
  for (const Target& t : targets) {
    Line corner{t.legend, {t.l1, t.l1, x0}, {y0, t.seconds, t.seconds}, 5, 2 + (k++ % 3), false};
    lines.push_back(std::move(corner));
  }

  constexpr int kWidth = 1500, kHeight = 900;
  vtkNew<vtkRenderer> renderer;
  renderer->SetBackground(1.0, 1.0, 1.0);
  vtkNew<vtkContextActor> actor;
  renderer->AddActor(actor);
  actor->GetScene()->SetRenderer(renderer);
  vtkNew<vtkChartXY> chart;
  actor->GetScene()->AddItem(chart);
  chart->SetAutoSize(false);
  chart->SetSize(vtkRectf(0.0f, 0.0f, kWidth, kHeight - 12));
  // The grids of each line, from the CSV.
  std::map<std::string, std::vector<int>> grids;
  for (const Run& r : runs)
    if (r.ok()) grids[r.family].push_back(r.n);
  std::string subtitle;
  for (auto& [family, ns] : grids) {
    std::sort(ns.begin(), ns.end());
    ns.erase(std::unique(ns.begin(), ns.end()), ns.end());
    subtitle +=
        fmt::format("{}{}: N = {}", subtitle.empty() ? "" : "; ",
                    family == "spectral" ? "spectral" : "finite volumes", fmt::join(ns, ", "));
  }
  chart->SetTitle(title + "\nmarkers: grids N x N (" + subtitle + ")");
  auto text = [](vtkTextProperty* p, int size) {
    p->SetFontFamilyToArial();
    p->SetFontSize(size);
    p->SetColor(0.0, 0.0, 0.0);
    p->ShadowOff();
    p->BoldOff();
  };
  text(chart->GetTitleProperties(), 20);
  vtkAxis* ax = chart->GetAxis(vtkAxis::BOTTOM);
  vtkAxis* ay = chart->GetAxis(vtkAxis::LEFT);
  ax->SetTitle("L1 error at t = 1 against the exact solution");
  ay->SetTitle(whole ? "wall time of the whole process (s)"
                     : "solve time: summary.json wall_seconds (s)");
  for (vtkAxis* a : {ax, ay}) {
    text(a->GetTitleProperties(), 18);
    text(a->GetLabelProperties(), 16);
    a->GetGridPen()->SetColor(225, 225, 225);
    a->SetLogScale(true);
    a->SetBehavior(vtkAxis::FIXED);
  }
  ax->SetRange(x0, x1);
  ay->SetRange(y0, y1);
  // Decade ticks, labelled 1e-5 … (on a log axis the positions are log10 values).
  for (auto [a, lo, hi] : {std::tuple{ax, x0, x1}, std::tuple{ay, y0, y1}}) {
    vtkNew<vtkDoubleArray> pos;
    vtkNew<vtkStringArray> labels;
    for (int e = static_cast<int>(std::lround(std::log10(lo)));
         e <= static_cast<int>(std::lround(std::log10(hi))); ++e) {
      pos->InsertNextValue(e);
      labels->InsertNextValue(fmt::format("{:g}", std::pow(10.0, e)));
    }
    a->SetCustomTickPositions(pos, labels);
  }
  for (const Line& l : lines) {
    vtkPlot* plot = chart->AddPlot(vtkChart::LINE);
    auto table = vtkSmartPointer<vtkTable>::New();
    vtkNew<vtkDoubleArray> xs, ys;
    xs->SetName("L1");
    ys->SetName(l.name.c_str());
    for (std::size_t i = 0; i < l.x.size(); ++i) {
      xs->InsertNextValue(l.x[i]);
      ys->InsertNextValue(l.y[i]);
    }
    table->AddColumn(xs);
    table->AddColumn(ys);
    plot->SetInputData(table, 0, 1);
    const auto* rgb = kColours[l.colour % std::size(kColours)];
    plot->SetColor(rgb[0], rgb[1], rgb[2], 255);
    plot->SetWidth(l.markers ? 2.5 : 1.5);
    plot->GetPen()->SetLineType(kLineTypes[l.style % std::size(kLineTypes)]);
    plot->SetLegendVisibility(l.in_legend);
    if (auto* points = vtkPlotPoints::SafeDownCast(plot)) {
      points->SetMarkerStyle(l.markers ? kMarkers[l.style % std::size(kMarkers)]
                                       : vtkPlotPoints::NONE);
      points->SetMarkerSize(9.0f);
    }
  }
  chart->SetShowLegend(true);
  vtkChartLegend* legend = chart->GetLegend();
  legend->SetInline(false);  // beside the plot, which shrinks to make room
  legend->SetHorizontalAlignment(vtkChartLegend::RIGHT);
  legend->SetVerticalAlignment(vtkChartLegend::CENTER);
  legend->SetLabelSize(15);
  legend->SetSymbolWidth(40);
  fplab::viz::render_to_png(renderer, kWidth, kHeight, png_path);
}

// ---------------------------------------------------------------------------------------------
// Targets

std::vector<Target> targets() {
  return {{"1: FV on N = 256, L1 <= 2e-4 in <= 0.5 s solve (10x fplanck's 4.9 s)",
           "target 1: FV N = 256, L1 <= 2e-4, 0.5 s solve", 2e-4, 0.5, true, false},
          {"2: L1 <= 2e-4 in <= 50 ms whole process (100x)",
           "target 2: L1 <= 2e-4, 50 ms whole process", 2e-4, 0.05, false, true},
          {"3: L1 <= 5e-5 in <= 55 ms whole process (1000x fplanck's 55 s at N = 512)",
           "target 3: L1 <= 5e-5, 55 ms whole process", 5e-5, 0.055, false, true}};
}

std::string describe(const Run& r) {
  return fmt::format("{:<42} N = {:<4} L1 = {:.3e}  whole {:.4f} s  solve {:.4f} s  ({} steps)",
                     r.label, r.n, r.l1, r.whole_s, r.solve_s, r.steps);
}

// For each target: the fastest configuration reaching its L1 (on its time measure); when none
// does, the most accurate one. Returns the report's lines.
std::vector<std::string> report_targets(const std::vector<Run>& runs) {
  std::vector<std::string> out;
  for (const Target& t : targets()) {
    auto time_of = [&](const Run& r) { return t.whole ? r.whole_s : r.solve_s; };
    const Run* best = nullptr;
    const Run* closest = nullptr;
    for (const Run& r : runs) {
      if (!r.ok() || !std::isfinite(r.l1) || !std::isfinite(time_of(r))) continue;
      if (t.fv_256_only && (r.family != "finite_volume" || r.n != 256)) continue;
      if (r.l1 <= t.l1 && (!best || time_of(r) < time_of(*best))) best = &r;
      if (!closest || r.l1 < closest->l1) closest = &r;
    }
    out.push_back("target: " + t.name);
    if (best)
      out.push_back(fmt::format("  {} {}", time_of(*best) <= t.seconds ? "MET    " : "NOT MET",
                                describe(*best)));
    else if (closest)
      out.push_back(
          fmt::format("  NOT MET (no configuration reaches L1 <= {:g}; the most accurate) {}", t.l1,
                      describe(*closest)));
    else
      out.push_back("  no configuration ran");
  }
  return out;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::string self_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

std::vector<int> parse_ints(const std::string& s) {
  std::vector<int> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) v.push_back(std::stoi(item));
  return v;
}

std::vector<double> parse_doubles(const std::string& s) {
  std::vector<double> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) v.push_back(std::stod(item));
  return v;
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    s += a.find_first_of(" []'\"") == std::string::npos ? a : "'" + a + "'";
  }
  return s;
}

// The diagrams of a CSV: <png> (whole-process time) and <png stem>_solve.png beside it. Without an
// X server, the same program is run again under xvfb-run when it is installed.
int draw_pngs(const std::string& csv, const std::string& png, const std::string& title) {
  if (!fplab::viz::display_available()) {
    if (std::system("command -v xvfb-run > /dev/null 2>&1") == 0 && !std::getenv("WP_UNDER_XVFB")) {
      std::cout << "no X server: drawing the diagrams under xvfb-run -a\n" << std::flush;
      const std::string cmd = fmt::format(
          "WP_UNDER_XVFB=1 xvfb-run -a '{}/work_precision' --plot-only '{}' --png '{}' --title "
          "'{}'",
          self_dir(), csv, png, title);
      // Under load a fresh Xvfb has now and then refused VTK's GLX window ("bad X server
      // connection", abort): try again before giving up.
      for (int attempt = 1; attempt <= 3; ++attempt) {
        if (std::system(cmd.c_str()) == 0) return 0;
        std::cerr << "work_precision: drawing under xvfb-run failed (attempt " << attempt
                  << " of 3)\n";
      }
      return 1;
    }
    std::cerr << "work_precision: no X server and no xvfb-run: the PNGs are not drawn (rerun with "
                 "--plot-only under xvfb-run -a)\n";
    return 1;
  }
  const std::vector<Run> runs = read_csv(csv);
  const auto ts = targets();
  const fs::path p(png);
  fplab::viz::ensure_parent_dir(png);
  draw_diagram(runs, true, ts, title + ": whole-process wall time against L1", png);
  const std::string solve_png =
      (p.parent_path() / (p.stem().string() + "_solve" + p.extension().string())).string();
  draw_diagram(runs, false, ts, title + ": solve time against L1", solve_png);
  std::cout << "wrote " << png << " and " << solve_png << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Work–precision diagram of fplab on the peer problem (cases/ou_gaussian.yaml): runs fplab "
      "over methods and grids, writes work_precision.csv, work_precision.png (whole-process time "
      "against L1) and work_precision_solve.png, and prints the best configuration per target."};
  std::string out_dir = "out/work_precision";
  std::string fplab = fs::path(self_dir()).parent_path() / "fplab";
  std::string case_path = std::string(FPLAB_SOURCE_DIR) + "/cases/ou_gaussian.yaml";
  std::string fv_grids_arg = "32,64,128,256,512", spectral_grids_arg = "16,24,32,48,64";
  std::string spectral_dts_arg = "0.1,0.05,0.02,0.01";
  std::string fftw_planning = "estimate";
  double cn_dt = 0.02, rkl2_cfl = 0.4;
  double budget = 60.0, timeout = 180.0, quick = 0.2, medium = 2.0;
  int repeats = 5;
  std::vector<std::string> only, env_sets;
  std::string plot_only, png, title = "fplab work-precision, ou_gaussian to t = 1";
  bool dry_run = false;
  app.add_option("-o,--output", out_dir, "result folder (CSV, PNGs, runs/)")->capture_default_str();
  app.add_option("--fplab", fplab, "the fplab binary (default: beside the bench/ folder)")
      ->capture_default_str();
  app.add_option("--case", case_path, "the peer problem's case file")->capture_default_str();
  app.add_option("--fv-grids", fv_grids_arg, "finite-volume grids N (N × N)")
      ->capture_default_str();
  app.add_option("--spectral-grids", spectral_grids_arg, "spectral grids N")->capture_default_str();
  app.add_option("--spectral-dts", spectral_dts_arg, "etdrk4 steps, one line each")
      ->capture_default_str();
  app.add_option("--fftw-planning", fftw_planning, "spectral runs' solver.fftw_planning")
      ->capture_default_str();
  app.add_option("--cn-dt", cn_dt, "crank_nicolson's fixed dt")->capture_default_str();
  app.add_option("--rkl2-cfl", rkl2_cfl, "rkl2's cfl (times the drift's explicit bound)")
      ->capture_default_str();
  app.add_option("--budget", budget,
                 "skip a configuration whose predicted time (from the method's previous grid) "
                 "exceeds this many seconds")
      ->capture_default_str();
  app.add_option("--timeout", timeout, "kill a run after this many seconds")->capture_default_str();
  app.add_option("--quick", quick, "runs at most this long (s) are repeated")
      ->capture_default_str();
  app.add_option("--medium", medium,
                 "runs at most this long (s) and longer than --quick run 3 times")
      ->capture_default_str();
  app.add_option("--repeats", repeats, "runs of a quick configuration (median kept)")
      ->capture_default_str();
  app.add_option("--env", env_sets,
                 "set an environment variable for the fplab runs, e.g. --env OMP_NUM_THREADS=1 "
                 "(repeatable)");
  app.add_option("--only", only, "run only methods whose label contains one of these (repeatable)");
  app.add_flag("--dry-run", dry_run, "list the configurations and exit");
  app.add_option("--plot-only", plot_only, "only draw the diagrams of this CSV");
  app.add_option("--png", png, "the diagram's path (default: OUT/work_precision.png)");
  app.add_option("--title", title, "the diagrams' title")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    if (!plot_only.empty()) {
      if (png.empty()) png = (fs::path(plot_only).parent_path() / "work_precision.png").string();
      const int rc = draw_pngs(plot_only, png, title);
      if (!std::getenv("WP_UNDER_XVFB"))  // else the parent reports
        for (const auto& line : report_targets(read_csv(plot_only))) std::cout << line << "\n";
      return rc;
    }
    if (png.empty()) png = out_dir + "/work_precision.png";
    for (const auto& kv : env_sets) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        throw std::runtime_error("--env " + kv + ": expected NAME=VALUE");
      setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);  // the children inherit it
    }
    if (!fs::exists(fplab))
      throw std::runtime_error("no fplab at " + fplab + " (give it with --fplab)");
    if (!fs::exists(case_path)) throw std::runtime_error("no case file " + case_path);
    fplab = fs::absolute(fplab).string();
    case_path = fs::absolute(case_path).string();

    const std::vector<Method> methods =
        make_methods(parse_ints(fv_grids_arg), parse_ints(spectral_grids_arg), cn_dt, rkl2_cfl,
                     parse_doubles(spectral_dts_arg));
    std::vector<const Method*> chosen;
    for (const Method& m : methods)
      if (only.empty() || std::any_of(only.begin(), only.end(), [&](const std::string& s) {
            return m.label.find(s) != std::string::npos;
          }))
        chosen.push_back(&m);

    // Configurations, grid by grid (coarse first) so that every method's previous grid is timed
    // before its next one is predicted.
    std::vector<Run> runs;
    std::vector<int> all_grids;
    for (const Method* m : chosen)
      for (int n : m->grids) all_grids.push_back(n);
    std::sort(all_grids.begin(), all_grids.end());
    all_grids.erase(std::unique(all_grids.begin(), all_grids.end()), all_grids.end());
    for (int n : all_grids)
      for (const Method* m : chosen)
        if (std::find(m->grids.begin(), m->grids.end(), n) != m->grids.end()) {
          Run r;
          r.method = m, r.label = m->label, r.family = m->family, r.scheme = m->scheme;
          r.integrator = m->integrator, r.dt = m->dt, r.cfl = m->dt == "auto" ? m->cfl : NAN;
          r.n = n;
          runs.push_back(r);
        }

    const auto base_args = [&](const Run& r, const std::string& dir) {
      std::vector<std::string> a = {fplab,     "run",
                                    case_path, "-q",
                                    "-o",      dir,
                                    "--set",   "time.t_end=1",
                                    "--set",   "time.output_every=1",
                                    "--set",   "output.formats=[]",
                                    "--set",   "exact=auto",
                                    "--set",   fmt::format("grid.nx={}", r.n),
                                    "--set",   fmt::format("grid.ny={}", r.n),
                                    "--set",   "solver.method=" + r.family,
                                    "--set",   "solver.integrator=" + r.integrator,
                                    "--set",   "solver.dt=" + r.dt};
      if (!r.scheme.empty()) a.insert(a.end(), {"--set", "solver.scheme=" + r.scheme});
      // Spectral methods take a drift only with periodic walls (the density is ~1e-9 at |x| = 6,
      // far below the errors measured); one short run is better served by FFTW's estimate plans.
      if (r.family == "spectral")
        a.insert(a.end(),
                 {"--set", "boundary=periodic", "--set", "solver.fftw_planning=" + fftw_planning});
      if (r.dt == "auto") a.insert(a.end(), {"--set", fmt::format("solver.cfl={:g}", r.cfl)});
      return a;
    };
    const auto slug = [](const Run& r) {
      std::string s =
          fmt::format("{}_{}_dt{}_n{}", r.family == "spectral" ? "spectral" : r.scheme,
                      r.integrator, r.dt == "auto" ? fmt::format("auto{:g}", r.cfl) : r.dt, r.n);
      std::replace(s.begin(), s.end(), '.', 'p');
      return s;
    };
    if (dry_run) {
      for (const Run& r : runs)
        std::cout << shell_join(base_args(r, "OUT/runs/" + slug(r))) << "\n";
      std::cout << runs.size() << " configurations\n";
      return 0;
    }

    fs::create_directories(fs::path(out_dir) / "runs");
    const std::string csv = (fs::path(out_dir) / "work_precision.csv").string();

    // The start-up cost of the program alone: `fplab --version`, median of `repeats`.
    std::vector<double> startup;
    for (int k = 0; k < std::max(repeats, 1); ++k)
      startup.push_back(
          run_process({fplab, "--version"}, (fs::path(out_dir) / "runs/version.log").string(), 30)
              .wall_s);
    const double startup_s = median(startup);
    // What the numbers depend on, printed and kept beside the CSV (work_precision.txt).
    std::string about = fmt::format(
        "command: {}\nfplab: {} ({})\ncase: {}\nstart-up (fplab --version, median): {:.4f} s\n"
        "cores online: {}\nload average at start: {}\n",
        shell_join(std::vector<std::string>(argv, argv + argc)), fplab,
        last_line((fs::path(out_dir) / "runs/version.log").string()), case_path, startup_s,
        sysconf(_SC_NPROCESSORS_ONLN), load_average());
    for (char** e = environ; *e; ++e)
      if (std::string_view(*e).starts_with("OMP_") || std::string_view(*e).starts_with("GOMP_"))
        about += fmt::format("environment: {}\n", *e);
    std::cout << about << std::flush;

    std::map<const Method*, const Run*> last_ok;   // each method's finest grid that ran
    std::map<const Method*, std::string> stopped;  // why a method's finer grids are skipped
    const auto t_start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < runs.size(); ++i) {
      Run& r = runs[i];
      const Method* m = r.method;
      const std::string head =
          fmt::format("[{:>3}/{}] {:<40} N = {:<4}", i + 1, runs.size(), r.label, r.n);
      if (const auto it = stopped.find(m); it != stopped.end()) {
        r.status = "skipped: " + it->second;
      } else if (const auto lo = last_ok.find(m); lo != last_ok.end()) {
        const Run& prev = *lo->second;
        const double predicted =
            startup_s + std::max(prev.whole_s - startup_s, 0.0) *
                            std::pow(static_cast<double>(r.n) / prev.n, m->cost_exponent);
        if (predicted > budget) {
          r.status = fmt::format("skipped: predicted {:.0f} s > budget {:g} s", predicted, budget);
          stopped[m] =
              fmt::format("N = {} predicted {:.0f} s > budget {:g} s", r.n, predicted, budget);
        }
      }
      if (!r.status.empty()) {
        std::cout << head << "  " << r.status << "\n" << std::flush;
        write_csv(runs, csv);
        continue;
      }
      const std::string dir = (fs::path(out_dir) / "runs" / slug(r)).string();
      fs::create_directories(dir);
      const std::vector<std::string> args = base_args(r, dir);
      const std::string log = dir + "/run.log";
      std::vector<double> whole, solve, cpu;
      int wanted = std::max(repeats, 1);  // fixed by the first run's time
      for (int k = 0; k < wanted; ++k) {
        fs::remove(dir + "/summary.json");
        const ProcessResult p = run_process(args, log, timeout);
        if (p.timed_out) {
          r.status = fmt::format("timeout after {:g} s", timeout);
          break;
        }
        if (p.exit_code != 0) {
          r.status = fmt::format("exit {}: {}", p.exit_code, last_line(log));
          break;
        }
        std::ifstream in(dir + "/summary.json");
        if (!in) {
          r.status = "no summary.json";
          break;
        }
        const nlohmann::json j = nlohmann::json::parse(in);
        const auto& l1 = j.at("final").at("l1_error");
        const double l1_value = l1.is_number() ? l1.get<double>() : NAN;
        if (k > 0 && l1_value != r.l1)
          std::cerr << fmt::format("  note: L1 differs between repeats ({:.6e} vs {:.6e})\n",
                                   l1_value, r.l1);
        r.l1 = l1_value;
        r.steps = j.at("steps").get<long>();
        whole.push_back(p.wall_s);
        solve.push_back(j.at("wall_seconds").get<double>());
        cpu.push_back(p.cpu_s);
        // Quick runs `repeats` times, medium ones 3 times (a single run caught by another
        // process's burst would also skew the next grid's prediction), slow ones once.
        if (k == 0)
          wanted = p.wall_s <= quick ? wanted : p.wall_s <= medium ? std::min(3, wanted) : 1;
      }
      if (r.status.empty()) {
        r.status = "ok";
        r.runs = static_cast<int>(whole.size());
        r.whole_s = median(whole), r.solve_s = median(solve), r.cpu_s = median(cpu);
        last_ok[m] = &r;
        std::cout << fmt::format(
                         "{}  L1 {:.3e}  whole {:.4f} s  solve {:.4f} s  ({} steps, {} run{})\n",
                         head, r.l1, r.whole_s, r.solve_s, r.steps, r.runs, r.runs > 1 ? "s" : "")
                  << std::flush;
      } else {
        stopped[m] = fmt::format("N = {} failed", r.n);
        std::cout << head << "  " << r.status << "\n" << std::flush;
      }
      write_csv(runs, csv);
    }
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    std::cout << fmt::format("\n{} configurations in {:.0f} s; {}\n", runs.size(), total, csv);
    about += fmt::format("load average at end: {}\nrun time: {:.0f} s\n", load_average(), total);
    {
      std::ofstream meta(fs::path(out_dir) / "work_precision.txt");
      meta << about;
      for (const auto& line : report_targets(runs)) meta << line << "\n";
    }

    const int rc = draw_pngs(csv, png, title);
    std::cout << "\n";
    for (const auto& line : report_targets(runs)) std::cout << line << "\n";
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "work_precision: " << e.what() << "\n";
    return 1;
  }
}
