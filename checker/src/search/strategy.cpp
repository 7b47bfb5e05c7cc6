#include "search/strategy.h"

#include "engine.h"

namespace chk {

int strategy::pick_value(choice& c, std::size_t i) {
  (void)c, (void)i;
  return 0;
}

bool strategy::next() { return e_.next_prefix(); }

bool sampling_search::next() {
  if (e_.st_.executions >= iterations_) return false;
  e_.stack_.clear();
  e_.replay_end_ = 0;
  return true;
}

std::unique_ptr<strategy> make_strategy(engine& e, const options& o) {
  if (o.schedule) return make_replay(e, o);
  switch (o.search) {
    case search_kind::dfs:
    case search_kind::bounded:
      return make_dfs(e, o);
    case search_kind::dpor:
      return make_dpor(e, o);
    case search_kind::random:
      return make_random(e, o);
    case search_kind::pct:
      return make_pct(e, o);
  }
  return make_dfs(e, o);
}

}  // namespace chk
