/* /proc/PID/maps and smaps: a process's mappings in Linux's formats
 * (fs/proc/task_mmu.c show_map_vma(), show_smap()). */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "vfs/namei.h"

void procfs_vmas_free(struct procfs_vma *v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                file_unref(v[i].file);
        free(v);
}

/* Linux's seq_setwidth(25 + 6 * sizeof(void *) - 1) and seq_pad(' '): a
 * name starts at column 73. */
#define MAPS_NAME_COLUMN 73

/* Whose root names the files: the reader's, as Linux's d_path() from
 * current; the process's own if the reader has none. NULL if neither. */
static struct fs_context *reader_fs(const struct proc_ctx *c)
{
        struct procfs_source *s = proc_src(c);
        struct fs_context *fs = NULL;
        int tgid, tid;

        if (s->ops->current(s, &tgid, &tid) == 0 && s->ops->fs(s, tgid, &fs) == 0)
                return fs;
        if (s->ops->fs(s, c->tgid, &fs) == 0)
                return fs;
        return NULL;
}

/* The file's name as seq_file_path(m, file, "\n") writes it: " (deleted)"
 * after a removed file's, a newline in it escaped as \012. */
static void put_file_name(struct seqbuf *b, const char *name)
{
        for (const char *p = name; *p; p++) {
                if (*p == '\n')
                        seqbuf_puts(b, "\\012");
                else
                        seqbuf_putc(b, *p);
        }
}

/* One maps line: show_map_vma(). buf: VFS_PATH_MAX bytes of scratch. */
static void show_vma(struct seqbuf *b, const struct procfs_vma *v, struct fs_context *fs,
                     char *buf)
{
        size_t start = b->len;
        unsigned long long ino = 0;
        unsigned dev_major = 0, dev_minor = 0;
        const char *file_name = NULL;

        if (v->file) {
                struct stat st;

                /* What stat(2) of the file says to the guest. */
                if (vfs_stat(v->file, &st) == 0) {
                        dev_major = major(st.st_dev);
                        dev_minor = minor(st.st_dev);
                        ino = st.st_ino;
                }
                if (fs && v->file->path.dentry &&
                    vfs_d_path_any(fs, &v->file->path, buf, VFS_PATH_MAX) > 0)
                        file_name = buf;
        }
        seqbuf_printf(b, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
                      (unsigned long long)v->start, (unsigned long long)v->end,
                      v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
                      v->prot & PROT_EXEC ? 'x' : '-', v->shared ? 's' : 'p',
                      (unsigned long long)(v->file ? v->pgoff : 0), dev_major, dev_minor, ino);
        /* A file names its mapping; else [heap] or [stack]; else nothing. */
        if (file_name || (!v->file && v->name)) {
                while (b->len - start < MAPS_NAME_COLUMN && !b->enomem)
                        seqbuf_putc(b, ' ');
                if (file_name)
                        put_file_name(b, file_name);
                else
                        seqbuf_puts(b, v->name);
        }
        seqbuf_putc(b, '\n');
}

/* show_smap()'s counters after the maps line. Size and Rss are measured;
 * the rest is told from the mapping's kind, not page by page (no dirty or
 * sharing bits yet): a file's resident pages count as private and clean, an
 * anonymous mapping's as private, dirty and (if not shared) anonymous. */
static void show_smap_counts(struct seqbuf *b, const struct procfs_vma *v)
{
        unsigned long long size = (v->end - v->start) >> 10, rss = v->rss >> 10;
        unsigned long long dirty = v->file ? 0 : rss, clean = rss - dirty;
        unsigned long long anon = v->file || v->shared ? 0 : rss;

        seqbuf_printf(b, "Size:           %8llu kB\nKernelPageSize: %8u kB\n"
                      "MMUPageSize:    %8u kB\nRss:            %8llu kB\n"
                      "Pss:            %8llu kB\nPss_Dirty:      %8llu kB\n"
                      "Shared_Clean:          0 kB\nShared_Dirty:          0 kB\n"
                      "Private_Clean:  %8llu kB\nPrivate_Dirty:  %8llu kB\n"
                      "Referenced:     %8llu kB\nAnonymous:      %8llu kB\n",
                      size, (unsigned)PAGE_SIZE >> 10, (unsigned)PAGE_SIZE >> 10, rss, rss,
                      dirty, clean, dirty, rss, anon);
        seqbuf_puts(b, "KSM:                   0 kB\nLazyFree:              0 kB\n"
                       "AnonHugePages:         0 kB\nShmemPmdMapped:        0 kB\n"
                       "FilePmdMapped:         0 kB\nShared_Hugetlb:        0 kB\n"
                       "Private_Hugetlb:       0 kB\nSwap:                  0 kB\n"
                       "SwapPss:               0 kB\nLocked:                0 kB\n"
                       "THPeligible:           0\nVmFlags:");
        /* show_smap_vma_flags(): the ones a mapping here can have. */
        if (v->prot & PROT_READ)
                seqbuf_puts(b, " rd");
        if (v->prot & PROT_WRITE)
                seqbuf_puts(b, " wr");
        if (v->prot & PROT_EXEC)
                seqbuf_puts(b, " ex");
        if (v->shared)
                seqbuf_puts(b, " sh");
        seqbuf_puts(b, " mr");
        if (v->may_write)
                seqbuf_puts(b, " mw");
        seqbuf_puts(b, " me");
        if (v->shared)
                seqbuf_puts(b, " ms");
        if (v->account)
                seqbuf_puts(b, " ac");
        seqbuf_puts(b, " \n");
}

static int show(const struct proc_ctx *c, struct seqbuf *b, bool smaps)
{
        struct procfs_vma *vmas;
        struct fs_context *fs;
        size_t n;
        char *buf;
        int r;

        r = proc_src(c)->ops->vmas(proc_src(c), c->tgid, &vmas, &n);
        if (r < 0)
                return r;
        buf = malloc(VFS_PATH_MAX);
        if (!buf) {
                procfs_vmas_free(vmas, n);
                return -ENOMEM;
        }
        fs = n ? reader_fs(c) : NULL;
        for (size_t i = 0; i < n; i++) {
                show_vma(b, &vmas[i], fs, buf);
                if (smaps)
                        show_smap_counts(b, &vmas[i]);
        }
        fs_context_unref(fs);
        free(buf);
        procfs_vmas_free(vmas, n);
        return 0;
}

int proc_show_maps(const struct proc_ctx *c, struct seqbuf *b)
{
        return show(c, b, false);
}

int proc_show_smaps(const struct proc_ctx *c, struct seqbuf *b)
{
        return show(c, b, true);
}
