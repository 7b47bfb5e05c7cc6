// The variants: one table of everything that tells them apart, and the run-time registry that
// real-source mode (realsrc/) adds its variants to.
#include <deque>
#include <mutex>

#include "model/config.h"
#include "model/wq_ops.h"

namespace iowq {

namespace {

unsigned bit(fix f) { return 1u << static_cast<unsigned>(f); }

std::deque<variant_info> build() {
  std::deque<variant_info> t;
  auto add = [&t](variant id, const char* name, const char* summary, const char* base, const wq_ops& ops, bool eoi,
                  unsigned fixes) {
    variant_info i;
    i.id = id;
    i.name = name;
    i.summary = summary;
    i.base = base;
    i.ops = &ops;
    i.exit_on_idle = eoi;
    i.fixes = fixes;
    // The fix variants are built on the port's variant without fixes.
    i.from = fixes ? variant::upstream : id;
    t.push_back(std::move(i));
  };
  const unsigned all = bit(fix::count_) - 1;  // every fix of the 6.19 port
  add(variant::baseline, "baseline", "Linux 6.14 io-wq, before the patch (no exit-on-idle)", "6.14", ops_6_14(), false,
      0);
  add(variant::v1, "v1", "the seed as posted: its own exit-on-idle block before the last_timeout test", "6.14",
      ops_6_14(), true, 0);
  add(variant::merged, "merged", "the upstream placement on 6.14: the test folded into the last_timeout condition",
      "6.14", ops_6_14(), true, 0);
  add(variant::upstream, "upstream", "today's io-wq (6.19 stable) with exit-on-idle merged", "6.19", ops_upstream(),
      true, 0);
  add(variant::upstream_fix_strand, "upstream-fix-strand",
      "upstream with the fix for F1 (work stranded by a leaving worker)", "6.19", ops_upstream(), true,
      bit(fix::strand));
  add(variant::upstream_fix_wrap, "upstream-fix-wrap", "upstream with the fix for F2 (nr_workers wrapping below zero)",
      "6.19", ops_upstream(), true, bit(fix::wrap));
  add(variant::upstream_fix_tw_uaf, "upstream-fix-tw-uaf",
      "upstream with the fix for F4 (io_wq_cancel_tw_create reading a freed worker)", "6.19", ops_upstream(), true,
      bit(fix::tw_uaf));
  add(variant::upstream_fix_hash_defer, "upstream-fix-hash-defer",
      "upstream with io_wq_hash_defer deferring only for the running chain", "6.19", ops_upstream(), true,
      bit(fix::hash_defer));
  add(variant::upstream_fixed, "upstream-fixed", "upstream with all its fixes (F1, F2, F4, F5 and F6)", "6.19",
      ops_upstream(), true, all);
  return t;
}

// Built-in variants first (index = id), registered ones after; a deque keeps references stable.
struct registry {
  std::mutex m;
  std::deque<variant_info> table = build();
  std::size_t builtins = table.size();
};

registry& reg() {
  static registry r;
  return r;
}

std::size_t index_of(variant v) {
  const auto id = static_cast<std::size_t>(v);
  const std::size_t first = static_cast<std::size_t>(variant::first_registered_);
  return id >= first ? reg().builtins + (id - first) : id;
}

}  // namespace

const variant_info& info(variant v) {
  registry& r = reg();
  const std::size_t i = index_of(v);
  static const variant_info unknown = [] {
    variant_info u;
    u.name = "?";
    return u;
  }();
  return i < r.table.size() ? r.table[i] : unknown;
}

const char* to_string(variant v) { return info(v).name.c_str(); }

bool has_fix(variant v, fix f) { return (info(v).fixes & bit(f)) != 0; }

std::vector<variant> builtin_variants() {
  std::vector<variant> out;
  for (std::size_t i = 0; i < reg().builtins; ++i) out.push_back(reg().table[i].id);
  return out;
}

std::vector<variant> all_variants() {
  std::vector<variant> out;
  for (const variant_info& i : reg().table) out.push_back(i.id);
  return out;
}

std::optional<variant> variant_by_name(std::string_view name) {
  for (const variant_info& i : reg().table)
    if (name == i.name) return i.id;
  return std::nullopt;
}

variant register_variant(variant_info i) {
  registry& r = reg();
  std::lock_guard<std::mutex> g(r.m);
  const std::size_t n = r.table.size() - r.builtins;
  i.id = static_cast<variant>(static_cast<std::size_t>(variant::first_registered_) + n);
  r.table.push_back(std::move(i));
  return r.table.back().id;
}

const wq_ops& ops_for(variant v) { return *info(v).ops; }

}  // namespace iowq
