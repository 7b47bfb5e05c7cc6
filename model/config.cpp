#include "model/config.h"

#include <iterator>

namespace iowq {

namespace {

constexpr mutant_info k_mutants[] = {
#define IOWQ_MUTANT_INFO(name, ports, property, description, history) {M::name, #name, description, property, history},
    IOWQ_MUTANTS(IOWQ_MUTANT_INFO)
#undef IOWQ_MUTANT_INFO
};
static_assert(std::size(k_mutants) == static_cast<std::size_t>(M::count_));

thread_local config g_config;

}  // namespace

std::span<const mutant_info> all_mutants() { return k_mutants; }

const mutant_info& info(M m) { return k_mutants[static_cast<std::size_t>(m)]; }

std::optional<M> mutant_by_name(std::string_view name) {
  for (const mutant_info& i : k_mutants)
    if (name == i.name) return i.id;
  return std::nullopt;
}

void configure(const config& c) {
  g_config = c;
  kern::environment e = c.env;
  if (mutant(M::wake_no_running)) e.wake_no_running = true;
  kern::set_environment(e);
}

const config& current_config() { return g_config; }

variant_reads& reads_of_variant() {
  thread_local variant_reads r;
  return r;
}

}  // namespace iowq
