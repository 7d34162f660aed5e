#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Processes as programs use them, natively and under `conternel do`, with
# the same stdout and exit status: a dash script with pipelines, subshells,
# background jobs, wait and trap; `make -j2` of a small C project with gcc
# (cc1, as and ld all run in the sandbox); python3 with threads,
# subprocess and signals.
#
# usage: processes.sh CONTERNEL [--platform=NAME]
# exit:  0 all passed, 1 some failed

set -u

CONTERNEL=${1:?usage: processes.sh CONTERNEL [--platform=NAME]}
PLATFORM=${2:---platform=systrap}
HERE=$(cd "$(dirname "$0")" && pwd)
case $CONTERNEL in /*) ;; *) CONTERNEL=$PWD/$CONTERNEL ;; esac     # the cases run elsewhere

passed=0
failed=0
# Where both sides see the same files (the sandbox's /tmp is its own).
WORK=$(mktemp -d /var/tmp/conternel-processes.XXXXXX) || exit 2
trap 'rm -rf "$WORK"' EXIT INT TERM

fail() {
        echo "FAIL $name: $*"
        failed=$((failed + 1))
}

# same NAME SCRIPT: sh -c SCRIPT natively and sandboxed (in $WORK).
same() {
        name=$1
        (cd "$WORK" && sh -c "$2") >"$WORK/native" 2>"$WORK/native.err" </dev/null
        want=$?
        (cd "$WORK" && "$CONTERNEL" do "$PLATFORM" -- /bin/sh -c "$2") \
                >"$WORK/sandbox" 2>"$WORK/sandbox.err" </dev/null
        got=$?
        if [ "$got" != "$want" ]; then
                fail "exit status $got, natively $want"
                grep -v warning "$WORK/sandbox.err" | head -n 5 | sed 's/^/  stderr: /'
        elif ! cmp -s "$WORK/native" "$WORK/sandbox"; then
                fail "output differs"
                diff "$WORK/native" "$WORK/sandbox" | head -n 10 | sed 's/^/  /'
        else
                passed=$((passed + 1))
        fi
}

cp "$HERE/processes/shell.sh" "$HERE/processes/threads.py" "$WORK/"
same dash "TMPDIR_SH=\$(mktemp -d) /bin/sh ./shell.sh"
same busybox-sh "TMPDIR_SH=\$(mktemp -d) /bin/busybox sh ./shell.sh"
same python3 "python3 ./threads.py"

if command -v gcc >/dev/null && command -v make >/dev/null; then
        mkdir "$WORK/proj"
        cat >"$WORK/proj/main.c" <<'EOT'
#include <stdio.h>
int add(int a, int b);
int main(void) { printf("2 + 3 = %d\n", add(2, 3)); return 0; }
EOT
        echo 'int add(int a, int b) { return a + b; }' >"$WORK/proj/add.c"
        printf 'prog: main.o add.o\n\tgcc -o $@ main.o add.o\n%%.o: %%.c\n\tgcc -O2 -c $<\nclean:\n\trm -f prog *.o\n' \
                >"$WORK/proj/Makefile"
        same make-gcc "cd proj && make -s clean && make -s -j2 && ./prog"
else
        echo "SKIP make-gcc: no gcc or make"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
