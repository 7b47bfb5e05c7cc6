/*
 * iowq.pml -- io-wq (Linux 6.14 io_uring/io-wq.c) with the exit-on-idle
 * patch, as a Promela model.  One acct (the bound one), its workers, the
 * owner task that enqueues work, toggles exit-on-idle, runs the
 * create_worker_cb task_work and may exit the wq.
 *
 * The functions below follow io-wq.c's structure and names; each visible
 * operation (lock acquire/release, bit op, atomic op, task-state store,
 * wake, list check) is one Promela step.  See README.md for what is
 * abstracted and why that cannot change the verdicts.
 *
 * Selection (command line): VARIANT, MUTANT, SCEN, TIMEOUTS (config.pml);
 * PROP_ACCT / PROP_END add the safety monitors, LIVENESS adds the LTL
 * claims (nolost, poolzero).
 */
#include "config.pml"

/* ---------------------------------------------------------------- state */

/* struct io_wq / io_wq_acct */
bit  wq_exit;            /* IO_WQ_BIT_EXIT                                */
bit  wq_eoi;             /* IO_WQ_BIT_EXIT_ON_IDLE                        */
bit  wq_task = 1;        /* wq->task != NULL (cleared by exit_workers)    */
byte wq_lock;            /* wq->lock: nr_workers, free_list, all_list     */
byte acct_lock;          /* acct->lock: work_list                         */
byte hw_lock;            /* wq->hash->wait.lock                           */
byte nr_workers;         /* acct->nr_workers                              */
byte nr_running;         /* acct->nr_running (atomic_t)                   */
byte worker_refs = 1;    /* wq->worker_refs (atomic_t)                    */
bit  worker_done;        /* completion wq->worker_done                    */
bit  acct_stalled;       /* IO_ACCT_STALLED_BIT                           */
bit  hash_busy;          /* our bucket's bit in wq->hash->map             */
bit  hash_waiting;       /* wq->wait is queued on wq->hash->wait          */
byte wl[NW];             /* acct->work_list, in list order                */
byte wl_len;
byte hash_tail = 255;    /* wq->hash_tail[bucket] (a work id or NONE)     */

/* the works: static flags set by the scenario, and their fate */
#define W_NEW       0
#define W_QUEUED    1
#define W_TAKEN     2
#define W_DONE      3
#define W_CANCELLED 4
byte wflags[NW];
byte wlink[NW];          /* linked (dependent) work, or NONE               */
byte wdep[NW];           /* a WF_BLOCK work sleeps until this one is over  */
byte wstat[NW];
byte outstanding;        /* ghost: works queued or taken, not yet over     */

/* the worker structs / threads (slots are reused after do_exit) */
#define SLOT_FREE     0
#define SLOT_ALLOC    1  /* kzalloc'ed, thread created, not yet running   */
#define SLOT_STARTING 2  /* wake_up_new_task done                         */
#define SLOT_LIVE     3
byte sst[NSLOT];
byte tstate[NSLOT];      /* task->__state                                 */
bit  notify[NSLOT];      /* TIF_NOTIFY_SIGNAL                             */
bit  f_up[NSLOT];        /* IO_WORKER_F_UP                                */
bit  f_running[NSLOT];   /* IO_WORKER_F_RUNNING                           */
bit  f_free[NSLOT];      /* IO_WORKER_F_FREE                              */
bit  on_free[NSLOT];     /* on wq->free_list                              */
bit  on_all[NSLOT];      /* on wq->all_list                               */
byte wref[NSLOT];        /* worker->ref                                   */
bit  ref_done[NSLOT];    /* completion worker->ref_done                   */
bit  create_state[NSLOT];/* bit 0 of worker->create_state                 */
bit  tw_pending[NSLOT];  /* worker->create_work queued on the owner       */
byte ntw;                /* number of create_work items queued            */
bit  hooks[NSLOT];       /* current->worker_private != NULL               */

/* ghosts for the properties */
bit  acc[NSLOT];         /* this worker is counted in nr_workers          */
byte resv;               /* nr_workers++ done, worker struct not yet made */
byte nthreads;           /* worker threads that exist                     */
bit  eoi_final;          /* owner set exit-on-idle for good, no more work */
bit  eoi_req;            /* the owner has asked for exit-on-idle (also in baseline) */

#if NSLOT == 2
#define ACC_SUM   (acc[0] + acc[1])
#define FRUN_SUM  (f_running[0] + f_running[1])
#elif NSLOT == 3
#define ACC_SUM   (acc[0] + acc[1] + acc[2])
#define FRUN_SUM  (f_running[0] + f_running[1] + f_running[2])
#else
#error "NSLOT must be 2 or 3"
#endif


/* ====================================================================
 * kernel primitives
 * ==================================================================== */
/*
 * The kernel primitives io-wq uses, at the level of their visible effects.
 *
 * Memory model: SPIN interleaves atomic steps, i.e. sequential
 * consistency.  The orderings the protocol relies on are full barriers or
 * lock-ordered in the kernel too (set_current_state, test_and_set_bit,
 * atomic_dec_and_test, wake_up_process, spinlocks); what SC hides is a
 * stale read by a plain test_bit()/atomic_read() -- the C++ checker's
 * weak-memory mode is the place for those.
 */

#define NONE 255

/* task states */
#define TASK_RUNNING         0
#define TASK_INTERRUPTIBLE   1

/* raw_spinlock_t: 0 = free, else holder id + 1.  Spinning is a blocked
 * guard, so a waiter takes no steps until the lock is free. */
#define LOCK(l)    atomic { l == 0 -> l = me + 1 }
#define UNLOCK(l)  d_step { assert(l == me + 1); l = 0 }

/* wake_up_process(t): sets t RUNNING if it was not, and says whether it
 * did.  Because set_current_state() stores the sleeping state before the
 * sleeper checks its condition, and schedule() only deschedules a task
 * whose state is still not RUNNING, a wake that lands between the state
 * store and the sleep is not lost.  Mutant wake_no_running: the wake
 * leaves the state alone. */
inline wake_up_process(t, woke)
{
	atomic {
#if MUT(M_WAKE_NO_RUNNING)
		woke = 0
#else
		if
		:: tstate[t] != TASK_RUNNING -> tstate[t] = TASK_RUNNING; woke = 1
		:: else -> woke = 0
		fi
#endif
	}
}

/* __set_notify_signal(t): test_and_set TIF_NOTIFY_SIGNAL; if it was newly
 * set, wake_up_state(t, TASK_INTERRUPTIBLE).  A pending notify signal also
 * keeps schedule() from descheduling an INTERRUPTIBLE task
 * (signal_pending_state). */
inline set_notify_signal(t)
{
	atomic { sn_new = !notify[t]; notify[t] = 1 };
	if
	:: sn_new ->
		atomic {
#if !MUT(M_WAKE_NO_RUNNING)
			if
			:: tstate[t] == TASK_INTERRUPTIBLE -> tstate[t] = TASK_RUNNING
			:: else -> skip
			fi
#else
			skip
#endif
		}
	:: else -> skip
	fi
}

/* worker->ref: refcount_inc_not_zero / refcount_dec_and_test + complete */
inline io_worker_get(t, ok)
{
	atomic {
		if
		:: wref[t] > 0 -> wref[t]++; ok = 1
		:: else -> ok = 0
		fi
	}
}

inline io_worker_release(t)
{
	atomic {
		assert(wref[t] > 0);
		wref[t]--;
		if
		:: wref[t] == 0 -> ref_done[t] = 1
		:: else -> skip
		fi
	}
}

/* wq->worker_refs: atomic_dec_and_test + complete(&wq->worker_done) */
inline io_worker_ref_put()
{
	atomic {
		assert(worker_refs > 0);
		worker_refs--;
		if
		:: worker_refs == 0 -> worker_done = 1
		:: else -> skip
		fi
	}
}

/* locals every process declares, since inlines expand in place */
#define LOCALS \
	byte sn_new, li_i, li_j, lr_i, af_i, af_woke, cw_i, rc_w, eq_w; \
	bit  eq_found, eq_ok, cr_go, cr_ok; \
	byte ct_i, cb_t; bit cb_do, cb_ok; \
	byte fe_i, fe_woke; bit fe_got; byte hwk_t

/* ----------------------------------------------------- work list (acct) */

inline list_remove_at(pos)
{
	lr_i = pos;
	do
	:: lr_i + 1 < wl_len -> wl[lr_i] = wl[lr_i + 1]; lr_i++
	:: else -> break
	od;
	wl_len--;
	wl[wl_len] = NONE
}

/* io_wq_insert_work(): hashed works of one bucket stay together after
 * wq->hash_tail[bucket]; others go to the tail.  Caller holds acct_lock. */
inline list_insert(w)
{
	if
	:: (wflags[w] & WF_HASHED) && hash_tail != NONE ->
		li_i = 0;
		do
		:: wl[li_i] == hash_tail -> break
		:: else -> li_i++
		od;
		li_j = wl_len;
		do
		:: li_j > li_i + 1 -> wl[li_j] = wl[li_j - 1]; li_j--
		:: else -> break
		od;
		wl[li_i + 1] = w;
		wl_len++
	:: else ->
		wl[wl_len] = w;
		wl_len++
	fi;
	if
	:: wflags[w] & WF_HASHED -> hash_tail = w
	:: else -> skip
	fi
}

/* io_run_cancel(): the work and its links are cancelled (do_work with
 * IO_WQ_WORK_CANCEL, then free_work() returns the link). */
inline io_run_cancel(w)
{
	rc_w = w;
	do
	:: rc_w == NONE -> break
	:: else ->
		d_step {
			assert(wstat[rc_w] < W_DONE);
			if
			:: wstat[rc_w] == W_QUEUED || wstat[rc_w] == W_TAKEN -> outstanding--
			:: else -> skip
			fi;
			wstat[rc_w] = W_CANCELLED
		};
		rc_w = wlink[rc_w]
	od
}

/* io_acct_run_queue(): true with acct->lock held if there is runnable work */
inline io_acct_run_queue(ok)
{
	LOCK(acct_lock);
	if
	:: !acct_stalled && wl_len > 0 -> ok = 1
	:: else -> ok = 0; UNLOCK(acct_lock)
	fi
}

/* ----------------------------------------------------- free list / wake */

/* io_wq_activate_free_worker(): the RCU walk of free_list is one step: it
 * takes a ref on some free worker whose ref is not zero (one that is
 * exiting but has not dropped its own ref yet counts), wakes it, and
 * reports success whether or not the wake changed anything.  Which free
 * worker is picked is left open (the list order is a product of the
 * interleaving anyway). */
inline io_wq_activate_free_worker(found)
{
	atomic {
		if
		:: on_free[0] && wref[0] > 0 -> af_i = 0
		:: on_free[1] && wref[1] > 0 -> af_i = 1
#if NSLOT == 3
		:: on_free[2] && wref[2] > 0 -> af_i = 2
#endif
		:: else -> af_i = NONE
		fi;
		if
		:: af_i != NONE -> wref[af_i]++
		:: else -> skip
		fi
	};
	if
	:: af_i != NONE ->
		wake_up_process(af_i, af_woke);
		io_worker_release(af_i);
		found = 1
	:: else -> found = 0
	fi
}

/* io_wq_for_each_worker(wq, io_wq_worker_wake): notify signal + wake for
 * every worker on all_list whose ref can be taken; the walk visits slots in
 * a fixed order, one per step, so a worker added behind the cursor is
 * missed as under RCU. */
inline for_each_worker_wake()
{
	fe_i = 0;
	do
	:: fe_i < NSLOT ->
		atomic {
			if
			:: on_all[fe_i] && wref[fe_i] > 0 -> wref[fe_i]++; fe_got = 1
			:: else -> fe_got = 0
			fi
		};
		if
		:: fe_got ->
			set_notify_signal(fe_i);
			wake_up_process(fe_i, fe_woke);
			io_worker_release(fe_i)
		:: else -> skip
		fi;
		fe_i++
	:: else -> break
	od;
	fe_i = 0
}

/* ------------------------------------------------------- worker creation */

/* create_io_worker(): kzalloc + create_io_thread + io_init_new_worker.
 * Thread creation is modelled as succeeding (see README). */
inline create_io_worker(ok)
{
	atomic {
		if
		:: sst[0] == SLOT_FREE -> cw_i = 0
		:: else ->
			if
			:: sst[1] == SLOT_FREE -> cw_i = 1
#if NSLOT == 3
			:: else ->
				if
				:: sst[2] == SLOT_FREE -> cw_i = 2
				:: else -> cw_i = NONE
				fi
#else
			:: else -> cw_i = NONE
#endif
			fi
		fi;
		assert(cw_i != NONE);   /* MODEL BOUND: NSLOT worker structs exhausted */
		sst[cw_i] = SLOT_ALLOC;
		wref[cw_i] = 1;
		ref_done[cw_i] = 0;
		tstate[cw_i] = TASK_RUNNING;
		nthreads++;
		assert(resv > 0);
		resv--;
		acc[cw_i] = 1
	};
	/* io_init_new_worker(): onto free_list and all_list under wq->lock */
	LOCK(wq_lock);
	d_step { on_free[cw_i] = 1; on_all[cw_i] = 1; f_free[cw_i] = 1 };
	UNLOCK(wq_lock);
	sst[cw_i] = SLOT_STARTING;        /* wake_up_new_task() */
	ok = 1
}

/* io_wq_create_worker(): reserve a count under wq->lock, then create.
 * Mutant hist_nr_workers_unlocked: the max_workers check is made without
 * the lock, the increment later under it. */
inline io_wq_create_worker(ok)
{
#if MUT(M_HIST_NR_WORKERS_UNLOCKED)
	if
	:: nr_workers >= MAXW -> cr_go = 0
	:: else ->
		LOCK(wq_lock);
		d_step { nr_workers++; resv++ };
		UNLOCK(wq_lock);
		cr_go = 1
	fi;
#else
	LOCK(wq_lock);
	if
	:: nr_workers >= MAXW -> cr_go = 0
	:: else -> d_step { nr_workers++; resv++ }; cr_go = 1
	fi;
	UNLOCK(wq_lock);
#endif
	if
	:: cr_go ->
		nr_running++;
		worker_refs++;
		create_io_worker(ok)
	:: else -> ok = 1           /* at max: "did create" */
	fi
}

/* io_worker_cancel_cb(): undo a create_work item that was queued but
 * will not run.  Kept exactly as in 6.14: it drops nr_workers although a
 * cancelled create_worker_cb never incremented it (ghost unchanged). */
inline io_worker_cancel_cb(t)
{
	nr_running--;
	LOCK(wq_lock);
	nr_workers--;
	UNLOCK(wq_lock);
	io_worker_ref_put();
	create_state[t] = 0;
	io_worker_release(t)
}

/* io_wq_cancel_tw_create(): cancel every create_work queued on wq->task */
inline io_wq_cancel_tw_create()
{
	do
	:: atomic {
		ntw > 0 ->
		if
		:: tw_pending[0] -> ct_i = 0
		:: else ->
			if
			:: tw_pending[1] -> ct_i = 1
#if NSLOT == 3
			:: else -> ct_i = 2
#else
			:: else -> assert(false)
#endif
			fi
		fi;
		assert(tw_pending[ct_i]);
		tw_pending[ct_i] = 0;
		ntw--
	   } ->
		io_worker_cancel_cb(ct_i)
	:: else -> break
	od
}

/* create_worker_cb(): runs as task_work on the owner */
inline create_worker_cb(t)
{
#if MUT(M_HIST_NR_WORKERS_UNLOCKED)
	if
	:: nr_workers < MAXW ->
		LOCK(wq_lock);
		d_step { nr_workers++; resv++ };
		UNLOCK(wq_lock);
		cb_do = 1
	:: else -> cb_do = 0
	fi;
#else
	LOCK(wq_lock);
	if
	:: nr_workers < MAXW -> d_step { nr_workers++; resv++ }; cb_do = 1
	:: else -> cb_do = 0
	fi;
	UNLOCK(wq_lock);
#endif
	if
	:: cb_do -> create_io_worker(cb_ok)
	:: else -> nr_running--; io_worker_ref_put()
	fi;
	create_state[t] = 0;
	io_worker_release(t)
}

/* ------------------------------------------------------------- enqueue */

inline io_wq_enqueue(w)
{
	eq_w = w;
#if MUT(M_HIST_ENQUEUE_NO_CANCEL_ON_EXIT)
	if
	:: false -> skip
#else
	if
	:: wq_exit -> io_run_cancel(eq_w)
#endif
	:: else ->
		LOCK(acct_lock);
		d_step {
			list_insert(eq_w);
			assert(wstat[eq_w] == W_NEW);
			wstat[eq_w] = W_QUEUED;
			outstanding++;
			acct_stalled = 0
		};
		UNLOCK(acct_lock);
		io_wq_activate_free_worker(eq_found);
		if
		:: !eq_found && ((wflags[eq_w] & WF_CONC) || nr_running == 0) ->
			io_wq_create_worker(eq_ok)
		:: else -> skip
		fi
	fi;
	eq_w = NONE
}

/* --------------------------------------------------------- hash waiting */

/* io_wq_hash_wake(), called by wake_up(&hash->wait) with hw_lock held */
inline io_wq_hash_wake()
{
	hash_waiting = 0;
	atomic { hwk_t = acct_stalled; acct_stalled = 0 };
	if
	:: hwk_t -> io_wq_activate_free_worker(eq_found)
	:: else -> skip
	fi
}

inline wake_up_hash()
{
	LOCK(hw_lock);
	if
	:: hash_waiting -> io_wq_hash_wake()
	:: else -> skip
	fi;
	UNLOCK(hw_lock)
}


/* ====================================================================
 * the worker thread
 * ==================================================================== */
/*
 * An io-wq worker thread (io_wq_worker and what it calls).  Worker slot
 * i is process _pid i (the workers are declared before the owner).
 */

/* io_wq_dec_running(): the worker stopped counting as running; if it was
 * the last one and work is runnable, queue create_worker_cb on the owner.
 * Mutant dec_running_no_recheck: no re-check, no creation. */
inline io_queue_worker_create()
{
	qc_ok = 0;
	if
	:: wq_exit -> skip                          /* raced with exit */
	:: else ->
		io_worker_get(me, qc_got);
		if
		:: !qc_got -> skip                      /* worker is exiting */
		:: else ->
			atomic { qc_t = create_state[me]; create_state[me] = 1 };
			if
			:: qc_t -> io_worker_release(me)
			:: else ->
				worker_refs++;
				atomic { tw_pending[me] = 1; ntw++ };   /* task_work_add(wq->task) */
#if !MUT(M_HIST_NO_EXIT_RECHECK)
				if
				:: wq_exit -> io_wq_cancel_tw_create()
				:: else -> skip
				fi;
#endif
				io_worker_ref_put();
				qc_ok = 1
			fi
		fi
	fi;
	if
	:: !qc_ok -> nr_running--; io_worker_ref_put()
	:: else -> skip
	fi
}

inline io_wq_dec_running()
{
	if
	:: f_up[me] ->
		atomic { assert(nr_running > 0); nr_running--; dr_zero = (nr_running == 0) };
#if !MUT(M_DEC_RUNNING_NO_RECHECK)
		if
		:: dr_zero ->
			io_acct_run_queue(dr_ok);
			if
			:: dr_ok ->
				UNLOCK(acct_lock);
				nr_running++;
				worker_refs++;
				io_queue_worker_create()
			:: else -> skip
			fi
		:: else -> skip
		fi
#endif
	:: else -> skip
	fi
}

/* scheduler hooks: io_wq_worker_sleeping() from sched_submit_work() when
 * schedule() is entered with state != RUNNING, io_wq_worker_running()
 * from sched_update_worker() on the way out. */
inline io_wq_worker_sleeping()
{
	if
	:: hooks[me] && f_up[me] && f_running[me] ->
		f_running[me] = 0;
		io_wq_dec_running()
	:: else -> skip
	fi
}

inline io_wq_worker_running()
{
	if
	:: hooks[me] && f_up[me] && !f_running[me] ->
		f_running[me] = 1;
		nr_running++
	:: else -> skip
	fi
}

/* schedule_timeout(WORKER_IDLE_TIMEOUT): ret 0 iff the timeout fired */
inline schedule_timeout(ret)
{
	if
	:: tstate[me] != TASK_RUNNING -> io_wq_worker_sleeping()
	:: else -> skip
	fi;
	atomic {
		if
		:: tstate[me] == TASK_RUNNING -> slept = 0
		:: else ->
			if
			:: notify[me] -> tstate[me] = TASK_RUNNING; slept = 0   /* signal_pending_state */
			:: else -> slept = 1
			fi
		fi;
		ret = 1
	};
	if
	:: slept ->
end_idle_sleep:
		if
		:: atomic { tstate[me] == TASK_RUNNING -> slept = 0 }
#if TIMEOUTS
		:: atomic { slept -> tstate[me] = TASK_RUNNING; slept = 0; ret = 0 }
#endif
		fi
	:: else -> skip
	fi;
	io_wq_worker_running()
}

/* the exit-on-idle exit of the seed (v1): count down under wq->lock */
inline eoi_exit()
{
#if MUT(M_EOI_NO_DEC)
	acc[me] = 0;                       /* leaves the count, nr_workers kept */
	UNLOCK(wq_lock);
#elif MUT(M_EOI_DEC_UNLOCKED)
	UNLOCK(wq_lock);
	dr_v = nr_workers;                 /* read ...                          */
	d_step { nr_workers = dr_v - 1; acc[me] = 0 };   /* ... modify-write   */
#else
	d_step { nr_workers--; acc[me] = 0 };
	UNLOCK(wq_lock);
#endif
	tstate[me] = TASK_RUNNING
}

/* io_wait_on_hash() */
inline io_wait_on_hash(unst)
{
	unst = 0;
	LOCK(hw_lock);
	if
	:: !hash_waiting ->
		hash_waiting = 1;
		if
		:: !hash_busy -> tstate[me] = TASK_RUNNING; hash_waiting = 0; unst = 1
		:: else -> skip
		fi
	:: else -> skip
	fi;
	UNLOCK(hw_lock)
}

/* io_get_next_work(): acct->lock held on entry and on return.  Plain works
 * are taken one at a time; the hashed works (one bucket, kept together by
 * hash_tail) are cut as one chain if the bucket is free, else the acct is
 * marked stalled.  Mutant hist_stall_after_unlock: the stall bit is set
 * only after io_wait_on_hash(), once acct->lock is retaken. */
inline io_get_next_work()
{
	d_step {
		work = NONE; gn_i = 0; gn_stall = 0;
		do
		:: gn_i >= wl_len -> break
		:: else ->
			gn_w = wl[gn_i];
			if
			:: !(wflags[gn_w] & WF_HASHED) ->
				list_remove_at(gn_i);
				work = gn_w;
				wstat[work] = W_TAKEN;
				break
			:: else ->
				if
				:: !hash_busy ->
					hash_busy = 1;
					/* cut [work, tail]: every hashed entry from here on */
					work = gn_w;
					do
					:: gn_i < wl_len && (wflags[wl[gn_i]] & WF_HASHED) ->
						chain = chain | (1 << wl[gn_i]);
						wstat[wl[gn_i]] = W_TAKEN;
						list_remove_at(gn_i)
					:: else -> break
					od;
					chain = chain & ~(1 << work);
					hash_tail = NONE;
					break
				:: else ->
					gn_stall = 1;
					do
					:: gn_i < wl_len && (wflags[wl[gn_i]] & WF_HASHED) -> gn_i++
					:: else -> break
					od
				fi
			fi
		od;
		gn_w = 0; gn_i = 0
	};
	if
	:: work == NONE && gn_stall ->
#if !MUT(M_HIST_STALL_AFTER_UNLOCK)
		acct_stalled = 1;
#endif
		UNLOCK(acct_lock);
		io_wait_on_hash(gn_unst);
		LOCK(acct_lock);
#if MUT(M_HIST_STALL_AFTER_UNLOCK)
		acct_stalled = 1;
#endif
		if
		:: gn_unst ->
			acct_stalled = 0;
			if
			:: hash_waiting -> wake_up_hash()
			:: else -> skip
			fi
		:: else -> skip
		fi
	:: else -> skip
	fi;
	gn_stall = 0; gn_unst = 0
}

/* do_work(): a WF_BLOCK work sleeps once inside (scheduler hooks run) and
 * is woken when what it waits for (wdep: another work, or the owner asking for exit-on-idle)
 * has happened; with no wdep it may wake at any time. */
inline do_work(w)
{
	if
	:: wflags[w] & WF_BLOCK ->
		io_wq_worker_sleeping();
		(wdep[w] == NONE || (wdep[w] == DEP_EOI && eoi_req) ||
		 (wdep[w] < NW && wstat[wdep[w]] >= W_DONE));
		io_wq_worker_running()
	:: else -> skip
	fi;
	d_step { assert(wstat[w] == W_TAKEN); wstat[w] = W_DONE; outstanding-- }
}

/* io_worker_handle_work(): called with acct->lock held, drops it */
inline io_worker_handle_work()
{
	do
	:: io_get_next_work();
		UNLOCK(acct_lock);
		if
		:: work == NONE -> break
		:: else -> skip
		fi;
		/* __io_worker_busy() */
		if
		:: f_free[me] ->
			f_free[me] = 0;
			LOCK(wq_lock);
			on_free[me] = 0;
			UNLOCK(wq_lock)
		:: else -> skip
		fi;
		notify[me] = 0;                 /* io_assign_current_work: io_run_task_work() */
		tstate[me] = TASK_RUNNING;
		do
		:: hw_hashed = (wflags[work] & WF_HASHED);
			/* next_hashed = wq_next_work(work) */
			d_step {
				if
				:: chain == 0 -> next_hashed = NONE
				:: else ->
					gn_i = 0;
					do
					:: chain & (1 << gn_i) -> break
					:: else -> gn_i++
					od;
					next_hashed = gn_i;
					chain = chain & ~(1 << gn_i);
					gn_i = 0
				fi
			};
			do_work(work);
			linked = wlink[work];
			work = next_hashed;
			if
			:: work == NONE && linked != NONE && !(wflags[linked] & WF_HASHED) ->
				d_step { work = linked; linked = NONE; wstat[work] = W_TAKEN; outstanding++ };
				notify[me] = 0
			:: else -> skip
			fi;
			if
			:: linked != NONE -> io_wq_enqueue(linked); linked = NONE
			:: else -> skip
			fi;
			if
			:: hw_hashed && next_hashed == NONE ->
				/* serialize hash clear with wake_up() */
				LOCK(hw_lock);
				hash_busy = 0;
				acct_stalled = 0;
				UNLOCK(hw_lock);
				if
				:: hash_waiting -> wake_up_hash()    /* wq_has_sleeper() */
				:: else -> skip
				fi
			:: else -> skip
			fi;
			hw_hashed = 0; next_hashed = NONE;
			if
			:: work == NONE -> break
			:: else -> skip
			fi
		od;
		/* unlocked __io_acct_run_queue() */
		if
		:: acct_stalled || wl_len == 0 -> break
		:: else -> LOCK(acct_lock)
		fi
	od
}

/* io_worker_exit() */
inline io_worker_exit()
{
	/* task_work_cancel_match(wq->task, io_task_worker_match, worker) */
	do
	:: atomic { tw_pending[me] -> tw_pending[me] = 0; ntw-- } ->
		io_worker_cancel_cb(me)
	:: else -> break
	od;
	io_worker_release(me);
	/* wait_for_completion(&worker->ref_done) */
	if
	:: ref_done[me] -> skip
	:: else ->
		io_wq_worker_sleeping();
		ref_done[me];
		io_wq_worker_running()
	fi;
	LOCK(wq_lock);
	d_step {
		if
		:: f_free[me] -> on_free[me] = 0
		:: else -> skip
		fi;
		on_all[me] = 0
	};
	UNLOCK(wq_lock);
	io_wq_dec_running();
	hooks[me] = 0;                         /* current->worker_private = NULL */
	io_worker_ref_put()                    /* after kfree_rcu(worker) */
}

active [NSLOT] proctype worker()
{
	byte me = _pid;
	LOCALS;
	byte work = NONE, next_hashed = NONE, linked = NONE, chain;
	byte gn_i, gn_w, dr_v, qc_t;
	bit gn_stall, gn_unst, hw_hashed, dr_zero, dr_ok, qc_ok, qc_got;
	bit ok, leave, last_timeout, slept, ret;

end_slot:
	do
	:: atomic { sst[me] == SLOT_STARTING -> sst[me] = SLOT_LIVE };
		/* io_wq_worker() */
		d_step { f_up[me] = 1; f_running[me] = 1; hooks[me] = 1; last_timeout = 0 };
		do
		:: wq_exit -> break
		:: else ->
#if !MUT(M_STATE_AFTER_CHECK)
			tstate[me] = TASK_INTERRUPTIBLE;     /* set_current_state() */
#endif
			do
			:: io_acct_run_queue(ok);
				if
				:: ok -> io_worker_handle_work()
				:: else -> break
				fi
			od;
#if MUT(M_STATE_AFTER_CHECK)
			tstate[me] = TASK_INTERRUPTIBLE;     /* too late: after the check */
#endif
			LOCK(wq_lock);
			leave = 0;
#if VARIANT == V_V1 && !MUT(M_EOI_AFTER_IDLE)
			if
			:: wq_eoi -> eoi_exit(); leave = 1
			:: else -> skip
			fi;
#endif
			if
			:: !leave &&
#if VARIANT == V_MERGED
			   ((last_timeout && nr_workers > 1) || wq_eoi)
#else
			   (last_timeout && nr_workers > 1)
#endif
			   ->
				d_step { nr_workers--; acc[me] = 0 };
				UNLOCK(wq_lock);
				tstate[me] = TASK_RUNNING;
				leave = 1
			:: else -> skip
			fi;
			if
			:: !leave ->
				last_timeout = 0;
				/* __io_worker_idle() */
				if
				:: !f_free[me] -> f_free[me] = 1; on_free[me] = 1
				:: else -> skip
				fi;
#if MUT(M_EOI_AFTER_IDLE)
				if
				:: wq_eoi -> eoi_exit(); leave = 1
				:: else -> UNLOCK(wq_lock)
				fi
#else
				UNLOCK(wq_lock)
#endif
			:: else -> skip
			fi;
			if
			:: leave -> break
			:: else -> skip
			fi;
			notify[me] = 0;        /* io_run_task_work(): clears TIF_NOTIFY_SIGNAL, nothing to run */
			schedule_timeout(ret);
			if
			:: notify[me] -> notify[me] = 0        /* get_signal(): no real signal, continue */
			:: else ->
				if
				:: ret == 0 -> last_timeout = 1
				:: else -> skip
				fi
			fi;
			ret = 0
		od;
		leave = 0;
		if
		:: wq_exit ->
			io_acct_run_queue(ok);
			if
			:: ok -> io_worker_handle_work()
			:: else -> skip
			fi
		:: else -> skip
		fi;
		ok = 0; last_timeout = 0;
		io_worker_exit();
		/* do_exit(): the struct and slot can be reused */
		d_step {
			assert(!tw_pending[me] && !create_state[me]);
			assert(!on_free[me] && !on_all[me]);
			sst[me] = SLOT_FREE;
			nthreads--;
			tstate[me] = TASK_RUNNING;
			notify[me] = 0; f_up[me] = 0; f_running[me] = 0; f_free[me] = 0;
			ref_done[me] = 0;
			if
			:: wq_exit -> acc[me] = 0   /* EXIT leaves without a decrement, by design */
			:: else -> assert(!acc[me])  /* every other exit path counted itself out */
			fi
		}
	od
}

/* ====================================================================
 * the owner task
 * ==================================================================== */
/*
 * The task that owns the io_wq (io_uring's caller side); its lock-holder
 * id is OWNER.
 */

/* task_work_run(): the whole list is taken at once, then each item run */
inline owner_task_work_run()
{
	d_step {
		tw_take = 0; tw_i = 0;
		do
		:: tw_i < NSLOT ->
			if
			:: tw_pending[tw_i] -> tw_take = tw_take | (1 << tw_i); tw_pending[tw_i] = 0
			:: else -> skip
			fi;
			tw_i++
		:: else -> break
		od;
		ntw = 0; tw_i = 0
	};
	do
	:: tw_i < NSLOT ->
		if
		:: tw_take & (1 << tw_i) -> cb_t = tw_i; create_worker_cb(cb_t)
		:: else -> skip
		fi;
		tw_i++
	:: else -> break
	od;
	tw_i = 0; tw_take = 0
}

/* pending task_work runs when an owner action (a syscall) returns */
inline syscall_exit()
{
	if
	:: ntw > 0 -> owner_task_work_run()
	:: else -> skip
	fi
}

/* io_wq_set_exit_on_idle() of the seed (and of upstream); baseline has no
 * such function, so the owner's calls are no-ops there. */
inline io_wq_set_exit_on_idle(enable)
{
#if VARIANT != V_BASELINE
	if
	:: !wq_task -> skip
	:: else ->
		if
		:: !enable -> wq_eoi = 0
		:: else ->
			atomic { se_old = wq_eoi; wq_eoi = 1 };
#if !MUT(M_EOI_NO_WAKE)
			if
			:: !se_old -> for_each_worker_wake()
			:: else -> skip
			fi;
#endif
			se_old = 0
		fi
	fi
#else
	skip
#endif
}

inline io_wq_exit_start()
{
	wq_exit = 1
}

/* io_wq_put_and_exit() = io_wq_exit_workers() + io_wq_destroy() */
inline io_wq_put_and_exit()
{
	assert(wq_exit);
	if
	:: wq_task ->
		io_wq_cancel_tw_create();
		for_each_worker_wake();
		io_worker_ref_put();
		worker_done;                 /* wait_for_completion: no task_work runs here */
		LOCK(hw_lock);
		hash_waiting = 0;
		UNLOCK(hw_lock);
		wq_task = 0
	:: else -> skip
	fi;
	/* io_wq_destroy(): cancel whatever is still pending */
	do
	:: LOCK(acct_lock);
		if
		:: wl_len > 0 ->
			d_step {
				de_w = wl[0];
				if
				:: hash_tail == de_w -> hash_tail = NONE
				:: else -> skip
				fi;
				list_remove_at(0)
			};
			UNLOCK(acct_lock);
			io_run_cancel(de_w)
		:: else -> UNLOCK(acct_lock); break
		fi
	od
}

#define ENQ(w)   io_wq_enqueue(w); syscall_exit()
#define EOI(e)   io_wq_set_exit_on_idle(e); eoi_req = e; syscall_exit()
/* io_uring's ring exit: io_ring_exit_work waits until every request of the
 * ring is over (ref_comp) before io_tctx_exit_cb deletes the last node and
 * sets EOI; the owner runs its task_work (worker creation) meanwhile. */
#define WAIT_OVER(w) do :: wstat[w] >= W_DONE -> break :: ntw > 0 -> owner_task_work_run() od

active proctype owner()
{
	byte me = OWNER;
	LOCALS;
	byte tw_i, tw_take, se_old, de_w;

	/* the scenario's works */
	d_step {
		wl[0] = NONE; wl[1] = NONE;
#if NW == 3
		wl[2] = NONE;
#endif
		wlink[0] = NONE; wlink[1] = NONE; wdep[0] = NONE; wdep[1] = NONE;
#if NW == 3
		wlink[2] = NONE; wdep[2] = NONE;
#endif
#if SCEN == SC_CONC3
		wflags[0] = WF_CONC; wflags[1] = WF_CONC; wflags[2] = WF_CONC;
#elif SCEN == SC_TOGGLE
		wflags[1] = WF_CONC;
#elif SCEN == SC_POOL
		wflags[0] = WF_CONC; wflags[1] = WF_CONC;
#elif SCEN == SC_EOICONC
		wflags[0] = WF_CONC | WF_BLOCK; wdep[0] = DEP_EOI; wflags[1] = WF_CONC;
#elif SCEN == SC_BLOCKDEP
		wflags[0] = WF_BLOCK; wdep[0] = 1;
#elif SCEN == SC_BLOCKEOI
		wflags[0] = WF_BLOCK;
#elif SCEN == SC_HASH
		wflags[0] = WF_HASHED; wflags[1] = WF_HASHED | WF_CONC;
#elif SCEN == SC_LINKED
		wflags[0] = WF_HASHED; wlink[0] = 2; wflags[1] = WF_CONC;
		wflags[2] = WF_HASHED | WF_CONC;
#endif
		skip
	};

#if SCEN == SC_BASIC || SCEN == SC_BLOCKDEP || SCEN == SC_HASH || SCEN == SC_LINKED
	ENQ(0); ENQ(1);
#elif SCEN == SC_CONC3
	ENQ(0); ENQ(1); ENQ(2);
#elif SCEN == SC_POOL || SCEN == SC_BLOCKEOI
	ENQ(0); ENQ(1);
	EOI(1);                       /* the task's last ring went away */
	eoi_final = 1;
#elif SCEN == SC_IDLE
	ENQ(0);
	EOI(1);
	eoi_final = 1;
#elif SCEN == SC_TOGGLE
	ENQ(0);
	WAIT_OVER(0);                 /* io_uring's order: w0 over ...  */
	EOI(1);                       /* ... then the last ring closed  */
	EOI(0);                       /* ... and a new one opened       */
	ENQ(1);
#elif SCEN == SC_EOICONC
	ENQ(0);
	EOI(1);
	ENQ(1);                       /* work arriving while EOI is set */
	eoi_final = 1;
#elif SCEN == SC_EXIT
	ENQ(0);
	EOI(1);                       /* last ring closed ...           */
	EOI(0);                       /* ... a new one opened           */
	ENQ(1);
	io_wq_exit_start();           /* the task exits                 */
	ENQ(2);                       /* e.g. a request re-issued by task_work during cancel */
	io_wq_set_exit_on_idle(1);    /* io_uring's task-exit path (no-op in baseline) */
	io_wq_put_and_exit();
	/* the wq is gone: no creation task_work may be left behind */
	assert(ntw == 0);
	goto owner_done;
#endif

end_owner_idle:
	do
	:: ntw > 0 -> owner_task_work_run()
	od;
owner_done:
	skip
}

/* ====================================================================
 * the properties
 * ==================================================================== */
/*
 * The properties; which ones are compiled in is chosen by PROP_ACCT,
 * PROP_END and LIVENESS.
 */

/*
 * ACCOUNTING (safety, PROP_ACCT).  Claim: while the wq is not exiting,
 * acct->nr_workers never exceeds max_workers (an underflow shows as a huge
 * byte), and whenever nobody holds wq->lock it equals the number of
 * counted workers: reservations made by io_wq_create_worker /
 * create_worker_cb that have not become a worker yet (resv) plus workers
 * that have not left through a counted exit (acc[]).  After EXIT the count
 * is no longer maintained by design (workers leaving on EXIT do not
 * decrement), so the claim stops there.  When the system is quiescent
 * (no step possible) the running and reference counts balance too:
 * nr_running == workers flagged RUNNING, worker_refs == 1 + live threads.
 */
#define ACCT_OK (wq_exit || (nr_workers <= MAXW && \
                 (wq_lock != 0 || nr_workers == resv + ACC_SUM)))

#ifdef PROP_ACCT
active proctype acct_monitor()
{
end_acct:
	if
	:: atomic { !ACCT_OK -> assert(ACCT_OK) }
	:: atomic { timeout && !wq_exit ->
		assert(nr_running == FRUN_SUM && worker_refs == 1 + nthreads) }
	fi
}
#endif

/*
 * END STATE (safety, PROP_END, timeouts off).  Claim: every execution that
 * can go no further has no work left outstanding (queued or taken and not
 * finished or cancelled), and every process is at a valid end: workers idle
 * asleep or gone, owner idle (or returned from io_wq_put_and_exit).  A
 * stranded work trips the assertion below; an exit that never completes,
 * or a worker stuck inside a work, is reported by SPIN as an invalid end
 * state.
 */
#ifdef PROP_END
active proctype end_monitor()
{
end_quiet:
	atomic { timeout -> assert(outstanding == 0) }
}
#endif

#ifdef LIVENESS
/*
 * SPIN's weak-fairness search (-f) does not extend a finished run by
 * stuttering, so a run that gets stuck (everyone asleep with work left)
 * would never be reported as violating a liveness claim.  This process
 * ticks only when no other process can move (timeout), turning such a
 * stuck state into a fair cycle that the acceptance search sees.
 */
active proctype stutter()
{
	bit t;
end_stutter:
	do
	:: timeout -> t = !t
	od
}

/*
 * NO LOST WAKEUP (liveness, weak fairness, timeouts off).  Claim: whenever
 * some enqueued work is outstanding, eventually none is: every enqueued
 * work is eventually run or cancelled.  (The owner enqueues finitely many
 * works, so this is "every work is eventually over".)
 */
ltl nolost { [] ((outstanding > 0) -> <> (outstanding == 0)) }

/*
 * POOL REACHES ZERO (liveness, weak fairness, timeouts off unless stated).
 * Claim: once the owner has set exit-on-idle for good and submits nothing
 * more (eoi_final), eventually nr_workers is 0 and no worker thread
 * exists, and that stays so.
 */
ltl poolzero { [] (eoi_final -> <> [] (nr_workers == 0 && nthreads == 0)) }
#endif
