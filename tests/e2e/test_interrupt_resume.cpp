// Interruption, resume, the output-folder lock and a full disk, through the fplab program. Runs
// are stopped at a known step by the test hook FPLAB_TEST_INTERRUPT_AFTER_STEPS
// (solver/run_control.hpp).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstring>
#include <regex>

#include "e2e_support.hpp"
#include "io/result_file.hpp"

using namespace fplab_e2e;

namespace {

// A small OU case on 32² with outputs every 0.1 up to 0.3.
const std::string kOu =
    "cases/ou_gaussian.yaml --set grid.nx=32 --set grid.ny=32 --set time.t_end=0.3 -q ";

CommandResult run_env(const std::string& env, const std::string& args, const fs::path& dir) {
  return run_fplab_prefixed(env, args, dir);
}

// The files a collection or sidecar names, each of which must exist.
std::vector<std::string> listed(const std::string& text, const std::regex& re) {
  std::vector<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    out.push_back((*it)[1].str());
  return out;
}

// The final density of a result, as bytes.
std::vector<double> final_density(const fs::path& dir) {
  const auto r = fplab::open_result((dir / "result.h5").string());
  return r.read_density(static_cast<int>(r.times.size()) - 1);
}

void check_interrupted(const fs::path& out, const CommandResult& r, int code) {
  CHECK(r.exit_code == code);
  CHECK(r.err.find("fplab: interrupted at t = ") != std::string::npos);
  CHECK(r.err.find("(step 20); resume with: fplab run cases/ou_gaussian.yaml") !=
        std::string::npos);
  CHECK(r.err.find("--resume " + out.string()) != std::string::npos);
  const auto res = fplab::open_result((out / "result.h5").string());
  CHECK(res.attributes.at("status") == "interrupted");
  CHECK(slurp(out / "summary.json").find("\"status\": \"interrupted\"") != std::string::npos);
  // The sidecars list exactly the snapshots that exist.
  const auto vti = listed(slurp(out / "vtk/density.pvd"), std::regex(R"(file="([^"]+)\")"));
  CHECK(vti.size() == res.times.size());
  for (const auto& f : vti) CHECK(fs::exists(out / "vtk" / f));
  std::size_t vti_files = 0;
  for (const auto& e : fs::directory_iterator(out / "vtk"))
    vti_files += e.path().extension() == ".vti";
  CHECK(vti_files == res.times.size());
  CHECK(listed(slurp(out / "result.xmf"), std::regex(R"(<Time Value="([^"]+)\")")).size() ==
        res.times.size());
  const auto info = run_fplab("info " + (out / "result.h5").string(), out);
  CHECK(info.out.find("status      interrupted at t = ") != std::string::npos);
}

// An uninterrupted run and one interrupted after `steps` steps and resumed end on the same field,
// bit for bit.
void check_resume_exact(const std::string& name, const std::string& case_args, int steps) {
  const fs::path dir = scratch(name);
  const auto whole = run_fplab("run " + case_args + "-o " + (dir / "whole").string(), dir);
  REQUIRE(whole.exit_code == 0);
  const auto cut = run_env("FPLAB_TEST_INTERRUPT_AFTER_STEPS=" + std::to_string(steps),
                           "run " + case_args + "-o " + (dir / "cut").string(), dir);
  REQUIRE(cut.exit_code == 130);
  const auto resumed = run_fplab("run " + case_args + "--resume " + (dir / "cut").string(), dir);
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  const auto a = final_density(dir / "whole"), b = final_density(dir / "cut");
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
  const auto r = fplab::open_result((dir / "cut/result.h5").string());
  CHECK(r.attributes.at("status") == "complete");
  CHECK(r.times.back() == doctest::Approx(0.3));
}

}  // namespace

TEST_CASE("SIGINT: last snapshot, status interrupted, sidecars of what exists, exit 130") {
  const fs::path dir = scratch("interrupt_int"), out = dir / "out";
  const auto r = run_env("FPLAB_TEST_INTERRUPT_AFTER_STEPS=20",
                         "run " + kOu + "--set 'output.formats=[hdf5,vtk]' -o " + out.string(), dir);
  check_interrupted(out, r, 130);
}

TEST_CASE("SIGTERM: the same with exit 143") {
  const fs::path dir = scratch("interrupt_term"), out = dir / "out";
  const auto r = run_env("FPLAB_TEST_INTERRUPT_AFTER_STEPS=20,TERM",
                         "run " + kOu + "--set 'output.formats=[hdf5,vtk]' -o " + out.string(), dir);
  check_interrupted(out, r, 143);
}

TEST_CASE("resume is bit for bit: ssprk3 (finite volume)") {
  check_resume_exact("resume_ssprk3", kOu + "--set 'output.formats=[hdf5,vtk]' ", 20);
}

TEST_CASE("resume is bit for bit: bdf2 (multistep, history stored)") {
  check_resume_exact("resume_bdf2",
                     "cases/implicit_large_dt.yaml --set grid.nx=32 --set grid.ny=32 "
                     "--set time.t_end=0.3 --set solver.integrator=bdf2 --set solver.cfl=2 "
                     "--set 'output.formats=[hdf5]' -q ",
                     7);
}

TEST_CASE("resume is bit for bit: etdrk4 (spectral)") {
  check_resume_exact("resume_etdrk4",
                     "cases/ou_spectral.yaml --set grid.nx=32 --set grid.ny=32 "
                     "--set time.t_end=0.3 --set solver.fftw_planning=estimate "
                     "--set 'output.formats=[hdf5]' -q ",
                     5);
}

TEST_CASE("resume: a finished run continues to a later t_end, a changed case is refused") {
  const fs::path dir = scratch("resume_refuse"), out = dir / "out";
  REQUIRE(run_fplab("run " + kOu + "--set 'output.formats=[hdf5]' -o " + out.string(), dir)
              .exit_code == 0);
  const auto other = run_fplab(
      "run " + kOu + "--set 'output.formats=[hdf5]' --set solver.cfl=0.3 --resume " + out.string(),
      dir);
  CHECK(other.exit_code == 2);
  CHECK(other.err.find("cannot resume " + out.string()) != std::string::npos);
  CHECK(other.err.find("solver.cfl (stored 0.4, now 0.3)") != std::string::npos);
  const auto longer = run_fplab("run " + kOu + "--set 'output.formats=[hdf5]' --set time.t_end=0.5 "
                                "--resume " + out.string(), dir);
  CHECK(longer.exit_code == 0);
  CHECK(fplab::open_result((out / "result.h5").string()).times.size() == 6);
  const auto none = run_fplab("run " + kOu + "--resume " + (dir / "empty").string(), dir);
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("holds no result.h5") != std::string::npos);
}

TEST_CASE("lock: a second run into a folder in use is refused before it touches anything") {
  const fs::path dir = scratch("lock"), out = dir / "out";
  fs::create_directories(out);
  const int fd = ::open((out / ".fplab.lock").c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  REQUIRE(::write(fd, "4242\n", 5) == 5);
  const auto r = run_fplab("run " + kOu + "-o " + out.string(), dir);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(out.string() + " is in use by another fplab run (pid 4242)") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(out / "result.h5"));
  ::close(fd);  // a lock file of a finished process does not block
  CHECK(run_fplab("run " + kOu + "--set 'output.formats=[hdf5]' -o " + out.string(), dir)
            .exit_code == 0);
}

TEST_CASE("disk full: exit 1, one sentence, earlier snapshots readable, no temporaries") {
  const fs::path dir = scratch("disk_full"), out = dir / "out";
  // A file size limit of 160 KiB (ulimit -f counts 512-byte blocks in sh) with SIGXFSZ ignored:
  // writes past it fail with EFBIG, as on a full disk.
  const auto r = run_fplab_prefixed(
      "", "run cases/ou_gaussian.yaml --set grid.nx=32 --set grid.ny=32 "
          "--set 'output.formats=[hdf5,vtk]' -q -o " + out.string(),
      dir, "trap '' XFSZ; ulimit -f 320; ");
  CHECK(r.exit_code == 1);
  CHECK(std::regex_search(r.err, std::regex(R"(^fplab: error: file too large writing \S+/result\.h5 after snapshot \d+\n$)")));
  const auto info = run_fplab("info " + (out / "result.h5").string(), dir);
  CHECK(info.exit_code == 0);
  CHECK(fplab::open_result((out / "result.h5").string()).times.size() >= 2);
  for (const auto& e : fs::recursive_directory_iterator(out))
    CHECK(e.path().string().find(".tmp") == std::string::npos);
}
