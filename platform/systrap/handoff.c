/*
 * The sentry's side of a message page: posting a state, waiting for the
 * stub's answer (spin, then futex), and running a request.
 *
 * Waking is "flag, recheck, sleep": a side about to sleep sets its waiting
 * word (a full barrier), reads the state again and sleeps only if it is
 * still the one it saw (FUTEX_WAIT compares atomically); a side posting a
 * state exchanges it (a full barrier) and then wakes the other only if its
 * waiting word is set. Each side clears its own waiting word. The futexes
 * are shared (not PRIVATE): the page is a memfd mapped in both processes.
 *
 * The stub may scribble over all of it. A state word that never becomes one
 * of ours is a guest that never stops: sleeping is bounded (100 ms), and
 * each timeout checks that the stub and its thread are alive, and that an
 * interrupt has not gone unanswered for a second (a guest that blocked the
 * interrupt signal with a forged sigreturn frame); either kills the stub.
 */
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/macro.h"
#include "internal.h"

#define SLEEP_NS (100 * 1000 * 1000L)
#define INTERRUPT_PATIENCE 10           /* sleeps */

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool sentry_owned(uint32_t s)
{
        return s == ST_STOPPED || s == ST_DONE;
}

void handoff_post(volatile struct systrap_msg *m, uint32_t state)
{
        __atomic_exchange_n(&m->state, state, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&m->stub_waiting, __ATOMIC_SEQ_CST))
                (void)syscall(SYS_futex, &m->state, FUTEX_WAKE, 1, NULL, NULL, 0);
}

void systrap_as_kill(struct systrap_as *as)
{
        if (!atomic_exchange(&as->dead, true))
                (void)pidfd_send_signal(as->pidfd, SIGKILL, NULL, 0);
}

static bool stub_alive(struct systrap_as *as, pid_t tid)
{
        struct pollfd p = { .fd = as->pidfd, .events = POLLIN };

        if (atomic_load(&as->dead))
                return false;
        if (poll(&p, 1, 0) != 0)        /* readable: the stub exited */
                return false;
        if (tid > 0 && syscall(SYS_tgkill, as->pid, tid, 0) < 0 && errno == ESRCH)
                return false;
        return true;
}

int handoff_wait(struct systrap_as *as, volatile struct systrap_msg *m, pid_t tid,
                 uint64_t spin, atomic_bool *interrupted)
{
        static __thread uint64_t noyield_until; /* contention seen lately */
        uint64_t start = spin ? now_ns() : 0, deadline = start + spin;
        uint64_t yield_at = start + systrap_tuning.pause_ns;
        bool yielding = false;
        unsigned unanswered = 0;
        uint32_t s;

        if (spin && noyield_until > start) {
                /* Pause only, and never as long as a slow yield (or our own
                 * yielding threads' yields would become slow too). */
                deadline = MIN(deadline, start + systrap_tuning.yield_slow_ns / 2);
                yield_at = deadline;
        }
        for (unsigned i = 0; spin; i++) {
                uint64_t t, took;

                s = __atomic_load_n(&m->state, __ATOMIC_ACQUIRE);
                if (sentry_owned(s))
                        return (int)s;
                if (!yielding) {
                        __builtin_ia32_pause();
                        if ((i & 15) != 0)
                                continue;
                        t = now_ns();
                        if (t >= deadline)
                                break;
                        yielding = t >= yield_at;
                        continue;
                }
                t = now_ns();
                sched_yield();
                took = now_ns() - t;
                if (took >= systrap_tuning.yield_slow_ns) {
                        /* Another task held the CPU meanwhile, and the answer
                         * may have waited for it: sleep now, and only pause
                         * for a while. */
                        noyield_until = t + took + systrap_tuning.noyield_ns;
                        break;
                }
                if (t + took >= deadline)
                        break;
        }

        for (;;) {
                struct timespec ts = { .tv_nsec = SLEEP_NS };

                __atomic_exchange_n(&m->sentry_waiting, 1, __ATOMIC_SEQ_CST);
                s = __atomic_load_n(&m->state, __ATOMIC_SEQ_CST);
                if (sentry_owned(s)) {
                        m->sentry_waiting = 0;
                        return (int)s;
                }
                if (syscall(SYS_futex, &m->state, FUTEX_WAIT, s, &ts, NULL, 0) == 0 ||
                    errno != ETIMEDOUT)
                        continue;
                if (!stub_alive(as, tid))
                        break;
                if (interrupted && atomic_load(interrupted) &&
                    ++unanswered >= INTERRUPT_PATIENCE)
                        break;
        }
        m->sentry_waiting = 0;
        systrap_as_kill(as);
        return -ESRCH;
}

int handoff_request(struct systrap_as *as, volatile struct systrap_msg *m, pid_t tid,
                    long nr, const uint64_t args[6], long *ret)
{
        int s;

        m->req_nr = (uint64_t)nr;
        for (int i = 0; i < 6; i++)
                m->req_args[i] = args[i];
        handoff_post(m, ST_REQUEST);
        s = handoff_wait(as, m, tid, systrap_tuning.sentry_spin_ns, NULL);
        if (s < 0)
                return s;
        if (s != ST_DONE) {             /* the stub broke the protocol */
                systrap_as_kill(as);
                return -ESRCH;
        }
        *ret = (long)m->req_ret;
        return 0;
}

int handoff_request_batch(struct systrap_as *as, volatile struct systrap_msg *m, pid_t tid,
                          const struct systrap_call *calls, unsigned n, long *results,
                          unsigned *ret_done)
{
        volatile uint8_t *page = (volatile uint8_t *)m;
        uint64_t done;
        int s;

        if (n == 0 || n > SYSTRAP_BATCH_MAX)
                return -EINVAL;
        for (unsigned i = 0; i < n; i++) {
                volatile uint64_t *e = (volatile uint64_t *)(page + MSG_BATCH_CALLS +
                                                             i * BATCH_ENTRY_SIZE);

                e[0] = (uint64_t)calls[i].nr;
                for (int a = 0; a < 6; a++)
                        e[1 + a] = calls[i].args[a];
        }
        *(volatile uint64_t *)(page + MSG_BATCH_N) = n;
        m->req_nr = SYSTRAP_REQ_BATCH;
        handoff_post(m, ST_REQUEST);
        s = handoff_wait(as, m, tid, systrap_tuning.sentry_spin_ns, NULL);
        if (s < 0)
                return s;
        done = m->req_ret;
        if (s != ST_DONE || done > n) { /* the stub broke the protocol */
                systrap_as_kill(as);
                return -ESRCH;
        }
        for (unsigned i = 0; i < done; i++)
                results[i] = (long)*(volatile uint64_t *)(page + MSG_BATCH_CALLS +
                                                          i * BATCH_ENTRY_SIZE + BATCH_RET);
        *ret_done = (unsigned)done;
        return 0;
}
