#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Nothing outside the served tree can be read or changed from the sandbox.
# A root directory (--root) and a volume (-v) hold symlinks to a secret
# outside them (absolute, relative with ../.., to /etc/shadow), a hard link
# is attempted across, and a host process keeps swapping a directory of the
# root for a symlink to the outside while the sandbox reads through it. The
# secret's text must never come out, and the outside must stay unchanged.
#
# usage: gofer-escape.sh CONTERNEL [--platform=NAME]
# exit:  0 all passed, 1 some failed, 77 skipped (no static busybox)

set -u

CONTERNEL=${1:?usage: gofer-escape.sh CONTERNEL [--platform=NAME]}
PLATFORM=${2:---platform=systrap}
BUSYBOX=/bin/busybox
SECRET=TOPSECRET-$$

if ! file -L "$BUSYBOX" 2>/dev/null | grep -q static && ! "$BUSYBOX" 2>&1 | head -1 | grep -q BusyBox; then
        echo "SKIP: no $BUSYBOX"
        exit 77
fi

passed=0
failed=0
BASE=$(mktemp -d /var/tmp/conternel-escape.XXXXXX) || exit 2
SWAPPER=
STOP=$BASE/stop-swapping
trap 'touch "$STOP"; [ -n "$SWAPPER" ] && wait $SWAPPER; rm -rf "$BASE"' EXIT INT TERM

fail() {
        echo "FAIL $name: $*"
        failed=$((failed + 1))
}

ROOT=$BASE/root
OUT=$BASE/outside
mkdir -p "$ROOT/bin" "$ROOT/d" "$ROOT/vol" "$OUT" "$BASE/volume"
cp "$BUSYBOX" "$ROOT/bin/busybox"
echo "$SECRET" >"$OUT/secret"
echo "$SECRET" >"$OUT/file"     # what /d/file would read if d led outside
echo inside >"$ROOT/d/file"
ln -s "$OUT/secret" "$ROOT/abs"
ln -s ../outside/secret "$ROOT/rel"
ln -s ../../../../../../../../outside/secret "$ROOT/deep"
ln -s /etc/shadow "$ROOT/shadow"
ln -s "$OUT" "$ROOT/outdir"
ln -s ../outside/secret "$BASE/volume/up"
ln -s "$OUT/secret" "$BASE/volume/abs"

# sandboxed NAME SCRIPT [extra options]: run busybox sh in the root.
sandboxed() {
        name=$1
        script=$2
        shift 2
        "$CONTERNEL" do "$PLATFORM" --root="$ROOT" "$@" -- /bin/busybox sh -c "$script" \
                >"$BASE/out" 2>"$BASE/err" </dev/null
}

check_no_secret() {
        if grep -q "$SECRET" "$BASE/out" "$BASE/err"; then
                fail "the secret came out: $(grep -h "$SECRET" "$BASE/out" "$BASE/err" | head -1)"
        elif [ "$(cat "$OUT/secret")" != "$SECRET" ] || [ "$(ls "$OUT" | tr '\n' ' ')" != "file secret " ]; then
                fail "the outside changed: $(ls "$OUT" | tr '\n' ' ')"
        else
                passed=$((passed + 1))
        fi
}

sandboxed inside "busybox cat /d/file"
if [ "$(cat "$BASE/out")" != inside ]; then
        fail "cannot read inside the root: $(head -2 "$BASE/out")"
else
        passed=$((passed + 1))
fi

for link in abs rel deep shadow outdir/secret; do
        sandboxed "read-$link" "busybox cat /$link; busybox cat /../outside/secret /../../etc/shadow"
        check_no_secret
done

sandboxed listing "busybox ls -la / /.. /../.. /outdir/ 2>&1; busybox find / -name secret 2>&1"
check_no_secret

# Writes through the links, straight to the host's files (--overlay=none).
sandboxed write-through "echo pwned > /abs; echo pwned > /rel; echo pwned > /outdir/new; \
        busybox ln /d/file /outdir/hard; busybox ln /../outside/secret /d/hard; \
        busybox mv /d/file /../outside/moved; busybox cat /d/hard" --overlay=none
check_no_secret

# A volume: the same through its own gofer.
sandboxed volume "busybox cat /vol/up /vol/abs /vol/../../outside/secret; busybox ls /vol/.." \
        -v "$BASE/volume:/vol"
check_no_secret

# A host process swaps /d for a symlink to the outside and back while the
# sandbox reads through it. It stops between rounds (never killed half way:
# a step left half done would move the host's files itself).
(
        while [ ! -e "$STOP" ]; do
                mv -T "$ROOT/d" "$ROOT/d.away"
                ln -s "$OUT" "$ROOT/d"
                rm "$ROOT/d"
                mv -T "$ROOT/d.away" "$ROOT/d"
        done
) &
SWAPPER=$!
sandboxed rename-race "i=0; while [ \$i -lt 3000 ]; do read l </d/file; read s </d/secret; \
        echo \"\$l \$s\"; i=\$((i + 1)); done 2>/dev/null" --overlay=none
touch "$STOP"
wait $SWAPPER
SWAPPER=
check_no_secret

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
