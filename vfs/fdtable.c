/* Per-process fd tables: a growable array of file references. */
#include "fdtable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "lock.h"

/* A file leaves fdt: the owner's POSIX locks on it go (Linux's filp_close()),
 * then the table's reference. */
/* A descriptor closed (Linux's filp_close()): the file's flush, the
 * process's POSIX locks on it, then the reference. Outside fdt->lock: both
 * may call into the file. */
static void fdt_drop(struct fdtable *fdt, struct file *f)
{
        if (!f)
                return;
        if (f->ops->flush)
                f->ops->flush(f);
        locks_remove_posix(f, fdt);
        file_unref(f);
}

int fdtable_create(struct fdtable **ret)
{
        struct fdtable *fdt = calloc(1, sizeof(*fdt));

        if (!fdt)
                return -ENOMEM;
        atomic_init(&fdt->refcount, 1);
        pthread_mutex_init(&fdt->lock, NULL);
        *ret = fdt;
        return 0;
}

int fdtable_dup(struct fdtable *fdt, struct fdtable **ret)
{
        struct fdtable *n;
        int r;

        r = fdtable_create(&n);
        if (r < 0)
                return r;
        pthread_mutex_lock(&fdt->lock);
        if (fdt->size) {
                n->files = calloc((size_t)fdt->size, sizeof(*n->files));
                n->cloexec = calloc((size_t)fdt->size, sizeof(*n->cloexec));
                n->reserved = calloc((size_t)fdt->size, sizeof(*n->reserved));
                if (!n->files || !n->cloexec || !n->reserved) {
                        pthread_mutex_unlock(&fdt->lock);
                        fdtable_unref(n);
                        return -ENOMEM;
                }
                n->size = fdt->size;
                for (int fd = 0; fd < fdt->size; fd++) {
                        n->files[fd] = fdt->files[fd] ? file_ref(fdt->files[fd]) : NULL;
                        n->cloexec[fd] = fdt->cloexec[fd];
                }
        }
        pthread_mutex_unlock(&fdt->lock);
        *ret = n;
        return 0;
}

struct fdtable *fdtable_ref(struct fdtable *fdt)
{
        atomic_fetch_add_explicit(&fdt->refcount, 1, memory_order_relaxed);
        return fdt;
}

struct fdtable *fdtable_unref(struct fdtable *fdt)
{
        if (!fdt || atomic_fetch_sub_explicit(&fdt->refcount, 1, memory_order_acq_rel) != 1)
                return NULL;
        for (int fd = 0; fd < fdt->size; fd++)
                fdt_drop(fdt, fdt->files[fd]);
        free(fdt->files);
        free(fdt->cloexec);
        free(fdt->reserved);
        pthread_mutex_destroy(&fdt->lock);
        free(fdt);
        return NULL;
}

/* Make room for fd; called with the lock held. */
static int fdtable_grow(struct fdtable *fdt, int fd)
{
        struct file **files;
        bool *cloexec, *reserved;
        int size;

        if (fd < fdt->size)
                return 0;
        size = fdt->size ? fdt->size : 64;
        while (size <= fd)
                size *= 2;
        files = realloc(fdt->files, sizeof(*files) * (size_t)size);
        if (!files)
                return -ENOMEM;
        fdt->files = files;
        cloexec = realloc(fdt->cloexec, sizeof(*cloexec) * (size_t)size);
        if (!cloexec)
                return -ENOMEM;
        fdt->cloexec = cloexec;
        reserved = realloc(fdt->reserved, sizeof(*reserved) * (size_t)size);
        if (!reserved)
                return -ENOMEM;
        fdt->reserved = reserved;
        memset(files + fdt->size, 0, sizeof(*files) * (size_t)(size - fdt->size));
        memset(cloexec + fdt->size, 0, sizeof(*cloexec) * (size_t)(size - fdt->size));
        memset(reserved + fdt->size, 0, sizeof(*reserved) * (size_t)(size - fdt->size));
        fdt->size = size;
        return 0;
}

/* The lowest free fd >= min_fd below limit, its slot allocated; the lock
 * held. -EMFILE, -ENOMEM. */
static int fdtable_find_free(struct fdtable *fdt, int min_fd, int limit)
{
        int fd, r;

        for (fd = min_fd; fd < limit; fd++)
                if (fd >= fdt->size || (!fdt->files[fd] && !fdt->reserved[fd]))
                        break;
        if (fd >= limit)
                return -EMFILE;
        r = fdtable_grow(fdt, fd);
        return r < 0 ? r : fd;
}

int fdtable_install(struct fdtable *fdt, struct file *f, int min_fd, bool cloexec, int limit)
{
        int fd;

        if (min_fd < 0)
                return -EINVAL;
        pthread_mutex_lock(&fdt->lock);
        fd = fdtable_find_free(fdt, min_fd, limit);
        if (fd >= 0) {
                fdt->files[fd] = file_ref(f);
                fdt->cloexec[fd] = cloexec;
        }
        pthread_mutex_unlock(&fdt->lock);
        return fd;
}

int fdtable_reserve(struct fdtable *fdt, int limit)
{
        int fd;

        pthread_mutex_lock(&fdt->lock);
        fd = fdtable_find_free(fdt, 0, limit);
        if (fd >= 0)
                fdt->reserved[fd] = true;
        pthread_mutex_unlock(&fdt->lock);
        return fd;
}

void fdtable_install_reserved(struct fdtable *fdt, int fd, struct file *f, bool cloexec)
{
        pthread_mutex_lock(&fdt->lock);
        fdt->reserved[fd] = false;
        fdt->files[fd] = file_ref(f);
        fdt->cloexec[fd] = cloexec;
        pthread_mutex_unlock(&fdt->lock);
}

void fdtable_unreserve(struct fdtable *fdt, int fd)
{
        pthread_mutex_lock(&fdt->lock);
        fdt->reserved[fd] = false;
        pthread_mutex_unlock(&fdt->lock);
}

int fdtable_install_at(struct fdtable *fdt, int fd, struct file *f, bool cloexec, int limit)
{
        struct file *old;
        int r;

        if (fd < 0 || fd >= limit)
                return -EBADF;
        pthread_mutex_lock(&fdt->lock);
        r = fdtable_grow(fdt, fd);
        if (r == 0 && fdt->reserved[fd])
                r = -EBUSY;
        if (r < 0) {
                pthread_mutex_unlock(&fdt->lock);
                return r;
        }
        old = fdt->files[fd];
        fdt->files[fd] = file_ref(f);
        fdt->cloexec[fd] = cloexec;
        pthread_mutex_unlock(&fdt->lock);
        fdt_drop(fdt, old);
        return fd;
}

struct file *fdtable_get(struct fdtable *fdt, int fd)
{
        struct file *f = NULL;

        pthread_mutex_lock(&fdt->lock);
        if (fd >= 0 && fd < fdt->size && fdt->files[fd])
                f = file_ref(fdt->files[fd]);
        pthread_mutex_unlock(&fdt->lock);
        return f;
}

int fdtable_close(struct fdtable *fdt, int fd)
{
        struct file *f = NULL;

        pthread_mutex_lock(&fdt->lock);
        if (fd >= 0 && fd < fdt->size) {
                f = fdt->files[fd];
                fdt->files[fd] = NULL;
        }
        pthread_mutex_unlock(&fdt->lock);
        if (!f)
                return -EBADF;
        fdt_drop(fdt, f);
        return 0;
}

void fdtable_close_on_exec(struct fdtable *fdt)
{
        for (int fd = 0;; fd++) {
                struct file *f = NULL;

                pthread_mutex_lock(&fdt->lock);
                while (fd < fdt->size && !(fdt->files[fd] && fdt->cloexec[fd]))
                        fd++;
                if (fd < fdt->size) {
                        f = fdt->files[fd];
                        fdt->files[fd] = NULL;
                        fdt->cloexec[fd] = false;
                }
                pthread_mutex_unlock(&fdt->lock);
                if (!f)
                        return;
                fdt_drop(fdt, f);
        }
}

int fdtable_get_cloexec(struct fdtable *fdt, int fd, bool *ret)
{
        int r = -EBADF;

        pthread_mutex_lock(&fdt->lock);
        if (fd >= 0 && fd < fdt->size && fdt->files[fd]) {
                *ret = fdt->cloexec[fd];
                r = 0;
        }
        pthread_mutex_unlock(&fdt->lock);
        return r;
}

int fdtable_set_cloexec(struct fdtable *fdt, int fd, bool cloexec)
{
        int r = -EBADF;

        pthread_mutex_lock(&fdt->lock);
        if (fd >= 0 && fd < fdt->size && fdt->files[fd]) {
                fdt->cloexec[fd] = cloexec;
                r = 0;
        }
        pthread_mutex_unlock(&fdt->lock);
        return r;
}

int fdtable_next(struct fdtable *fdt, int from, struct file **ret_file, bool *ret_cloexec)
{
        int r = -ENOENT;

        pthread_mutex_lock(&fdt->lock);
        for (int fd = from < 0 ? 0 : from; fd < fdt->size; fd++) {
                if (!fdt->files[fd])
                        continue;
                if (ret_file)
                        *ret_file = file_ref(fdt->files[fd]);
                if (ret_cloexec)
                        *ret_cloexec = fdt->cloexec[fd];
                r = fd;
                break;
        }
        pthread_mutex_unlock(&fdt->lock);
        return r;
}

void fdtable_close_range(struct fdtable *fdt, unsigned first, unsigned last, bool cloexec_only)
{
        for (unsigned fd = first;; fd++) {
                struct file *f = NULL;
                bool end;

                pthread_mutex_lock(&fdt->lock);
                end = fd >= (unsigned)fdt->size;
                if (!end && fdt->files[fd]) {
                        if (cloexec_only) {
                                fdt->cloexec[fd] = true;
                        } else {
                                f = fdt->files[fd];
                                fdt->files[fd] = NULL;
                        }
                }
                pthread_mutex_unlock(&fdt->lock);
                fdt_drop(fdt, f);
                if (end || fd == last)
                        break;
        }
}

bool fdtable_shared(struct fdtable *fdt)
{
        return atomic_load(&fdt->refcount) > 1;
}
