// Stopping a run cleanly on SIGINT or SIGTERM: the handler only records the signal (async-signal
// safe); the time loop polls it after each step, writes a last snapshot and ends the run.
#pragma once
#include <cstddef>

namespace fplab {

// Installs the SIGINT and SIGTERM handlers (fplab run does, before the first step).
void stop_on_signals();
// The signal received since stop_on_signals() (SIGINT or SIGTERM), or 0.
int stop_signal();
// The default handlers back: a second signal during the final write ends the process at once.
void stop_signals_default();

// Test hook, not a user feature: FPLAB_TEST_INTERRUPT_AFTER_STEPS=N (or N,TERM) in the
// environment raises SIGINT (or SIGTERM) once step N is done, so tests interrupt a run at a
// known step. Read once at construction.
class TestInterruptHook {
 public:
  TestInterruptHook();
  void after_step(std::size_t steps) const;

 private:
  std::size_t after_ = 0;  // 0: no hook
  int signal_ = 0;
};

}  // namespace fplab
