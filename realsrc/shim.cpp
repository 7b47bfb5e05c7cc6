// The shim: the kernel environment's C functions (realsrc/include/kenv.h), each running the
// kernel facade's own implementation (model/kernel/kernel.cpp) on the object the C code handed in.
//
// Opaque environment types (atomic_t, refcount_t, spinlocks, list heads, hlist_nulls, completions)
// hold the facade's object in place: the C code reserved room for it (kenv_layout.h), zeroed memory
// is a valid facade object, and the static_asserts below check that the C structs that embed them
// (wait queues, work items) have the facade's layout. Plain words used with bit operations or
// READ_ONCE/WRITE_ONCE are visible steps through chk/shadow.h. task_struct and callback_head have
// members the C code uses itself; the facade's task and task_work item live beside them and stand
// for the same memory (object::home), so a use after free is seen on either.
#include "realsrc/shim.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "chk/shadow.h"
#define KENV_DECLS_ONLY
#include "model/config.h"
#include "realsrc/include/kenv.h"
#include "realsrc/include/kenv_wrapper.h"

namespace {

using kern::srcloc;

static_assert(sizeof(atomic_t) == sizeof(kern::atomic_t) && alignof(atomic_t) == alignof(kern::atomic_t));
static_assert(sizeof(refcount_t) == sizeof(kern::refcount_t));
static_assert(sizeof(raw_spinlock_t) == sizeof(kern::raw_spinlock_t));
static_assert(sizeof(list_head) == sizeof(kern::list_head));
static_assert(sizeof(hlist_nulls_head) == sizeof(kern::hlist_nulls_head));
static_assert(sizeof(hlist_nulls_node) == sizeof(kern::hlist_nulls_node));
static_assert(sizeof(completion) == sizeof(kern::completion));
static_assert(sizeof(wait_queue_head) == sizeof(kern::wait_queue_head) &&
              offsetof(wait_queue_head, lock) == offsetof(kern::wait_queue_head, lock) &&
              offsetof(wait_queue_head, head) == offsetof(kern::wait_queue_head, head));
static_assert(sizeof(wait_queue_entry) == sizeof(kern::wait_queue_entry) &&
              offsetof(wait_queue_entry, flags) == offsetof(kern::wait_queue_entry, flags) &&
              offsetof(wait_queue_entry, func) == offsetof(kern::wait_queue_entry, func) &&
              offsetof(wait_queue_entry, entry) == offsetof(kern::wait_queue_entry, entry));
static_assert(sizeof(work_struct) == sizeof(kern::work_struct) && offsetof(work_struct, func) == 0);
static_assert(sizeof(delayed_work) == sizeof(kern::delayed_work));

template <class K, class C>
K* K_(C* c) {
  return reinterpret_cast<K*>(c);
}
kern::atomic_t* K(atomic_t* a) { return K_<kern::atomic_t>(a); }
const kern::atomic_t* K(const atomic_t* a) { return reinterpret_cast<const kern::atomic_t*>(a); }
kern::refcount_t* K(refcount_t* r) { return K_<kern::refcount_t>(r); }
kern::raw_spinlock_t* K(raw_spinlock_t* l) { return K_<kern::raw_spinlock_t>(l); }
kern::list_head* K(list_head* l) { return K_<kern::list_head>(l); }
kern::hlist_nulls_head* K(hlist_nulls_head* h) { return K_<kern::hlist_nulls_head>(h); }
kern::hlist_nulls_node* K(hlist_nulls_node* n) { return K_<kern::hlist_nulls_node>(n); }
kern::completion* K(completion* x) { return K_<kern::completion>(x); }
kern::wait_queue_head* K(wait_queue_head* h) { return K_<kern::wait_queue_head>(h); }
kern::wait_queue_entry* K(wait_queue_entry* e) { return K_<kern::wait_queue_entry>(e); }

// The C code's file names are given relative to the compile directory (-fmacro-prefix-map).
srcloc at(const char* file, int line, const char* func) {
  return srcloc::current(file, static_cast<unsigned>(line), func);
}

// "&acct->nr_running" -> "acct->nr_running": names for traces come from the C expression.
const char* name_of(const char* what) { return what && what[0] == '&' ? what + 1 : what; }

// The task_work item the facade queues for a C callback_head.
struct shadow_cb {
  kern::callback_head k;
  callback_head* c = nullptr;
};

struct io_thread_start {
  int (*fn)(void*) = nullptr;
  void* arg = nullptr;
};

// State of the current execution, dropped when it ends.
struct exec_state {
  std::unordered_map<const void*, std::size_t> sizes;  // kzalloc'd blocks
  std::unordered_map<callback_head*, std::unique_ptr<shadow_cb>> cbs;
  std::vector<std::unique_ptr<io_thread_start>> starts;
  realsrc::request_side req;
  int live[2] = {0, 0};
  int started = 0;
  int exited = 0;
};

thread_local exec_state* g_exec = nullptr;

exec_state& ex() {
  if (!g_exec) {
    g_exec = new exec_state;
    kern::be::at_execution_end([] {
      delete g_exec;
      g_exec = nullptr;
    });
  }
  return *g_exec;
}

void* c_alloc(std::size_t n) {
  void* p = std::calloc(1, n);
  if (!p) std::abort();
  kern::be::at_execution_end([p] { std::free(p); });
  return p;
}

shadow_cb& shadow(callback_head* c) {
  auto& slot = ex().cbs[c];
  if (!slot) {
    slot = std::make_unique<shadow_cb>();
    slot->c = c;
    // The facade's item stands for the C item's memory: freeing the io_worker that holds it
    // conflicts with the facade's accesses to it, and touching it afterwards is a use after free.
    slot->k.next.set_home(&c->next);
    slot->k.next.set_name("callback_head.next");
    slot->k.func.set_home(&c->func);
    slot->k.func.set_name("callback_head.func");
  }
  return *slot;
}

callback_head* c_of(kern::callback_head* k) {
  return k ? reinterpret_cast<shadow_cb*>(reinterpret_cast<char*>(k) - offsetof(shadow_cb, k))->c : nullptr;
}

// task_work_run() reads work->func and calls it: the read is of the C item's member.
void run_c_callback(kern::callback_head* k) {
  callback_head* c = c_of(k);
  chk::raw_access(&c->func, sizeof(c->func), false, srcloc{}, "callback_head.func");
  c->func(c);
}

std::uint64_t or_fn(std::uint64_t old, std::uint64_t arg) { return old | arg; }
std::uint64_t andnot_fn(std::uint64_t old, std::uint64_t arg) { return old & ~arg; }

int io_thread_main(void* p) {
  auto* s = static_cast<io_thread_start*>(p);
  exec_state& e = ex();
  const int acct = e.req.worker_acct ? e.req.worker_acct(e.req.ctx, s->arg) : 0;
  e.live[acct & 1]++;
  e.started++;
  // The task leaves through do_exit() (which ends the thread without unwinding the C frames) or by
  // returning: either way kern::task_struct::on_exit counts it out.
  kern::task_struct* self = kern::current();
  self->on_exit_arg = acct;
  self->on_exit = [](kern::task_struct* t) {
    exec_state& x = ex();
    x.live[t->on_exit_arg & 1]--;
    x.exited++;
  };
  return s->fn(s->arg);
}

}  // namespace

unsigned long sysctl_hung_task_timeout_secs = 120;

namespace realsrc {

task_struct* c_task(kern::task_struct* t) {
  if (!t) return nullptr;
  if (!t->user) {
    auto* c = static_cast<task_struct*>(c_alloc(sizeof(task_struct)));
    c->pid = t->id + 1;
    c->flags = t->flags;
    c->__kenv = t;
    std::strncpy(c->comm, t->comm, sizeof(c->comm) - 1);
    t->user = c;
  }
  return static_cast<task_struct*>(t->user);
}

kern::task_struct* k_task(task_struct* t) { return t ? static_cast<kern::task_struct*>(t->__kenv) : nullptr; }

void set_request_side(const request_side& r) { ex().req = r; }

kern::raw_spinlock_t* facade_lock(raw_spinlock_t* l) { return K(l); }

}  // namespace realsrc

extern "C" {

// ---- checks and messages ------------------------------------------------------------------------

bool kenv_warn(bool cond, const char* what, KENV_LOC) {
  if (cond) kern::be::fail("warn", std::string("WARN_ON_ONCE(") + what + ")", at(kenv_file, kenv_line, kenv_func));
  return cond;
}

void kenv_note(const char* text) { kern::note(text); }

// ---- marked accesses ------------------------------------------------------------------------------

unsigned long kenv_read_once(const void* p, unsigned size, const char* what, KENV_LOC) {
  return chk::raw_load(p, size, std::memory_order_relaxed, chk::all_cells, at(kenv_file, kenv_line, kenv_func),
                       "READ_ONCE", what);
}

void kenv_write_once(void* p, unsigned size, unsigned long v, const char* what, KENV_LOC) {
  chk::raw_store(p, size, v, std::memory_order_relaxed, chk::all_cells, at(kenv_file, kenv_line, kenv_func),
                 "WRITE_ONCE", what);
}

void kenv_smp_mb(KENV_LOC) {
  (void)kenv_file, (void)kenv_line, (void)kenv_func;
  kern::smp_mb();
}

// ---- atomic_t, refcount_t -------------------------------------------------------------------------

void kenv_atomic_set(atomic_t* v, int i, const char* what, KENV_LOC) {
  kern::set_name(K(v), name_of(what));
  kern::atomic_set(K(v), i, at(kenv_file, kenv_line, kenv_func));
}
int kenv_atomic_read(const atomic_t* v, KENV_LOC) {
  return kern::atomic_read(K(v), at(kenv_file, kenv_line, kenv_func));
}
void kenv_atomic_add(atomic_t* v, int i, KENV_LOC) {
  if (i == 1)
    kern::atomic_inc(K(v), at(kenv_file, kenv_line, kenv_func));
  else if (i == -1)
    kern::atomic_dec(K(v), at(kenv_file, kenv_line, kenv_func));
  else
    K(v)->counter.fetch_add(i, kern::memory_order_relaxed, at(kenv_file, kenv_line, kenv_func), "atomic_add");
}
void kenv_atomic_or(atomic_t* v, int i, KENV_LOC) { kern::atomic_or(i, K(v), at(kenv_file, kenv_line, kenv_func)); }
bool kenv_atomic_dec_and_test(atomic_t* v, KENV_LOC) {
  return kern::atomic_dec_and_test(K(v), at(kenv_file, kenv_line, kenv_func));
}
int kenv_atomic_add_return(atomic_t* v, int i, KENV_LOC) {
  return i == 1 ? kern::atomic_inc_return(K(v), at(kenv_file, kenv_line, kenv_func))
                : kern::atomic_dec_return(K(v), at(kenv_file, kenv_line, kenv_func));
}

void kenv_refcount_set(refcount_t* r, int n, const char* what, KENV_LOC) {
  kern::set_name(K(r), name_of(what));
  kern::refcount_set(K(r), n, at(kenv_file, kenv_line, kenv_func));
}
int kenv_refcount_read(const refcount_t* r, KENV_LOC) {
  return kern::refcount_read(reinterpret_cast<const kern::refcount_t*>(r), at(kenv_file, kenv_line, kenv_func));
}
void kenv_refcount_inc(refcount_t* r, KENV_LOC) { kern::refcount_inc(K(r), at(kenv_file, kenv_line, kenv_func)); }
bool kenv_refcount_inc_not_zero(refcount_t* r, KENV_LOC) {
  return kern::refcount_inc_not_zero(K(r), at(kenv_file, kenv_line, kenv_func));
}
bool kenv_refcount_dec_and_test(refcount_t* r, KENV_LOC) {
  return kern::refcount_dec_and_test(K(r), at(kenv_file, kenv_line, kenv_func));
}

// ---- bit operations: the facade's orderings (kernel.h), on the C word --------------------------------

bool kenv_test_bit(unsigned nr, const volatile unsigned long* addr, const char* what, KENV_LOC) {
  const void* p = const_cast<const unsigned long*>(addr);
  return (chk::raw_load(p, sizeof(long), std::memory_order_relaxed, chk::cell_of_bit(nr),
                        at(kenv_file, kenv_line, kenv_func), "test_bit", name_of(what)) >>
          nr) &
         1;
}
void kenv_set_bit(unsigned nr, volatile unsigned long* addr, const char* what, KENV_LOC) {
  chk::raw_rmw(const_cast<unsigned long*>(addr), sizeof(long), &or_fn, 1UL << nr, std::memory_order_relaxed,
               chk::cell_of_bit(nr), at(kenv_file, kenv_line, kenv_func), "set_bit", name_of(what));
}
void kenv_clear_bit(unsigned nr, volatile unsigned long* addr, const char* what, KENV_LOC) {
  chk::raw_rmw(const_cast<unsigned long*>(addr), sizeof(long), &andnot_fn, 1UL << nr, std::memory_order_relaxed,
               chk::cell_of_bit(nr), at(kenv_file, kenv_line, kenv_func), "clear_bit", name_of(what));
}
bool kenv_test_and_set_bit(unsigned nr, volatile unsigned long* addr, const char* what, KENV_LOC) {
  return (chk::raw_rmw(const_cast<unsigned long*>(addr), sizeof(long), &or_fn, 1UL << nr, std::memory_order_seq_cst,
                       chk::cell_of_bit(nr), at(kenv_file, kenv_line, kenv_func), "test_and_set_bit", name_of(what)) >>
          nr) &
         1;
}
bool kenv_test_and_clear_bit(unsigned nr, volatile unsigned long* addr, const char* what, KENV_LOC) {
  return (chk::raw_rmw(const_cast<unsigned long*>(addr), sizeof(long), &andnot_fn, 1UL << nr, std::memory_order_seq_cst,
                       chk::cell_of_bit(nr), at(kenv_file, kenv_line, kenv_func), "test_and_clear_bit",
                       name_of(what)) >>
          nr) &
         1;
}
bool kenv_test_and_set_bit_lock(unsigned nr, volatile unsigned long* addr, const char* what, KENV_LOC) {
  return (chk::raw_rmw(const_cast<unsigned long*>(addr), sizeof(long), &or_fn, 1UL << nr, std::memory_order_acquire,
                       chk::cell_of_bit(nr), at(kenv_file, kenv_line, kenv_func), "test_and_set_bit_lock",
                       name_of(what)) >>
          nr) &
         1;
}
void kenv_clear_bit_unlock(unsigned nr, volatile unsigned long* addr, const char* what, KENV_LOC) {
  chk::raw_rmw(const_cast<unsigned long*>(addr), sizeof(long), &andnot_fn, 1UL << nr, std::memory_order_release,
               chk::cell_of_bit(nr), at(kenv_file, kenv_line, kenv_func), "clear_bit_unlock", name_of(what));
}
unsigned long kenv_set_mask_bits(volatile unsigned long* addr, unsigned long mask, unsigned long bits, const char* what,
                                 KENV_LOC) {
  unsigned cells = 0;
  for (unsigned nr = 0; nr < 64; ++nr)
    if ((mask | bits) >> nr & 1) cells |= chk::cell_of_bit(nr);
  struct arg {
    unsigned long mask, bits;
  };
  // One fully ordered cmpxchg of the word: (word & ~mask) | bits.
  static thread_local arg a;
  a = {mask, bits};
  return chk::raw_rmw(
      const_cast<unsigned long*>(addr), sizeof(long),
      [](std::uint64_t old, std::uint64_t) -> std::uint64_t { return (old & ~a.mask) | a.bits; }, 0,
      std::memory_order_seq_cst, cells, at(kenv_file, kenv_line, kenv_func), "set_mask_bits", name_of(what));
}

// ---- spinlocks --------------------------------------------------------------------------------------

void kenv_spin_lock_init(raw_spinlock_t* l, const char* what, KENV_LOC) {
  (void)kenv_file, (void)kenv_line, (void)kenv_func;
  kern::raw_spin_lock_init(K(l), name_of(what));
}
void kenv_spin_lock(raw_spinlock_t* l, KENV_LOC) { kern::raw_spin_lock(K(l), at(kenv_file, kenv_line, kenv_func)); }
void kenv_spin_unlock(raw_spinlock_t* l, KENV_LOC) { kern::raw_spin_unlock(K(l), at(kenv_file, kenv_line, kenv_func)); }
void kenv_lockdep_assert_held(const raw_spinlock_t* l, KENV_LOC) {
  kern::lockdep_assert_held(reinterpret_cast<const kern::raw_spinlock_t*>(l), at(kenv_file, kenv_line, kenv_func));
}

// ---- RCU and memory -----------------------------------------------------------------------------------

void kenv_rcu_read_lock(void) { kern::rcu_read_lock(); }
void kenv_rcu_read_unlock(void) { kern::rcu_read_unlock(); }

void* kenv_kzalloc(size_t size, gfp_t gfp, const char* what, KENV_LOC) {
  (void)what;
  if (!(gfp & KENV_GFP_NOFAIL) && kern::kzalloc_should_fail(at(kenv_file, kenv_line, kenv_func))) return nullptr;
  void* p = c_alloc(size);
  ex().sizes[p] = size;
  return p;
}

void kenv_kfree(const void* p, KENV_LOC) {
  if (!p) return;
  auto it = ex().sizes.find(p);
  if (it == ex().sizes.end())
    kern::be::fail("warn", "kfree of memory kzalloc did not return", at(kenv_file, kenv_line, kenv_func));
  kern::be::free_now(p, it->second, at(kenv_file, kenv_line, kenv_func));
}

void kenv_kfree_rcu(const void* p, KENV_LOC) {
  auto it = ex().sizes.find(p);
  if (it == ex().sizes.end())
    kern::be::fail("warn", "kfree_rcu of memory kzalloc did not return", at(kenv_file, kenv_line, kenv_func));
  kern::be::free_rcu(p, it->second, at(kenv_file, kenv_line, kenv_func));
}

// ---- tasks ----------------------------------------------------------------------------------------------

task_struct* kenv_current(void) {
  kern::task_struct* k = kern::current();
  task_struct* c = realsrc::c_task(k);
  c->flags = k->flags;  // PF_* as the facade keeps them
  return c;
}

void kenv_set_current_state(unsigned state, bool barrier, KENV_LOC) {
  if (barrier)
    kern::set_current_state(state, at(kenv_file, kenv_line, kenv_func));
  else
    kern::__set_current_state(state, at(kenv_file, kenv_line, kenv_func));
}
void kenv_schedule(KENV_LOC) { kern::schedule(at(kenv_file, kenv_line, kenv_func)); }
long kenv_schedule_timeout(long timeout, KENV_LOC) {
  return kern::schedule_timeout(timeout, at(kenv_file, kenv_line, kenv_func));
}
bool kenv_wake_up_process(task_struct* t, KENV_LOC) {
  return kern::wake_up_process(realsrc::k_task(t), at(kenv_file, kenv_line, kenv_func));
}
void kenv_wake_up_new_task(task_struct* t, KENV_LOC) {
  kern::wake_up_new_task(realsrc::k_task(t), at(kenv_file, kenv_line, kenv_func));
}

task_struct* kenv_create_io_thread(int (*fn)(void*), void* arg, int node, KENV_LOC) {
  auto& start = ex().starts.emplace_back(std::make_unique<io_thread_start>());
  start->fn = fn;
  start->arg = arg;
  kern::task_struct* t =
      kern::create_io_thread(&io_thread_main, start.get(), node, at(kenv_file, kenv_line, kenv_func));
  if (kern::IS_ERR(t)) return static_cast<task_struct*>(static_cast<void*>(t));
  return realsrc::c_task(t);
}

void kenv_do_exit(long code, KENV_LOC) { kern::do_exit(code, at(kenv_file, kenv_line, kenv_func)); }

void kenv_set_task_comm(task_struct* t, const char* name) {
  std::strncpy(t->comm, name, sizeof(t->comm) - 1);
  t->comm[sizeof(t->comm) - 1] = 0;
}

unsigned long kenv_task_rlimit(task_struct*, int) { return iowq::current_config().rlimit_nproc; }

bool kenv_signal_pending(task_struct* t, KENV_LOC) {
  return kern::signal_pending(realsrc::k_task(t), at(kenv_file, kenv_line, kenv_func));
}
bool kenv_fatal_signal_pending(task_struct* t, KENV_LOC) {
  return kern::fatal_signal_pending(realsrc::k_task(t), at(kenv_file, kenv_line, kenv_func));
}
bool kenv_get_signal(ksignal* ksig, KENV_LOC) {
  kern::ksignal k;
  const bool r = kern::get_signal(&k, at(kenv_file, kenv_line, kenv_func));
  ksig->sig = k.sig;
  return r;
}
bool kenv_set_notify_signal(task_struct* t, KENV_LOC) {
  return kern::__set_notify_signal(realsrc::k_task(t), at(kenv_file, kenv_line, kenv_func));
}
bool kenv_test_thread_flag(unsigned flag, KENV_LOC) {
  return kern::test_thread_flag(flag, at(kenv_file, kenv_line, kenv_func));
}

bool kenv_cpumask_test_cpu(int, const cpumask*, KENV_LOC) {
  // As the ports: whether an idle-timed-out worker finds its CPU outside its affinity (exit_mask)
  // is an explored choice when the configuration asks for it, else it is inside.
  return !(iowq::current_config().nondet_exit_mask && kern::nondet(2, at(kenv_file, kenv_line, kenv_func)) == 1);
}

// ---- task_work -----------------------------------------------------------------------------------------

void kenv_init_task_work(callback_head* twork, task_work_func_t func, KENV_LOC) {
  const srcloc loc = at(kenv_file, kenv_line, kenv_func);
  chk::raw_access(&twork->func, sizeof(twork->func), true, loc, "callback_head.func");
  twork->func = func;
  kern::init_task_work(&shadow(twork).k, &run_c_callback, loc);
}

int kenv_task_work_add(task_struct* t, callback_head* twork, task_work_notify_mode mode, KENV_LOC) {
  return kern::task_work_add(realsrc::k_task(t), &shadow(twork).k, static_cast<kern::task_work_notify_mode>(mode),
                             at(kenv_file, kenv_line, kenv_func));
}

callback_head* kenv_task_work_cancel_match(task_struct* t, bool (*match)(callback_head*, void*), void* data, KENV_LOC) {
  struct ctx {
    bool (*match)(callback_head*, void*);
    void* data;
  } c{match, data};
  kern::callback_head* k = kern::task_work_cancel_match(
      realsrc::k_task(t),
      [](kern::callback_head* cb, void* p) {
        // Only the C code's own items: the owner's list also holds the scenario's (io_tctx_exit_cb).
        if (cb->func.peek() != &run_c_callback) return false;
        auto* cc = static_cast<ctx*>(p);
        return cc->match(c_of(cb), cc->data);
      },
      &c, at(kenv_file, kenv_line, kenv_func));
  return c_of(k);
}

bool kenv_io_run_task_work(KENV_LOC) { return kern::io_run_task_work(at(kenv_file, kenv_line, kenv_func)); }

// ---- completions and wait queues ---------------------------------------------------------------------

void kenv_init_completion(completion* x, const char* what, KENV_LOC) {
  (void)kenv_file, (void)kenv_line, (void)kenv_func;
  kern::init_completion(K(x), name_of(what));
}
void kenv_complete(completion* x, KENV_LOC) { kern::complete(K(x), at(kenv_file, kenv_line, kenv_func)); }
void kenv_wait_for_completion(completion* x, KENV_LOC) {
  kern::wait_for_completion(K(x), at(kenv_file, kenv_line, kenv_func));
}

void kenv_init_waitqueue_head(wait_queue_head* h, const char* what, KENV_LOC) {
  kern::init_waitqueue_head(K(h), name_of(what), at(kenv_file, kenv_line, kenv_func));
}
void kenv_add_wait_queue(wait_queue_head* h, wait_queue_entry* e, KENV_LOC) {
  kern::__add_wait_queue(K(h), K(e), at(kenv_file, kenv_line, kenv_func));
}
bool kenv_wq_has_sleeper(wait_queue_head* h, KENV_LOC) {
  return kern::wq_has_sleeper(K(h), at(kenv_file, kenv_line, kenv_func));
}
void kenv_wake_up(wait_queue_head* h, KENV_LOC) { kern::wake_up(K(h), at(kenv_file, kenv_line, kenv_func)); }

// ---- lists ----------------------------------------------------------------------------------------------

void kenv_init_list_head(list_head* l, const char* what, KENV_LOC) {
  kern::set_name(K(l), name_of(what));
  kern::INIT_LIST_HEAD(K(l), at(kenv_file, kenv_line, kenv_func));
}
bool kenv_list_empty(const list_head* head, KENV_LOC) {
  return kern::list_empty(reinterpret_cast<const kern::list_head*>(head), at(kenv_file, kenv_line, kenv_func));
}
void kenv_list_add(list_head* entry, list_head* head, KENV_LOC) {
  kern::list_add(K(entry), K(head), at(kenv_file, kenv_line, kenv_func));
}
void kenv_list_del_init(list_head* entry, KENV_LOC) {
  kern::list_del_init(K(entry), at(kenv_file, kenv_line, kenv_func));
}
void kenv_list_add_tail_rcu(list_head* entry, list_head* head, KENV_LOC) {
  kern::list_add_tail_rcu(K(entry), K(head), at(kenv_file, kenv_line, kenv_func));
}
void kenv_list_del_rcu(list_head* entry, KENV_LOC) {
  kern::list_del_rcu(K(entry), at(kenv_file, kenv_line, kenv_func));
}
list_head* kenv_list_next_rcu(list_head* pos, KENV_LOC) {
  return reinterpret_cast<list_head*>(kern::list_next_rcu(K(pos), at(kenv_file, kenv_line, kenv_func)));
}

void kenv_init_hlist_nulls_head(hlist_nulls_head* h, const char* what, KENV_LOC) {
  kern::INIT_HLIST_NULLS_HEAD(K(h), 0, name_of(what), at(kenv_file, kenv_line, kenv_func));
}
void kenv_hlist_nulls_add_head_rcu(hlist_nulls_node* n, hlist_nulls_head* h, KENV_LOC) {
  kern::hlist_nulls_add_head_rcu(K(n), K(h), at(kenv_file, kenv_line, kenv_func));
}
void kenv_hlist_nulls_del_rcu(hlist_nulls_node* n, KENV_LOC) {
  kern::hlist_nulls_del_rcu(K(n), at(kenv_file, kenv_line, kenv_func));
}
void kenv_hlist_nulls_del_init_rcu(hlist_nulls_node* n, KENV_LOC) {
  kern::hlist_nulls_del_init_rcu(K(n), at(kenv_file, kenv_line, kenv_func));
}
hlist_nulls_node* kenv_hlist_nulls_first_rcu(hlist_nulls_head* h, KENV_LOC) {
  return reinterpret_cast<hlist_nulls_node*>(kern::hlist_nulls_first_rcu(K(h), at(kenv_file, kenv_line, kenv_func)));
}
hlist_nulls_node* kenv_hlist_nulls_next_rcu(hlist_nulls_node* n, KENV_LOC) {
  return reinterpret_cast<hlist_nulls_node*>(kern::hlist_nulls_next_rcu(K(n), at(kenv_file, kenv_line, kenv_func)));
}

// ---- workqueues -----------------------------------------------------------------------------------------

bool kenv_schedule_work(work_struct* w, KENV_LOC) {
  return kern::schedule_work(reinterpret_cast<kern::work_struct*>(w), at(kenv_file, kenv_line, kenv_func));
}

// ---- inspection without steps (kenv_wrapper.h) ------------------------------------------------------

int kenv_peek_atomic(const atomic_t* a) { return K(a)->counter.peek(); }
int kenv_peek_list_len(const list_head* head) {
  auto* h = reinterpret_cast<const kern::list_head*>(head);
  int n = 0;
  for (const kern::list_head* p = h->next.peek(); p && p != h; p = p->next.peek()) ++n;
  return n;
}
int kenv_peek_hlist_nulls_len(const hlist_nulls_head* head) {
  int n = 0;
  for (const kern::hlist_nulls_node* p = reinterpret_cast<const kern::hlist_nulls_head*>(head)->first.peek(); p;
       p = p->next.peek())
    ++n;
  return n;
}
bool kenv_peek_completion_done(const completion* x) {
  return kern::completion_done_peek(reinterpret_cast<const kern::completion*>(x));
}
int kenv_peek_live_threads(int acct) { return g_exec ? g_exec->live[acct & 1] : 0; }
int kenv_peek_threads_started(void) { return g_exec ? g_exec->started : 0; }
int kenv_peek_threads_exited(void) { return g_exec ? g_exec->exited : 0; }

// ---- the request side (6.16 on, io-wq calls it directly) ---------------------------------------------

void io_wq_submit_work(io_wq_work* work) {
  exec_state& e = ex();
  e.req.submit(e.req.ctx, work);
}

io_wq_work* io_wq_free_work(io_wq_work* work) {
  exec_state& e = ex();
  return e.req.free(e.req.ctx, work);
}

}  // extern "C"
