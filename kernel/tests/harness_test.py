#!/usr/bin/env python3
"""Tests of the kernel harness that need no kernel build: how a serial log is judged (verdicts,
splats, hangs), the input errors of iowq-kernel, kernel/build and kernel/delay-patch, where
delay-patch puts its delay, and (when Debian's linux-source-6.12 is installed) that the committed
debug patches are exactly what kernel/patches/debug/regenerate writes.

    python3 kernel/tests/harness_test.py [IOWQ_VERIFY]
"""
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

K = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IOWQ_VERIFY = None


def load_harness():
    loader = importlib.machinery.SourceFileLoader("iowq_kernel", os.path.join(K, "iowq-kernel"))
    spec = importlib.util.spec_from_loader("iowq_kernel", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


H = load_harness()


def run(*cmd):
    r = subprocess.run(list(cmd), capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


class Judge(unittest.TestCase):
    def test_reproduced_rounds_are_counted(self):
        log = ("[    0.5] random kernel line\nIOWQ START f1 rounds=3\n"
               "IOWQ RESULT f1 1 reproduced cqe_within_3s=no workers=0\n"
               "IOWQ RESULT f1 2 clean cqe_within_3s=yes workers=1\n"
               "IOWQ RESULT f1 3 reproduced cqe_within_3s=no workers=0\nIOWQ DONE f1 rounds=3 reproduced=2\n")
        code, verdict, rows = H.judge(log, False, "f1")
        self.assertEqual(code, 1)
        self.assertEqual(verdict, "reproduced in 2 of 3 rounds")
        self.assertEqual([r["result"] for r in rows], ["reproduced", "clean", "reproduced"])
        self.assertEqual(rows[1]["detail"], "cqe_within_3s=yes workers=1")

    def test_all_clean_is_not_reproduced(self):
        log = "IOWQ START f3 rounds=1\nIOWQ RESULT f3 1 clean exit_seconds=0.30\nIOWQ DONE f3 rounds=1 reproduced=0\n"
        self.assertEqual(H.judge(log, False, "f3")[0], 0)

    def test_results_of_another_test_are_ignored(self):
        log = "IOWQ START f3 rounds=1\nIOWQ RESULT f1 1 reproduced x\nIOWQ DONE f3 rounds=1 reproduced=0\n"
        code, _, rows = H.judge(log, False, "f3")
        self.assertEqual((code, rows), (0, []))

    def test_splats_have_their_own_message(self):
        cases = {
            "BUG: KASAN: slab-use-after-free in io_wq_worker+0x1": "KASAN report",
            "WARNING: possible circular locking dependency detected": "lockdep splat",
            "Kernel panic - not syncing: Attempted to kill init!": "kernel panic",
            "BUG: kernel NULL pointer dereference, address: 0000000000000008": "kernel BUG/oops",
            "WARNING: CPU: 1 PID: 45 at io_uring/io-wq.c:300 io_wq_dec_running": "kernel WARNING",
            "INFO: task init:1 blocked for more than 120 seconds.": "hung task",
        }
        for line, what in cases.items():
            log = f"IOWQ START f1 rounds=1\n{line}\nIOWQ DONE f1 rounds=1 reproduced=0\n"
            code, verdict, _ = H.judge(log, False, "f1")
            self.assertEqual(code, 3, line)
            self.assertTrue(verdict.startswith(what), verdict)
            self.assertIn(line, verdict)

    def test_no_boot_and_test_hang_differ(self):
        code, verdict, _ = H.judge("Linux version 6.12\n", True, "f1")
        self.assertEqual(code, 3)
        self.assertIn("did not boot", verdict)
        code, verdict, _ = H.judge("IOWQ START f1 rounds=3\nIOWQ RESULT f1 1 clean x\n", True, "f1")
        self.assertEqual(code, 3)
        self.assertIn("hung after 1 round", verdict)

    def test_test_program_error(self):
        code, verdict, _ = H.judge("IOWQ START f1 rounds=1\nIOWQ ERROR f1 second ring failed\n", False, "f1")
        self.assertEqual(code, 3)
        self.assertIn("second ring failed", verdict)


class InputErrors(unittest.TestCase):
    def kernel(self, *args):
        if IOWQ_VERIFY:
            return run(IOWQ_VERIFY, "kernel", *args)
        return run(sys.executable, os.path.join(K, "iowq-kernel"), *args)

    def test_list(self):
        code, out = self.kernel("--list")
        self.assertEqual(code, 0, out)
        for name in ("purpose", "f1", "f3", "f2", "f4"):
            self.assertIn(name, out)

    def test_bad_input_exits_2(self):
        cases = [
            ((), "give --finding"),
            (("--finding", "nope"), "unknown finding"),
            (("--finding", "f2"), "no real-kernel reproducer"),
            (("--finding", "f1", "--patch", "/nonexistent.patch"), "no patch file"),
            (("--finding", "f1", "--tree", "/nonexistent"), "no kernel tree"),
            (("--finding", "f1", "--rounds", "0"), "at least 1"),
            (("--finding", "purpose", "--fix"), "has no fix"),
            (("--finding", "f1", "--no-such-flag"), "unrecognized arguments"),
        ]
        for args, text in cases:
            code, out = self.kernel(*args)
            self.assertEqual(code, 2, (args, out))
            self.assertIn(text, out, args)

    def test_build_input_errors(self):
        build = os.path.join(K, "build")
        with tempfile.TemporaryDirectory() as d:
            code, out = run(build, "--tree", os.path.join(d, "missing"))
            self.assertEqual(code, 2, out)
            self.assertIn("no kernel tree", out)
            code, out = run(build, "--tree", d)
            self.assertEqual(code, 2, out)
            self.assertIn("is not a kernel tree", out)
            code, out = run(build, "--bogus")
            self.assertEqual(code, 2, out)
            code, out = run(build, "--tree", d, "--patch", os.path.join(d, "missing.patch"))
            self.assertEqual(code, 2, out)
            self.assertIn("no patch file", out)


# A made-up io-wq.c: the delay-patch tests need a file with that name, not the kernel's text.
FAKE = """#include <linux/kernel.h>
#include <linux/sched.h>

static int worker(struct thing *t)
{
\tstart(t);
\twhile (!stopped(t)) {
\t\tprepare(t);
\t\tstep(t);
\t}
\treturn 0;
}
"""


class DelayPatch(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp()
        os.makedirs(os.path.join(self.d, "io_uring"))
        with open(os.path.join(self.d, "io_uring", "io-wq.c"), "w") as f:
            f.write(FAKE)

    def tearDown(self):
        shutil.rmtree(self.d)

    def delay(self, *args):
        return run(os.path.join(K, "delay-patch"), "--tree", self.d, *args)

    def applied(self, patch):
        work = tempfile.mkdtemp()
        try:
            shutil.copytree(os.path.join(self.d, "io_uring"), os.path.join(work, "io_uring"))
            r = subprocess.run(["patch", "-p1", "-s"], input=patch, cwd=work, capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with open(os.path.join(work, "io_uring", "io-wq.c")) as f:
                return f.read().splitlines()
        finally:
            shutil.rmtree(work)

    def test_after_a_line(self):
        code, out = self.delay("--at", "6", "--ms", "250", "--name", "T")
        self.assertEqual(code, 0, out)
        self.assertTrue(out.startswith("DEBUG ONLY"))
        lines = self.applied(out)
        self.assertEqual(lines[2], "#include <linux/delay.h>")
        i = lines.index("\tstart(t);")
        self.assertTrue(lines[i + 1].startswith("\tmdelay(250);"), lines[i + 1])

    def test_before_a_matched_line(self):
        code, out = self.delay("--match", "while (!stopped(t))", "--then", "prepare(t);", "--before")
        self.assertEqual(code, 0, out)
        lines = self.applied(out)
        i = lines.index("\t\tprepare(t);")
        self.assertTrue(lines[i - 1].startswith("\t\tmdelay(500);"), lines[i - 1])
        self.assertIn("before io-wq.c:8", out)

    def test_errors(self):
        cases = [
            (("--at", "7"), "not a statement"),
            (("--at", "99"), "has 12 lines"),
            (("--match", "no such text"), "no io-wq.c line contains"),
            (("--match", "start(t);", "--then", "nothing"), "contains 'nothing'"),
            (("--at", "6", "--match", "x"), "exactly one"),
            (("--then", "x", "--at", "6"), "--then needs --match"),
            (("--replay", "/nonexistent.json", "--step", "1"), "cannot read replay file"),
            (("--at", "6", "--patch", "/nonexistent.patch"), "does not apply"),
        ]
        for args, text in cases:
            code, out = self.delay(*args)
            self.assertEqual(code, 2, (args, out))
            self.assertIn(text, out, args)
        code, out = run(os.path.join(K, "delay-patch"), "--tree", "/nonexistent", "--at", "1")
        self.assertEqual(code, 2)
        self.assertIn("no io_uring/io-wq.c", out)

    def test_replay_step_outside_io_wq_is_refused(self):
        path = os.path.join(self.d, "r.json")
        with open(path, "w") as f:
            f.write('{"trace": [{"step": 3, "visible": true, "location": "model/io_wq.cpp:10"}]}')
        code, out = self.delay("--replay", path, "--step", "3")
        self.assertEqual(code, 2, out)
        self.assertIn("not in io-wq.c", out)
        with open(path, "w") as f:
            f.write('{"trace": [{"step": 3, "visible": true, "location": "io_uring/io-wq.c:6", '
                    '"function": "worker"}]}')
        code, out = self.delay("--replay", path, "--step", "3")
        self.assertEqual(code, 0, out)
        self.assertIn("after io-wq.c:6 (worker)", out)


@unittest.skipUnless(os.path.isfile("/usr/src/linux-source-6.12.tar.xz"), "linux-source-6.12 is not installed")
@unittest.skipUnless(os.path.isfile(H.SEED), "no seed patch (set IOWQ_SEED)")
class DebugPatchesRegenerate(unittest.TestCase):
    def test_committed_debug_patches_are_regenerated_exactly(self):
        with tempfile.TemporaryDirectory() as d:
            code, out = run(os.path.join(K, "patches", "debug", "regenerate"), "--out", d)
            self.assertEqual(code, 0, out)
            names = sorted(os.listdir(d))
            self.assertEqual(names, sorted(n for n in os.listdir(os.path.join(K, "patches", "debug"))
                                           if n.endswith(".patch")))
            for n in names:
                with open(os.path.join(d, n)) as a, open(os.path.join(K, "patches", "debug", n)) as b:
                    self.assertEqual(a.read(), b.read(), n)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        IOWQ_VERIFY = sys.argv.pop(1)
    unittest.main(verbosity=2)
