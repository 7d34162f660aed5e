/*
 * Copies between the sentry and guest memory, and translation of guest ranges
 * to host addresses. Guest memory is the memory file, which the sentry maps
 * whole: after the VMA check, a copy is a memcpy.
 *
 * Access follows x86 page tables without protection keys: any of READ, WRITE
 * or EXEC makes a page readable; writing needs PROT_WRITE.
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
                at = v->end;
        }
        return MIN(at, end) - addr;
}

/* Copy between the guest range and buf, direction by to_guest. The whole
 * range must have been checked. Lock held. */
static void copy_checked(struct mm *mm, guest_ptr_t addr, void *buf, size_t len, bool to_guest)
{
        struct vma *v = vma_find(&mm->vmas, addr);
        uint8_t *p = buf;

        while (len > 0) {
                size_t n = MIN(len, v->end - addr);
                void *host = memfile_addr(mm->mf, vma_off_of(v, addr));

                if (to_guest)
                        memcpy(host, p, n);
                else
                        memcpy(p, host, n);
                p += n;
                addr += n;
                len -= n;
                v = vma_next(v);
        }
}

static int copy(struct mm *mm, guest_ptr_t addr, void *buf, size_t len, unsigned access,
                bool to_guest)
{
        int r = 0;

        if (len == 0)
                return 0;
        pthread_rwlock_rdlock(&mm->lock);
        if (accessible_prefix(mm, addr, len, access) < len)
                r = -EFAULT;
        else
                copy_checked(mm, addr, buf, len, to_guest);
        pthread_rwlock_unlock(&mm->lock);
        return r;
}

int mm_copy_in(struct mm *mm, void *dst, guest_ptr_t src, size_t len)
{
        return copy(mm, src, dst, len, PLATFORM_ACCESS_READ, false);
}

int mm_copy_out(struct mm *mm, guest_ptr_t dst, const void *src, size_t len)
{
        return copy(mm, dst, (void *)src, len, PLATFORM_ACCESS_WRITE, true);
}

int mm_copy_out_force(struct mm *mm, guest_ptr_t dst, const void *src, size_t len)
{
        return copy(mm, dst, (void *)src, len, 0, true);
}

ssize_t mm_strncpy_in(struct mm *mm, char *dst, guest_ptr_t src, size_t max)
{
        size_t done = 0;
        ssize_t r = -ENAMETOOLONG;

        pthread_rwlock_rdlock(&mm->lock);
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
                if (!v || !vma_allows(v, PLATFORM_ACCESS_READ)) {
                        r = -EFAULT;
                        break;
                }
                size_t n = MIN(max - done, PAGE_SIZE - (at & (PAGE_SIZE - 1)));
                const char *host = memfile_addr(mm->mf, vma_off_of(v, at));
                const char *nul = memchr(host, 0, n);

                if (nul) {
                        memcpy(dst + done, host, (size_t)(nul - host) + 1);
                        r = (ssize_t)(done + (size_t)(nul - host));
                        break;
                }
                memcpy(dst + done, host, n);
                done += n;
        }
        pthread_rwlock_unlock(&mm->lock);
        return r;
}

int mm_translate(struct mm *mm, guest_ptr_t addr, size_t len, unsigned access,
                 struct iovec *iov, int iovmax, size_t *ret_len)
{
        size_t covered;
        struct vma *v;
        int n = 0;

        *ret_len = 0;
        if (len == 0)
                return 0;
        covered = accessible_prefix(mm, addr, len, access);
        if (covered == 0)
                return -EFAULT;

        for (v = vma_find(&mm->vmas, addr); covered > 0 && n < iovmax; v = vma_next(v)) {
                size_t chunk = MIN(covered, v->end - addr);
                uint8_t *host = memfile_addr(mm->mf, vma_off_of(v, addr));

                /* Neighbouring VMAs may be contiguous in the file too. */
                if (n > 0 && (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len == host)
                        iov[n - 1].iov_len += chunk;
                else
                        iov[n++] = (struct iovec){ .iov_base = host, .iov_len = chunk };
                addr += chunk;
                covered -= chunk;
                *ret_len += chunk;
        }
        return n;
}
