// Replay: one execution that follows a recorded schedule (chk/replay.h), reporting where the
// program no longer matches it.
#include <memory>
#include <string>
#include <vector>

#include "engine.h"
#include "search/strategy.h"
#include "util.h"

namespace chk {

class replay_search final : public strategy {
 public:
  replay_search(engine& e, const options& o) : strategy(e), schedule_(*o.schedule) {}

  std::string bounds() const override { return "replay of one schedule"; }

  int pick_thread(choice& c, std::size_t i) override {
    const thread_mask en = c.enabled;
    const auto& s = schedule_;
    if (i < s.size() && s[i] >= 0 && (en & bit(s[i]))) return s[i];
    std::string why = i >= s.size() ? "the schedule ended but the program goes on"
                      : s[i] < 0    ? "the schedule has a value choice where the program schedules a thread"
                                    : "thread T" + std::to_string(s[i]) + " is not enabled there";
    std::string ens;
    for (thread_mask m = en; m; m &= m - 1) ens += (ens.empty() ? "T" : ", T") + std::to_string(lowest(m));
    e_.record_failure(failure_kind::nondeterminism,
                      "replay diverged at choice " + std::to_string(i) + ": " + why + " (enabled: " + ens + ")",
                      e_.cur_, nullptr, {});
    return diverged;
  }
  int pick_value(choice& c, std::size_t i) override {
    const int n = c.nvalues;
    const auto& s = schedule_;
    if (i < s.size() && s[i] < 0 && -1 - s[i] < n) return -1 - s[i];
    e_.record_failure(failure_kind::nondeterminism,
                      "replay diverged at choice " + std::to_string(i) + ": expected a value choice of " +
                          std::to_string(n) + " values",
                      e_.cur_, &e_.th_[e_.cur_].last_loc, {});
    return diverged;
  }
  bool next() override { return false; }

 private:
  std::vector<std::int32_t> schedule_;
};

std::unique_ptr<strategy> make_replay(engine& e, const options& o) { return std::make_unique<replay_search>(e, o); }

}  // namespace chk
