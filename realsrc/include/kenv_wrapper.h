/*
 * What the driver (realsrc/real_ops.cpp) calls in a loaded tree besides io-wq's own API: the
 * accessors of realsrc/c/wrapper.c, which #includes the tree's io-wq.c so that its static functions
 * and struct layouts are visible, and the shim's no-step inspection functions they use.
 */
#ifndef KENV_WRAPPER_H
#define KENV_WRAPPER_H

#include "kenv_types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct io_wq;
struct io_wq_hash;

struct kenv_acct_view {
	unsigned nr_workers;
	unsigned max_workers;
	int nr_running;
	int pending;
	int live_threads;
	bool stalled;
};

struct kenv_wq_view {
	bool exit;
	bool exit_on_idle;
	int worker_refs;
	bool worker_done;
	int threads_started;
	int threads_exited;
	int free_list_len;
	int all_list_len;
	struct kenv_acct_view acct[2];
};

/* What the tree has, as the driver detected it and the wrapper was compiled for. */
struct kenv_features {
	const char *request_side; /* "put_work" (6.12.y), "do_work" (6.13-6.15), "direct" (6.16 on) */
	bool workers_lock;        /* acct->workers_lock and per-acct free/all lists (6.15 on) */
	bool exit_on_idle;        /* io_wq_set_exit_on_idle() */
};

/* The wrapper (compiled with the tree). */
void kenv_w_features(struct kenv_features *f);
struct io_wq_hash *kenv_w_hash_alloc(void);
void kenv_w_put_hash(struct io_wq_hash *hash);
struct io_wq *kenv_w_create(unsigned bounded, struct io_wq_hash *hash);
void kenv_w_work_init(struct io_wq_work *work, unsigned flags);
bool kenv_w_work_cancelled(struct io_wq_work *work);
void kenv_w_set_exit_on_idle(struct io_wq *wq, bool enable);
int kenv_w_accounting_locks(struct io_wq *wq, raw_spinlock_t **locks);
int kenv_w_worker_acct(void *worker);
void kenv_w_peek(const struct io_wq *wq, struct kenv_wq_view *v);

/* The shim: inspection without steps. */
int kenv_peek_atomic(const atomic_t *a);
int kenv_peek_list_len(const struct list_head *head);
int kenv_peek_hlist_nulls_len(const struct hlist_nulls_head *head);
bool kenv_peek_completion_done(const struct completion *x);
int kenv_peek_live_threads(int acct);
int kenv_peek_threads_started(void);
int kenv_peek_threads_exited(void);

#ifdef __cplusplus
}
#endif
#endif
