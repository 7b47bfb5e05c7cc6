/*
 * The kernel environment of real-source mode: every kernel interface that io_uring/io-wq.c,
 * io-wq.h and slist.h of Linux 6.12 to 6.19 use, written for this suite from the kernel's
 * documented behaviour (Documentation/atomic_t.txt, atomic_bitops.txt, memory-barriers.txt, the
 * RCU and task_work comments). Every header the tree's files include is one of ours and includes
 * this file; nothing here comes from a kernel tree.
 *
 * Each primitive is a call into the shim (realsrc/shim.cpp), which runs the kernel facade's own
 * implementation (model/kernel/kernel.cpp) with the checked backend: the same semantics, the same
 * steps, as the C++ ports get. Calls carry their call site (KENV_AT), so that traces name the line
 * of io-wq.c. Plain C accesses reach the race detector through the compiler's ThreadSanitizer
 * instrumentation (realsrc/tsan_hooks.cpp).
 *
 * The C++ shim includes this file with KENV_DECLS_ONLY defined: it sees the kenv_* declarations
 * and none of the kernel's names, which would clash with the facade's.
 *
 * What a tree uses and this file lacks fails the build (an implicit declaration is an error, and
 * the loader checks the undefined symbols of the compiled object): nothing is silently stubbed.
 */
#ifndef KENV_H
#define KENV_H

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "kenv_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KENV_AT __FILE__, __LINE__, __func__
#define KENV_LOC const char *kenv_file, int kenv_line, const char *kenv_func

/* ---- compiler and generic helpers -------------------------------------------------------------- */
#ifndef KENV_DECLS_ONLY
#define CONFIG_IO_WQ 1
#define CONFIG_SMP 1
#define BITS_PER_LONG 64
#define __init
#define __exit
#define __cold
#define __read_mostly
#endif
#undef __always_inline
#ifndef KENV_DECLS_ONLY
#define __always_inline inline __attribute__((always_inline))
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __user
#define fallthrough __attribute__((fallthrough))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define max_t(type, a, b) ((type)(a) > (type)(b) ? (type)(a) : (type)(b))
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define BIT(nr) (1UL << (nr))
#endif
/* A subsystem's init function: io-wq's registers its CPU hotplug callbacks, not modelled. */
#ifndef KENV_DECLS_ONLY
#define subsys_initcall(fn) static int (*const kenv_initcall_##fn)(void) __attribute__((used)) = fn
#endif

/* ---- errors (the kernel's numbers; the C library's errno.h would pull in our linux/errno.h) ------- */
#ifndef KENV_DECLS_ONLY
#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ECANCELED 125
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define MAX_ERRNO 4095
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return (unsigned long)ptr >= (unsigned long)-MAX_ERRNO; }
#endif

/* ---- checks and messages ----------------------------------------------------------------------- */
/* A kernel warning is a failed execution (property "warn"). */
bool kenv_warn(bool cond, const char *what, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define WARN_ON_ONCE(cond) kenv_warn(!!(cond), #cond, KENV_AT)
#define WARN_ON(cond) kenv_warn(!!(cond), #cond, KENV_AT)
#define BUG_ON(cond) ((void)kenv_warn(!!(cond), #cond, KENV_AT))
#endif
void kenv_note(const char *text);
#ifndef KENV_DECLS_ONLY
#define pr_warn_once(...) kenv_note("pr_warn_once: " __VA_ARGS__)
#define pr_warn(...) kenv_note("pr_warn: " __VA_ARGS__)
#endif

/* ---- marked accesses (READ_ONCE/WRITE_ONCE): visible steps on the word ---------------------------- */
unsigned long kenv_read_once(const void *p, unsigned size, const char *what, KENV_LOC);
void kenv_write_once(void *p, unsigned size, unsigned long v, const char *what, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define READ_ONCE(x)                                                                                \
	({                                                                                          \
		unsigned long __kenv_v = kenv_read_once(&(x), sizeof(x), #x, KENV_AT);              \
		__typeof__(x) __kenv_r;                                                             \
		memcpy(&__kenv_r, &__kenv_v, sizeof(__kenv_r));                                     \
		__kenv_r;                                                                           \
	})
#define WRITE_ONCE(x, val)                                                                          \
	do {                                                                                        \
		__typeof__(x) __kenv_w = (val);                                                     \
		unsigned long __kenv_v = 0;                                                         \
		memcpy(&__kenv_v, &__kenv_w, sizeof(__kenv_w));                                     \
		kenv_write_once(&(x), sizeof(x), __kenv_v, #x, KENV_AT);                            \
	} while (0)
#endif

/* ---- barriers ------------------------------------------------------------------------------------ */
void kenv_smp_mb(KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define smp_mb() kenv_smp_mb(KENV_AT)
#define smp_mb__after_atomic() kenv_smp_mb(KENV_AT)
#define smp_mb__before_atomic() kenv_smp_mb(KENV_AT)
#endif

/* ---- atomic_t and refcount_t (the facade's, in place) ------------------------------------------- */
void kenv_atomic_set(atomic_t *v, int i, const char *what, KENV_LOC);
int kenv_atomic_read(const atomic_t *v, KENV_LOC);
void kenv_atomic_add(atomic_t *v, int i, KENV_LOC);
void kenv_atomic_or(atomic_t *v, int i, KENV_LOC);
bool kenv_atomic_dec_and_test(atomic_t *v, KENV_LOC);
int kenv_atomic_add_return(atomic_t *v, int i, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define atomic_set(v, i) kenv_atomic_set(v, i, #v, KENV_AT)
#define atomic_read(v) kenv_atomic_read(v, KENV_AT)
#define atomic_inc(v) kenv_atomic_add(v, 1, KENV_AT)
#define atomic_dec(v) kenv_atomic_add(v, -1, KENV_AT)
#define atomic_or(i, v) kenv_atomic_or(v, i, KENV_AT)
#define atomic_dec_and_test(v) kenv_atomic_dec_and_test(v, KENV_AT)
#define atomic_inc_return(v) kenv_atomic_add_return(v, 1, KENV_AT)
#define atomic_dec_return(v) kenv_atomic_add_return(v, -1, KENV_AT)
#endif

void kenv_refcount_set(refcount_t *r, int n, const char *what, KENV_LOC);
int kenv_refcount_read(const refcount_t *r, KENV_LOC);
void kenv_refcount_inc(refcount_t *r, KENV_LOC);
bool kenv_refcount_inc_not_zero(refcount_t *r, KENV_LOC);
bool kenv_refcount_dec_and_test(refcount_t *r, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define refcount_set(r, n) kenv_refcount_set(r, n, #r, KENV_AT)
#define refcount_read(r) kenv_refcount_read(r, KENV_AT)
#define refcount_inc(r) kenv_refcount_inc(r, KENV_AT)
#define refcount_inc_not_zero(r) kenv_refcount_inc_not_zero(r, KENV_AT)
#define refcount_dec_and_test(r) kenv_refcount_dec_and_test(r, KENV_AT)
#endif

/* ---- bit operations on an unsigned long of the C code ------------------------------------------- */
bool kenv_test_bit(unsigned nr, const volatile unsigned long *addr, const char *what, KENV_LOC);
void kenv_set_bit(unsigned nr, volatile unsigned long *addr, const char *what, KENV_LOC);
void kenv_clear_bit(unsigned nr, volatile unsigned long *addr, const char *what, KENV_LOC);
bool kenv_test_and_set_bit(unsigned nr, volatile unsigned long *addr, const char *what, KENV_LOC);
bool kenv_test_and_clear_bit(unsigned nr, volatile unsigned long *addr, const char *what, KENV_LOC);
bool kenv_test_and_set_bit_lock(unsigned nr, volatile unsigned long *addr, const char *what, KENV_LOC);
void kenv_clear_bit_unlock(unsigned nr, volatile unsigned long *addr, const char *what, KENV_LOC);
unsigned long kenv_set_mask_bits(volatile unsigned long *addr, unsigned long mask, unsigned long bits,
				 const char *what, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define test_bit(nr, addr) kenv_test_bit(nr, addr, #addr, KENV_AT)
#define set_bit(nr, addr) kenv_set_bit(nr, addr, #addr, KENV_AT)
#define clear_bit(nr, addr) kenv_clear_bit(nr, addr, #addr, KENV_AT)
#define test_and_set_bit(nr, addr) kenv_test_and_set_bit(nr, addr, #addr, KENV_AT)
#define test_and_clear_bit(nr, addr) kenv_test_and_clear_bit(nr, addr, #addr, KENV_AT)
#define test_and_set_bit_lock(nr, addr) kenv_test_and_set_bit_lock(nr, addr, #addr, KENV_AT)
#define clear_bit_unlock(nr, addr) kenv_clear_bit_unlock(nr, addr, #addr, KENV_AT)
#define set_mask_bits(addr, mask, bits) kenv_set_mask_bits(addr, mask, bits, #addr, KENV_AT)
#endif

/* ---- spinlocks ---------------------------------------------------------------------------------- */
void kenv_spin_lock_init(raw_spinlock_t *l, const char *what, KENV_LOC);
void kenv_spin_lock(raw_spinlock_t *l, KENV_LOC);
void kenv_spin_unlock(raw_spinlock_t *l, KENV_LOC);
void kenv_lockdep_assert_held(const raw_spinlock_t *l, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define raw_spin_lock_init(l) kenv_spin_lock_init(l, #l, KENV_AT)
#define spin_lock_init(l) kenv_spin_lock_init(l, #l, KENV_AT)
#define raw_spin_lock(l) kenv_spin_lock(l, KENV_AT)
#define raw_spin_unlock(l) kenv_spin_unlock(l, KENV_AT)
#define spin_lock(l) kenv_spin_lock(l, KENV_AT)
#define spin_unlock(l) kenv_spin_unlock(l, KENV_AT)
#define spin_lock_irq(l) kenv_spin_lock(l, KENV_AT)
#define spin_unlock_irq(l) kenv_spin_unlock(l, KENV_AT)
#define lockdep_assert_held(l) kenv_lockdep_assert_held(l, KENV_AT)
#endif

#define KENV_GFP_NOFAIL 0x8000u
/* ---- RCU and memory ----------------------------------------------------------------------------- */
void kenv_rcu_read_lock(void);
void kenv_rcu_read_unlock(void);
#ifndef KENV_DECLS_ONLY
#define rcu_read_lock() kenv_rcu_read_lock()
#define rcu_read_unlock() kenv_rcu_read_unlock()
#endif

#ifndef KENV_DECLS_ONLY
#define GFP_KERNEL 0x0cc0u
#define GFP_KERNEL_ACCOUNT 0x400cc0u
#define __GFP_NOFAIL KENV_GFP_NOFAIL
#endif
void *kenv_kzalloc(size_t size, gfp_t gfp, const char *what, KENV_LOC);
void kenv_kfree(const void *p, KENV_LOC);
void kenv_kfree_rcu(const void *p, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define kzalloc(size, gfp) kenv_kzalloc(size, gfp, "kzalloc", KENV_AT)
#define kmalloc(size, gfp) kenv_kzalloc(size, gfp, "kmalloc", KENV_AT)
#define kzalloc_node(size, gfp, node) kenv_kzalloc(size, gfp, "kzalloc_node", KENV_AT)
#endif
/* kzalloc_obj(VAR_OR_TYPE[, gfp]) (6.19): a zeroed object of that size, GFP_KERNEL by default. */
#ifndef KENV_DECLS_ONLY
#define kzalloc_obj(x, ...) kenv_kzalloc(sizeof(x), GFP_KERNEL, "kzalloc_obj(" #x ")", KENV_AT)
#define kfree(p) kenv_kfree(p, KENV_AT)
#define kfree_rcu(p, field) kenv_kfree_rcu(p, KENV_AT)
#endif

/* ---- tasks -------------------------------------------------------------------------------------- */
#ifndef KENV_DECLS_ONLY
#define TASK_RUNNING 0x0000u
#define TASK_INTERRUPTIBLE 0x0001u
#define TASK_UNINTERRUPTIBLE 0x0002u
#define PF_EXITING 0x00000004u
#define PF_IO_WORKER 0x00000010u
#define PF_WQ_WORKER 0x00000020u
#define PF_KTHREAD 0x00200000u
#define TIF_SIGPENDING 2
#define TIF_NOTIFY_SIGNAL 17
#define NUMA_NO_NODE (-1)
#define HZ 1000
#define MAX_SCHEDULE_TIMEOUT LONG_MAX
#define RLIMIT_NPROC 6
#endif

struct task_struct *kenv_current(void);
#ifndef KENV_DECLS_ONLY
#define current kenv_current()
#define in_task() 1
#endif
void kenv_set_current_state(unsigned state, bool barrier, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define set_current_state(s) kenv_set_current_state(s, true, KENV_AT)
#define __set_current_state(s) kenv_set_current_state(s, false, KENV_AT)
#endif
void kenv_schedule(KENV_LOC);
long kenv_schedule_timeout(long timeout, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define schedule() kenv_schedule(KENV_AT)
#define schedule_timeout(t) kenv_schedule_timeout(t, KENV_AT)
#define cond_resched() ((void)0)
#endif
bool kenv_wake_up_process(struct task_struct *t, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define wake_up_process(t) kenv_wake_up_process(t, KENV_AT)
#endif
void kenv_wake_up_new_task(struct task_struct *t, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define wake_up_new_task(t) kenv_wake_up_new_task(t, KENV_AT)
#endif
struct task_struct *kenv_create_io_thread(int (*fn)(void *), void *arg, int node, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define create_io_thread(fn, arg, node) kenv_create_io_thread(fn, arg, node, KENV_AT)
#endif
__attribute__((noreturn)) void kenv_do_exit(long code, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define do_exit(code) kenv_do_exit(code, KENV_AT)
static inline struct task_struct *get_task_struct(struct task_struct *t) { return t; }
static inline void put_task_struct(struct task_struct *t) { (void)t; }
#endif
void kenv_set_task_comm(struct task_struct *t, const char *name);
#ifndef KENV_DECLS_ONLY
#define set_task_comm(t, name) kenv_set_task_comm(t, name)
#endif
unsigned long kenv_task_rlimit(struct task_struct *t, int resource);
#ifndef KENV_DECLS_ONLY
#define task_rlimit(t, resource) kenv_task_rlimit(t, resource)
#endif

bool kenv_signal_pending(struct task_struct *t, KENV_LOC);
bool kenv_fatal_signal_pending(struct task_struct *t, KENV_LOC);
bool kenv_get_signal(struct ksignal *ksig, KENV_LOC);
bool kenv_set_notify_signal(struct task_struct *t, KENV_LOC);
bool kenv_test_thread_flag(unsigned flag, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define signal_pending(t) kenv_signal_pending(t, KENV_AT)
#define fatal_signal_pending(t) kenv_fatal_signal_pending(t, KENV_AT)
#define get_signal(ksig) kenv_get_signal(ksig, KENV_AT)
#define __set_notify_signal(t) kenv_set_notify_signal(t, KENV_AT)
#define set_notify_signal(t) ((void)kenv_set_notify_signal(t, KENV_AT))
#define test_thread_flag(flag) kenv_test_thread_flag(flag, KENV_AT)
#endif

/* ---- time --------------------------------------------------------------------------------------- */
/* No clock: jiffies stands still, and a delay is a timed sleep whose end is an explored choice. */
#ifndef KENV_DECLS_ONLY
#define jiffies 0UL
#define time_after(a, b) ((long)((b) - (a)) < 0)
static inline unsigned long msecs_to_jiffies(unsigned int ms) { return ms; }
#endif
extern unsigned long sysctl_hung_task_timeout_secs;

/* ---- task_work ---------------------------------------------------------------------------------- */
enum task_work_notify_mode { TWA_NONE, TWA_RESUME, TWA_SIGNAL, TWA_SIGNAL_NO_IPI, TWA_NMI_CURRENT };
void kenv_init_task_work(struct callback_head *twork, task_work_func_t func, KENV_LOC);
int kenv_task_work_add(struct task_struct *t, struct callback_head *twork, enum task_work_notify_mode mode, KENV_LOC);
struct callback_head *kenv_task_work_cancel_match(struct task_struct *t, bool (*match)(struct callback_head *, void *),
						  void *data, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define init_task_work(twork, func) kenv_init_task_work(twork, func, KENV_AT)
#define task_work_add(t, twork, mode) kenv_task_work_add(t, twork, mode, KENV_AT)
#define task_work_cancel_match(t, match, data) kenv_task_work_cancel_match(t, match, data, KENV_AT)
#endif

/* ---- completions and wait queues ---------------------------------------------------------------- */
void kenv_init_completion(struct completion *x, const char *what, KENV_LOC);
void kenv_complete(struct completion *x, KENV_LOC);
void kenv_wait_for_completion(struct completion *x, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define init_completion(x) kenv_init_completion(x, #x, KENV_AT)
#define complete(x) kenv_complete(x, KENV_AT)
#define wait_for_completion(x) kenv_wait_for_completion(x, KENV_AT)
#endif
/* The timeout only bounds a hung-task warning loop around it (6.19): waits until done, returns 1. */
#ifndef KENV_DECLS_ONLY
#define wait_for_completion_timeout(x, timeout) (kenv_wait_for_completion(x, KENV_AT), 1UL)
#endif

void kenv_init_waitqueue_head(struct wait_queue_head *h, const char *what, KENV_LOC);
void kenv_add_wait_queue(struct wait_queue_head *h, struct wait_queue_entry *e, KENV_LOC);
bool kenv_wq_has_sleeper(struct wait_queue_head *h, KENV_LOC);
void kenv_wake_up(struct wait_queue_head *h, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define init_waitqueue_head(h) kenv_init_waitqueue_head(h, #h, KENV_AT)
#define __add_wait_queue(h, e) kenv_add_wait_queue(h, e, KENV_AT)
#define wq_has_sleeper(h) kenv_wq_has_sleeper(h, KENV_AT)
#define wake_up(h) kenv_wake_up(h, KENV_AT)
#endif

/* ---- lists (the facade's, in place) ------------------------------------------------------------- */
void kenv_init_list_head(struct list_head *l, const char *what, KENV_LOC);
bool kenv_list_empty(const struct list_head *head, KENV_LOC);
void kenv_list_add(struct list_head *entry, struct list_head *head, KENV_LOC);
void kenv_list_del_init(struct list_head *entry, KENV_LOC);
void kenv_list_add_tail_rcu(struct list_head *entry, struct list_head *head, KENV_LOC);
void kenv_list_del_rcu(struct list_head *entry, KENV_LOC);
struct list_head *kenv_list_next_rcu(struct list_head *pos, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define INIT_LIST_HEAD(l) kenv_init_list_head(l, #l, KENV_AT)
#define list_empty(head) kenv_list_empty(head, KENV_AT)
#define list_add(entry, head) kenv_list_add(entry, head, KENV_AT)
#define list_del_init(entry) kenv_list_del_init(entry, KENV_AT)
#define list_add_tail_rcu(entry, head) kenv_list_add_tail_rcu(entry, head, KENV_AT)
#define list_del_rcu(entry) kenv_list_del_rcu(entry, KENV_AT)
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_for_each_entry_rcu(pos, head, member)                                                  \
	for (pos = list_entry(kenv_list_next_rcu(head, KENV_AT), __typeof__(*pos), member);         \
	     &pos->member != (head);                                                               \
	     pos = list_entry(kenv_list_next_rcu(&pos->member, KENV_AT), __typeof__(*pos), member))
#endif

void kenv_init_hlist_nulls_head(struct hlist_nulls_head *h, const char *what, KENV_LOC);
void kenv_hlist_nulls_add_head_rcu(struct hlist_nulls_node *n, struct hlist_nulls_head *h, KENV_LOC);
void kenv_hlist_nulls_del_rcu(struct hlist_nulls_node *n, KENV_LOC);
void kenv_hlist_nulls_del_init_rcu(struct hlist_nulls_node *n, KENV_LOC);
struct hlist_nulls_node *kenv_hlist_nulls_first_rcu(struct hlist_nulls_head *h, KENV_LOC);
struct hlist_nulls_node *kenv_hlist_nulls_next_rcu(struct hlist_nulls_node *n, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define INIT_HLIST_NULLS_HEAD(h, nulls) kenv_init_hlist_nulls_head(h, #h, KENV_AT)
#define hlist_nulls_add_head_rcu(n, h) kenv_hlist_nulls_add_head_rcu(n, h, KENV_AT)
#define hlist_nulls_del_rcu(n) kenv_hlist_nulls_del_rcu(n, KENV_AT)
#define hlist_nulls_del_init_rcu(n) kenv_hlist_nulls_del_init_rcu(n, KENV_AT)
#define is_a_nulls(n) ((n) == NULL)
#define hlist_nulls_entry(ptr, type, member) container_of(ptr, type, member)
#define hlist_nulls_for_each_entry_rcu(tpos, pos, head, member)                                     \
	for (pos = kenv_hlist_nulls_first_rcu(head, KENV_AT);                                       \
	     !is_a_nulls(pos) && ((tpos = hlist_nulls_entry(pos, __typeof__(*tpos), member)), 1);   \
	     pos = kenv_hlist_nulls_next_rcu(pos, KENV_AT))
#define hlist_entry_safe(ptr, type, member)                                                         \
	({                                                                                          \
		__typeof__(ptr) __kenv_p = (ptr);                                                   \
		__kenv_p ? container_of(__kenv_p, type, member) : NULL;                             \
	})
#endif

/* ---- workqueues --------------------------------------------------------------------------------- */
bool kenv_schedule_work(struct work_struct *w, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define INIT_WORK(w, f) ((w)->func = (f))
#define INIT_DELAYED_WORK(dw, f) ((dw)->work.func = (f))
#define schedule_work(w) kenv_schedule_work(w, KENV_AT)
#define schedule_delayed_work(dw, delay) kenv_schedule_work(&(dw)->work, KENV_AT)
#endif

/* ---- CPUs: one CPU; a worker's affinity test after an idle timeout is an explored choice -------- */
enum cpuhp_state { CPUHP_INVALID = -1, CPUHP_AP_ONLINE_DYN = 100 };
#ifndef KENV_DECLS_ONLY
#define raw_smp_processor_id() 0
static inline bool alloc_cpumask_var(cpumask_var_t *mask, gfp_t gfp) { (void)mask; (void)gfp; return true; }
static inline void free_cpumask_var(cpumask_var_t mask) { (void)mask; }
static inline void cpuset_cpus_allowed(struct task_struct *t, struct cpumask *mask) { (void)t; mask->bits[0] = 1; }
static inline int set_cpus_allowed_ptr(struct task_struct *t, const struct cpumask *mask) { (void)t; (void)mask; return 0; }
#endif
bool kenv_cpumask_test_cpu(int cpu, const struct cpumask *mask, KENV_LOC);
#ifndef KENV_DECLS_ONLY
#define cpumask_test_cpu(cpu, mask) kenv_cpumask_test_cpu(cpu, mask, KENV_AT)
static inline void cpumask_set_cpu(unsigned cpu, struct cpumask *mask) { mask->bits[0] |= 1UL << cpu; }
static inline void cpumask_clear_cpu(unsigned cpu, struct cpumask *mask) { mask->bits[0] &= ~(1UL << cpu); }
static inline void cpumask_copy(struct cpumask *dst, const struct cpumask *src) { dst->bits[0] = src->bits[0]; }
static inline bool cpumask_subset(const struct cpumask *a, const struct cpumask *b) { return !(a->bits[0] & ~b->bits[0]); }
static inline int cpuhp_setup_state_multi(enum cpuhp_state s, const char *name, int (*up)(unsigned, struct hlist_node *),
					  int (*down)(unsigned, struct hlist_node *))
{
	(void)s; (void)name; (void)up; (void)down;
	return CPUHP_AP_ONLINE_DYN;
}
static inline int cpuhp_state_add_instance_nocalls(enum cpuhp_state s, struct hlist_node *node) { (void)s; (void)node; return 0; }
static inline int cpuhp_state_remove_instance_nocalls(enum cpuhp_state s, struct hlist_node *node) { (void)s; (void)node; return 0; }
#endif

/* ---- hashing ------------------------------------------------------------------------------------ */
/* A pointer's bucket: the value modulo the bucket count, so that buckets do not depend on addresses
 * (the scenarios hash on small integer keys). The kernel multiplies by a golden ratio. */
#ifndef KENV_DECLS_ONLY
static inline unsigned int hash_ptr(const void *ptr, unsigned int bits) { return (unsigned int)((uintptr_t)ptr % (1u << bits)); }
#endif

/* ---- uapi io_uring ------------------------------------------------------------------------------ */
enum { IO_WQ_BOUND, IO_WQ_UNBOUND };

#ifdef __cplusplus
}
#endif

#endif
