/*
 * config.pml -- variant, mutant and scenario selection for iowq.pml.
 *
 * Everything here is chosen on the spin command line, e.g.
 *   spin -a -DVARIANT=1 -DMUTANT=0 -DSCEN=SC_POOL -DTIMEOUTS=0 iowq.pml
 * (ci/proofs does this for every row of expected.tsv).
 */

/* ---- variants ---------------------------------------------------------- */
#define V_BASELINE 0   /* io-wq.c of Linux 6.14, no exit-on-idle           */
#define V_V1       1   /* the seed: separate EXIT_ON_IDLE block first      */
#define V_MERGED   2   /* upstream 38aa434ab933: folded into last_timeout  */
#ifndef VARIANT
#define VARIANT V_V1
#endif

/* ---- mutants (same names as the C++ port) ------------------------------ */
#define M_NONE                           0
#define M_EOI_NO_DEC                     1
#define M_EOI_DEC_UNLOCKED               2
#define M_EOI_NO_WAKE                    3
#define M_EOI_AFTER_IDLE                 4
#define M_WAKE_NO_RUNNING                5
#define M_HIST_NR_WORKERS_UNLOCKED       6
#define M_STATE_AFTER_CHECK         7
#define M_HIST_STALL_AFTER_UNLOCK        8
#define M_HIST_ENQUEUE_NO_CANCEL_ON_EXIT 9
#define M_HIST_NO_EXIT_RECHECK           10
#define M_DEC_RUNNING_NO_RECHECK         11
#ifndef MUTANT
#define MUTANT M_NONE
#endif
#define MUT(m) (MUTANT == (m))

/* ---- environment switches ---------------------------------------------- */
#ifndef TIMEOUTS
#define TIMEOUTS 0     /* 1: an idle sleep may end by its 5 s timeout     */
#endif

/* ---- scenarios ----------------------------------------------------------
 * A scenario fixes acct->max_workers (MAXW), the works (NW of them, with
 * their flags), and the owner's script.  The owner runs its pending
 * task_work (create_worker_cb) at the end of every action ("syscall exit")
 * and, once the script is over, whenever task_work is pending.
 */
#define SC_BASIC    1  /* MAXW 1: enqueue w0, w1                                  */
#define SC_CONC3    2  /* MAXW 2: enqueue three CONCURRENT works                  */
#define SC_POOL     3  /* MAXW 2: enqueue w0, w1 (CONCURRENT); set EOI for good    */
#define SC_TOGGLE   4  /* MAXW 2: enqueue w0; set EOI; clear EOI; enqueue w1 (CONC) */
#define SC_EOICONC  5  /* MAXW 2: w0 (CONC) in flight until EOI is set; set EOI; enqueue w1 (CONC) */
#define SC_BLOCKDEP 6  /* MAXW 2: w0 blocks until w1 is done; enqueue w0, w1       */
#define SC_BLOCKEOI 7  /* MAXW 1: w0 blocks for a while; enqueue w0, w1; set EOI   */
#define SC_HASH     8  /* MAXW 2: w0 hashed, w1 hashed+CONC, same hash bucket       */
#define SC_LINKED   9  /* MAXW 2: w0 hashed linked to w2 (hashed+CONC); w1 CONC    */
#define SC_EXIT    10  /* MAXW 1: w0; EOI on, off; w1; EXIT; w2 (after EXIT); EOI; put_and_exit */
#define SC_IDLE    11  /* MAXW 1: enqueue w0; set EOI for good                     */
#ifndef SCEN
#define SCEN SC_BASIC
#endif

/* work flags */
#define WF_HASHED 1    /* IO_WQ_WORK_HASHED, all hashed works share one bucket */
#define WF_CONC   2    /* IO_WQ_WORK_CONCURRENT                                */
#define WF_BLOCK  4    /* do_work() sleeps once (io_wq_worker_sleeping/running) */
#define DEP_EOI   254  /* wdep: the blocked work is woken once the owner has set EXIT_ON_IDLE */

/* acct->max_workers: the scenario's value unless given with -DMAXW=n
 * (n <= 2: the worker slots are spelled out for NSLOT <= 3) */
#ifndef MAXW
#if SCEN == SC_BASIC || SCEN == SC_BLOCKEOI || SCEN == SC_IDLE || SCEN == SC_EXIT
#define MAXW 1
#else
#define MAXW 2
#endif
#endif

#if SCEN == SC_CONC3 || SCEN == SC_LINKED || SCEN == SC_EXIT
#define NW 3
#else
#define NW 2
#endif

/* Worker structs that may exist at once: max_workers counted ones plus
 * one that has left the count (exit-on-idle / timeout) but is still in
 * io_worker_exit().  Running out is reported as an assertion naming the
 * bound, never silently. */
#ifndef NSLOT
#define NSLOT (MAXW + 1)
#endif
#define OWNER NSLOT     /* lock-holder id of the owner task */
