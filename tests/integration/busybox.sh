#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Run busybox applets natively and under `conternel do`, and compare their
# stdout and exit status. Each case also states the exit status Linux gives,
# so the native half checks itself.
#
# usage: busybox.sh CONTERNEL [--platform=NAME]    (default --platform=ptrace)
# exit:  0 all passed, 1 some failed, 77 skipped (no /bin/busybox)

set -u

CONTERNEL=${1:?usage: busybox.sh CONTERNEL [--platform=NAME]}
PLATFORM=${2:---platform=ptrace}
BUSYBOX=/bin/busybox

case $PLATFORM in
--platform=?*) ;;
*) echo "busybox.sh: second argument must be --platform=NAME, not '$PLATFORM'" >&2; exit 2 ;;
esac
if [ ! -x "$BUSYBOX" ]; then
        echo "SKIP: $BUSYBOX is missing"
        exit 77
fi
if [ ! -x "$CONTERNEL" ]; then
        echo "busybox.sh: $CONTERNEL is not an executable" >&2
        exit 2
fi

# The sandbox's hostname defaults to "conternel"; give it ours so uname -n matches.
HOSTNAME=$(uname -n)
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

passed=0
failed=0

fail() {
        echo "FAIL $name: $*"
        failed=$((failed + 1))
}

# check NAME EXPECTED_STATUS MODE -- APPLET ARGS...
# MODE is "file" (stdout redirected to a regular file) or "pipe" (through cat).
check() {
        name=$1 want=$2 mode=$3
        shift 4
        case $mode in
        file)
                "$BUSYBOX" "$@" </dev/null >"$TMP/native.out" 2>"$TMP/native.err"
                native=$?
                "$CONTERNEL" do "$PLATFORM" --hostname="$HOSTNAME" -- "$BUSYBOX" "$@" \
                        </dev/null >"$TMP/sandbox.out" 2>"$TMP/sandbox.err"
                sandbox=$?
                ;;
        pipe)
                # The status of the left side of a pipe, portably.
                native=$( { { "$BUSYBOX" "$@" </dev/null 2>"$TMP/native.err"; echo $? >"$TMP/rc"; } \
                            | cat >"$TMP/native.out"; } && cat "$TMP/rc")
                sandbox=$( { { "$CONTERNEL" do "$PLATFORM" --hostname="$HOSTNAME" -- "$BUSYBOX" "$@" \
                               </dev/null 2>"$TMP/sandbox.err"; echo $? >"$TMP/rc"; } \
                             | cat >"$TMP/sandbox.out"; } && cat "$TMP/rc")
                ;;
        *)
                echo "busybox.sh: bad mode $mode" >&2
                exit 2
                ;;
        esac

        if [ "$native" != "$want" ]; then
                fail "native exit status $native, expected $want (the test is wrong for this host)"
        elif [ "$sandbox" != "$native" ]; then
                fail "exit status $sandbox under conternel, $native natively"
                sed 's/^/  stderr: /' "$TMP/sandbox.err" | head -n 5
        elif ! cmp -s "$TMP/native.out" "$TMP/sandbox.out"; then
                fail "stdout differs ($(wc -c <"$TMP/native.out") bytes natively, $(wc -c <"$TMP/sandbox.out") under conternel)"
                diff "$TMP/native.out" "$TMP/sandbox.out" | head -n 10 | sed 's/^/  /'
        else
                passed=$((passed + 1))
        fi
}

check echo-hello      0 file -- echo hello
check echo-pipe       0 pipe -- echo hello
check true            0 file -- true
check false           1 file -- false
check uname-a         0 file -- uname -a
check seq-100000-file 0 file -- seq 1 100000
check seq-100000-pipe 0 pipe -- seq 1 100000
check basename        0 file -- basename /a/b/c
check expr-mul        0 file -- expr 6 '*' 7
check expr-false      1 file -- expr 1 = 2
check expr-div-zero   2 file -- expr 1 / 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
