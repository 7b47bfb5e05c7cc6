/*
 * The kernel environment's types: what io_uring/io-wq.c, io-wq.h and slist.h of a kernel tree
 * see, written for this suite (realsrc/README.md). Shared by the C side (the tree's files,
 * compiled at run time) and the C++ shim (realsrc/shim.cpp), which checks every layout below
 * against the kernel facade (model/kernel/kernel.h) it hands the objects to.
 *
 * Two kinds of types:
 *  - opaque: the C code only passes their address to environment functions (atomic_t, refcount_t,
 *    spinlocks, list heads, hlist_nulls, completions). They reserve room for the facade's own
 *    object, which the shim uses in place, so every operation on them is the facade's operation
 *    with the facade's semantics (sizes from kenv_layout.h, generated at build time);
 *  - C structs with members the C code reads and writes itself (task_struct, callback_head,
 *    wait_queue_entry, work_struct): real members, race-checked as plain C through the compiler's
 *    instrumentation, with the facade's object kept beside them (shim.cpp).
 */
#ifndef KENV_TYPES_H
#define KENV_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "kenv_layout.h"

#ifdef __cplusplus
#define KENV_ALIGNAS(n) alignas(n)
extern "C" {
#else
#include <stdbool.h>
#define KENV_ALIGNAS(n) _Alignas(n)
#endif

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef int pid_t_kenv;
typedef unsigned int gfp_t;

#define KENV_OPAQUE(NAME)                                                                           \
	struct {                                                                                     \
		KENV_ALIGNAS(KENV_ALIGNOF_##NAME) unsigned char __kenv[KENV_SIZEOF_##NAME];           \
	}

typedef KENV_OPAQUE(ATOMIC) atomic_t;
typedef KENV_OPAQUE(REFCOUNT) refcount_t;
typedef KENV_OPAQUE(SPINLOCK) raw_spinlock_t;
typedef raw_spinlock_t spinlock_t;

struct list_head {
	KENV_ALIGNAS(KENV_ALIGNOF_LIST_HEAD) unsigned char __kenv[KENV_SIZEOF_LIST_HEAD];
};
struct hlist_nulls_head {
	KENV_ALIGNAS(KENV_ALIGNOF_HLIST_NULLS_HEAD) unsigned char __kenv[KENV_SIZEOF_HLIST_NULLS_HEAD];
};
struct hlist_nulls_node {
	KENV_ALIGNAS(KENV_ALIGNOF_HLIST_NULLS_NODE) unsigned char __kenv[KENV_SIZEOF_HLIST_NULLS_NODE];
};
struct completion {
	KENV_ALIGNAS(KENV_ALIGNOF_COMPLETION) unsigned char __kenv[KENV_SIZEOF_COMPLETION];
};

/* A non-RCU hlist node (io-wq's cpuhp_node): never walked here, CPU hotplug is not modelled. */
struct hlist_node {
	struct hlist_node *next, **pprev;
};

/* The wait queue head: the C code takes its lock itself (spin_lock_irq(&head->lock)). */
struct wait_queue_head {
	spinlock_t lock;
	struct list_head head;
};
typedef struct wait_queue_head wait_queue_head_t;

struct wait_queue_entry;
typedef int (*wait_queue_func_t)(struct wait_queue_entry *wq_entry, unsigned mode, int flags, void *key);
struct wait_queue_entry {
	unsigned int flags;
#ifdef __cplusplus
	void *private_; /* "private" in C */
#else
	void *private;
#endif
	wait_queue_func_t func;
	struct list_head entry;
};

/* task_work: the C code reads ->func itself (io_task_work_match). */
struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};
typedef void (*task_work_func_t)(struct callback_head *);
#define rcu_head callback_head

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct {
	work_func_t func;
};
struct delayed_work {
	struct work_struct work;
};

#define TASK_COMM_LEN 16
struct io_uring_task;
/* The fields of task_struct the C code uses; the task itself is the facade's (__kenv). */
struct task_struct {
	int pid;
	unsigned int flags;
	void *worker_private;
	struct io_uring_task *io_uring;
	char comm[TASK_COMM_LEN];
	void *__kenv;
};

struct cpumask {
	unsigned long bits[1];
};
typedef struct cpumask cpumask_var_t[1];

struct ksignal {
	int sig;
};

/* io_uring's own types (include/linux/io_uring_types.h) that io-wq uses. */
struct io_wq_work_node {
	struct io_wq_work_node *next;
};
struct io_wq_work_list {
	struct io_wq_work_node *first;
	struct io_wq_work_node *last;
};
struct io_wq_work {
	struct io_wq_work_node list;
	atomic_t flags;
	int cancel_seq;
};
struct io_wq;
struct io_uring_task {
	struct io_wq *io_wq;
};

#ifdef __cplusplus
}
#endif

#endif
