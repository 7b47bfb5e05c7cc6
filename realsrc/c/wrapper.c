/*
 * Compiled at run time with a tree's io_uring/io-wq.c, which it includes unmodified, so that the
 * driver can reach io-wq's static functions and read its structs. The tree's differences are
 * selected by the driver's feature macros (realsrc/loader.cpp detects them in the tree's files):
 *
 *   KENV_REQ_PUT_WORK   io_wq_data has do_work, put_work and free_work (Debian's 6.12.y)
 *   KENV_REQ_DO_WORK    io_wq_data has do_work and free_work, which returns the linked work
 *   (neither)           io-wq calls io_wq_submit_work() and io_wq_free_work() itself (6.16 on)
 *   KENV_WORKERS_LOCK   each acct has workers_lock, free_list and all_list (6.15 on); before, the
 *                       wq has lock, free_list and all_list
 *   KENV_EXIT_ON_IDLE   the tree has io_wq_set_exit_on_idle() and IO_WQ_BIT_EXIT_ON_IDLE
 *
 * The inspection functions read without steps and are not instrumented: they run in the
 * checker's end checks, outside any thread of the execution.
 */
#include "io-wq.c"

#include "kenv_wrapper.h"

#define KENV_NO_TSAN __attribute__((no_sanitize_thread, noinline))

#if defined(KENV_REQ_PUT_WORK)
static void kenv_do_work(struct io_wq_work *work)
{
	io_wq_submit_work(work);
}
/* The request side frees the request and hands back its link in one call (io_wq_free_work). */
static bool kenv_put_work(struct io_wq_work *work, struct io_wq_work **linked)
{
	*linked = io_wq_free_work(work);
	return false;
}
static void kenv_free_work(struct io_wq_work *work)
{
	(void)work;
}
#elif defined(KENV_REQ_DO_WORK)
static void kenv_do_work(struct io_wq_work *work)
{
	io_wq_submit_work(work);
}
static struct io_wq_work *kenv_free_work(struct io_wq_work *work)
{
	return io_wq_free_work(work);
}
#endif

void kenv_w_features(struct kenv_features *f)
{
#if defined(KENV_REQ_PUT_WORK)
	f->request_side = "put_work";
#elif defined(KENV_REQ_DO_WORK)
	f->request_side = "do_work";
#else
	f->request_side = "direct";
#endif
#ifdef KENV_WORKERS_LOCK
	f->workers_lock = true;
#else
	f->workers_lock = false;
#endif
#ifdef KENV_EXIT_ON_IDLE
	f->exit_on_idle = true;
#else
	f->exit_on_idle = false;
#endif
}

/* io_init_wq_offload's part: the hash, with one reference. */
struct io_wq_hash *kenv_w_hash_alloc(void)
{
	struct io_wq_hash *hash = kzalloc(sizeof(*hash), GFP_KERNEL | __GFP_NOFAIL);

	refcount_set(&hash->refs, 1);
	init_waitqueue_head(&hash->wait);
	return hash;
}

void kenv_w_put_hash(struct io_wq_hash *hash)
{
	io_wq_put_hash(hash);
}

/* io_init_wq_offload's other part, on the current task. */
struct io_wq *kenv_w_create(unsigned bounded, struct io_wq_hash *hash)
{
	struct io_wq_data data;
	struct io_wq *wq;

	memset(&data, 0, sizeof(data));
	data.hash = hash;
	data.task = current;
#if defined(KENV_REQ_PUT_WORK)
	data.do_work = kenv_do_work;
	data.put_work = kenv_put_work;
	data.free_work = kenv_free_work;
#elif defined(KENV_REQ_DO_WORK)
	data.do_work = kenv_do_work;
	data.free_work = kenv_free_work;
#endif
	wq = io_wq_create(bounded, &data);
	return IS_ERR(wq) ? NULL : wq;
}

/* io_prep_async_work's part. */
void kenv_w_work_init(struct io_wq_work *work, unsigned flags)
{
	work->list.next = NULL;
	atomic_set(&work->flags, flags);
}

/* io_wq_submit_work's first test. */
bool kenv_w_work_cancelled(struct io_wq_work *work)
{
	return atomic_read(&work->flags) & IO_WQ_WORK_CANCEL;
}

void kenv_w_set_exit_on_idle(struct io_wq *wq, bool enable)
{
#ifdef KENV_EXIT_ON_IDLE
	io_wq_set_exit_on_idle(wq, enable);
#else
	(void)wq;
	(void)enable;
#endif
}

/* The locks that guard acct->nr_workers. */
KENV_NO_TSAN int kenv_w_accounting_locks(struct io_wq *wq, raw_spinlock_t **locks)
{
#ifdef KENV_WORKERS_LOCK
	locks[0] = &wq->acct[IO_WQ_ACCT_BOUND].workers_lock;
	locks[1] = &wq->acct[IO_WQ_ACCT_UNBOUND].workers_lock;
	return 2;
#else
	locks[0] = &wq->lock;
	return 1;
#endif
}

/* The acct of a worker whose thread starts (an io_worker, as create_io_thread() got it). */
int kenv_w_worker_acct(void *p)
{
	struct io_worker *worker = p;

	return (int)(io_wq_get_acct(worker) - worker->wq->acct);
}

KENV_NO_TSAN static int kenv_pending(const struct io_wq_work_list *list)
{
	const struct io_wq_work_node *n;
	int count = 0;

	for (n = list->first; n; n = n->next)
		count++;
	return count;
}

KENV_NO_TSAN void kenv_w_peek(const struct io_wq *wq, struct kenv_wq_view *v)
{
	int i;

	memset(v, 0, sizeof(*v));
	v->exit = (wq->state >> IO_WQ_BIT_EXIT) & 1;
#ifdef KENV_EXIT_ON_IDLE
	v->exit_on_idle = (wq->state >> IO_WQ_BIT_EXIT_ON_IDLE) & 1;
#endif
	v->worker_refs = kenv_peek_atomic(&wq->worker_refs);
	v->worker_done = kenv_peek_completion_done(&wq->worker_done);
	v->threads_started = kenv_peek_threads_started();
	v->threads_exited = kenv_peek_threads_exited();
#ifndef KENV_WORKERS_LOCK
	v->free_list_len = kenv_peek_hlist_nulls_len(&wq->free_list);
	v->all_list_len = kenv_peek_list_len(&wq->all_list);
#endif
	for (i = 0; i < IO_WQ_ACCT_NR; i++) {
		const struct io_wq_acct *acct = &wq->acct[i];

		v->acct[i].nr_workers = acct->nr_workers;
		v->acct[i].max_workers = acct->max_workers;
		v->acct[i].nr_running = kenv_peek_atomic(&acct->nr_running);
		v->acct[i].pending = kenv_pending(&acct->work_list);
		v->acct[i].live_threads = kenv_peek_live_threads(i);
		v->acct[i].stalled = (acct->flags >> IO_ACCT_STALLED_BIT) & 1;
#ifdef KENV_WORKERS_LOCK
		v->free_list_len += kenv_peek_hlist_nulls_len(&acct->free_list);
		v->all_list_len += kenv_peek_list_len(&acct->all_list);
#endif
	}
}
