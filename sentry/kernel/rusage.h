/*
 * Resource usage (getrusage, times, wait4, the CPU-time clocks).
 *
 * Guest code runs in stub processes, so its CPU time and page faults are
 * what the host accounts to the stub (platform ops as_usage/ctx_usage):
 * user time is guest code (and the stub's own spinning while it waits for
 * the sentry), system time the host kernel's work for the stub (traps,
 * signal delivery, page faults). The sentry's own work on a system call is
 * not counted: it runs on sentry threads the host does not attribute to the
 * guest. An approximation, documented in docs/syscalls.md.
 *
 * A thread group's own usage is recorded as its threads exit (the stub goes
 * with the last one) so that a zombie still has it; a parent adds a child's
 * (own and children's) to its children's usage when it reaps it by wait,
 * like Linux (an autoreaped child is not counted).
 */
#ifndef CONTERNEL_SENTRY_RUSAGE_H
#define CONTERNEL_SENTRY_RUSAGE_H

#include <stdbool.h>
#include <stdint.h>

struct task;
struct thread_group;

struct task_usage {
        uint64_t utime_ns, stime_ns;
        uint64_t minflt, majflt;
        uint64_t maxrss_kb;             /* the peak: max, not sum, when accumulated */
};

/* Sum the counters, keep the larger peak. */
void task_usage_add(struct task_usage *acc, const struct task_usage *u);

/* t's own thread only. The whole process (RUSAGE_SELF), the calling thread
 * (RUSAGE_THREAD; maxrss is the process's, as on Linux) and the reaped
 * children (RUSAGE_CHILDREN). */
int task_usage_self(struct task *t, struct task_usage *ret);
int task_usage_thread(struct task *t, struct task_usage *ret);
void task_usage_children(struct task *t, struct task_usage *ret);
/* The CPU-time clocks, in ns: CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID. */
int task_cpu_clock_process(struct task *t, uint64_t *ret_ns);
int task_cpu_clock_thread(struct task *t, uint64_t *ret_ns);

/* Samples for CPU-time timers, from any thread (the timer thread):
 * the group's clock (CPU_SAMPLE_SCHED, _VIRT: user, _PROF: user+system)
 * or one task's. -ESRCH once nothing is left to measure. */
enum cpu_sample {
        CPU_SAMPLE_SCHED,
        CPU_SAMPLE_VIRT,
        CPU_SAMPLE_PROF,
};
int thread_group_cpu_sample(struct thread_group *tg, enum cpu_sample which, uint64_t *ret_ns);
int task_cpu_sample(struct task *t, uint64_t *ret_ns);

/* execve carries the usage over, as Linux's counters go on across exec.
 * _begin: on the task's own thread with its old mm and context still in
 * place and no other thread left: the thread's time is kept (its context
 * goes) and the old stub's totals are read into *old_stub. _end: once the
 * new program has its address space: unless it is the old stub, reused
 * (whose counters go on), the old totals join the group's. */
void task_usage_exec_begin(struct task *t, struct task_usage *old_stub);
void task_usage_exec_end(struct task *t, const struct task_usage *old_stub, bool stub_kept);

/* A thread is exiting (its own thread, mm still held): record the group's
 * usage so far. */
void task_usage_record_exit(struct task *t);
/* Reaping child by wait: its total (own and children's) into *ret, and
 * added to parent's children's usage unless parent is NULL (WNOWAIT). No
 * locks held. */
void thread_group_usage_reap(struct thread_group *parent, struct thread_group *child,
                             struct task_usage *ret);
/* What /proc shows of a group: its CPU time (the host's tick-based clocks)
 * live, or as recorded at exit; faults and peak RSS only as recorded. */
void thread_group_usage(struct thread_group *tg, struct task *live, struct task_usage *ret);

#endif
