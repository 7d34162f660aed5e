#!/bin/bash
# Threads, pipes, futexes, fresh memory and a whole `make` (issue 5's
# benchmarks): native, conternel on each platform and gVisor's runsc when
# installed, side by side with ratios. bench/run.sh runs it last; alone:
# bench/procs.sh [BUILD_DIR] [SCALE] (SCALE divides the sizes, for a quick run).
set -euo pipefail
build=${1:-build}
scale=${2:-1}
conternel=$build/conternel
pb=$build/bench/procbench
runs=${RUNS:-5}

. "$(dirname "$0")/lib.sh"

# row LABEL UNIT ARGS...: procbench ARGS natively, on each platform, under
# runsc; "x native" is systrap's speed as a fraction of native's, "x runsc"
# how many times faster systrap is than runsc (UNIT "us" and "s": lower is
# better; otherwise higher is).
ratios() {
        local unit=$1 native=$2 systrap=$3 runsc=$4 xn xr=-
        xn=$(awk -v a="$native" -v b="$systrap" -v u="$unit" \
                'BEGIN { printf "%.2f", (u == "us" || u == "s") ? a / b : b / a }')
        [ "$runsc" != - ] && xr=$(awk -v a="$runsc" -v b="$systrap" -v u="$unit" \
                'BEGIN { printf "%.2f", (u == "us" || u == "s") ? a / b : b / a }')
        echo "$xn $xr"
}

row() {
        local label=$1 unit=$2
        shift 2
        local r=("$(median "$pb" "$@")")
        for p in ptrace systrap; do
                r+=("$(median "$conternel" do --platform=$p --log=/dev/null -- "$pb" "$@")")
        done
        if command -v runsc >/dev/null; then
                r+=("$(median sh -c "runsc --network=none do $pb $* | cat")")
        else
                r+=("-")
        fi
        # shellcheck disable=SC2046
        printf '%-40s %9s %9s %9s %9s %9s %9s\n' "$label ($unit)" "${r[@]}" \
                $(ratios "$unit" "${r[0]}" "${r[2]}" "${r[3]}")
}

echo "threads, pipes, futexes, memory: median of $runs runs ($(nproc) CPUs, $(uname -r))"
echo "(x native: systrap's speed / native's; x runsc: how many times faster systrap is)"
printf '%-40s %9s %9s %9s %9s %9s %9s\n' "" native ptrace systrap runsc "x native" "x runsc"
row "pthread create+join" us thread $((2000 / scale))
row "pipe throughput, 64 KiB writes" MiB/s pipe $((2048 / scale))
row "pipe ping-pong, 1 byte, 2 processes" us pingpong $((10000 / scale))
row "futex ping-pong, 2 threads" us futex $((10000 / scale))
row "touch fresh anonymous memory" us touch $((1024 / scale))

# A whole `make -j2` of a small C project with gcc (cc1, as, ld all run in
# the sandbox), as tests/integration/processes.sh builds it.
if command -v gcc >/dev/null && command -v make >/dev/null; then
        proj=$(mktemp -d /var/tmp/conternel-bench-make.XXXXXX)
        trap 'rm -rf "$proj"' EXIT
        for i in 1 2 3 4 5 6; do
                echo "int f$i(int a) { return a * $i; }" >"$proj/f$i.c"
        done
        cat >"$proj/main.c" <<'EOT'
#include <stdio.h>
int f1(int), f2(int), f3(int), f4(int), f5(int), f6(int);
int main(void) { printf("%d\n", f1(1) + f2(2) + f3(3) + f4(4) + f5(5) + f6(6)); return 0; }
EOT
        printf 'prog: main.o f1.o f2.o f3.o f4.o f5.o f6.o\n\tgcc -o $@ $^\n%%.o: %%.c\n\tgcc -O2 -c $<\nclean:\n\trm -f prog *.o\n' \
                >"$proj/Makefile"
        cmd="make -s -C $proj clean && make -s -j2 -C $proj"
        r=("$(median_wall "$cmd")")
        for p in ptrace systrap; do
                r+=("$(median_wall "$conternel do --platform=$p --log=/dev/null -- /bin/sh -c '$cmd'")")
        done
        if command -v runsc >/dev/null; then
                r+=("$(median_wall "runsc --network=none do /bin/sh -c '$cmd' | cat")")
        else
                r+=("-")
        fi
        # shellcheck disable=SC2046
        printf '%-40s %9s %9s %9s %9s %9s %9s\n' "make -j2, 7 files, gcc (s)" "${r[@]}" \
                $(ratios s "${r[0]}" "${r[2]}" "${r[3]}")
fi
