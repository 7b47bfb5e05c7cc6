// The record of one execution, step by step, and its renderings.
#pragma once

#include <string>
#include <vector>

namespace chk {

struct trace_step {
  int step = 0;          // visible step number, 1-based; plain accesses carry their step's number
  int thread = -1;       // -1: the environment (setup, end check)
  bool visible = true;   // false for a plain access or a note inside a step
  std::string op;        // "load", "raw_spin_lock", "wake_up_process", ...
  std::string object;    // "wq.lock", "worker#1.ref", ...
  std::string detail;    // values read/written, "blocked", "timed out", the failure message, ...
  std::string location;  // file:line of the operation in the program under test
  std::string function;  // function of the program under test performing it

  bool operator==(const trace_step&) const = default;
};

// One line per step: "  12 T2 raw_spin_lock wq.lock 0->1  io_wq.cpp:210 (io_wq_worker)".
std::string format_trace_list(const std::vector<trace_step>& steps);

// Per-thread columns (swimlanes): each row is a step, written in the column of its thread.
std::string format_trace_columns(const std::vector<trace_step>& steps, int column_width = 44);

// Shortens a source path and a compiler's function signature for display.
std::string short_location(const char* file, unsigned line);
std::string short_function(const char* signature);

}  // namespace chk
