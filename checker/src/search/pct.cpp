// PCT (Burckhardt et al., ASPLOS 2010): `iterations` executions; each gives the threads random
// distinct priorities and picks `pct_depth - 1` random change points (steps at which the running
// thread drops below every other); the highest-priority enabled thread always runs. A bug of depth
// d is found with probability at least 1/(n k^(d-1)) per execution.
#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine.h"
#include "search/strategy.h"
#include "util.h"

namespace chk {

class pct_search final : public sampling_search {
 public:
  pct_search(engine& e, const options& o)
      : sampling_search(e, o.iterations), seed_(o.seed), depth_(o.pct_depth), rng_(o.seed) {}

  std::string bounds() const override {
    return "pct depth " + std::to_string(depth_) + ": " + std::to_string(iterations_) + " executions, seed " +
           std::to_string(seed_);
  }

  void execution_starts() override {
    change_.clear();
    for (int i = 1; i < depth_; ++i)
      change_.push_back(1 + static_cast<int>(rng_() % static_cast<std::uint64_t>(std::max(1, estimate_))));
  }
  void thread_created(int t) override { prio_[t] = depth_ + static_cast<int>(rng_() % 100000) * max_threads + t; }
  void execution_ended(int steps) override { estimate_ = std::max(estimate_, steps); }

  int pick_thread(choice& c, std::size_t i) override {
    const int cur = e_.cur_;
    for (std::size_t k = 0; k < change_.size(); ++k)
      if (change_[k] == static_cast<int>(i) && cur >= 0) prio_[cur] = static_cast<int>(k) - 1000;
    int best = -1;
    for (thread_mask m = c.enabled; m; m &= m - 1) {
      int t = lowest(m);
      if (best < 0 || prio_[t] > prio_[best]) best = t;
    }
    return best;
  }
  int pick_value(choice& c, std::size_t) override {
    return static_cast<int>(rng_() % static_cast<std::uint64_t>(c.nvalues));
  }

 private:
  std::uint64_t seed_;
  int depth_;
  std::mt19937_64 rng_;
  int prio_[max_threads]{};
  std::vector<int> change_;
  int estimate_ = 64;  // steps of the longest execution so far: where change points may fall
};

std::unique_ptr<strategy> make_pct(engine& e, const options& o) { return std::make_unique<pct_search>(e, o); }

}  // namespace chk
