// Small helpers shared by the checker's sources.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

#include "chk/srcloc.h"
#include "chk/trace.h"
#include "chk/vclock.h"

namespace chk {

inline int lowest(thread_mask m) { return std::countr_zero(m); }

// The n-th member (0-based) of the set m.
inline int nth_member(thread_mask m, unsigned n) {
  for (;;) {
    int t = std::countr_zero(m);
    if (n == 0) return t;
    --n;
    m &= m - 1;
  }
}

// Hashes v into h (splitmix64's finaliser over a combination of both).
inline std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  std::uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline std::string loc_text(const srcloc& l) {
  if (!l.file_name() || !*l.file_name()) return "?";
  return short_location(l.file_name(), l.line());
}

}  // namespace chk
