/* fallocate(2) on tmpfs, as Linux's shmem_fallocate(): allocate zeroed
 * pages (growing the size unless FALLOC_FL_KEEP_SIZE), or punch a hole
 * (FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE); no other mode. An allocation
 * that does not fit the size= budget is -ENOSPC and leaves no page behind. */
#include <errno.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>

#include "tmpfs.h"

/* Zero [from, to) of the file's page at index, if it has one. */
static void zero_part(struct tmpfs_inode *ti, uint64_t index, size_t from, size_t to)
{
        struct tmpfs_page *pg = tmpfs_page_find(ti, index);

        if (pg)
                memset((char *)tmpfs_page_data(ti, pg) + from, 0, to - from);
}

/* Linux's shmem_truncate_range() for [start, end): partial pages at the
 * edges are zeroed, whole pages go. A whole page that a mapping still
 * shares is zeroed in place instead, so that the mapping sees the hole as
 * Linux's (which unmaps it) would. */
static void punch_hole(struct tmpfs_inode *ti, uint64_t start, uint64_t end)
{
        uint64_t first = (start + PAGE_SIZE - 1) / PAGE_SIZE, stop = end / PAGE_SIZE;
        struct tmpfs_page *pg;

        if (start / PAGE_SIZE == (end - 1) / PAGE_SIZE && (start % PAGE_SIZE || end % PAGE_SIZE)) {
                /* Within one page, not all of it. */
                zero_part(ti, start / PAGE_SIZE, start % PAGE_SIZE,
                          end % PAGE_SIZE ? end % PAGE_SIZE : PAGE_SIZE);
                return;
        }
        if (start % PAGE_SIZE)
                zero_part(ti, start / PAGE_SIZE, start % PAGE_SIZE, PAGE_SIZE);
        if (end % PAGE_SIZE)
                zero_part(ti, end / PAGE_SIZE, 0, end % PAGE_SIZE);
        while ((pg = tmpfs_page_find_ge(ti, first)) && pg->index < stop) {
                first = pg->index + 1;
                if (memfile_exclusive(ti->mf, pg->off, PAGE_SIZE))
                        tmpfs_page_drop(ti, pg);
                else
                        memset(tmpfs_page_data(ti, pg), 0, PAGE_SIZE);
        }
}

/* Give back the pages this call added (their indexes in added). */
static void undo_alloc(struct tmpfs_inode *ti, const uint64_t *added, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                struct tmpfs_page *pg = tmpfs_page_find(ti, added[i]);

                if (pg)
                        tmpfs_page_drop(ti, pg);
        }
}

static int alloc_range(struct tmpfs_inode *ti, uint64_t start, uint64_t end)
{
        uint64_t first = start / PAGE_SIZE, last = (end - 1) / PAGE_SIZE;
        uint64_t *added = NULL;
        size_t n = 0, cap = 0;
        int r = 0;

        /* Do not even try what can never fit (shmem's max_blocks check). */
        if (last - first + 1 > tmpfs_max_pages(ti->base.sb))
                return -ENOSPC;
        for (uint64_t i = first; i <= last; i++) {
                struct tmpfs_page *pg;

                if (tmpfs_page_find(ti, i))
                        continue;
                if (n == cap) {
                        size_t ncap = cap ? 2 * cap : 64;
                        uint64_t *t = reallocarray(added, ncap, sizeof(*t));

                        if (!t) {
                                r = -ENOMEM;
                                break;
                        }
                        added = t;
                        cap = ncap;
                }
                r = tmpfs_page_get(ti, i, &pg);
                if (r < 0)
                        break;
                added[n++] = i;
        }
        if (r < 0)
                undo_alloc(ti, added, n);
        free(added);
        return r;
}

int tmpfs_fallocate(struct file *f, int mode, int64_t offset, int64_t len)
{
        struct inode *inode = file_inode(f);
        struct tmpfs_inode *ti = TMPFS_I(inode);
        uint64_t start = (uint64_t)offset, end = (uint64_t)offset + (uint64_t)len;
        int r = 0;

        if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
                return -EOPNOTSUPP;
        pthread_mutex_lock(&inode->lock);
        if (mode & FALLOC_FL_PUNCH_HOLE) {
                if (ti->mf)
                        punch_hole(ti, start, end);
        } else {
                r = alloc_range(ti, start, end);
                if (r == 0 && !(mode & FALLOC_FL_KEEP_SIZE) && (int64_t)end > inode->size)
                        inode->size = (int64_t)end;
        }
        if (r == 0) {
                vfs_now(&inode->mtime);
                inode->ctime = inode->mtime;
        }
        pthread_mutex_unlock(&inode->lock);
        return r;
}
