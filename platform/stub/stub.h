/*
 * What every stub-process platform (ptrace, systrap) needs in the same way:
 * getting a forked child off glibc's rseq area before it unmaps the sentry,
 * and killing and reaping a stub through its pidfd.
 *
 * May use: libc and the host kernel. Nothing of sentry/. Does not log.
 */
#ifndef CONTERNEL_PLATFORM_STUB_H
#define CONTERNEL_PLATFORM_STUB_H

#include <sched.h>
#include <sys/types.h>

#include "platform/platform.h"

/* Linux's TASK_SIZE for x86_64 with 4-level page tables: the end of the user
 * address space. The platforms keep their stub pages in
 * [GUEST_ADDR_MAX, STUB_USER_ADDR_END). */
#define STUB_USER_ADDR_END 0x00007ffffffff000ULL

/* In a freshly forked child: drops the rseq registration glibc made for the
 * forking thread (its area is about to be unmapped, and the kernel would
 * SIGSEGV the child on its next preemption). Async-signal-safe. */
void stub_rseq_unregister(void);

/* Kills and reaps a stub, closing its pidfd. Through the pidfd, so that a
 * stub reaped earlier can't make us kill or wait for whatever process got its
 * pid since. */
void stub_kill(int pidfd);

/* Placement helpers for platforms that pin a sentry thread and its stub
 * thread (see each platform's affinity.c for why). stub_pin: tid 0 is the
 * caller. stub_cpus_get: the CPUs the calling thread may run on, read when
 * the platform is created (later, a thread pinned for one guest thread, or
 * created by one, would see only its own). stub_allowed_cpu: the n-th CPU
 * (modulo their number) in cpus, and how many there are; -1 on failure. */
int stub_pin(pid_t tid, int cpu);
int stub_cpus_get(cpu_set_t *ret);
int stub_allowed_cpu(const cpu_set_t *cpus, unsigned n, int *ret_count);

/* A long-lived thread that forks stubs for a platform. PR_SET_PDEATHSIG
 * follows the thread that forked, not the process: forking every stub from
 * this thread lets a stub outlive the sentry thread that asked for it (a
 * guest's first thread may exit while the others run on) and still die with
 * the sentry. */
struct stub_spawner;
int stub_spawner_create(struct stub_spawner **ret);
void stub_spawner_destroy(struct stub_spawner *s);
/* Run fn(arg) on the spawner thread and return its result. */
long stub_spawner_call(struct stub_spawner *s, long (*fn)(void *arg), void *arg);

/* What the host accounted to a stub process (every thread it ever ran) or
 * one of its threads, read under procfd (the host's /proc, opened at
 * platform creation; see usage.c). -ESRCH once it is gone. */
int stub_usage_process(int procfd, pid_t pid, bool cpu_only, struct platform_usage *ret);
int stub_usage_thread(int procfd, pid_t pid, pid_t tid, bool cpu_only, struct platform_usage *ret);
/* A stub that serves another address space: usage_since takes off what a
 * reading made before counted (the peak RSS stays what u says);
 * usage_reset_peak makes the host's peak RSS the current RSS. */
void stub_usage_since(struct platform_usage *u, const struct platform_usage *before);
int stub_usage_reset_peak(int procfd, pid_t pid);

#endif
