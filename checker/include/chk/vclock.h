// Vector clocks over the threads of one execution.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

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
  void join(const vclock& o) {
    for (int i = 0; i < max_threads; ++i) c[i] = std::max(c[i], o.c[i]);
  }
  // True when the event number `n` of thread `t` happens before (or is) this clock.
  bool covers(int t, std::uint32_t n) const { return c[t] >= n; }
  std::uint32_t operator[](int t) const { return c[t]; }
  std::uint32_t& operator[](int t) { return c[t]; }
};

}  // namespace chk
