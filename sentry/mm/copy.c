/*
 * Copies between the sentry and guest memory, and translation of guest ranges
 * to host addresses. Guest memory is the memory file, which the sentry maps
 * whole: after the VMA check, a copy is a memcpy.
 *
 * Access follows x86 page tables without protection keys: any of READ, WRITE
 * or EXEC makes a page readable; writing needs PROT_WRITE.
 *
 * All of this runs under the mm's read lock plus pma_lock (the PMA tree may
 * change under the read lock: copy-on-write breaks). Writing breaks
 * copy-on-write first (cow.c), with the old pages' references deferred until
 * no reader can hold a translation of them.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "sentry/mm/internal.h"

static bool vma_allows(const struct vma *v, unsigned access)
{
        if ((access & PLATFORM_ACCESS_READ) && !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
                return false;
        if ((access & PLATFORM_ACCESS_WRITE) && !(v->prot & PROT_WRITE))
                return false;
        if ((access & PLATFORM_ACCESS_EXEC) && !(v->prot & PROT_EXEC))
                return false;
        return true;
}

/* Bytes of [addr, addr+len) accessible from addr on, without a gap. access 0
 * means "mapped at all" (the _force variants). Lock held. */
static size_t accessible_prefix(struct mm *mm, guest_ptr_t addr, size_t len, unsigned access)
{
        guest_ptr_t at = addr, end;
        struct vma *v;

        if (__builtin_add_overflow(addr, len, &end))
                end = UINT64_MAX;
        for (v = vma_find(&mm->vmas, addr); v && at < end; v = vma_next(v)) {
                if (v->start > at || !vma_allows(v, access))
                        break;
                if (v->file)
                        break;          /* may have unpopulated pages: see below */
                at = v->end;
        }
        if (v && at < end && v->file && v->start <= at && vma_allows(v, access)) {
                /* A file VMA: up to its first page without a PMA (past EOF:
                 * Linux's copy_*_user faults with SIGBUS there, -EFAULT). */
                guest_ptr_t vend = MIN(v->end, end);

                for (struct pma *p = pma_find(&mm->pmas, at); p && at < vend; p = pma_next(p)) {
                        if (p->start > at)
                                break;
                        at = MIN(p->end, vend);
                }
                if (at == v->end)       /* all there: go on with the next VMAs */
                        return MIN(at - addr + accessible_prefix(mm, at, end - at, access),
                                   end - addr);
        }
        return MIN(at, end) - addr;
}

#define POPULATE_MIN    (2 * PAGE_SIZE)

/* Copy between the guest range and buf, direction by to_guest. The whole
 * range must have been checked (and, to the guest, made writable in place).
 * fresh: the pages are new (exec's image and stack): the whole ones are
 * populated in one call rather than faulted in one by one (a call costs
 * about what a fault does, so only worth it where they are sure to be
 * untouched, and several). */
static void copy_checked(struct mm *mm, guest_ptr_t addr, void *buf, size_t len, bool to_guest,
                         bool fresh)
{
        struct pma *p = pma_lookup(&mm->pmas, addr);
        uint8_t *b = buf;

        while (len > 0) {
                size_t n = MIN(len, p->end - addr);
                void *host = memfile_addr(mm->mf, pma_off_of(p, addr));
                guest_ptr_t first = PAGE_ROUND_UP(addr), last = PAGE_ROUND_DOWN(addr + n);

                if (fresh && to_guest && last > first && last - first >= POPULATE_MIN)
                        memfile_populate(mm->mf, pma_off_of(p, first), last - first);

                if (to_guest)
                        memcpy(host, b, n);
                else
                        memcpy(b, host, n);
                b += n;
                addr += n;
                len -= n;
                p = pma_next(p);
        }
}

/* Break copy-on-write for the pages under [addr, addr+len) (accessible). */
static int prepare_write(struct mm *mm, guest_ptr_t addr, size_t len)
{
        guest_ptr_t start = PAGE_ROUND_DOWN(addr), end = PAGE_ROUND_UP(addr + len);

        if (!mm_range_has_cow_locked(mm, start, end))
                return 0;
        return mm_break_cow_locked(mm, start, end, false);
}

static int copy(struct mm *mm, guest_ptr_t addr, void *buf, size_t len, unsigned access,
                bool to_guest, bool fresh)
{
        int r = 0;

        if (len == 0)
                return 0;
        mm_lock_read(mm);
        pthread_mutex_lock(&mm->pma_lock);
        if (accessible_prefix(mm, addr, len, access) < len)
                r = -EFAULT;
        else if (to_guest)
                r = prepare_write(mm, addr, len);
        if (r == 0)
                copy_checked(mm, addr, buf, len, to_guest, fresh);
        pthread_mutex_unlock(&mm->pma_lock);
        mm_unlock_read(mm);
        return r;
}

int mm_copy_in(struct mm *mm, void *dst, guest_ptr_t src, size_t len)
{
        return copy(mm, src, dst, len, PLATFORM_ACCESS_READ, false, false);
}

int mm_copy_out(struct mm *mm, guest_ptr_t dst, const void *src, size_t len)
{
        return copy(mm, dst, (void *)src, len, PLATFORM_ACCESS_WRITE, true, false);
}

int mm_copy_out_force(struct mm *mm, guest_ptr_t dst, const void *src, size_t len)
{
        return copy(mm, dst, (void *)src, len, 0, true, true);
}

ssize_t mm_strncpy_in(struct mm *mm, char *dst, guest_ptr_t src, size_t max)
{
        size_t done = 0;
        ssize_t r = -ENAMETOOLONG;

        mm_lock_read(mm);
        pthread_mutex_lock(&mm->pma_lock);
        /* Chunk by chunk, each within one page (and one VMA), so the scan
         * never reads past the terminating NUL's page. */
        while (done < max) {
                guest_ptr_t at = src + done;
                struct vma *v;

                if (at < src) {                 /* wrapped around */
                        r = -EFAULT;
                        break;
                }
                v = vma_lookup(&mm->vmas, at);
                const struct pma *p = v ? pma_lookup(&mm->pmas, at) : NULL;
                if (!p || !vma_allows(v, PLATFORM_ACCESS_READ)) {
                        r = -EFAULT;
                        break;
                }
                size_t n = MIN(max - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
                const char *host = memfile_addr(mm->mf, pma_off_of(p, at));
                const char *nul = memchr(host, 0, n);

                if (nul) {
                        memcpy(dst + done, host, (size_t)(nul - host) + 1);
                        r = (ssize_t)(done + (size_t)(nul - host));
                        break;
                }
                memcpy(dst + done, host, n);
                done += n;
        }
        pthread_mutex_unlock(&mm->pma_lock);
        mm_unlock_read(mm);
        return r;
}

int mm_translate(struct mm *mm, guest_ptr_t addr, size_t len, unsigned access,
                 struct iovec *iov, int iovmax, size_t *ret_len)
{
        size_t covered;
        struct pma *p;
        int n = 0, r;

        *ret_len = 0;
        if (len == 0)
                return 0;
        pthread_mutex_lock(&mm->pma_lock);
        covered = accessible_prefix(mm, addr, len, access);
        if (covered == 0) {
                r = -EFAULT;
                goto unlock;
        }
        if (access & PLATFORM_ACCESS_WRITE) {
                /* At most what the iovecs can cover is worth breaking, but
                 * that is not known before the walk: break it all. */
                r = prepare_write(mm, addr, covered);
                if (r < 0)
                        goto unlock;
        }

        for (p = pma_lookup(&mm->pmas, addr); covered > 0 && n < iovmax; p = pma_next(p)) {
                size_t chunk = MIN(covered, p->end - addr);
                uint8_t *host = memfile_addr(mm->mf, pma_off_of(p, addr));

                /* Neighbouring PMAs may be contiguous in the file too. */
                if (n > 0 && (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len == host)
                        iov[n - 1].iov_len += chunk;
                else
                        iov[n++] = (struct iovec){ .iov_base = host, .iov_len = chunk };
                addr += chunk;
                covered -= chunk;
                *ret_len += chunk;
        }
        r = n;
unlock:
        pthread_mutex_unlock(&mm->pma_lock);
        return r;
}
