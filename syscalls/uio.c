#include "uio.h"

#include <errno.h>
#include <sys/types.h>

#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"

/* Append the translation of one guest range; returns bytes added, or -EFAULT
 * if its first byte is inaccessible. */
static ssize_t guest_iov_append(struct task *t, guest_ptr_t base, size_t len,
                                unsigned access, struct guest_iov *g)
{
        size_t covered = 0;
        int n;

        if (len == 0)
                return 0;
        if (g->it.nr == UIO_MAXIOV)
                return 0;
        n = mm_translate(t->mm, base, len, access, g->iov + g->it.nr,
                         UIO_MAXIOV - g->it.nr, &covered);
        if (n < 0)
                return n;
        g->it.nr += n;
        g->it.count += covered;
        return (ssize_t)covered;
}

int guest_iov_import_buf(struct task *t, guest_ptr_t buf, size_t len, unsigned access,
                         struct guest_iov *g)
{
        ssize_t n;

        g->it = (struct iov_iter){ .iov = g->iov };
        if (len > MAX_RW_COUNT)
                len = MAX_RW_COUNT;
        n = guest_iov_append(t, buf, len, access, g);
        return n < 0 ? (int)n : 0;
}

/* x86_64 TASK_SIZE_MAX: the end of the user half, whatever the guest maps. */
#define GUEST_TASK_SIZE_MAX 0x00007ffffffff000ULL

bool guest_access_ok(guest_ptr_t addr, size_t len)
{
        return addr <= GUEST_TASK_SIZE_MAX && len <= GUEST_TASK_SIZE_MAX - addr;
}

int guest_iovec_copy_in(struct task *t, guest_ptr_t uvec, long iovcnt, struct iovec *vec)
{
        int r;

        if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
                return -EINVAL;
        if (iovcnt == 0)
                return 0;
        r = mm_copy_in(t->mm, vec, uvec, sizeof(vec[0]) * (size_t)iovcnt);
        if (r < 0)
                return r;
        for (long i = 0; i < iovcnt; i++) {
                if ((ssize_t)vec[i].iov_len < 0)
                        return -EINVAL;
                if (!guest_access_ok((guest_ptr_t)vec[i].iov_base, vec[i].iov_len))
                        return -EFAULT;
        }
        return 0;
}

int guest_iov_import_vec(struct task *t, const struct iovec *vec, long iovcnt,
                         unsigned access, struct guest_iov *g)
{
        size_t total = 0;

        g->it = (struct iov_iter){ .iov = g->iov };
        for (long i = 0; i < iovcnt && total < MAX_RW_COUNT; i++) {
                size_t len = vec[i].iov_len;
                ssize_t n;

                if (len > MAX_RW_COUNT - total)
                        len = MAX_RW_COUNT - total;
                n = guest_iov_append(t, (guest_ptr_t)vec[i].iov_base, len, access, g);
                if (n < 0)
                        return total ? 0 : (int)n;
                total += (size_t)n;
                if ((size_t)n < len)
                        break;          /* a hole: stop with what is accessible */
        }
        return 0;
}
