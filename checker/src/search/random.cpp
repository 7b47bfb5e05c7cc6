// Random search: `iterations` independent executions, every choice uniformly random (from `seed`).
#include <bit>
#include <memory>
#include <random>
#include <string>

#include "engine.h"
#include "search/strategy.h"
#include "util.h"

namespace chk {

class random_search final : public sampling_search {
 public:
  random_search(engine& e, const options& o) : sampling_search(e, o.iterations), seed_(o.seed), rng_(o.seed) {}

  std::string bounds() const override {
    return "random: " + std::to_string(iterations_) + " executions, seed " + std::to_string(seed_);
  }

  int pick_thread(choice& c, std::size_t) override {
    return nth_member(c.enabled, static_cast<unsigned>(rng_() % static_cast<std::uint64_t>(std::popcount(c.enabled))));
  }
  int pick_value(choice& c, std::size_t) override {
    return static_cast<int>(rng_() % static_cast<std::uint64_t>(c.nvalues));
  }

 private:
  std::uint64_t seed_;
  std::mt19937_64 rng_;
};

std::unique_ptr<strategy> make_random(engine& e, const options& o) { return std::make_unique<random_search>(e, o); }

}  // namespace chk
