// SIGINT / SIGTERM → a flag the time loop polls (see run_control.hpp).
#include "solver/run_control.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace fplab {
namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void record_stop(int sig) { g_stop_signal = sig; }

}  // namespace

void stop_on_signals() {
  g_stop_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = record_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // a write interrupted by the signal goes on
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int stop_signal() { return g_stop_signal; }

void stop_signals_default() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

TestInterruptHook::TestInterruptHook() {
  const char* v = std::getenv("FPLAB_TEST_INTERRUPT_AFTER_STEPS");
  if (v == nullptr) return;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v, &end, 10);
  if (end == v) return;
  after_ = static_cast<std::size_t>(n);
  signal_ = std::strcmp(end, ",TERM") == 0 ? SIGTERM : SIGINT;
}

void TestInterruptHook::after_step(std::size_t steps) const {
  if (after_ != 0 && steps == after_) std::raise(signal_);
}

}  // namespace fplab
