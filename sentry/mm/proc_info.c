/* The address space's side of /proc/PID (see proc_info.h). */
#include "sentry/mm/proc_info.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Where a NULL-terminated array of string pointers at *p ends: the first
 * string's address and the end of the last (past its NUL). *p moves past
 * the NULL. */
static int scan_strings(struct mm *mm, guest_ptr_t *p, guest_ptr_t *ret_start,
                        guest_ptr_t *ret_end)
{
        guest_ptr_t first = 0, last = 0;

        for (int i = 0; i < 1 << 20; i++) {
                uint64_t s;
                int r = mm_copy_in(mm, &s, *p, sizeof(s));

                if (r < 0)
                        return r;
                *p += sizeof(s);
                if (!s) {
                        if (first) {
                                char c;
                                /* The last string: find its NUL. */
                                for (guest_ptr_t a = last;; a++) {
                                        r = mm_copy_in(mm, &c, a, 1);
                                        if (r < 0)
                                                return r;
                                        if (!c) {
                                                last = a + 1;
                                                break;
                                        }
                                }
                        }
                        *ret_start = first;
                        *ret_end = first ? last : 0;
                        return 0;
                }
                if (!first)
                        first = s;
                last = s;
        }
        return -EFAULT;
}

int mm_proc_info_init(struct mm *mm, const char *exe, guest_ptr_t sp)
{
        guest_ptr_t p = sp + sizeof(uint64_t), as, ae, es, ee;
        int r;

        r = scan_strings(mm, &p, &as, &ae);
        if (r == 0)
                r = scan_strings(mm, &p, &es, &ee);
        mm_lock_write(mm);
        snprintf(mm->proc.exe, sizeof(mm->proc.exe), "%s", exe ? exe : "");
        if (r == 0) {
                mm->proc.arg_start = as;
                mm->proc.arg_end = ae;
                mm->proc.env_start = es;
                mm->proc.env_end = ee;
        }
        mm_unlock_write(mm);
        return r;
}

int mm_get_exe_path(struct mm *mm, char *buf, size_t size)
{
        int r = 0;

        mm_lock_read(mm);
        if (!mm->proc.exe[0])
                r = -ENOENT;
        else if (strlen(mm->proc.exe) >= size)
                r = -ENAMETOOLONG;
        else
                strcpy(buf, mm->proc.exe);
        mm_unlock_read(mm);
        return r;
}

int mm_read_args(struct mm *mm, bool env, char **ret, size_t *ret_len)
{
        guest_ptr_t start, end;
        char *buf;
        int r;

        mm_lock_read(mm);
        start = env ? mm->proc.env_start : mm->proc.arg_start;
        end = env ? mm->proc.env_end : mm->proc.arg_end;
        mm_unlock_read(mm);
        if (end < start || end - start > (64u << 20))
                end = start;
        buf = malloc(end - start + 1);
        if (!buf)
                return -ENOMEM;
        r = end > start ? mm_copy_in(mm, buf, start, end - start) : 0;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        *ret_len = end - start;
        return 0;
}

/* The bytes of [start, end) that PMAs back, from p (the first PMA ending
 * above start) on; *p moves to the first PMA ending above end. */
static uint64_t backed(struct pma **p, guest_ptr_t start, guest_ptr_t end)
{
        uint64_t n = 0;

        while (*p && (*p)->end <= start)
                *p = pma_next(*p);
        for (; *p && (*p)->start < end; *p = pma_next(*p)) {
                n += MIN((*p)->end, end) - MAX((*p)->start, start);
                if ((*p)->end > end)
                        break;
        }
        return n;
}

int mm_get_vmas(struct mm *mm, struct mm_vma_info **ret, size_t *ret_n)
{
        struct mm_vma_info *infos = NULL;
        size_t n = 0;
        struct pma *p;

        mm_lock_read(mm);
        if (mm->vmas.count) {
                infos = calloc(mm->vmas.count, sizeof(*infos));
                if (!infos) {
                        mm_unlock_read(mm);
                        return -ENOMEM;
                }
        }
        pthread_mutex_lock(&mm->pma_lock);
        p = vma_first(&mm->vmas) ? pma_find(&mm->pmas, vma_first(&mm->vmas)->start) : NULL;
        for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v)) {
                struct mm_vma_info *info = &infos[n++];

                *info = (struct mm_vma_info){
                        .start = v->start, .end = v->end, .prot = v->prot,
                        .shared = v->flags & VMA_SHARED,
                        .may_write = !(v->flags & VMA_NOMAYWRITE),
                        .account = v->flags & VMA_ACCOUNT,
                        .vm_file = vma_vm_file_get(&v->vm_file),
                        .pgoff = v->vm_file.file ? v->pgoff : 0,
                        .rss = backed(&p, v->start, v->end),
                };
                /* Linux: the VMA overlapping [start_brk, brk]. */
                if (mm->start_brk && v->start <= mm->brk && v->end >= mm->start_brk)
                        info->name = "[heap]";
                else if (mm->proc.arg_start >= v->start && mm->proc.arg_start < v->end)
                        info->name = "[stack]";
        }
        pthread_mutex_unlock(&mm->pma_lock);
        mm_unlock_read(mm);
        *ret = infos;
        *ret_n = n;
        return 0;
}

void mm_vmas_release(struct mm_vma_info *v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                if (v[i].vm_file.file)
                        v[i].vm_file.ops->unref(v[i].vm_file.file);
        free(v);
}

void mm_get_usage(struct mm *mm, struct mm_usage *ret)
{
        *ret = (struct mm_usage){ 0 };
        mm_lock_read(mm);
        pthread_mutex_lock(&mm->pma_lock);
        for (struct pma *p = pma_first(&mm->pmas); p; p = pma_next(p))
                ret->rss += pma_len(p);
        pthread_mutex_unlock(&mm->pma_lock);
        for (struct vma *v = vma_first(&mm->vmas); v; v = vma_next(v)) {
                ret->vm_size += vma_len(v);
                if (mm->proc.arg_start >= v->start && mm->proc.arg_start < v->end)
                        ret->stack += vma_len(v);
                else if ((v->prot & PROT_WRITE) && !(v->flags & VMA_SHARED))
                        ret->data += vma_len(v);
        }
        mm_unlock_read(mm);
}
