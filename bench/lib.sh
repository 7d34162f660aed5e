# Shared by bench/run.sh and bench/procs.sh (sourced; set runs first).

# The median of $runs runs of a command printing "<name> <value>".
median() {
        for _ in $(seq "$runs"); do
                "$@" | awk '{ print $2 }'
        done | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# The median wall time in seconds of 3 runs of a shell command.
median_wall() {
        for _ in 1 2 3; do
                local t0 t1
                t0=$(date +%s.%N)
                sh -c "$1" >/dev/null 2>&1
                t1=$(date +%s.%N)
                awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
        done | sort -g | awk '{ a[NR] = $1 } END { print a[2] }'
}
