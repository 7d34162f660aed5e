#!/bin/bash
# Hostile arguments to every system call number (syscall-fuzz.c) under
# conternel: the guest must run to its end (exit 0) with the sentry alive.
# Usage: syscall-fuzz.sh CONTERNEL FUZZ-PROGRAM [PLATFORM]
set -u
conternel=$1 prog=$2 platform=${3:-ptrace}
passed=0 failed=0
for seed in 1 2 3 4; do
        log=$("$conternel" do --platform="$platform" -- "$prog" 20000 "$seed" 2>&1 >/dev/null)
        status=$?
        if [ $status = 0 ] && ! grep -q "sentry crashed" <<<"$log"; then
                passed=$((passed + 1))
        else
                echo "seed $seed: exit $status"
                grep -v "unsupported system call" <<<"$log" | tail -20
                failed=$((failed + 1))
        fi
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]
