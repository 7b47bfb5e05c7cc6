// A loaded tree as a variant: wq_ops (model/wq_ops.h) over the compiled io-wq.c, the io_uring
// side's callbacks mapped between work item indices and the C struct io_wq_work, and the facade's
// scheduler hooks routed to the tree's io_wq_worker_sleeping/io_wq_worker_running.
#include <cstdint>
#include <memory>
#include <vector>

#include "model/kernel/kernel.h"
#include "model/wq_ops.h"
#include "realsrc/known.h"
#include "realsrc/loader.h"
#include "realsrc/shim.h"

namespace realsrc {
namespace {

struct instance;

struct item {
  io_wq_work w{};  // zeroed: a valid facade atomic_t in place
  int index = -1;
};

struct instance {
  const loaded_tree* t = nullptr;
  io_wq* wq = nullptr;
  io_wq_hash* hash = nullptr;
  bool own_hash = true;  // allocated by create, dropped by put_and_exit
  const iowq::wq_callbacks* cb = nullptr;
  std::vector<std::unique_ptr<item>> items;
};

item* item_of(io_wq_work* w) { return reinterpret_cast<item*>(reinterpret_cast<char*>(w) - offsetof(item, w)); }

// The tree whose workers run in this execution (the facade's scheduler hooks are global).
thread_local const loaded_tree* g_hooks_tree = nullptr;

void sleeping(kern::task_struct* t) { g_hooks_tree->worker_sleeping(c_task(t)); }
void running(kern::task_struct* t) { g_hooks_tree->worker_running(c_task(t)); }

void submit(void* ctx, io_wq_work* w) { static_cast<instance*>(ctx)->cb->do_work(item_of(w)->index); }
io_wq_work* free_work(void* ctx, io_wq_work* w) {
  auto* in = static_cast<instance*>(ctx);
  const int linked = in->cb->free_work(item_of(w)->index);
  return linked >= 0 ? &in->items[static_cast<std::size_t>(linked)]->w : nullptr;
}
int worker_acct(void* ctx, void* worker) { return static_cast<instance*>(ctx)->t->worker_acct(worker); }

bool match_item(io_wq_work* w, void* data) { return w == data; }
bool match_any(io_wq_work*, void*) { return true; }

iowq::wq_view to_view(const kenv_wq_view& k) {
  iowq::wq_view v{.exit = k.exit,
                  .exit_on_idle = k.exit_on_idle,
                  .worker_refs = k.worker_refs,
                  .worker_done = k.worker_done,
                  .threads_started = k.threads_started,
                  .threads_exited = k.threads_exited,
                  .free_list_len = k.free_list_len,
                  .all_list_len = k.all_list_len,
                  .acct = {}};
  for (int i = 0; i < 2; ++i) {
    const auto& a = k.acct[i];
    v.acct[i] = {.nr_workers = a.nr_workers,
                 .max_workers = a.max_workers,
                 .nr_running = a.nr_running,
                 .pending = a.pending,
                 .live_threads = a.live_threads,
                 .stalled = a.stalled};
  }
  return v;
}

constexpr int max_trees = 8;
const loaded_tree* g_trees[max_trees];
iowq::wq_ops g_ops[max_trees];
int g_ntrees = 0;

// wq_ops has no context pointer: one set of functions per slot.
template <int S>
iowq::wq_ops make_ops(const loaded_tree& t) {
  iowq::wq_ops o{};
  o.base = t.version.c_str();
  o.nr_workers_lock = t.features.workers_lock ? "acct->workers_lock" : "wq->lock";
  // The tree's io-wq.c is compiled unmodified: it places no mutant.
  o.unsupported_mutants = ~std::uint64_t{0};
  o.create = [](unsigned bounded, const iowq::wq_callbacks* cb, void* hash) -> void* {
    const loaded_tree* tree = g_trees[S];
    if (iowq::current_config().mutants != 0)
      kern::be::fail("unsupported", "a kernel tree's io-wq.c places no mutant", chk::srcloc::current());
    auto* in = new instance;
    kern::be::at_execution_end([in] { delete in; });
    in->t = tree;
    in->cb = cb;
    set_request_side({&submit, &free_work, &worker_acct, in});
    g_hooks_tree = tree;
    kern::set_io_worker_sched_hooks(&sleeping, &running);
    in->own_hash = hash == nullptr;
    in->hash = hash ? static_cast<io_wq_hash*>(hash) : tree->hash_alloc();
    in->wq = tree->create(bounded, in->hash);
    return in->wq ? in : nullptr;
  };
  o.make_work = [](void* h, int index, unsigned flags, int hash_key) -> void* {
    auto* in = static_cast<instance*>(h);
    const auto i = static_cast<std::size_t>(index);
    if (in->items.size() <= i) in->items.resize(i + 1);
    in->items[i] = std::make_unique<item>();
    item* it = in->items[i].get();
    it->index = index;
    in->t->work_init(&it->w, flags);
    if (hash_key > 0) in->t->hash_work(&it->w, reinterpret_cast<void*>(static_cast<std::uintptr_t>(hash_key)));
    return it;
  };
  o.work_cancelled = [](void* w) -> bool { return g_trees[S]->work_cancelled(&static_cast<item*>(w)->w); };
  o.enqueue = [](void* h, void* w) {
    auto* in = static_cast<instance*>(h);
    in->t->enqueue(in->wq, &static_cast<item*>(w)->w);
  };
  o.exit_start = [](void* h) {
    auto* in = static_cast<instance*>(h);
    in->t->exit_start(in->wq);
  };
  o.put_and_exit = [](void* h) {
    auto* in = static_cast<instance*>(h);
    in->t->put_and_exit(in->wq);
    if (in->own_hash) in->t->put_hash(in->hash);
  };
  o.hash_alloc = []() -> void* { return g_trees[S]->hash_alloc(); };
  o.hash_put = [](void* hash) { g_trees[S]->put_hash(static_cast<io_wq_hash*>(hash)); };
  if (t.features.exit_on_idle)
    o.set_exit_on_idle = [](void* h, bool enable) {
      auto* in = static_cast<instance*>(h);
      in->t->set_exit_on_idle(in->wq, enable);
    };
  o.cancel = [](void* h, int index, bool cancel_all) {
    auto* in = static_cast<instance*>(h);
    const int r =
        index < 0 ? in->t->cancel_cb(in->wq, &match_any, nullptr, cancel_all)
                  : in->t->cancel_cb(in->wq, &match_item, &in->items[static_cast<std::size_t>(index)]->w, cancel_all);
    return static_cast<iowq::io_wq_cancel>(r);
  };
  o.peek = [](const void* h) {
    auto* in = static_cast<const instance*>(h);
    kenv_wq_view k{};
    in->t->peek(in->wq, &k);
    return to_view(k);
  };
  o.accounting_locks = [](void* h, kern::raw_spinlock_t** locks) {
    auto* in = static_cast<instance*>(h);
    raw_spinlock_t* c[2] = {nullptr, nullptr};
    const int n = in->t->accounting_locks(in->wq, c);
    for (int i = 0; i < n; ++i) locks[i] = facade_lock(c[i]);
    return n;
  };
  return o;
}

template <int... S>
iowq::wq_ops ops_for_slot(int s, const loaded_tree& t, std::integer_sequence<int, S...>) {
  iowq::wq_ops o{};
  ((s == S ? (void)(o = make_ops<S>(t)) : (void)0), ...);
  return o;
}

}  // namespace

iowq::variant register_tree(const std::string& dir, const std::vector<std::string>& patches, std::FILE* log) {
  const loaded_tree& t = load_tree(dir, patches, log);
  for (auto v : iowq::all_variants())
    if (iowq::info(v).name == t.name) return v;
  if (g_ntrees == max_trees) throw tree_error("at most 8 kernel trees in one run", 2);
  const int s = g_ntrees++;
  g_trees[s] = &t;
  g_ops[s] = ops_for_slot(s, t, std::make_integer_sequence<int, max_trees>{});
  iowq::variant_info i;
  i.name = t.name;
  i.summary = "the real io_uring/io-wq.c of " + t.dir + (t.patches.empty() ? "" : " with its patches") +
              ", compiled unmodified (io-wq.c sha256 " + t.io_wq_sha256.substr(0, 12) + ")";
  i.base = t.version;
  i.ops = &g_ops[s];
  i.exit_on_idle = t.features.exit_on_idle;
  i.patches = t.patches;
  i.replay_labels["kernel_src"] = t.dir;
  std::string ps;
  for (const auto& p : t.patches) ps += (ps.empty() ? "" : "\n") + p;
  i.replay_labels["patches"] = ps;
  i.replay_labels["io_wq_sha256"] = t.io_wq_sha256;
  const known_tree* k = known_answers(t.io_wq_sha256);
  i.summary += k ? "; known answers: " + k->what : "; no known answers: every violation is reported as new";
  i.expected = [k](const std::string& scenario) {
    std::vector<std::string> out;
    if (k)
      for (const auto& v : k->violations)
        if (v.scenario == scenario) out.push_back(v.property);
    return out;
  };
  i.note = [k](const std::string& scenario, const std::string& property) {
    if (k)
      for (const auto& v : k->violations)
        if (v.scenario == scenario && v.property == property) return v.why;
    return std::string();
  };
  return iowq::register_variant(std::move(i));
}

}  // namespace realsrc
