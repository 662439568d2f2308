// End-to-end: every bad input is refused by the real fplab program with the right exit code and
// one short sentence (no exception name, no library message). The table is tests/bad_inputs/:
// one case file per bad input, its header stating what fplab must answer (README.md, Testing).
// Inputs that cannot be a committed file (a named pipe, a 10 MB name, huge grids) are made here.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/e2e_support.hpp"

namespace fs = std::filesystem;

namespace {

using fplab_e2e::CommandResult;
using fplab_e2e::scratch;
using fplab_e2e::slurp;

// What a file of tests/bad_inputs/ expects, from its leading "# key: value" comment lines.
struct BadInput {
  fs::path file;
  int exit_code = -1;
  std::vector<std::string> words;  // pieces of the message that must be there (one a line)
  std::string args;     // extra arguments after `fplab COMMAND FILE`
  std::string command = "run";
};

BadInput read_header(const fs::path& file) {
  BadInput b;
  b.file = file;
  std::ifstream in(file, std::ios::binary);
  for (std::string line; std::getline(in, line) && line.rfind("#", 0) == 0;) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(1, colon - 1), value = line.substr(colon + 1);
    key.erase(0, key.find_first_not_of(' '));
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of(" \r") + 1);
    if (key == "expect-exit") b.exit_code = std::stoi(value);
    if (key == "expect-word") b.words.push_back(value);
    if (key == "args") b.args = value;
    if (key == "command") b.command = value;
  }
  return b;
}

// `fplab COMMAND CASE ARGS` with its outputs in `dir`, stopped after 60 s (a refusal is at once:
// a bad input that blocks, like a named pipe read, fails here instead of hanging the suite).
CommandResult run_bad(const std::string& command, const std::string& case_arg,
                      const std::string& args, const fs::path& dir) {
  std::string out;  // every command that writes gets -o into the scratch folder, unless given one
  if (args.find("-o ") != std::string::npos)
    out = "";
  else if (command == "run" || command == "verify" || command == "render" || command == "sample" ||
           command == "steady")
    out = " -o " + (dir / "out").string();
  else if (command == "train-score")
    out = " -o " + (dir / "score.pt").string();
  const std::string cmd = std::string("cd ") + FPLAB_SOURCE_DIR + " && timeout 60 " +
                          FPLAB_BINARY + " " + command + " " + case_arg + " " + args + out +
                          " -q >" + (dir / "stdout.txt").string() + " 2>" +
                          (dir / "stderr.txt").string();
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(dir / "stdout.txt");
  r.err = slurp(dir / "stderr.txt");
  return r;
}

// One sentence for the user: at most 2 lines and 400 characters, no C++ or library wording.
void check_short_sentence(const std::string& err) {
  CHECK(std::count(err.begin(), err.end(), '\n') <= 2);
  CHECK(err.size() <= 400);
  CHECK(err.rfind("fplab", 0) == 0);
  for (const char* banned : {"std::", "exception", "what()"})
    CHECK_MESSAGE(err.find(banned) == std::string::npos, "stderr contains '" << banned << "'");
}

// The table's files, sorted so that failures read in a stable order.
std::vector<fs::path> bad_input_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(FPLAB_SOURCE_DIR) / "tests/bad_inputs"))
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// The base of the generated inputs: a 32² OU case that runs in a moment.
const char* kSmallCase =
    "name: small\n"
    "domain: {x: [-6, 6], y: [-6, 6]}\n"
    "grid: {nx: 32, ny: 32}\n"
    "equation:\n"
    "  type: fokker_planck\n"
    "  drift: {type: linear, C: [[1, 0], [0, 1]]}\n"
    "initial: {type: gaussian, mean: [1.5, -1], cov: [[0.25, 0], [0, 0.25]]}\n"
    "time: {t_end: 0.05}\n"
    "output: {formats: [hdf5]}\n";

// A scratch name of this process: two checkouts' suites may run at once on one machine.
std::string unique(const std::string& name) { return name + "_" + std::to_string(getpid()); }

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("bad input: every case file in tests/bad_inputs is refused with one short sentence") {
  const auto files = bad_input_files();
  CHECK(files.size() >= 40);
  const fs::path dir = scratch(unique("bad_inputs"));
  for (const auto& f : files) {
    const BadInput b = read_header(f);
    INFO("tests/bad_inputs/" << f.filename().string());
    REQUIRE_MESSAGE(b.exit_code >= 0, "no '# expect-exit:' line");
    REQUIRE_MESSAGE(!b.words.empty(), "no '# expect-word:' line");
    const CommandResult r = run_bad(b.command, f.string(), b.args, dir);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == b.exit_code);
    for (const auto& w : b.words) CHECK_MESSAGE(r.err.find(w) != std::string::npos, "no '" << w << "'");
    check_short_sentence(r.err);
  }
  fs::remove_all(dir);
}

TEST_CASE("bad input: the table's header is read as documented") {
  const fs::path dir = scratch(unique("bad_inputs_header"));
  write_file(dir / "h.yaml",
             "# why\n# expect-exit: 3\n# expect-word: some word\n# expect-word: x.yaml:7: key:\n"
             "# args: --set a=1\n# command: info\nname: x\n# expect-exit: 9\n");
  const BadInput b = read_header(dir / "h.yaml");
  CHECK(b.exit_code == 3);
  CHECK(b.words == std::vector<std::string>{"some word", "x.yaml:7: key:"});
  CHECK(b.args == "--set a=1");
  CHECK(b.command == "info");  // the header ends at the first line that is not a comment
  fs::remove_all(dir);
}

TEST_CASE("bad input: made by the test (a named pipe, a device, huge values and grids)") {
  const fs::path dir = scratch(unique("bad_inputs_generated"));
  const fs::path small = dir / "small.yaml";
  write_file(small, kSmallCase);
  // The small case itself runs: each refusal below is about what was changed.
  REQUIRE(run_bad("run", small.string(), "", dir).exit_code == 0);

  struct Made {
    std::string what, case_arg, args, word;
  };
  std::vector<Made> made;

  const fs::path fifo = dir / "pipe.yaml";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  made.push_back({"a named pipe", fifo.string(), "", "named pipe"});
  made.push_back({"a device", "/dev/zero", "", "device"});
  made.push_back({"a directory", dir.string(), "", "directory"});

  std::string big_name = kSmallCase;
  big_name.replace(0, big_name.find('\n'), "name: " + std::string(10 * 1024 * 1024, 'n'));
  write_file(dir / "name10mb.yaml", big_name);
  made.push_back({"a 10 MB name", (dir / "name10mb.yaml").string(), "", "255 bytes"});

  std::string expr;
  for (int k = 0; k < 250000; ++k) expr += "x*y+";
  expr += "(";  // 1 MB, unbalanced
  std::string with_expr = kSmallCase;
  with_expr.replace(with_expr.find("{type: linear"), with_expr.find('}') + 1 -
                    with_expr.find("{type: linear"), "{type: potential, U: \"" + expr + "\"}");
  write_file(dir / "expr1mb.yaml", with_expr);
  made.push_back({"a 1 MB expression", (dir / "expr1mb.yaml").string(), "", "equation.drift.U"});

  made.push_back({"a 200000² grid", small.string(),
                  "--set grid.nx=200000 --set grid.ny=200000", "GiB"});
  made.push_back({"a grid above the maximum", small.string(), "--set grid.nx=1048577", "1048576"});
  made.push_back({"a recursive alias in --set", small.string(), "--set 'name=&a [*a]'", "alias refers"});
  // 100 KB: one argument of a command line holds at most 128 KiB (MAX_ARG_STRLEN).
  made.push_back({"a 100 KB --set value", small.string(),
                  "--set 'name=[" + std::string(100 * 1024, 'v') + "'", "--set name=[vvv"});
  made.push_back({"an -o folder that is not UTF-8", small.string(),
                  "-o \"$(printf '" + (dir / "out").string() + "\\377')\"", "UTF-8"});

  for (const auto& m : made) {
    INFO(m.what);
    const CommandResult r = run_bad("run", m.case_arg, m.args, dir);
    INFO("stderr: " << r.err.substr(0, 1000));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(m.word) != std::string::npos);
    check_short_sentence(r.err);
  }
  fs::remove_all(dir);  // 11 MB of made inputs
}
