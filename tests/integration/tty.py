#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Drive `conternel do -t /bin/sh` through a host pty, as a person would:
type commands and read their output, Ctrl-C a sleep, Ctrl-Z a job and fg
it, resize the terminal (stty size inside follows), and exit: the host
terminal's modes must be what they were before.

usage: tty.py CONTERNEL [--platform=NAME]
exit:  0 passed, 1 failed, 77 skipped
"""
import fcntl
import os
import select
import signal
import struct
import sys
import termios
import time


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Session:
    def __init__(self, master):
        self.m = master
        self.out = b""

    def read_until(self, want, timeout=10.0):
        """Wait for want (bytes) in the output; consume up to it."""
        end = time.monotonic() + timeout
        while want not in self.out:
            left = end - time.monotonic()
            if left <= 0:
                fail("waited for %r, got %r" % (want, self.out[-300:]))
            r, _, _ = select.select([self.m], [], [], left)
            if r:
                try:
                    data = os.read(self.m, 4096)
                except OSError:
                    data = b""
                if not data:
                    fail("terminal closed while waiting for %r (got %r)" % (want, self.out[-300:]))
                self.out += data
        i = self.out.index(want) + len(want)
        seen, self.out = self.out[:i], self.out[i:]
        return seen

    def type(self, s):
        if os.environ.get("TTY_DEBUG"):
            print("type %r" % s, file=sys.stderr)
        os.write(self.m, s)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    conternel = sys.argv[1]
    extra = sys.argv[2:]
    if not os.path.exists("/bin/sh") or not os.path.exists("/usr/bin/stty"):
        print("SKIP: no /bin/sh or stty")
        return 77
    signal.alarm(120)

    m, s = os.openpty()
    set_size(m, 30, 100)
    before = termios.tcgetattr(s)
    pid = os.fork()
    if pid == 0:
        os.close(m)
        os.login_tty(s)         # a session of its own, the pty its terminal
        env = dict(os.environ, PS1="PROMPT$ ", TERM="dumb", ENV="")
        os.execve(conternel, [conternel, "do", *extra, "-t", "--", "/bin/sh", "-i"], env)
    sh = Session(m)
    sh.read_until(b"PROMPT$ ")

    # Output, and the size the pty started with.
    sh.type(b"echo hel''lo; stty size\r")
    sh.read_until(b"hello\r\n")
    sh.read_until(b"30 100\r\n")
    sh.read_until(b"PROMPT$ ")

    # Ctrl-C ends a foreground sleep (the shell sees status 130).
    sh.type(b"sleep 100\r")
    sh.read_until(b"sleep 100\r\n")
    time.sleep(0.5)
    sh.type(b"\x03")
    sh.read_until(b"PROMPT$ ", 10)
    sh.type(b"echo status=$?\r")
    sh.read_until(b"status=130")
    sh.read_until(b"PROMPT$ ")

    # Ctrl-Z stops a job; fg resumes it in the foreground; Ctrl-C ends it.
    sh.type(b"sleep 100\r")
    sh.read_until(b"sleep 100\r\n")
    time.sleep(0.5)
    sh.type(b"\x1a")
    sh.read_until(b"Stopped")
    sh.read_until(b"PROMPT$ ")
    sh.type(b"fg\r")
    sh.read_until(b"sleep 100")
    time.sleep(0.5)
    sh.type(b"\x03")
    sh.read_until(b"PROMPT$ ")
    sh.type(b"echo fg=$?\r")
    sh.read_until(b"fg=130")
    sh.read_until(b"PROMPT$ ")

    # A resize of the host terminal reaches the sandbox's.
    set_size(m, 40, 120)
    time.sleep(0.5)
    sh.type(b"stty size\r")
    sh.read_until(b"40 120\r\n")
    sh.read_until(b"PROMPT$ ")

    # Canonical editing happens in the sandbox's line discipline.
    sh.type(b"echo abX\x7fc\r")
    sh.read_until(b"abc\r\n")
    sh.read_until(b"PROMPT$ ")

    sh.type(b"exit 3\r")
    end = time.monotonic() + 20
    while True:
        r, status = os.waitpid(pid, os.WNOHANG)
        if r == pid:
            break
        if time.monotonic() > end:
            os.kill(pid, signal.SIGKILL)
            fail("conternel did not exit")
        r, _, _ = select.select([m], [], [], 0.1)
        if r:
            try:
                os.read(m, 4096)
            except OSError:
                pass
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 3:
        fail("exit status %#x, want 3" % status)
    after = termios.tcgetattr(s)
    if after != before:
        fail("terminal modes changed: %r -> %r" % (before, after))

    # The sentry dies (SIGKILL: nothing of it runs): the keeper still
    # restores the terminal and reports the signal.
    pid = os.fork()
    if pid == 0:
        os.close(m)
        os.login_tty(s)
        env = dict(os.environ, PS1="PROMPT$ ", TERM="dumb", ENV="")
        os.execve(conternel, [conternel, "do", *extra, "-t", "--", "/bin/sh", "-i"], env)
    sh.out = b""
    sh.read_until(b"PROMPT$ ")
    if termios.tcgetattr(s) == before:
        fail("-t did not put the terminal in raw mode")
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        sentry = int(f.read().split()[0])
    os.kill(sentry, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 128 + signal.SIGKILL:
        fail("after the sentry's death: status %#x, want exit %d" % (status, 128 + signal.SIGKILL))
    after = termios.tcgetattr(s)
    if after != before:
        fail("terminal modes not restored after a crash: %r -> %r" % (before, after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
