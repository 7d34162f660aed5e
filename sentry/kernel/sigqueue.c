/* Pending signal sets with their queued siginfo. */
#include "signal.h"

#include <errno.h>
#include <stdlib.h>

/* Delivered first, in this order of preference, like Linux's SYNCHRONOUS_MASK. */
#define SYNCHRONOUS_MASK (KSIG_BIT(SIGSEGV) | KSIG_BIT(SIGBUS) | KSIG_BIT(SIGILL) | \
                          KSIG_BIT(SIGTRAP) | KSIG_BIT(SIGFPE) | KSIG_BIT(SIGSYS))

void sigpending_init(struct sigpending *p)
{
        p->set = 0;
        p->head = NULL;
        p->count = 0;
}

void sigpending_clear(struct sigpending *p)
{
        while (p->head) {
                struct sigqueue_entry *e = p->head;

                p->head = e->next;
                free(e);
        }
        sigpending_init(p);
}

int sigpending_add(struct sigpending *p, const siginfo_t *info, unsigned limit)
{
        int signo = info->si_signo;
        struct sigqueue_entry *e, **tail;

        if (signo < KSIG_RTMIN && (p->set & KSIG_BIT(signo)))
                return 0;
        if (signo >= KSIG_RTMIN && p->count >= limit)
                return -EAGAIN;
        e = calloc(1, sizeof(*e));
        if (!e)
                return -EAGAIN;
        e->info = *info;
        for (tail = &p->head; *tail; tail = &(*tail)->next)
                ;
        *tail = e;
        p->set |= KSIG_BIT(signo);
        p->count++;
        return 0;
}

static int lowest_signal(uint64_t set)
{
        return __builtin_ctzll(set) + 1;
}

int sigpending_take(struct sigpending *p, uint64_t allowed, siginfo_t *ret)
{
        uint64_t ready = p->set & allowed;
        struct sigqueue_entry **pe, *e;
        bool more = false;
        int signo;

        if (!ready)
                return -EAGAIN;
        signo = lowest_signal((ready & SYNCHRONOUS_MASK) ? (ready & SYNCHRONOUS_MASK) : ready);
        for (pe = &p->head; (*pe)->info.si_signo != signo; pe = &(*pe)->next)
                ;
        e = *pe;
        *pe = e->next;
        *ret = e->info;
        free(e);
        p->count--;
        for (e = p->head; e && !more; e = e->next)
                more = e->info.si_signo == signo;
        if (!more)
                p->set &= ~KSIG_BIT(signo);
        return 0;
}

void sigpending_flush(struct sigpending *p, int signo)
{
        struct sigqueue_entry **pe = &p->head;

        while (*pe) {
                struct sigqueue_entry *e = *pe;

                if (e->info.si_signo == signo) {
                        *pe = e->next;
                        free(e);
                        p->count--;
                } else {
                        pe = &e->next;
                }
        }
        p->set &= ~KSIG_BIT(signo);
}
