/* Guest buffers and iovec arrays turned into host iovecs over guest memory. */
#ifndef CONTERNEL_SYSCALLS_UIO_H
#define CONTERNEL_SYSCALLS_UIO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "lib/guest.h"
#include "vfs/file.h"

struct task;

/* Linux caps one read or write at MAX_RW_COUNT bytes. */
#define MAX_RW_COUNT ((size_t)(INT_MAX & ~4095))
#ifndef UIO_MAXIOV
#define UIO_MAXIOV 1024 /* Linux's IOV_MAX */
#endif

struct guest_iov {
        struct iovec iov[UIO_MAXIOV];
        struct iov_iter it;
};

/* Linux's access_ok(): the range lies wholly below the top of user space.
 * Checked before any copy, even of zero bytes (a kernel address is EFAULT
 * whatever the length). */
bool guest_access_ok(guest_ptr_t addr, size_t len);

/* Read the guest's iovec array (iovcnt entries) into vec, before taking the
 * mm lock. -EINVAL when iovcnt is negative or above UIO_MAXIOV or a length is
 * negative as ssize_t; -EFAULT for the array or an element failing
 * guest_access_ok(). */
int guest_iovec_copy_in(struct task *t, guest_ptr_t uvec, long iovcnt, struct iovec *vec);

/* Both import functions must be called with mm_lock_read(t->mm) held, and
 * the iovecs used before it is dropped. -EFAULT when not even the first byte
 * is accessible; otherwise the iterator covers the accessible prefix. */
int guest_iov_import_buf(struct task *t, guest_ptr_t buf, size_t len, unsigned access,
                         struct guest_iov *g);
/* vec and iovcnt as checked by guest_iovec_copy_in(). */
int guest_iov_import_vec(struct task *t, const struct iovec *vec, long iovcnt,
                         unsigned access, struct guest_iov *g);

#endif
