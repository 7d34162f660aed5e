#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Debian's dynamically linked programs on the host's root, reached through
# the gofer: coreutils, find, tar and python3 run natively and under
# `conternel do`, with the same output and exit status. Then what the
# sandbox may change: by default a copy of the host's files (the overlay:
# the host sees nothing), with --overlay=none the host's files.
#
# usage: rootfs.sh CONTERNEL [--platform=NAME]
# exit:  0 all passed, 1 some failed

set -u

CONTERNEL=${1:?usage: rootfs.sh CONTERNEL [--platform=NAME]}
PLATFORM=${2:---platform=systrap}
DATA=/usr/include/linux

passed=0
failed=0
TMP=$(mktemp -d) || exit 2
# Seen by the sandbox too (its /tmp is its own).
HOSTDIR=$(mktemp -d /var/tmp/conternel-rootfs.XXXXXX) || exit 2
trap 'rm -rf "$TMP" "$HOSTDIR"' EXIT INT TERM

fail() {
        echo "FAIL $name: $*"
        failed=$((failed + 1))
}

# same NAME SCRIPT: sh -c SCRIPT natively and sandboxed, same stdout and status.
same() {
        name=$1
        sh -c "$2" >"$TMP/native" 2>"$TMP/native.err" </dev/null
        want=$?
        "$CONTERNEL" do "$PLATFORM" -- /bin/sh -c "$2" >"$TMP/sandbox" 2>"$TMP/sandbox.err" </dev/null
        got=$?
        if [ "$got" != "$want" ]; then
                fail "exit status $got, natively $want"
                sed 's/^/  stderr: /' "$TMP/sandbox.err" | grep -v warning | head -n 5
        elif ! cmp -s "$TMP/native" "$TMP/sandbox"; then
                fail "output differs"
                diff "$TMP/native" "$TMP/sandbox" | head -n 10 | sed 's/^/  /'
        else
                passed=$((passed + 1))
        fi
}

same ls-la "ls -la $DATA"
same ls-usr "ls /usr"
same stat "stat -c '%n %s %a %F %h %u %g %Y' /usr/include/stdio.h /usr/bin /bin/sh"
same readlink "readlink /bin/sh; readlink -f /bin/sh"
same sha256sum "cd $DATA && sha256sum *.h | sha256sum"
same find "find $DATA | sort | sha256sum; find $DATA -type f | wc -l"
same du "du -s $DATA"
same df "df -P / /tmp >/dev/null && df -P / | tail -n +2 | wc -l"
same sort "sort /etc/passwd"
same wc "wc -c $DATA/*.h | tail -1"
same tar "d=\$(mktemp -d) && tar cf \$d/t.tar -C /usr/include linux && tar tf \$d/t.tar | sort | sha256sum && rm -r \$d"
same cp-diff "d=\$(mktemp -d) && cp -r $DATA \$d/l && diff -r $DATA \$d/l && mv \$d/l \$d/m && rm -r \$d && echo same"
same pipeline "cat /etc/passwd | cut -d: -f1 | sort | head -3"
same python-listdir "python3 -c 'import json, os; print(json.dumps(sorted(os.listdir(\"/usr\"))))'"
same python-files "python3 -c 'import os, tempfile
d = tempfile.mkdtemp()
p = os.path.join(d, \"f\")
open(p, \"w\").write(\"x\" * 10000)
print(len(open(p).read()), os.stat(p).st_size)
os.unlink(p); os.rmdir(d)'"

# Writes to the host's files: by default they stay in the sandbox (the
# overlay), with --overlay=none they go through.
echo host > "$HOSTDIR/h"
mkdir "$HOSTDIR/hd" && echo inner > "$HOSTDIR/hd/i"
name=overlay
out=$("$CONTERNEL" do "$PLATFORM" -- /bin/sh -c "
        echo x > $HOSTDIR/f && cat $HOSTDIR/f &&
        echo more >> $HOSTDIR/h && cat $HOSTDIR/h &&
        rm $HOSTDIR/hd/i && rmdir $HOSTDIR/hd && ! ls $HOSTDIR/hd 2>/dev/null &&
        mkdir $HOSTDIR/hd && ls -A $HOSTDIR/hd | wc -l &&
        mv $HOSTDIR/h $HOSTDIR/h2 && cat $HOSTDIR/h2 && ! cat $HOSTDIR/h 2>/dev/null &&
        ls -A $HOSTDIR" 2>"$TMP/err" </dev/null)
want="x
host
more
0
host
more
f
h2
hd"
if [ "$out" != "$want" ]; then
        fail "inside the sandbox: $(echo "$out" | tr '\n' ' ') / $(grep -v warning "$TMP/err" | head -1)"
elif [ -e "$HOSTDIR/f" ] || [ "$(cat "$HOSTDIR/h")" != host ] || [ ! -e "$HOSTDIR/hd/i" ]; then
        fail "the host's files changed"
else
        passed=$((passed + 1))
fi

name=overlay-none
"$CONTERNEL" do "$PLATFORM" --overlay=none -- /bin/sh -c \
        "echo through > $HOSTDIR/f && mkdir $HOSTDIR/d && mv $HOSTDIR/f $HOSTDIR/d/g && ln -s d/g $HOSTDIR/l" \
        2>"$TMP/err" </dev/null
if [ "$(cat "$HOSTDIR/l" 2>/dev/null)" != through ]; then
        fail "the host does not see the sandbox's writes: $(head -1 "$TMP/err")"
else
        passed=$((passed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
