// Helpers for the checker's litmus tests: run a program under several searches and compare.
#pragma once

#include <catch2/catch.hpp>
#include <memory>

#include "chk/api.h"
#include "chk/replay.h"

namespace litmus {

inline chk::options with(chk::search_kind k) {
  chk::options o;
  o.search = k;
  return o;
}

inline chk::result run(const chk::program& p, chk::options o) {
  chk::result r = chk::explore(p, o);
  UNSCOPED_INFO(r.summary());
  if (r.fail && !r.fail->trace.empty()) UNSCOPED_INFO(chk::format_trace_list(r.fail->trace));
  return r;
}

// The failure of `r` survives a round trip through its replay file: parsed back, re-executed on
// `p`, it gives the same failure and the same trace.
inline void check_replays(const chk::program& p, const chk::options& o, const chk::result& r) {
  REQUIRE(r.fail);
  REQUIRE(!r.fail->trace.empty());
  chk::replay_file f = chk::make_replay(p.name, o, *r.fail);
  std::string text = chk::to_json(f);
  chk::replay_file back = chk::parse_replay(text);
  CHECK(back.schedule == r.fail->schedule);
  CHECK(back.trace == r.fail->trace);
  chk::replay_outcome out = chk::replay(p, back);
  INFO(out.why);
  CHECK(out.reproduced);
  REQUIRE(out.r.fail);
  CHECK(out.r.fail->kind == r.fail->kind);
  CHECK(out.r.fail->trace == r.fail->trace);
}

// Runs p under exhaustive DFS and DPOR: both must give `expected`; DPOR must not explore more.
// Returns {dfs, dpor}.
inline std::pair<chk::result, chk::result> both(const chk::program& p, chk::verdict expected, chk::options base = {}) {
  chk::options od = base, op = base;
  od.search = chk::search_kind::dfs;
  op.search = chk::search_kind::dpor;
  chk::result rd = run(p, od);
  chk::result rp = run(p, op);
  CHECK(rd.v == expected);
  CHECK(rp.v == expected);
  if (expected == chk::verdict::verified) CHECK(rp.st.executions <= rd.st.executions);
  if (rd.fail && rp.fail) CHECK(rd.fail->kind == rp.fail->kind);
  return {std::move(rd), std::move(rp)};
}

}  // namespace litmus
