// fplab: the command-line entry (docs/reference.md §3): run, verify, train-score, sample, steady,
// info, render, view.
// Exit codes: 0 success; 2 invalid input; 3 numerical failure; 130 / 143 a run stopped by
// SIGINT / SIGTERM (resumable); 1 anything else.
//
// Sample runs:
//   fplab run cases/ou_gaussian.yaml
//   fplab run cases/ou_gaussian.yaml --set grid.nx=256 --set grid.ny=256 -o out/fine
//   fplab verify cases/ou_gaussian.yaml --levels 32,64,128
//   fplab sample cases/ou_gaussian.yaml --compare out/ou_gaussian/result.h5
//   fplab steady cases/steady_rotating.yaml
//   fplab info out/ou_gaussian/result.h5
//   fplab render out/ou_gaussian/result.h5 --times all
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "app/torch_handoff.hpp"
#include "fplab/version.hpp"
#include "io/case_file.hpp"
#include "io/case_yaml.hpp"  // shorten, utf8_invalid_at
#include "io/convergence_writer.hpp"
#include "io/grid_comparison.hpp"
#include "io/hdf5_writer.hpp"
#include "io/particle_writer.hpp"
#include "io/problem_inputs.hpp"
#include "io/result_file.hpp"
#include "io/resume_file.hpp"
#include "io/run_lock.hpp"
#include "io/vtk_module.hpp"
#include "io/writers.hpp"
#include "solver/convergence.hpp"
#include "solver/discretisation.hpp"
#include "solver/errors.hpp"
#include "solver/particles/particle_simulation.hpp"
#include "solver/run_control.hpp"
#include "solver/simulation.hpp"
#include "solver/steady_run.hpp"
#include "viz/render.hpp"  // RenderOptions; the drawing is in libfplab_vtk_viz.so
#include "viz/viewer.hpp"  // ViewOptions

namespace {

// What the user reads for an error no fplab sentence describes (a library's or a bug's).
constexpr const char* kInternalError =
    "fplab stopped on an internal error; please report it with the case file and the command";

// -o names the output folder, recorded in summary.json and result.h5 as UTF-8 text.
void check_output_dir(const std::string& out_dir) {
  if (const auto bad = fplab::utf8_invalid_at(out_dir); bad != std::string::npos)
    throw fplab::InputError(fmt::format(
        "-o: expected a folder name in UTF-8 text, got a byte that is not UTF-8 after '{}'",
        fplab::shorten(out_dir.substr(0, bad))));
}

std::string join_command_line(int argc, char** argv) {
  std::string s;
  for (int k = 0; k < argc; ++k) {
    if (k) s += ' ';
    s += argv[k];
  }
  return s;
}

// The last lines of a summary: the final diagnostics, four a line, and the output folder.
void print_final(const fplab::DiagnosticRow& row, const std::string& dir) {
  fmt::print("  final     ");
  int col = 0;
  for (const auto& [name, value] : row) {
    fmt::print("{}{} = {:.6g}", col ? "  " : "", name, value);
    if (++col == 4) {
      fmt::print("\n            ");
      col = 0;
    }
  }
  fmt::print("\n  output    {}\n", dir);
}

// The grid writers output.formats asks for (png from the VTK module), and the sinks they are.
struct GridWriters {
  std::vector<std::unique_ptr<fplab::OutputSink>> writers;
  std::vector<fplab::OutputSink*> sinks;
  explicit GridWriters(const fplab::CaseSpec& spec) : writers(fplab::make_writers(spec)) {
    if (spec.output.has("png"))
      writers.push_back(fplab::vtk_viz("output.formats: png").make_png_writer(spec));
    for (auto& w : writers) sinks.push_back(w.get());
  }
};

// The one-screen summary printed after a run.
void print_summary(const fplab::CaseSpec& spec, const fplab::SimulationResult& r) {
  fmt::print("fplab run: {}  ({} / {} / {})\n", spec.name, spec.equation.type,
             fplab::method_label(spec), spec.solver.integrator);
  fmt::print("  grid      {} x {} on [{}, {}] x [{}, {}], boundary {}\n", spec.nx, spec.ny, spec.x0,
             spec.x1, spec.y0, spec.y1, spec.boundary);
  const auto& eq = spec.equation;
  if (eq.type == "reverse_fokker_planck")
    fmt::print("  reverse   T = {}, lambda = {}, score {}{}\n", eq.T, eq.lambda, eq.score.type,
               eq.score.path.empty() ? "" : " from " + eq.score.path);
  fmt::print("  time      t_end = {}, {} steps, last dt = {:.4g}\n", spec.time.t_end, r.steps,
             r.dt_last);
  fmt::print("  wall      {:.3f} s ({:.3g} cell updates/s)\n", r.wall_seconds,
             r.cell_updates_per_second);
  fmt::print("  memory    peak {:.1f} MiB = {:.2f} arrays of the grid's size\n",
             r.peak_memory_bytes / (1024.0 * 1024.0), r.peak_memory_grid_arrays);
  print_final(r.final_row, spec.output.dir);
}

// A word for a shell command line: quoted unless plain.
std::string shell_word(const std::string& w) {
  if (!w.empty() && w.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_./=:,+-") == std::string::npos)
    return w;
  std::string q = "'";
  for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// What `fplab run` was asked for.
struct RunRequest {
  std::string case_path, out_dir, resume_dir;
  std::vector<std::string> sets;
  bool quiet = false;
};

// The one line an interrupted run prints, with the command that continues it.
void print_interrupted(const RunRequest& rq, const std::string& dir,
                       const fplab::SimulationResult& r) {
  std::string resume = "fplab run " + shell_word(rq.case_path);
  for (const auto& s : rq.sets) resume += " --set " + shell_word(s);
  resume += " --resume " + shell_word(dir);
  std::fprintf(stderr, "fplab: interrupted at t = %.6g (step %zu); resume with: %s\n", r.t,
               r.steps, resume.c_str());
}

int cmd_run(const RunRequest& rq, const std::string& command_line) {
  check_output_dir(rq.out_dir);
  check_output_dir(rq.resume_dir);
  fplab::CaseSpec spec = fplab::load_case_file(rq.case_path, rq.sets);
  fplab::hand_off_if_learned(spec);
  if (!rq.resume_dir.empty() && !rq.out_dir.empty() &&
      std::filesystem::path(rq.out_dir) != std::filesystem::path(rq.resume_dir))
    throw fplab::InputError("--resume " + rq.resume_dir +
                            " continues the run in that folder: leave out -o " + rq.out_dir);
  if (!rq.resume_dir.empty())
    spec.output.dir = rq.resume_dir;
  else if (!rq.out_dir.empty())
    spec.output.dir = rq.out_dir;
  // Before anything in the folder is touched: a second run into it is refused.
  const fplab::RunLock lock(spec.output.dir);
  std::optional<fplab::ResumePoint> resume;
  if (!rq.resume_dir.empty()) resume = fplab::read_resume_point(rq.resume_dir, spec);
  spdlog::info("resolved case ({}):\n{}", rq.case_path, spec.resolved_yaml);

  GridWriters writers(spec);

  fplab::SimulationOptions opts;
  opts.command_line = command_line;
  opts.progress = !rq.quiet;
  opts.resume = resume ? &*resume : nullptr;
  fplab::stop_on_signals();
  const auto result =
      fplab::simulate(spec, writers.sinks, opts, fplab::load_problem_inputs(spec));
  writers.writers.clear();  // close files before reporting
  if (result.status == fplab::RunStatus::interrupted) {
    print_interrupted(rq, spec.output.dir, result);
    return result.stop_signal == SIGTERM ? 143 : 130;
  }
  print_summary(spec, result);
  return 0;
}

// `fplab steady`: the stationary density, solved directly, as one snapshot in the usual files.
int cmd_steady(const RunRequest& rq, const std::string& command_line) {
  check_output_dir(rq.out_dir);
  fplab::CaseSpec spec = fplab::load_case_file(rq.case_path, rq.sets);
  if (!rq.out_dir.empty()) spec.output.dir = rq.out_dir;
  const fplab::RunLock lock(spec.output.dir);
  spdlog::info("resolved case ({}):\n{}", rq.case_path, spec.resolved_yaml);
  GridWriters writers(spec);
  const auto r = fplab::solve_steady_case(spec, writers.sinks, command_line,
                                          fplab::load_problem_inputs(spec));
  writers.writers.clear();  // close files before reporting
  fmt::print("fplab steady: {}  ({} / finite_volume / {})\n", spec.name, spec.equation.type,
             r.scheme);
  fmt::print("  grid      {} x {} on [{}, {}] x [{}, {}], boundary {}\n", spec.nx, spec.ny, spec.x0,
             spec.x1, spec.y0, spec.y1, spec.boundary);
  const fplab::SteadyState& st = r.solve;
  fmt::print("  solve     assemble {:.3f} s, sparse LU {:.3f} s ({:.3g} non-zeros in L and U{})\n",
             st.assemble_seconds, st.factorise_seconds, static_cast<double>(st.lu_nonzeros),
             st.solves > 1 ? ", pinned twice" : "");
  fmt::print("  residual  |A p|_1 = {:.3g}, relative {:.3g}\n", st.residual, st.residual_relative);
  fmt::print("  wall      {:.3f} s, peak memory {:.1f} MiB\n", r.wall_seconds,
             r.peak_memory_bytes / (1024.0 * 1024.0));
  print_final(r.final_row, spec.output.dir);
  return 0;
}

// What `fplab sample` was asked for.
struct SampleRequest {
  std::string case_path, out_dir, compare_path;
  std::vector<std::string> sets;
};

// The one-screen summary printed after a particle run.
void print_sample_summary(const fplab::CaseSpec& spec, const fplab::ParticleRunResult& r) {
  fmt::print("fplab sample: {}  ({} particles, {} {}, {})\n", spec.name, r.n, r.dynamics,
             spec.equation.type, r.scheme);
  fmt::print("  grid      {} x {} on [{}, {}] x [{}, {}], boundary {}\n", spec.nx, spec.ny, spec.x0,
             spec.x1, spec.y0, spec.y1, spec.boundary);
  fmt::print("  start     drawn {} (seed {})\n", r.start, spec.particles.seed);
  fmt::print("  time      t_end = {}, {} steps of dt <= {:.4g}\n", spec.time.t_end, r.steps, r.dt);
  fmt::print("  wall      {:.3f} s ({:.3g} particle steps/s)\n", r.wall_seconds,
             r.particle_steps_per_second);
  fmt::print("  alive     {} of {}\n", r.n_alive, r.n);
  print_final(r.final_row, spec.output.dir);
}

// `fplab sample`: the case's particles, histogrammed on its grid, beside (or compared with) the
// grid solution. Output: -o, else output.dir/particles (next to the grid run's files).
int cmd_sample(const SampleRequest& rq, const std::string& command_line) {
  check_output_dir(rq.out_dir);
  fplab::CaseSpec spec = fplab::load_case_file(rq.case_path, rq.sets);
  fplab::hand_off_if_learned(spec);
  spec.output.dir = rq.out_dir.empty() ? spec.output.dir + "/particles" : rq.out_dir;
  const fplab::RunLock lock(spec.output.dir);
  std::optional<fplab::GridComparison> compare;
  if (!rq.compare_path.empty()) compare = fplab::read_grid_comparison(rq.compare_path, spec);
  spdlog::info("resolved case ({}):\n{}", rq.case_path, spec.resolved_yaml);

  GridWriters writers(spec);
  auto particle_writers = fplab::make_particle_writers(spec);
  std::vector<fplab::ParticleSink*> particle_sinks;
  for (auto& w : particle_writers) particle_sinks.push_back(w.get());

  fplab::ParticleRunOptions opts;
  opts.command_line = command_line;
  opts.compare = compare ? &*compare : nullptr;
  fplab::stop_on_signals();
  const auto result = fplab::sample_particles(spec, fplab::load_problem_inputs(spec),
                                              writers.sinks, particle_sinks, opts);
  writers.writers.clear();  // close files before reporting
  particle_writers.clear();
  if (result.status == fplab::RunStatus::interrupted) {
    std::fprintf(stderr,
                 "fplab: interrupted at t = %.6g (step %zu); the files in %s hold every snapshot "
                 "up to there (fplab sample does not resume: run it again)\n",
                 result.t, result.steps, spec.output.dir.c_str());
    return result.stop_signal == SIGTERM ? 143 : 130;
  }
  print_sample_summary(spec, result);
  return 0;
}

// `fplab verify`: refinement study against the exact solution (or the finest level); exit 1 when
// the observed L1 order between the two finest levels is below expected − tolerance.
int cmd_verify(const std::string& case_path, const std::string& out_dir,
               const std::vector<std::string>& sets, const std::string& levels_arg,
               const std::string& refine_arg) {
  check_output_dir(out_dir);
  fplab::CaseSpec spec = fplab::load_case_file(case_path, sets);
  fplab::hand_off_if_learned(spec);
  const std::string refine = refine_arg.empty() ? spec.verify.refine : refine_arg;
  std::vector<int> levels = spec.verify.levels;
  if (!levels_arg.empty()) {
    levels.clear();
    std::size_t pos = 0;
    while (pos <= levels_arg.size()) {
      const auto comma = levels_arg.find(',', pos);
      const std::string item =
          levels_arg.substr(pos, comma == std::string::npos ? comma : comma - pos);
      char* end = nullptr;
      const long v = std::strtol(item.c_str(), &end, 10);
      if (item.empty() || *end != '\0' || v < 4)
        throw fplab::InputError(
            "--levels: expected a comma-separated list of integers >= 4, got '" + levels_arg + "'");
      levels.push_back(static_cast<int>(v));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  const std::string dir = out_dir.empty() ? spec.output.dir + "/verify" : out_dir;
  spdlog::info("verify {}: refine {} over levels {}", case_path, refine, fmt::join(levels, ", "));
  const auto study = fplab::run_convergence(spec, refine, levels, fplab::load_problem_inputs);
  const double observed = study.order_l1.back();  // run_convergence leaves at least one order
  const bool passed =
      fplab::verify_passed(study, spec.verify.expected_order, spec.verify.tolerance);
  fmt::print("fplab verify: {}  ({} / {} / {})\n{}", spec.name, spec.equation.type,
             fplab::method_label(spec), spec.solver.integrator, fplab::convergence_table(study));
  fmt::print("observed L1 order {:.3f}, expected {} - {}: {}\n", observed,
             spec.verify.expected_order, spec.verify.tolerance, passed ? "PASSED" : "FAILED");
  fplab::write_convergence(spec, study, spec.verify.expected_order, spec.verify.tolerance, passed,
                           dir);
  std::filesystem::remove(dir + "/convergence.png");  // never report an older run's plot
  fplab::vtk_viz("the convergence plot of fplab verify")
      .plot_convergence_png(spec, study, spec.verify.expected_order, dir + "/convergence.png");
  // The plot needs an X server (it is skipped with a warning without one): say what exists.
  fmt::print("wrote {}/convergence.json, convergence.csv{}\n", dir,
             std::filesystem::exists(dir + "/convergence.png") ? ", convergence.png" : "");
  return passed ? 0 : 1;
}

int cmd_info(const std::string& path) {
  const auto r = fplab::open_result(path);
  std::cout << fplab::describe_result(r);
  return 0;
}

// `fplab render RESULT [REVERSE]`: RESULT's pictures, or with REVERSE the forward + reverse strip.
int cmd_render(const std::string& path, const std::string& reverse_path, fplab::RenderOptions ro,
               const std::string& size, const std::string& range) {
  const fplab::VtkVizModule& vtk = fplab::vtk_viz("fplab render");
  if (!size.empty()) std::tie(ro.width, ro.height) = vtk.picture_size_parse(size);
  ro.per_frame = range == "per-frame";
  const auto written = reverse_path.empty() ? vtk.render_result(path, ro)
                                            : vtk.render_strip(path, reverse_path, ro);
  for (const auto& p : written) fmt::print("{}\n", p);
  return 0;
}

// What the command line asked for, filled by CLI11.
struct Options {
  bool quiet = false;
  bool paraview_script = false, height_field = false;
  std::string case_path, out_dir, result_path, levels_arg, refine_arg, model_path;
  std::string reverse_path, size, range = "fixed", resume_dir, compare_path;
  fplab::RenderOptions render;  // render's picture options (its -o is out_dir)
  std::vector<std::string> sets;
};

struct Subcommands {
  CLI::App *run, *verify, *train, *info, *render, *view, *sample, *steady;
};

// A command on a case file: CASE, -o into `out`, repeatable --set (every occurrence kept), -q.
CLI::App* add_case_command(CLI::App& app, Options& o, const char* name, const char* help,
                           std::string& out, const char* out_help) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("CASE", o.case_path, "case file (YAML)")->required();
  cmd->add_option("-o,--output", out, out_help);
  cmd->add_option("--set", o.sets, "override a case key, e.g. --set grid.nx=256 (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("-q,--quiet", o.quiet, "no progress line, warnings and errors only");
  return cmd;
}

Subcommands add_subcommands(CLI::App& app, Options& o) {
  Subcommands c{};
  c.run = add_case_command(app, o, "run", "solve a case; write outputs; print a summary",
                           o.out_dir, "output directory (overrides output.dir)");
  c.run->add_option("--resume", o.resume_dir,
                    "continue the interrupted (or finished, with a later t_end) run in DIR");
  c.verify = add_case_command(app, o, "verify", "refinement study: errors and observed orders",
                              o.out_dir, "directory for convergence.json/.csv/.png");
  c.verify->add_option("--levels", o.levels_arg, "levels, e.g. 32,64,128 (default: verify.levels)");
  c.verify->add_option("--refine", o.refine_arg, "space | time | both (default: verify.refine)")
      ->check(CLI::IsMember({"space", "time", "both"}));
  c.train = add_case_command(
      app, o, "train-score",
      "train a score network by denoising score matching (the case's train block)", o.model_path,
      "model file (default: output.dir/score.pt)");

  c.sample = add_case_command(
      app, o, "sample",
      "particles (SDE or probability-flow ODE) of a case, histogrammed on its grid", o.out_dir,
      "output directory (default: output.dir/particles)");
  c.sample->add_option("--compare", o.compare_path,
                       "a grid run's result.h5 of the same case: adds l1_to_grid and its density");

  c.steady = add_case_command(
      app, o, "steady",
      "the stationary density solved directly (finite volumes), with its probability current",
      o.out_dir, "output directory (overrides output.dir)");

  c.info = app.add_subcommand("info", "what a result file holds");
  c.info->add_option("RESULT", o.result_path, "result.h5")->required();
  c.info->add_flag("-q,--quiet", o.quiet, "warnings and errors only");

  c.render = app.add_subcommand("render", "density pictures and diagnostics plots of a result");
  c.render->add_option("RESULT", o.result_path, "result.h5")->required();
  c.render->add_option("-o,--output", o.out_dir, "picture directory (default: beside RESULT, png/)");
  c.render->add_option("REVERSE", o.reverse_path,
                       "a reverse run's result.h5 after a forward RESULT: one strip of both");
  c.render->add_option("--times", o.render.times,
                       "last | all | t1,t2,... (default: last; all with --animate)");
  c.render->add_option("--colormap", o.render.colormap,
                       "viridis (default) | coolwarm (diverging; differences always use it)");
  c.render->add_flag("--log", o.render.log, "log colour scale (floor: max * 1e-6)");
  c.render->add_option("--range", o.range,
                       "fixed (default: one colour range for all frames) | per-frame")
      ->check(CLI::IsMember({"fixed", "per-frame"}));
  c.render->add_option("--size", o.size, "picture size WxH in pixels (default: fitted)");
  c.render->add_flag("--surface", o.render.surface, "also a 3D height-field view of each snapshot");
  c.render->add_flag("--animate", o.render.animate,
                     "frames/frame_NNNN.png and density.mp4 (ffmpeg) over the chosen times");
  c.render->add_flag("-q,--quiet", o.quiet, "warnings and errors only");
  c.render->add_flag("--paraview-script", o.paraview_script,
                     "write view_result.py (pvpython: opens result.xmf, saves a screenshot) instead");

  c.view = app.add_subcommand("view", "interactive window: density, time slider, diagnostics");
  c.view->add_option("RESULT", o.result_path, "result.h5")->required();
  c.view->add_flag("--height-field", o.height_field, "draw the density as a height field");
  return c;
}

int dispatch(const Subcommands& c, const Options& o, const std::string& command_line) {
  if (*c.run)
    return cmd_run({o.case_path, o.out_dir, o.resume_dir, o.sets, o.quiet}, command_line);
  if (*c.steady) return cmd_steady({o.case_path, o.out_dir, "", o.sets, o.quiet}, command_line);
  if (*c.sample) return cmd_sample({o.case_path, o.out_dir, o.compare_path, o.sets}, command_line);
  if (*c.verify) return cmd_verify(o.case_path, o.out_dir, o.sets, o.levels_arg, o.refine_arg);
  if (*c.train) {
    const fplab::CaseSpec spec = fplab::load_case_file(o.case_path, o.sets);
    return fplab::run_train_score(
        spec, o.model_path.empty() ? spec.output.dir + "/score.pt" : o.model_path, o.quiet);
  }
  if (*c.info) return cmd_info(o.result_path);
  if (*c.render && o.paraview_script) {
    fmt::print("{}\n", fplab::vtk_viz("fplab render --paraview-script")
                           .write_paraview_script(o.result_path, o.out_dir));
    return 0;
  }
  if (*c.render) {
    fplab::RenderOptions ro = o.render;
    ro.out_dir = o.out_dir;
    return cmd_render(o.result_path, o.reverse_path, ro, o.size, o.range);
  }
  if (*c.view) {
    fplab::vtk_viz("fplab view").view_result(o.result_path, {.height_field = o.height_field});
    return 0;
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  fplab::h5::no_close_at_exit();  // before any other HDF5 call
  fplab::remember_command_line(argc, argv);
  auto logger = spdlog::stderr_color_mt("fplab");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%l] %v");

  CLI::App app{"fplab: grid-based solver and visualiser for 2D Fokker–Planck-type equations"};
  app.set_version_flag("--version",
                       std::string("fplab ") + fplab::kVersion + " (" + fplab::kGitSha + ")");
  app.require_subcommand(1);
  Options opts;
  app.add_flag("-q,--quiet", opts.quiet, "no progress line, warnings and errors only")
      ->configurable(false);
  const Subcommands commands = add_subcommands(app, opts);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "fplab: %s (see fplab --help)\n", e.what());
    return 2;
  }
  spdlog::set_level(opts.quiet ? spdlog::level::warn : spdlog::level::info);

  try {
    return dispatch(commands, opts, join_command_line(argc, argv));
  } catch (const fplab::InputError& e) {
    std::fprintf(stderr, "fplab: error: %s\n", e.what());
    return 2;
  } catch (const fplab::NumericalError& e) {
    std::fprintf(stderr, "fplab: numerical failure: %s\n", e.what());
    return 3;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "fplab: error: the machine ran out of memory; use a coarser grid\n");
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {  // its what() is the library's wording
    std::fprintf(stderr, "fplab: error: cannot use '%s': %s\n",
                 fplab::shorten(e.path1().string()).c_str(), e.code().message().c_str());
    return 1;
  } catch (const YAML::Exception&) {  // a library message: never shown
    std::fprintf(stderr, "fplab: error: %s\n", kInternalError);
    return 1;
  } catch (const std::runtime_error& e) {  // fplab's own sentences: a file it cannot read or write
    std::fprintf(stderr, "fplab: error: %s\n", e.what());
    return 1;
  } catch (const std::exception&) {  // a library's or a bug's: one plain sentence instead
    std::fprintf(stderr, "fplab: error: %s\n", kInternalError);
    return 1;
  }
}
