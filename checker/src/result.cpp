// Names of the checker's enums, a result's one-line summary, and --search as the command line
// spells it.
#include "chk/result.h"

#include <charconv>
#include <iterator>
#include <sstream>

namespace chk {

namespace {
struct search_name {
  search_kind kind;
  const char* name;
  const char* parameter;  // the --search suffix ("bounded:K"), or nullptr
};
constexpr search_name search_names[] = {
    {search_kind::dfs, "dfs", nullptr},
    {search_kind::dpor, "dpor", nullptr},
    {search_kind::bounded, "bounded", "bounded:"},
    {search_kind::random, "random", "random:"},
    {search_kind::pct, "pct", "pct:"},
};
}  // namespace

const char* to_string(search_kind k) {
  for (const auto& n : search_names)
    if (n.kind == k) return n.name;
  return "?";
}

bool exhaustive(search_kind k) { return k == search_kind::dfs || k == search_kind::dpor || k == search_kind::bounded; }

bool parse_search(std::string_view text, options& o) {
  for (const auto& n : search_names) {
    if (!n.parameter) {
      if (text != n.name) continue;
      o.search = n.kind;
      return true;
    }
    std::string_view prefix = n.parameter;
    if (text.substr(0, prefix.size()) != prefix) continue;
    std::string_view rest = text.substr(prefix.size());
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
    if (ec != std::errc() || end != rest.data() + rest.size() || rest.empty() || v > 1'000'000'000) return false;
    o.search = n.kind;
    if (n.kind == search_kind::bounded) o.preemption_bound = static_cast<int>(v);
    if (n.kind == search_kind::random) o.iterations = v;
    if (n.kind == search_kind::pct) o.pct_depth = static_cast<int>(v), o.iterations = 10000;
    return true;
  }
  return false;
}

std::string search_spec(const options& o) {
  switch (o.search) {
    case search_kind::bounded:
      return "bounded:" + std::to_string(o.preemption_bound);
    case search_kind::random:
      return "random:" + std::to_string(o.iterations);
    case search_kind::pct:
      return "pct:" + std::to_string(o.pct_depth);
    default:
      return to_string(o.search);
  }
}

std::string step_bound_error(int max_steps) {
  if (max_steps >= 1 && max_steps <= options::max_step_bound) return {};
  return "step bound " + std::to_string(max_steps) + " is outside 1.." + std::to_string(options::max_step_bound);
}

namespace {
// Names indexed by the enums' values, in declaration order.
constexpr const char* rcu_flavour_names[] = {"preemptible", "non-preemptible"};
static_assert(std::size(rcu_flavour_names) == static_cast<std::size_t>(rcu_flavour::non_preemptible) + 1);
constexpr const char* failure_kind_names[] = {
    "assertion",      "end-check", "deadlock",           "data-race",      "lock-misuse",      "blocking-in-atomic",
    "use-after-free", "livelock",  "uncaught-exception", "nondeterminism", "too-many-threads",
};
static_assert(std::size(failure_kind_names) == static_cast<std::size_t>(failure_kind::too_many_threads) + 1);
constexpr const char* verdict_names[] = {"verified", "violated", "inconclusive", "no violation found"};
static_assert(std::size(verdict_names) == static_cast<std::size_t>(verdict::no_violation_found) + 1);

template <std::size_t N, class E>
const char* name_of(const char* const (&names)[N], E e) {
  const auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : "?";
}
}  // namespace

const char* to_string(failure_kind k) { return name_of(failure_kind_names, k); }

const char* to_string(rcu_flavour f) { return name_of(rcu_flavour_names, f); }

std::optional<rcu_flavour> parse_rcu_flavour(std::string_view text) {
  for (std::size_t i = 0; i < std::size(rcu_flavour_names); ++i)
    if (text == rcu_flavour_names[i]) return static_cast<rcu_flavour>(i);
  return std::nullopt;
}

const char* to_string(verdict v) { return name_of(verdict_names, v); }

std::string result::summary() const {
  std::ostringstream o;
  o << to_string(v) << ": " << test_name << " [" << bounds << "]; " << st.executions << " executions";
  if (st.pruned) o << " (" << st.pruned << " pruned)";
  o << ", max depth " << st.max_depth << " steps, " << st.seconds << " s";
  if (fail) {
    o << "\n  " << to_string(fail->kind);
    if (!fail->property.empty()) o << " [" << fail->property << "]";
    o << ": " << fail->message;
    if (fail->thread >= 0) o << " (thread T" << fail->thread << ")";
    if (!fail->location.empty()) o << " at " << fail->location;
    o << " in execution " << fail->execution;
  }
  return o.str();
}

}  // namespace chk
