// Depth-first search over every interleaving of visible operations (dfs), or over those with at most
// K preemptions (bounded, as in CHESS): a preemption is a switch away from a thread that could
// have gone on.
#include <memory>
#include <string>

#include "engine.h"
#include "search/strategy.h"
#include "util.h"

namespace chk {

class dfs_search final : public strategy {
 public:
  dfs_search(engine& e, int bound) : strategy(e), bound_(bound) {}

  std::string bounds() const override {
    return bound_ < 0 ? "dfs: all interleavings" : "dfs with at most " + std::to_string(bound_) + " preemptions";
  }

  // The running thread goes on while it can (the fewest preemptions first).
  int pick_thread(choice& c, std::size_t) override {
    const int cur = e_.cur_;
    return (cur >= 0 && (c.enabled & bit(cur))) ? cur : lowest(c.enabled);
  }

  thread_mask alternatives(const choice& c) const override {
    if (bound_ < 0) return c.enabled & ~c.done;
    thread_mask cand = 0;
    for (thread_mask m = c.enabled & ~c.done; m; m &= m - 1) {
      int q = lowest(m);
      bool preempt = c.prev >= 0 && q != c.prev && (c.enabled & bit(c.prev));
      if (c.preemptions + (preempt ? 1 : 0) <= bound_) cand |= bit(q);
    }
    return cand;
  }

 private:
  int bound_;  // -1: no bound
};

std::unique_ptr<strategy> make_dfs(engine& e, const options& o) {
  return std::make_unique<dfs_search>(e, o.search == search_kind::bounded ? o.preemption_bound : -1);
}

}  // namespace chk
