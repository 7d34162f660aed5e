/*
 * TEMPORARY: fork by copying every private page (only the data extents of
 * the memory file: holes stay holes). Stands in for the copy-on-write fork
 * being built on another branch, so that the process code can be written
 * and tested meanwhile. Replaced wholesale when that lands.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sentry/mm/internal.h"

/* Copy the data extents of [src, src+len) of the memory file to dst. */
static void copy_data_extents(struct memfile *mf, uint64_t dst, uint64_t src, uint64_t len)
{
        int fd = memfile_fd(mf);
        off_t pos = (off_t)src, end = (off_t)(src + len);

        while (pos < end) {
                off_t data = lseek(fd, pos, SEEK_DATA), hole;

                if (data < 0 || data >= end)
                        break;
                hole = lseek(fd, data, SEEK_HOLE);
                if (hole < 0 || hole > end)
                        hole = end;
                memcpy(memfile_addr(mf, dst + (uint64_t)(data - (off_t)src)),
                       memfile_addr(mf, (uint64_t)data), (size_t)(hole - data));
                pos = hole;
        }
}

int mm_fork(struct mm *parent, struct mm **ret)
{
        struct mm *child;
        struct vma *v;
        int r = 0;

        child = calloc(1, sizeof(*child));
        if (!child)
                return -ENOMEM;
        pthread_rwlock_init(&child->lock, NULL);
        child->refcount = 1;
        child->platform = parent->platform;
        child->mf = parent->mf;
        child->mmap_base = parent->mmap_base;
        vma_tree_init(&child->vmas);

        pthread_rwlock_rdlock(&parent->lock);
        child->start_brk = parent->start_brk;
        child->brk = parent->brk;
        for (v = vma_first(&parent->vmas); v; v = vma_next(v)) {
                struct vma *nv;

                if (v->flags & VMA_DONTFORK)
                        continue;
                nv = vma_new();
                if (!nv) {
                        r = -ENOMEM;
                        break;
                }
                *nv = (struct vma){ .start = v->start, .end = v->end, .prot = v->prot,
                                    .flags = v->flags };
                r = memfile_alloc(child->mf, vma_len(v), &nv->off);
                if (r < 0) {
                        vma_free(nv);
                        break;
                }
                if (!(v->flags & VMA_WIPEONFORK))
                        copy_data_extents(child->mf, nv->off, v->off, vma_len(v));
                vma_insert(&child->vmas, nv);
        }
        pthread_rwlock_unlock(&parent->lock);
        if (r < 0) {
                mm_unref(child);
                return r;
        }
        *ret = child;
        return 0;
}

int mm_attach_platform(struct mm *mm, struct platform *p)
{
        struct vma *v;
        int r;

        r = p->ops->as_create(p, &mm->as);
        if (r < 0)
                return r;
        for (v = vma_first(&mm->vmas); v; v = vma_next(v)) {
                r = p->ops->as_map(mm->as, v->start, vma_len(v), v->prot, v->off);
                if (r < 0)
                        return r;
        }
        return 0;
}

int mm_handle_fault(struct mm *mm, guest_ptr_t addr, unsigned access)
{
        (void)mm;
        (void)addr;
        (void)access;
        return -EFAULT;
}
