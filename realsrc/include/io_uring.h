/*
 * Stands in for io_uring/io_uring.h, the io_uring internals io-wq.c uses: running the task's
 * task_work, and (6.16 on) the calls into the request side that replaced io_wq_data's functions.
 * Found through the include path: the compile directory holds only io-wq.c, io-wq.h and slist.h.
 */
#ifndef KENV_IO_URING_H
#define KENV_IO_URING_H
#include "kenv.h"

/* io_run_task_work: clears TIF_NOTIFY_SIGNAL and runs pending task_work; true when it ran any. */
bool kenv_io_run_task_work(KENV_LOC);
#define io_run_task_work() kenv_io_run_task_work(KENV_AT)

/* How long an exiting task waits for its workers before io-wq warns (6.19). */
#define IO_URING_EXIT_WAIT_MAX (HZ * 60 * 5)

/* The request side of io-wq, 6.16 on: io-wq calls these directly (before, through io_wq_data). */
void io_wq_submit_work(struct io_wq_work *work);
struct io_wq_work *io_wq_free_work(struct io_wq_work *work);
#endif
