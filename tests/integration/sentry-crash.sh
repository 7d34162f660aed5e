#!/bin/bash
# A fatal signal inside the sentry prints a backtrace (libunwind) and the
# launcher dies of that signal; the guest's stub dies with it.
# Usage: sentry-crash.sh CONTERNEL
set -u
conternel=$1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

"$conternel" do -- /bin/busybox sleep 30 2>"$log" &
pid=$!
# Wait until the guest runs (its stub is a child of the sentry).
for _ in $(seq 100); do
        pgrep -P "$pid" >/dev/null && break
        sleep 0.05
done
stub=$(pgrep -P "$pid" | head -1)
kill -SEGV "$pid"
wait "$pid"
status=$?

fail=0
if [ "$status" != 139 ]; then
        echo "expected exit 139 (SIGSEGV), got $status"
        fail=1
fi
if ! grep -q "sentry crashed: Segmentation fault" "$log" || ! grep -q "#1 0x" "$log"; then
        echo "expected a crash report with a backtrace, got:"
        cat "$log"
        fail=1
fi
# The stub must die with its tracer (PTRACE_O_EXITKILL, PR_SET_PDEATHSIG):
# gone, or a zombie waiting for init to reap it.
alive() { [ -n "$1" ] && state=$(ps -o stat= -p "$1") && [ "${state:0:1}" != Z ]; }
for _ in $(seq 40); do
        alive "$stub" || break
        sleep 0.05
done
if alive "$stub"; then
        echo "the stub $stub outlived its sentry (state $(ps -o stat= -p "$stub"))"
        fail=1
fi
[ $fail = 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit $fail
