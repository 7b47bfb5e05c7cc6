// The checker's litmus catalog: small programs whose answers are known by hand. The Catch2 tests
// assert every answer under DFS and DPOR; `iowq-verify litmus` prints them as a verdict table.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chk/api.h"

namespace chk::litmus {

// One run of a litmus program: owns the program's state for as long as the search runs.
struct instance {
  virtual ~instance() = default;
  program p;
};

struct entry {
  std::string name;
  std::string claim;  // the known answer, in words
  std::function<std::unique_ptr<instance>()> make;
  verdict expected = verdict::verified;         // under dfs and dpor
  std::optional<failure_kind> expected_kind;    // when violated
  options base;                                 // timeouts, step bound, RCU flavour
  std::optional<std::uint64_t> dfs_executions;  // computed by hand, where it can be
  std::optional<std::uint64_t> dpor_executions;
};

const std::vector<entry>& catalog();
const entry& find(const std::string& name);

}  // namespace chk::litmus
