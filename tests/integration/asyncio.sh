#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Event loops over unix sockets, natively and under `conternel do`, with the
# same stdout and exit status: python3's asyncio echo server with concurrent
# clients and a client process (evio/echo.py); a socat server and client
# pair (skipped without socat: tools/install-deps test installs it).
#
# usage: asyncio.sh CONTERNEL [--platform=NAME]
# exit:  0 all passed, 1 some failed

set -u

CONTERNEL=${1:?usage: asyncio.sh CONTERNEL [--platform=NAME]}
PLATFORM=${2:---platform=systrap}
HERE=$(cd "$(dirname "$0")" && pwd)
case $CONTERNEL in /*) ;; *) CONTERNEL=$PWD/$CONTERNEL ;; esac

passed=0
failed=0
# Where both sides see the same files (the sandbox's writes stay its own).
WORK=$(mktemp -d /var/tmp/conternel-asyncio.XXXXXX) || exit 2
trap 'rm -rf "$WORK"' EXIT INT TERM

fail() {
        echo "FAIL $name: $*"
        failed=$((failed + 1))
}

# same NAME SCRIPT: sh -c SCRIPT natively and sandboxed (in $WORK).
same() {
        name=$1
        (cd "$WORK" && timeout 60 sh -c "$2") >"$WORK/native" 2>"$WORK/native.err" </dev/null
        want=$?
        (cd "$WORK" && timeout 120 "$CONTERNEL" do "$PLATFORM" -- /bin/sh -c "$2") \
                >"$WORK/sandbox" 2>"$WORK/sandbox.err" </dev/null
        got=$?
        if [ "$got" != "$want" ]; then
                fail "exit status $got, natively $want"
                grep -v warning "$WORK/sandbox.err" | head -n 5 | sed 's/^/  stderr: /'
        elif ! cmp -s "$WORK/native" "$WORK/sandbox"; then
                fail "output differs"
                diff "$WORK/native" "$WORK/sandbox" | head -n 10 | sed 's/^/  /'
        elif [ ! -s "$WORK/native" ]; then
                fail "no output"
        else
                passed=$((passed + 1))
        fi
}

cp "$HERE/evio/echo.py" "$WORK/"
if [ -x /usr/bin/python3 ]; then
        same asyncio-echo "/usr/bin/python3 ./echo.py"
else
        echo "SKIP asyncio-echo: no /usr/bin/python3"
fi

if command -v socat >/dev/null; then
        # A forking server that upper-cases, two clients one after the other.
        same socat "d=\$(mktemp -d) &&
                socat UNIX-LISTEN:\$d/s,fork SYSTEM:'tr a-z A-Z' & pid=\$!
                i=0; while [ ! -S \$d/s ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i + 1)); done
                echo hello | socat - UNIX-CONNECT:\$d/s
                seq 1 3 | sed s/^/line/ | socat - UNIX-CONNECT:\$d/s
                kill \$pid; wait \$pid; rm -rf \$d; echo done"
else
        echo "SKIP socat: not installed"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
