/* A fake platform for sentry/mm unit tests: it records the address-space
 * calls and keeps, per address space, what a stub would have mapped, so a
 * test can act as the guest (fake_guest_write faults into mm_handle_fault
 * like the task loop). Header-only: each test binary includes it once. */
#ifndef CONTERNEL_TESTS_FAKE_PLATFORM_H
#define CONTERNEL_TESTS_FAKE_PLATFORM_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

/* ---- A platform that records address-space calls ---------------------------- */

/* Each fake address space also keeps what a stub would have mapped (extents
 * of guest range -> file offset, prot), so tests can act as the guest: a
 * write goes to the memory file if the mapping allows it, else it faults into
 * mm_handle_fault(), as the task loop will. */
struct fake_map {
        guest_ptr_t start, end;
        uint64_t off;
        int prot;
};
struct fake_as {
        struct platform_as base;
        struct fake_map *maps;
        size_t n, cap;
};

enum call_kind { CALL_MAP, CALL_UNMAP, CALL_PROTECT };
struct call {
        enum call_kind kind;
        guest_ptr_t addr;
        uint64_t len;
        int prot;
        uint64_t off;
        struct platform_as *as;
};

#define MAX_CALLS 64
static struct call calls[MAX_CALLS];
static int ncalls;
static int fail_next;                   /* -errno for the next as_* call */
static struct platform fake_platform;
static int as_created, as_released;
static bool released;                   /* the first (fixture's) one */
static struct platform_as *first_as;

/* The fake's state is shared by every address space: tests with threads
 * serialise the ops on it (the mm already does per mm; this covers several). */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

static int record(struct call c)
{
        int r = fail_next;

        fail_next = 0;
        if (r)
                return r;
        if (ncalls < MAX_CALLS)
                calls[ncalls++] = c;
        return 0;
}

static inline void fake_push(struct fake_as *fa, struct fake_map m)
{
        if (fa->n == fa->cap) {
                fa->cap = fa->cap ? 2 * fa->cap : 16;
                fa->maps = realloc(fa->maps, fa->cap * sizeof(*fa->maps));
                assert_non_null(fa->maps);
        }
        fa->maps[fa->n++] = m;
}

static int fake_cmp(const void *a, const void *b)
{
        const struct fake_map *x = a, *y = b;

        return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorted, neighbours that continue each other merged (as the host's VMAs). */
static void fake_normalize(struct fake_as *fa)
{
        size_t j = 0;

        qsort(fa->maps, fa->n, sizeof(*fa->maps), fake_cmp);
        for (size_t i = 0; i < fa->n; i++) {
                struct fake_map *last = j ? &fa->maps[j - 1] : NULL;
                if (last && last->end == fa->maps[i].start && last->prot == fa->maps[i].prot &&
                    last->off + (last->end - last->start) == fa->maps[i].off)
                        last->end = fa->maps[i].end;
                else
                        fa->maps[j++] = fa->maps[i];
        }
        fa->n = j;
}

/* Cut [a, b) out of the fake mappings. */
static void fake_remove(struct fake_as *fa, guest_ptr_t a, guest_ptr_t b)
{
        struct fake_map *old = fa->maps;
        size_t n = fa->n;

        fa->maps = NULL;
        fa->n = fa->cap = 0;
        for (size_t i = 0; i < n; i++) {
                struct fake_map m = old[i];
                if (m.end <= a || m.start >= b) {
                        fake_push(fa, m);
                        continue;
                }
                if (m.start < a)
                        fake_push(fa, (struct fake_map){ m.start, a, m.off, m.prot });
                if (m.end > b)
                        fake_push(fa, (struct fake_map){ b, m.end, m.off + (b - m.start), m.prot });
        }
        free(old);
}

static inline struct fake_map *fake_lookup(struct platform_as *as, guest_ptr_t addr)
{
        struct fake_as *fa = (struct fake_as *)as;

        for (size_t i = 0; i < fa->n; i++)
                if (fa->maps[i].start <= addr && addr < fa->maps[i].end)
                        return &fa->maps[i];
        return NULL;
}

static int fake_as_create(struct platform *p, struct platform_as **ret)
{
        struct fake_as *fa = calloc(1, sizeof(*fa));

        assert_non_null(fa);
        fa->base.platform = p;
        as_created++;
        *ret = &fa->base;
        return 0;
}

static int fake_as_map_locked(struct platform_as *as, guest_ptr_t addr, uint64_t len, int prot,
                       uint64_t off)
{
        int r = record((struct call){ CALL_MAP, addr, len, prot, off, as });

        if (r == 0) {
                fake_remove((struct fake_as *)as, addr, addr + len);
                fake_push((struct fake_as *)as, (struct fake_map){ addr, addr + len, off, prot });
                fake_normalize((struct fake_as *)as);
        }
        return r;
}

static int fake_as_unmap_locked(struct platform_as *as, guest_ptr_t addr, uint64_t len)
{
        int r = record((struct call){ CALL_UNMAP, addr, len, 0, 0, as });

        if (r == 0)
                fake_remove((struct fake_as *)as, addr, addr + len);
        return r;
}

static int fake_as_protect_locked(struct platform_as *as, guest_ptr_t addr, uint64_t len, int prot)
{
        int r = record((struct call){ CALL_PROTECT, addr, len, prot, 0, as });
        struct fake_as *fa = (struct fake_as *)as;

        if (r)
                return r;
        /* Split at the ends, then change what lies inside. */
        for (guest_ptr_t cut = addr;; cut = addr + len) {
                struct fake_map *m = fake_lookup(as, cut);
                if (m && m->start < cut) {
                        struct fake_map hi = { cut, m->end, m->off + (cut - m->start), m->prot };
                        m->end = cut;
                        fake_push(fa, hi);
                }
                if (cut == addr + len)
                        break;
        }
        for (size_t i = 0; i < fa->n; i++)
                if (fa->maps[i].start >= addr && fa->maps[i].end <= addr + len)
                        fa->maps[i].prot = prot;
        fake_normalize(fa);
        return 0;
}

static int fake_as_map(struct platform_as *as, guest_ptr_t addr, uint64_t len, int prot,
                       uint64_t off)
{
        pthread_mutex_lock(&fake_lock);
        int r = fake_as_map_locked(as, addr, len, prot, off);
        pthread_mutex_unlock(&fake_lock);
        return r;
}

static int fake_as_unmap(struct platform_as *as, guest_ptr_t addr, uint64_t len)
{
        pthread_mutex_lock(&fake_lock);
        int r = fake_as_unmap_locked(as, addr, len);
        pthread_mutex_unlock(&fake_lock);
        return r;
}

static int fake_as_protect(struct platform_as *as, guest_ptr_t addr, uint64_t len, int prot)
{
        pthread_mutex_lock(&fake_lock);
        int r = fake_as_protect_locked(as, addr, len, prot);
        pthread_mutex_unlock(&fake_lock);
        return r;
}

static void fake_as_release(struct platform_as *as)
{
        struct fake_as *fa = (struct fake_as *)as;

        if (as == first_as)
                released = true;
        as_released++;
        free(fa->maps);
        free(fa);
}

static const struct platform_ops fake_ops = {
        .name = "fake",
        .as_create = fake_as_create,
        .as_map = fake_as_map,
        .as_unmap = fake_as_unmap,
        .as_protect = fake_as_protect,
        .as_release = fake_as_release,
};

/* The guest writes byte c at addr in mm (whose address space is as): through
 * the fake stub's mapping, faulting into mm_handle_fault() when it does not
 * allow the write. Returns 0, or what the fault handler said (-EFAULT: the
 * guest would get SIGSEGV). */
static inline int fake_guest_write(struct mm *mm, guest_ptr_t addr, uint8_t c)
{
        for (int tries = 0; tries < 3; tries++) {
                struct fake_map *m = fake_lookup(mm_platform_as(mm), addr);
                int r;

                if (m && (m->prot & PROT_WRITE)) {
                        *(uint8_t *)memfile_addr(mm->mf, m->off + (addr - m->start)) = c;
                        return 0;
                }
                r = mm_handle_fault(mm, addr, 0);
                if (r < 0)
                        return r;
        }
        return -EAGAIN;         /* resolved faults that do not resolve: a bug */
}

/* The guest reads addr: -EFAULT if the fake stub has no readable mapping. */
static inline int fake_guest_read(struct mm *mm, guest_ptr_t addr)
{
        struct fake_map *m = fake_lookup(mm_platform_as(mm), addr);

        if (!m || !(m->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
                return -EFAULT;
        return *(uint8_t *)memfile_addr(mm->mf, m->off + (addr - m->start));
}

#endif
