// The benchmark programs, shared by the Google Benchmark driver and the callgrind driver.
//   T1: 2 threads, each doing {lock; x++; unlock} twice.
//   T2: 3 threads doing it twice each.
//   T3: 3 threads doing it three times each.
// x is a plain (race-checked) field, the lock a chk::mutex.
#pragma once

#include <memory>
#include <string>

#include "chk/api.h"

namespace bench {

struct mutex_counter {
  struct state {
    chk::mutex m{"m"};
    chk::plain<int> x{0, "x"};
  };
  state s;  // reset by setup: no allocation per execution
  chk::program p;
  mutex_counter(int threads, int iterations) {
    p.name = "T" + std::to_string(threads) + "x" + std::to_string(iterations);
    p.threads = threads;
    p.setup = [this] { s.x.poke(0); };
    p.thread = [this, iterations](int) {
      for (int i = 0; i < iterations; ++i) {
        s.m.lock();
        s.x = s.x + 1;
        s.m.unlock();
      }
    };
    p.finish = [this, threads, iterations] {
      chk::check(s.x.peek() == threads * iterations, "x counts every increment");
    };
  }
};

}  // namespace bench
