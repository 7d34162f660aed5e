#!/bin/bash
# Side-by-side benchmarks: native, conternel on each platform, the floors
# (the bare PTRACE_SYSEMU loop for ptrace; an in-process SIGSYS handler that
# answers getppid itself for systrap) and gVisor's runsc when installed; then
# whole programs. Usage: bench/run.sh [BUILD_DIR] [ITERATIONS]
set -euo pipefail
build=${1:-build}
n=${2:-20000}
conternel=$build/conternel
bench=$build/bench
runs=5

. "$(dirname "$0")/lib.sh"

declare -A us
us[native]=$(median "$bench/getppid" "$n")
us[sigsys]=$(median "$bench/sigsys-floor" "$n")
us[floor]=$(median "$bench/sysemu-floor" "$n" free)
us[floor_pinned]=$(median "$bench/sysemu-floor" "$n" pinned)
us[ptrace]=$(median "$conternel" do --platform=ptrace --log=/dev/null -- "$bench/getppid" "$n")
us[systrap]=$(median "$conternel" do --platform=systrap --log=/dev/null -- "$bench/getppid" "$n")
if command -v runsc >/dev/null; then
        # runsc reopens stdout at offset 0: read it through a pipe (| cat).
        us[runsc]=$(median sh -c "runsc --network=none do $bench/getppid $n | cat")
fi

echo "getppid round trip, $n calls, median of $runs runs ($(nproc) CPUs, $(uname -r))"
printf '%-38s %10s %14s %14s %12s\n' "" "us/call" "x SIGSYS floor" "x SYSEMU floor" "runsc / x"
for k in native sigsys floor floor_pinned ptrace systrap runsc; do
        [ -n "${us[$k]:-}" ] || continue
        case $k in
        native) label="native" ;;
        sigsys) label="in-process SIGSYS handler (floor)" ;;
        floor) label="bare PTRACE_SYSEMU loop (floor)" ;;
        floor_pinned) label="  the same, pinned to one CPU" ;;
        ptrace) label="conternel --platform=ptrace" ;;
        systrap) label="conternel --platform=systrap" ;;
        runsc) label="runsc --network=none (ptrace)" ;;
        esac
        xs=$(awk -v a="${us[$k]}" -v b="${us[sigsys]}" 'BEGIN { printf "%.2f", a / b }')
        xp=$(awk -v a="${us[$k]}" -v b="${us[floor_pinned]}" 'BEGIN { printf "%.2f", a / b }')
        r=-
        [ -n "${us[runsc]:-}" ] && r=$(awk -v a="${us[runsc]}" -v b="${us[$k]}" 'BEGIN { printf "%.2f", a / b }')
        printf '%-38s %10s %14s %14s %12s\n' "$label" "${us[$k]}" "$xs" "$xp" "$r"
done

echo
echo "whole programs, seconds (median of 3), output to /dev/null"
printf '%-34s %10s %10s %10s %10s\n' "" native ptrace systrap runsc
for prog in "/bin/busybox seq 1 1000000" "$bench/write4k 100"; do
        row=()
        row+=("$(median_wall "$prog")")
        for p in ptrace systrap; do
                row+=("$(median_wall "$conternel do --platform=$p --log=/dev/null -- $prog")")
        done
        if command -v runsc >/dev/null; then
                row+=("$(median_wall "runsc --network=none do $prog | cat")")
        else
                row+=("-")
        fi
        case $prog in
        *seq*) label="busybox seq 1 1000000" ;;
        *) label="100 MiB in 4 KiB writes" ;;
        esac
        printf '%-34s %10s %10s %10s %10s\n' "$label" "${row[@]}"
done

# File systems: the host's files through the gofer (the overlay's lower
# layer) and the sandbox's own /tmp (the overlay's upper layer).
fsb=$bench/fsbench
deep=/usr/include/linux/netfilter/nf_tables.h
big=$(mktemp /var/tmp/conternel-bench.XXXXXX)
"$fsb" write "$big" 256 >/dev/null
# fs_row LABEL UNIT ARGS...: fsbench ARGS natively, on each platform, under runsc.
fs_row() {
        local label=$1 unit=$2
        shift 2
        local row=("$(median "$fsb" "$@")")
        for p in ptrace systrap; do
                row+=("$(median "$conternel" do --platform=$p --log=/dev/null -- "$fsb" "$@")")
        done
        if command -v runsc >/dev/null; then
                row+=("$(median sh -c "runsc --network=none do $fsb $* | cat")")
        else
                row+=("-")
        fi
        local ratio=-
        [ "${row[3]}" != - ] && ratio=$(awk -v a="${row[3]}" -v b="${row[2]}" -v u="$unit" \
                'BEGIN { printf "%.2f", u == "us" ? a / b : b / a }')
        local native=$(awk -v a="${row[0]}" -v b="${row[2]}" -v u="$unit" \
                'BEGIN { printf "%.2f", u == "us" ? a / b : b / a }')
        printf '%-40s %9s %9s %9s %9s %9s %9s\n' "$label ($unit)" "${row[@]}" "$native" "$ratio"
}
echo
echo "file systems, median of $runs runs (systrap vs native: x native speed; vs runsc: x faster)"
printf '%-40s %9s %9s %9s %9s %9s %9s\n' "" native ptrace systrap runsc "x native" "x runsc"
fs_row "open+fstat+read 4K+close, host file" us open-read /usr/include/stdio.h 5000
fs_row "stat, 4 levels deep, host file" us stat "$deep" 20000
fs_row "create+write 4K+close+unlink, /tmp" us create /tmp 2000
fs_row "sequential write 256 MiB, /tmp" MiB/s write /tmp/fsbench.big 256
fs_row "sequential read 256 MiB, host file" MiB/s read "$big"
rm -f "$big" /tmp/fsbench.big
tarcmd="tar c /usr/include 2>/dev/null | wc -c"
row=("$(median_wall "$tarcmd")")
for p in ptrace systrap; do
        row+=("$(median_wall "$conternel do --platform=$p --log=/dev/null -- /bin/sh -c '$tarcmd'")")
done
if command -v runsc >/dev/null; then
        row+=("$(median_wall "runsc --network=none do /bin/sh -c '$tarcmd' | cat")")
else
        row+=("-")
fi
printf '%-40s %9s %9s %9s %9s\n' "tar c /usr/include | wc -c (s)" "${row[@]}"

# Event I/O: unix streams between processes, epoll over many idle fds,
# eventfd between threads.
evb=$bench/eviobench
# ev_row LABEL UNIT ARGS...: eviobench ARGS natively, on each platform, under runsc.
ev_row() {
        local label=$1 unit=$2
        shift 2
        local row=("$(median "$evb" "$@")")
        for p in ptrace systrap; do
                row+=("$(median "$conternel" do --platform=$p --log=/dev/null -- "$evb" "$@")")
        done
        if command -v runsc >/dev/null; then
                row+=("$(median sh -c "runsc --network=none do $evb $* | cat")")
        else
                row+=("-")
        fi
        local best ratio=-
        # The faster platform against runsc.
        best=$(awk -v a="${row[1]}" -v b="${row[2]}" -v u="$unit" \
                'BEGIN { if (u == "us") print (a < b ? a : b); else print (a > b ? a : b) }')
        [ "${row[3]}" != - ] && ratio=$(awk -v a="${row[3]}" -v b="$best" -v u="$unit" \
                'BEGIN { printf "%.2f", u == "us" ? a / b : b / a }')
        printf '%-40s %9s %9s %9s %9s %9s\n' "$label ($unit)" "${row[@]}" "$ratio"
}
echo
echo "event I/O, median of $runs runs (x runsc: the faster platform, how many times faster)"
printf '%-40s %9s %9s %9s %9s %9s\n' "" native ptrace systrap runsc "x runsc"
ev_row "unix stream, 64 KiB writes" MiB/s stream 64
ev_row "unix stream 1-byte ping-pong, 2 procs" us pingpong 2000
ev_row "epoll_wait, 1,000 idle + 1 ready fd" us epoll 5000
ev_row "eventfd ping-pong, 2 threads" us eventfd 2000

# Processes: ms per fork+exit+wait and fork+exec(/bin/true)+wait.
fkb=$bench/forkbench
echo
echo "processes, ms per iteration, median of $runs runs (x runsc: how many times faster)"
printf '%-40s %9s %9s %9s %9s %9s\n' "" native ptrace systrap runsc "x runsc"
for mode in fork exec; do
        args=("$mode" 50)
        [ "$mode" = exec ] && args+=(/bin/true)
        row=("$(median "$fkb" "${args[@]}")")
        for p in ptrace systrap; do
                row+=("$(median "$conternel" do --platform=$p --log=/dev/null -- "$fkb" "${args[@]}")")
        done
        if command -v runsc >/dev/null; then
                row+=("$(median sh -c "runsc --network=none do $fkb ${args[*]} | cat")")
                ratio=$(awk -v a="${row[3]}" -v b="${row[2]}" 'BEGIN { printf "%.2f", a / b }')
        else
                row+=("-")
                ratio=-
        fi
        case $mode in
        fork) label="fork+exit+wait" ;;
        exec) label="fork+exec(/bin/true)+wait" ;;
        esac
        printf '%-40s %9s %9s %9s %9s %9s\n' "$label" "${row[@]}" "$ratio"
done

# An idle guest must cost (almost) nothing: CPU time of the whole sandbox,
# launcher, sentry threads and stub, over a 5 s sleep.
echo
echo "idle guest (busybox sleep 5): CPU used, % of one CPU"
for p in ptrace systrap; do
        cpu=$( { TIMEFORMAT='%U %S'; time "$conternel" do --platform=$p --log=/dev/null -- /bin/busybox sleep 5 >/dev/null; } 2>&1 | tail -1 )
        awk -v p="$p" -v c="$cpu" 'BEGIN { split(c, a, " "); printf "%-34s %9.2f%%\n", "conternel --platform=" p, (a[1] + a[2]) / 5 * 100 }'
done

# Threads, pipes, futexes, fresh memory and a whole make: bench/procs.sh.
echo
"$(dirname "$0")/procs.sh" "$build"
