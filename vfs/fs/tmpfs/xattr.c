/* tmpfs extended attributes: a list per inode in creation order, under
 * inode->lock, like Linux's simple_xattrs. Each inode holds at most
 * TMPFS_XATTR_BYTES of names and values (-ENOSPC past it, as a full tmpfs). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "tmpfs.h"

#define TMPFS_XATTR_BYTES (1 << 20)

struct tmpfs_xattr {
        struct tmpfs_xattr *next;
        size_t size;
        char *name;
        char value[];
};

static struct tmpfs_xattr **xattr_find(struct tmpfs_inode *ti, const char *name)
{
        struct tmpfs_xattr **pp;

        for (pp = &ti->xattrs; *pp; pp = &(*pp)->next)
                if (strcmp((*pp)->name, name) == 0)
                        break;
        return pp;
}

static void xattr_free(struct tmpfs_inode *ti, struct tmpfs_xattr *x)
{
        ti->xattr_bytes -= strlen(x->name) + 1 + x->size;
        free(x->name);
        free(x);
}

void tmpfs_xattrs_destroy(struct tmpfs_inode *ti)
{
        while (ti->xattrs) {
                struct tmpfs_xattr *x = ti->xattrs;

                ti->xattrs = x->next;
                xattr_free(ti, x);
        }
}

int tmpfs_setxattr(struct inode *inode, const char *name, const void *value, size_t size,
                          int flags)
{
        struct tmpfs_inode *ti = TMPFS_I(inode);
        size_t need = strlen(name) + 1 + size;
        struct tmpfs_xattr **pp, *x, *old;
        int r = 0;

        x = malloc(sizeof(*x) + size);
        if (!x)
                return -ENOMEM;
        x->name = strdup(name);
        if (!x->name) {
                free(x);
                return -ENOMEM;
        }
        x->size = size;
        memcpy(x->value, value, size);
        pthread_mutex_lock(&inode->lock);
        pp = xattr_find(ti, name);
        old = *pp;
        if (old && (flags & XATTR_CREATE))
                r = -EEXIST;
        else if (!old && (flags & XATTR_REPLACE))
                r = -ENODATA;
        else if (ti->xattr_bytes - (old ? strlen(old->name) + 1 + old->size : 0) + need >
                 TMPFS_XATTR_BYTES)
                r = -ENOSPC;
        if (r == 0) {
                /* In the old one's place, or at the end. */
                x->next = old ? old->next : NULL;
                *pp = x;
                ti->xattr_bytes += need;
                if (old)
                        xattr_free(ti, old);
                vfs_now(&inode->ctime);
                x = NULL;
        }
        pthread_mutex_unlock(&inode->lock);
        if (x) {
                free(x->name);
                free(x);
        }
        return r;
}

ssize_t tmpfs_getxattr(struct inode *inode, const char *name, void *buf, size_t size)
{
        struct tmpfs_xattr *x;
        ssize_t r;

        pthread_mutex_lock(&inode->lock);
        x = *xattr_find(TMPFS_I(inode), name);
        if (!x) {
                r = -ENODATA;
        } else if (size == 0) {
                r = (ssize_t)x->size;
        } else if (size < x->size) {
                r = -ERANGE;
        } else {
                memcpy(buf, x->value, x->size);
                r = (ssize_t)x->size;
        }
        pthread_mutex_unlock(&inode->lock);
        return r;
}

ssize_t tmpfs_listxattr(struct inode *inode, char *buf, size_t size)
{
        size_t len = 0;
        ssize_t r;

        pthread_mutex_lock(&inode->lock);
        for (struct tmpfs_xattr *x = TMPFS_I(inode)->xattrs; x; x = x->next)
                len += strlen(x->name) + 1;
        if (size == 0) {
                r = (ssize_t)len;
        } else if (size < len) {
                r = -ERANGE;
        } else {
                char *p = buf;

                for (struct tmpfs_xattr *x = TMPFS_I(inode)->xattrs; x; x = x->next) {
                        size_t n = strlen(x->name) + 1;

                        memcpy(p, x->name, n);
                        p += n;
                }
                r = (ssize_t)len;
        }
        pthread_mutex_unlock(&inode->lock);
        return r;
}

int tmpfs_removexattr(struct inode *inode, const char *name)
{
        struct tmpfs_inode *ti = TMPFS_I(inode);
        struct tmpfs_xattr **pp, *x;
        int r = -ENODATA;

        pthread_mutex_lock(&inode->lock);
        pp = xattr_find(ti, name);
        x = *pp;
        if (x) {
                *pp = x->next;
                xattr_free(ti, x);
                vfs_now(&inode->ctime);
                r = 0;
        }
        pthread_mutex_unlock(&inode->lock);
        return r;
}
