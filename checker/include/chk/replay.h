// Counterexamples as files: a versioned JSON record of the failing schedule (the choice made at every
// scheduling point), the options that shape an execution, the failure and its trace. Replaying it
// re-runs that one execution and confirms the same failure with the same trace.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "chk/api.h"

namespace chk {

inline constexpr int replay_format_version = 1;
// Bumped whenever the meaning of a schedule changes (what is a scheduling point, in which order
// threads are numbered), so that an old file is refused instead of replayed wrongly.
inline constexpr const char* engine_version = "chk-1";

struct replay_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct replay_file {
  std::string test;                           // program name
  std::map<std::string, std::string> labels;  // free-form context (scenario, variant, mutant, ...)
  bool timeouts = false;
  int max_timeouts = 1;
  int max_steps = 20000;
  rcu_flavour rcu = rcu_flavour::preemptible;  // "rcu" in the options; files without it: preemptible
  std::vector<std::int32_t> schedule;          // thread id, or -1 - v for a value choice v
  failure_kind kind = failure_kind::assertion;
  std::string property;
  std::string message;
  std::vector<trace_step> trace;
};

replay_file make_replay(const std::string& test, const options& o, const failure& f);
std::string to_json(const replay_file& r);
// Throws replay_error with a one-line reason for malformed files and files of another version.
replay_file parse_replay(const std::string& text);
void save_replay(const std::string& path, const replay_file& r);
replay_file load_replay(const std::string& path);

struct replay_outcome {
  bool reproduced = false;
  std::string why;  // when not reproduced
  result r;
};

// Re-executes the recorded schedule of `r` on `p`: reproduced when the failure is the same and so is
// every visible step of the trace (thread, operation, object, value, source line, function); the
// non-atomic accesses recorded between steps are shown but not compared (their order within a
// statement is the compiler's). Throws replay_error when the file names another program.
replay_outcome replay(const program& p, const replay_file& r);

failure_kind parse_failure_kind(const std::string& s);

}  // namespace chk
