#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The exit status and messages of `conternel do` and of the CLI itself:
#   - the guest's exit status is conternel's (busybox false: 1, expr: 2);
#   - a guest killed by a signal gives 128 + the signal number, like a shell
#     (the segv helper: 139);
#   - a program that does not exist: 127, with a message naming it;
#   - a file that is not executable, or a directory: 126, naming it;
#   - `conternel --version` and `conternel do --help` exit 0 and print.
#
# usage: exit-status.sh CONTERNEL SEGV_HELPER [--platform=NAME]
# exit:  0 all passed, 1 some failed

set -u

CONTERNEL=${1:?usage: exit-status.sh CONTERNEL SEGV_HELPER [--platform=NAME]}
SEGV=${2:?usage: exit-status.sh CONTERNEL SEGV_HELPER [--platform=NAME]}
PLATFORM=${3:---platform=ptrace}
BUSYBOX=/bin/busybox

# Not under /tmp: the sandbox has a /tmp of its own. The files must be
# where the sandbox sees the host's.
TMP=$(mktemp -d /var/tmp/conternel-exit-status.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() {
        echo "FAIL $name: $*"
        failed=$((failed + 1))
}

# run ARGS...: conternel ARGS, stdout and stderr to files; sets $status.
run() {
        "$CONTERNEL" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
        status=$?
}

# sandboxed CMD ARGS...: conternel do on the chosen platform.
sandboxed() {
        run do "$PLATFORM" -- "$@"
}

# expect_status WANT [FILE_THAT_MUST_MENTION TEXT]
expect_status() {
        if [ "$status" != "$1" ]; then
                fail "exit status $status, expected $1"
                sed 's/^/  stderr: /' "$TMP/err" | head -n 5
                return 1
        fi
        if [ $# -ge 3 ] && ! grep -qF -- "$3" "$2"; then
                fail "$(basename "$2") does not mention '$3'"
                sed 's/^/  stderr: /' "$TMP/err" | head -n 5
                return 1
        fi
        pass
}

# The native halves first: if these fail, the expectations below are wrong.
name=native-segv
"$SEGV" 2>/dev/null
status=$?
expect_status 139

if [ -x "$BUSYBOX" ]; then
        name=guest-status-1
        sandboxed "$BUSYBOX" false
        expect_status 1
        name=guest-status-2
        sandboxed "$BUSYBOX" expr 1 / 0
        expect_status 2 "$TMP/err" "division by zero"
        name=guest-status-0
        sandboxed "$BUSYBOX" true
        expect_status 0
else
        echo "SKIP guest-status: $BUSYBOX is missing"
fi

name=killed-by-sigsegv
sandboxed "$SEGV"
expect_status 139

name=missing-program
sandboxed "$TMP/no-such-program"
expect_status 127 "$TMP/err" "no-such-program"

name=missing-program-in-path
sandboxed conternel-no-such-program-in-path
expect_status 127 "$TMP/err" "conternel-no-such-program-in-path"

name=not-executable
printf '\177ELF not really\n' >"$TMP/not-executable"
chmod 0644 "$TMP/not-executable"
sandboxed "$TMP/not-executable"
expect_status 126 "$TMP/err" "not-executable"

name=directory
mkdir "$TMP/a-directory"
sandboxed "$TMP/a-directory"
expect_status 126 "$TMP/err" "a-directory"

name=version
run --version
if expect_status 0; then
        if ! grep -Eq '[0-9]+\.[0-9]+' "$TMP/out"; then
                passed=$((passed - 1))
                fail "--version printed no version number on stdout"
        fi
fi

name=do-help
run do --help
if expect_status 0; then
        if [ ! -s "$TMP/out" ]; then
                passed=$((passed - 1))
                fail "do --help printed nothing on stdout"
        fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
