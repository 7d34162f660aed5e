#!/bin/bash
# Side-by-side benchmarks: native, conternel on each platform, the bare
# PTRACE_SYSEMU loop (the floor for the ptrace platform) and gVisor's runsc
# when installed. Usage: bench/run.sh [BUILD_DIR] [ITERATIONS]
set -euo pipefail
build=${1:-build}
n=${2:-20000}
conternel=$build/conternel
bench=$build/bench
runs=5

# The median of $runs runs of a command printing "<name> <usec>".
median() {
        for _ in $(seq $runs); do
                "$@" | awk '{ print $2 }'
        done | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

declare -A us
us[native]=$(median "$bench/getppid" "$n")
us[floor]=$(median "$bench/sysemu-floor" "$n" free)
us[floor_pinned]=$(median "$bench/sysemu-floor" "$n" pinned)
us[ptrace]=$(median "$conternel" do --platform=ptrace --log=/dev/null -- "$bench/getppid" "$n")
if command -v runsc >/dev/null; then
        # runsc reopens stdout at offset 0: read it through a pipe (| cat).
        us[runsc]=$(median sh -c "runsc --network=none do $bench/getppid $n | cat")
fi

echo "getppid round trip, $n calls, median of $runs runs ($(nproc) CPUs, $(uname -r))"
printf '%-34s %10s %16s %12s\n' "" "us/call" "x pinned floor" "runsc / x"
for k in native floor floor_pinned ptrace runsc; do
        [ -n "${us[$k]:-}" ] || continue
        case $k in
        native) label="native" ;;
        floor) label="bare PTRACE_SYSEMU loop" ;;
        floor_pinned) label="  the same, pinned to one CPU" ;;
        ptrace) label="conternel --platform=ptrace" ;;
        runsc) label="runsc --network=none (ptrace)" ;;
        esac
        x=$(awk -v a="${us[$k]}" -v b="${us[floor_pinned]}" 'BEGIN { printf "%.2f", a / b }')
        r=-
        [ -n "${us[runsc]:-}" ] && r=$(awk -v a="${us[runsc]}" -v b="${us[$k]}" 'BEGIN { printf "%.2f", a / b }')
        printf '%-34s %10s %16s %12s\n' "$label" "${us[$k]}" "$x" "$r"
done
