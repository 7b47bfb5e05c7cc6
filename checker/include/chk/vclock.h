// Vector clocks over the threads of one execution.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

namespace chk {

// Threads of one execution, including those spawned on the way. Masks of threads are 32 bits wide;
// vector clocks are sized to this bound so that joins stay branch-free.
inline constexpr int max_threads = 16;

using thread_mask = std::uint32_t;

inline constexpr thread_mask bit(int t) { return thread_mask{1} << t; }

// Not zeroed by default construction (events are recorded by the hundred per execution); every
// clock that is not a copy starts with clear().
struct vclock {
  std::array<std::uint32_t, max_threads> c;

  void clear() { c.fill(0); }
  // Four lanes at a time with a signed compare, which baseline x86-64 (SSE2) has and the unsigned
  // one lacks: entries count a thread's steps and its release operations (a few per step), and
  // explore() refuses a step bound above options::max_step_bound (2^24), so they stay below 2^31
  // and compare the same either way. The joins are a tenth of a DPOR execution's
  // instructions; the scalar loop took about three times as many (bench/README.md, change 7).
  void join(const vclock& o) {
    using lanes = std::int32_t __attribute__((vector_size(16)));
    static_assert(max_threads % 4 == 0);
    for (int i = 0; i < max_threads; i += 4) {
      lanes a, b;
      std::memcpy(&a, &c[i], sizeof a);
      std::memcpy(&b, &o.c[i], sizeof b);
      const lanes m = a > b ? a : b;
      std::memcpy(&c[i], &m, sizeof m);
    }
  }
  // True when the event number `n` of thread `t` happens before (or is) this clock.
  bool covers(int t, std::uint32_t n) const { return c[t] >= n; }
  std::uint32_t operator[](int t) const { return c[t]; }
  std::uint32_t& operator[](int t) { return c[t]; }
};

}  // namespace chk
