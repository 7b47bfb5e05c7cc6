/*
 * The reproducers, one static program that runs as /init of a tiny kernel under QEMU. The test to
 * run comes from the kernel command line (iowq_test=NAME, passed to init as an environment
 * variable). Every result is one line on the console that starts with "IOWQ " so the harness can
 * tell it from the kernel's own messages:
 *
 *   IOWQ START <test> rounds=N
 *   IOWQ RESULT <test> <round> reproduced|clean <detail>
 *   IOWQ DONE <test> rounds=N reproduced=K
 *   IOWQ ERROR <test> <what went wrong>
 *
 * "reproduced" means the finding showed; "clean" means the kernel behaved correctly in that round.
 * After the last line init asks for a reboot, which QEMU (-no-reboot) turns into its exit.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *test_name = "?";

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	/* one write per line so lines from threads do not interleave */
	buf[n++] = '\n';
	if (write(1, buf, n) < 0)
		_exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Worker threads of this process: tasks named iou-wrk-*. */
static int count_workers(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], comm[32] = "";
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (read(fd, comm, sizeof(comm) - 1) > 0 && !strncmp(comm, "iou-wrk-", 8))
			n++;
		close(fd);
	}
	closedir(d);
	return n;
}

/* Punts one NOP to io-wq (IOSQE_ASYNC). */
static int punt_nop(struct io_uring *ring, unsigned long long tag)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_nop(sqe);
	sqe->flags |= IOSQE_ASYNC;
	io_uring_sqe_set_data64(sqe, tag);
	return io_uring_submit(ring) == 1 ? 0 : -EIO;
}

/* Waits up to timeout_ms for one completion; 0 when it came, -ETIME when it did not. */
static int wait_one(struct io_uring *ring, long timeout_ms)
{
	struct __kernel_timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	struct io_uring_cqe *cqe;
	int ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);

	if (ret)
		return ret;
	io_uring_cqe_seen(ring, cqe);
	return 0;
}

/*
 * The patch's purpose: a NOP punted to io-wq makes a worker; once the last ring is closed, is the
 * worker gone a second later? "reproduced" here means the worker lingers (baseline's behaviour).
 */
static int test_purpose(int round)
{
	struct io_uring ring;
	int before, after;

	if (io_uring_queue_init(8, &ring, 0)) {
		say("IOWQ ERROR %s io_uring_queue_init failed", test_name);
		return -1;
	}
	if (punt_nop(&ring, 1) || wait_one(&ring, 3000)) {
		say("IOWQ ERROR %s the punted NOP did not complete", test_name);
		return -1;
	}
	before = count_workers();
	io_uring_queue_exit(&ring);
	sleep_ms(1000);
	after = count_workers();
	say("IOWQ RESULT %s %d %s workers_before_close=%d workers_1s_after_close=%d", test_name, round,
	    after > 0 ? "reproduced" : "clean", before, after);
	return after > 0;
}

/*
 * F1: the last ring closes, exit-on-idle is set and the worker leaves; a NOP punted on a new ring
 * while it is leaving (inside the delay window the debug patch opens) must still complete.
 */
static int test_f1(int round)
{
	struct io_uring a, b;
	int ret;

	if (io_uring_queue_init(8, &a, 0) || punt_nop(&a, 1) || wait_one(&a, 3000)) {
		say("IOWQ ERROR %s first ring's NOP did not complete", test_name);
		return -1;
	}
	io_uring_queue_exit(&a);
	/* the tctx exit callback runs as task_work when this task next enters the kernel */
	sleep_ms(100);
	if (io_uring_queue_init(8, &b, 0) || punt_nop(&b, 2)) {
		say("IOWQ ERROR %s second ring failed", test_name);
		return -1;
	}
	ret = wait_one(&b, 3000);
	say("IOWQ RESULT %s %d %s cqe_within_3s=%s workers=%d", test_name, round,
	    ret ? "reproduced" : "clean", ret ? "no" : "yes", count_workers());
	io_uring_queue_exit(&b);
	/* start the next round with no worker left from this one (at most 2 s) */
	for (int i = 0; i < 20 && count_workers() > 0; i++)
		sleep_ms(100);
	return ret != 0;
}

struct f3_arg {
	double exited_at;
};

static void *f3_thread(void *p)
{
	struct f3_arg *arg = p;
	struct io_uring ring;

	/*
	 * Punt one NOP, wait for its completion, and leave 200 ms later. The worker that ran the NOP
	 * goes back to the top of its loop right after posting the completion
	 * (io_worker_handle_work() left it TASK_RUNNING, so its schedule_timeout() returns at once),
	 * passes the IO_WQ_BIT_EXIT test and is there, before set_current_state(), when the thread's
	 * exit (io_uring_files_cancel: io_wq_exit_start, io_wq_put_and_exit) sets the bit and wakes
	 * it; the debug delay patch holds it at that point for 500 ms. The ring stays open: the fd
	 * table is the process's.
	 */
	if (io_uring_queue_init(8, &ring, 0) == 0 && punt_nop(&ring, 1) == 0) {
		wait_one(&ring, 3000);
		sleep_ms(200);
	}
	arg->exited_at = now();
	return NULL;
}

/*
 * F3: a non-last thread that used io_uring exits; its exit waits in io_wq_put_and_exit() for the
 * workers. When the exit's wake is absorbed, the worker sleeps out its 5 s idle timeout first.
 * Measures from the thread's return to pthread_join() (the kernel clears the tid in do_exit's
 * exit_mm, after the io_uring teardown).
 */
static int test_f3(int round)
{
	struct f3_arg arg = { 0 };
	pthread_t t;
	double took;

	if (pthread_create(&t, NULL, f3_thread, &arg)) {
		say("IOWQ ERROR %s pthread_create failed", test_name);
		return -1;
	}
	pthread_join(t, NULL);
	took = now() - arg.exited_at;
	say("IOWQ RESULT %s %d %s exit_seconds=%.2f", test_name, round, took > 2.5 ? "reproduced" : "clean",
	    took);
	return took > 2.5;
}

#define F6_FIFO "/f6-fifo"

struct f6_arg {
	int submitted;
	double exited_at;
};

/*
 * F6's thread: one ring, one IOSQE_ASYNC openat of a FIFO that nobody has opened for writing
 * (bound io-wq work that sleeps in the open until a writer comes), then it returns at once,
 * before its new io worker has run.
 */
static void *f6_thread(void *p)
{
	struct f6_arg *arg = p;
	struct io_uring ring;
	struct io_uring_sqe *sqe;

	if (io_uring_queue_init(8, &ring, 0) == 0) {
		sqe = io_uring_get_sqe(&ring);
		if (sqe) {
			io_uring_prep_openat(sqe, AT_FDCWD, F6_FIFO, O_RDONLY, 0);
			sqe->flags |= IOSQE_ASYNC;
			arg->submitted = io_uring_submit(&ring) == 1;
		}
	}
	arg->exited_at = now();
	return NULL;
}

/*
 * F6: the thread's exit signals its worker once; if the worker clears that signal (in
 * io_assign_current_work()) before the open sleeps, the exit waits for the open. Reproduced when
 * the thread's exit has not finished 3 s after it returned; then the FIFO is opened for writing,
 * which ends the open and lets the exit finish.
 */
static int test_f6(int round)
{
	struct f6_arg arg = { 0 };
	struct timespec deadline;
	pthread_t t;
	double took;
	int hung, fd;

	unlink(F6_FIFO);
	if (mkfifo(F6_FIFO, 0600)) {
		say("IOWQ ERROR %s mkfifo: %s", test_name, strerror(errno));
		return -1;
	}
	if (pthread_create(&t, NULL, f6_thread, &arg)) {
		say("IOWQ ERROR %s pthread_create failed", test_name);
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 4;
	hung = pthread_timedjoin_np(t, NULL, &deadline) == ETIMEDOUT;
	/* The worker sleeps in the open as a reader, so a non-blocking writer's open succeeds. */
	fd = open(F6_FIFO, O_WRONLY | O_NONBLOCK);
	if (hung)
		pthread_join(t, NULL);
	took = now() - arg.exited_at;
	if (fd >= 0)
		close(fd);
	if (!arg.submitted) {
		say("IOWQ ERROR %s the openat was not submitted", test_name);
		return -1;
	}
	say("IOWQ RESULT %s %d %s exit_seconds=%.2f", test_name, round, took > 3.0 ? "reproduced" : "clean", took);
	return took > 3.0;
}

struct test {
	const char *name;
	int (*fn)(int round);
};

static const struct test tests[] = {
	{ "purpose", test_purpose },
	{ "f1", test_f1 },
	{ "f3", test_f3 },
	{ "f6", test_f6 },
};

static void finish(void)
{
	sync();
	reboot(RB_AUTOBOOT);
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *name = getenv("iowq_test");
	const char *r = getenv("iowq_rounds");
	int rounds = r ? atoi(r) : 1, reproduced = 0, i;
	const struct test *t = NULL;

	(void)argc;
	(void)argv;
	mkdir("/proc", 0555);
	mount("proc", "/proc", "proc", 0, NULL);
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);

	test_name = name ? name : "?";
	say("IOWQ START %s rounds=%d", test_name, rounds);
	for (i = 0; i < (int)(sizeof(tests) / sizeof(tests[0])); i++)
		if (name && !strcmp(tests[i].name, name))
			t = &tests[i];
	if (!t) {
		say("IOWQ ERROR %s unknown test", test_name);
		finish();
	}
	for (i = 1; i <= rounds; i++) {
		int ret = t->fn(i);

		if (ret < 0)
			finish();
		reproduced += ret;
	}
	say("IOWQ DONE %s rounds=%d reproduced=%d", test_name, rounds, reproduced);
	finish();
	return 0;
}
