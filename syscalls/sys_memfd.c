/* memfd_create(2). The file and its seals are tmpfs's (vfs/fs/tmpfs/memfd.c);
 * F_ADD_SEALS/F_GET_SEALS are in sys_fd.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "path.h"
#include "sentry/mm/mm.h"
#include "syscall.h"
#include "syscalls/sys.h"
#include "vfs/fdtable.h"
#include "vfs/file.h"

#define MFD_CLOEXEC_K       0x01u
#define MFD_ALLOW_SEALING_K 0x02u
#define MFD_HUGETLB_K       0x04u
#define MFD_NOEXEC_SEAL_K   0x08u
#define MFD_EXEC_K          0x10u
#define MFD_ALL_K           0x1fu
#define MFD_HUGE_MASK_K     (0x3fu << 26)   /* the huge page size, with MFD_HUGETLB */
/* Linux: "memfd:" + the name fits NAME_MAX. */
#define MFD_NAME_MAX (VFS_NAME_MAX - 6)

/* Linux's sanitize_flags(), with vm.memfd_noexec at 0: neither MFD_EXEC
 * nor MFD_NOEXEC_SEAL means MFD_EXEC. */
static int memfd_check_flags(unsigned flags)
{
        unsigned allowed = MFD_ALL_K | ((flags & MFD_HUGETLB_K) ? MFD_HUGE_MASK_K : 0);

        if (flags & ~allowed)
                return -EINVAL;
        if ((flags & MFD_EXEC_K) && (flags & MFD_NOEXEC_SEAL_K))
                return -EINVAL;
        if (flags & MFD_HUGETLB_K)
                return -EINVAL;         /* no hugetlbfs */
        return 0;
}

long sys_memfd_create(struct task *t, const struct syscall_args *a)
{
        unsigned flags = (unsigned)a->a[1];
        struct vfs_cred cred = task_vfs_cred(t);
        struct file *f;
        char *name;
        ssize_t n;
        int fd, r;

        r = memfd_check_flags(flags);
        if (r < 0)
                return r;
        name = malloc(MFD_NAME_MAX + 1);
        if (!name)
                return -ENOMEM;
        n = mm_strncpy_in(t->mm, name, a->a[0], MFD_NAME_MAX + 1);
        if (n < 0) {
                free(name);
                return n == -ENAMETOOLONG ? -EINVAL : n;
        }
        fd = fdtable_reserve(t->fdt, task_nofile_limit(t));
        if (fd < 0) {
                free(name);
                return fd;
        }
        r = memfd_create_file(t->fs->ns, name, flags & (MEMFD_ALLOW_SEALING | MEMFD_NOEXEC_SEAL),
                              &cred, &f);
        free(name);
        if (r < 0) {
                fdtable_unreserve(t->fdt, fd);
                return r;
        }
        fdtable_install_reserved(t->fdt, fd, f, flags & MFD_CLOEXEC_K);
        file_unref(f);
        return fd;
}
