// Small helpers shared by the checker's sources.
#pragma once

#include <bit>
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

inline std::string loc_text(const srcloc& l) {
  if (!l.file_name() || !*l.file_name()) return "?";
  return short_location(l.file_name(), l.line());
}

}  // namespace chk
