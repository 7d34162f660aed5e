/* SPDX-License-Identifier: Apache-2.0 */
/* shm: the errnos of shmget, shmat, shmdt and shmctl, and shmat's address
 * rules (SHM_RND, SHM_REMAP, SHM_RDONLY). */
#include <sys/mman.h>

#include "ipc-test.h"

int main(void)
{
        struct shmid_ds ds;
        struct shminfo info;
        struct shm_info sinfo;
        char *p, *q, *area;
        int id;

        ipc_test_setup();
        /* shmget */
        EXPECT_ERRNO(syscall(SYS_shmget, IPC_PRIVATE, 0, 0600), EINVAL);
        EXPECT_ERRNO(syscall(SYS_shmget, 0x77, 4096, 0600), ENOENT);
        EXPECT_ERRNO(syscall(SYS_shmget, 0x77, 0, IPC_CREAT | 0600), EINVAL);
        id = (int)EXPECT_OK(syscall(SYS_shmget, 0x77, 8192, IPC_CREAT | 0600));
        EXPECT_ERRNO(syscall(SYS_shmget, 0x77, 4096, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
        EXPECT_ERRNO(syscall(SYS_shmget, 0x77, 8193, 0), EINVAL);
        EXPECT_RET(syscall(SYS_shmget, 0x77, 100, 0), id);
        EXPECT_RET(syscall(SYS_shmget, 0x77, 0, IPC_CREAT), id);

        /* shmctl */
        EXPECT_ERRNO(shmctl_raw(-1, IPC_STAT, &ds), EINVAL);
        EXPECT_ERRNO(shmctl_raw(id, -1, &ds), EINVAL);
        EXPECT_ERRNO(shmctl_raw(id, 99, &ds), EINVAL);
        EXPECT_ERRNO(shmctl_raw(id, IPC_STAT | 0x100, &ds), EINVAL);    /* no IPC_64 on x86_64 */
        EXPECT_ERRNO(shmctl_raw(id + 1, IPC_STAT, &ds), EINVAL);
        EXPECT_ERRNO(shmctl_raw(id + 32768, IPC_STAT, &ds), EINVAL);    /* wrong sequence */
        EXPECT_ERRNO(shmctl_raw(id, IPC_STAT, (void *)8), EFAULT);
        EXPECT_ERRNO(shmctl_raw(id, IPC_SET, (void *)8), EFAULT);
        EXPECT_OK(shmctl_raw(id, IPC_STAT, &ds));
        ds.shm_perm.mode = 0444 | SHM_DEST;     /* only the 0777 bits change */
        EXPECT_OK(shmctl_raw(id, IPC_SET, &ds));
        EXPECT_OK(shmctl_raw(id, IPC_STAT, &ds));
        EXPECT_EQ(ds.shm_perm.mode, 0444);
        EXPECT_OK(shmctl_raw(id, SHM_LOCK, NULL));
        EXPECT_OK(shmctl_raw(id, IPC_STAT, &ds));
        EXPECT_EQ(ds.shm_perm.mode, 0444 | SHM_LOCKED);
        EXPECT_OK(shmctl_raw(id, SHM_UNLOCK, NULL));
        ds.shm_perm.mode = 0600;
        ds.shm_perm.uid = (uid_t)-1;
        EXPECT_ERRNO(shmctl_raw(id, IPC_SET, &ds), EINVAL);
        ds.shm_perm.uid = geteuid();
        EXPECT_OK(shmctl_raw(id, IPC_SET, &ds));

        EXPECT_RET(shmctl_raw(0, IPC_INFO, &info), id & 32767);
        EXPECT_EQ(info.shmmni, 4096);
        EXPECT_EQ(info.shmmin, 1);
        EXPECT_EQ(info.shmmax, ~0UL - (1UL << 24));
        EXPECT_EQ(info.shmall, ~0UL - (1UL << 24));
        EXPECT_RET(shmctl_raw(0, SHM_INFO, &sinfo), id & 32767);
        EXPECT_EQ(sinfo.used_ids, 1);
        EXPECT_EQ(sinfo.shm_tot, 2);
        EXPECT_RET(shmctl_raw(id & 32767, SHM_STAT, &ds), id);
        EXPECT_EQ(ds.shm_segsz, 8192);
        EXPECT_RET(shmctl_raw(id & 32767, SHM_STAT_ANY, &ds), id);
        EXPECT_ERRNO(shmctl_raw((id & 32767) + 1, SHM_STAT, &ds), EINVAL);
        EXPECT_ERRNO(shmctl_raw(0, IPC_INFO, (void *)8), EFAULT);

        /* shmat: addresses */
        EXPECT_ERRNO(syscall(SYS_shmat, -1, NULL, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_shmat, id + 1, NULL, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_shmat, id, NULL, SHM_REMAP), EINVAL);
        area = mmap(NULL, 4 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(area != MAP_FAILED, "mmap: %s", test_errname(errno));
        EXPECT_ERRNO(syscall(SYS_shmat, id, area + 1, 0), EINVAL);
        /* over an existing mapping: only with SHM_REMAP */
        EXPECT_ERRNO(syscall(SYS_shmat, id, area, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_shmat, id, area + 1, SHM_RND), EINVAL);
        p = (char *)syscall(SYS_shmat, id, area + 1, SHM_RND | SHM_REMAP);
        EXPECT_EQ(p, area);
        p[0] = 'r';                     /* writable now: the segment */
        EXPECT_ERRNO(syscall(SYS_shmdt, area + 1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_shmdt, area + 4096), EINVAL);  /* not its start */
        EXPECT_ERRNO(syscall(SYS_shmdt, area + 2 * 4096), EINVAL);      /* not shm */
        EXPECT_OK(syscall(SYS_shmdt, p));
        EXPECT_ERRNO(syscall(SYS_shmdt, p), EINVAL);
        EXPECT_OK(munmap(area, 4 * 4096));
        /* a free fixed address is fine without SHM_REMAP */
        p = (char *)syscall(SYS_shmat, id, area, 0);
        EXPECT_EQ(p, area);
        EXPECT_EQ(p[0], 'r');
        /* a split attachment still detaches whole */
        EXPECT_OK(mprotect(p + 4096, 4096, PROT_READ));
        EXPECT_OK(syscall(SYS_shmdt, p));
        EXPECT_ERRNO(msync(p, 4096, MS_ASYNC), ENOMEM);
        EXPECT_ERRNO(msync(p + 4096, 4096, MS_ASYNC), ENOMEM);
        EXPECT_EQ(shm_nattch(id), 0);

        /* its first page unmapped: shmdt at the start still finds the rest */
        p = (char *)syscall(SYS_shmat, id, NULL, 0);
        CHECK(p != (char *)-1, "shmat: %s", test_errname(errno));
        EXPECT_OK(munmap(p, 4096));
        EXPECT_EQ(shm_nattch(id), 1);
        EXPECT_ERRNO(syscall(SYS_shmdt, p + 4096), EINVAL);
        EXPECT_OK(syscall(SYS_shmdt, p));
        EXPECT_EQ(shm_nattch(id), 0);

        /* SHM_RDONLY: no write, not even by mprotect */
        q = (char *)syscall(SYS_shmat, id, NULL, SHM_RDONLY);
        CHECK(q != (char *)-1, "shmat: %s", test_errname(errno));
        EXPECT_EQ(q[0], 'r');
        EXPECT_ERRNO(mprotect(q, 4096, PROT_READ | PROT_WRITE), EACCES);
        EXPECT_ERRNO(syscall(SYS_read, -1, q, 1), EBADF);
        EXPECT_OK(syscall(SYS_shmdt, q));

        /* shmctl IPC_RMID */
        EXPECT_OK(shmctl_raw(id, IPC_RMID, NULL));
        EXPECT_ERRNO(shmctl_raw(id, IPC_RMID, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_shmat, id, NULL, 0), EINVAL);
        EXPECT_RET(shmctl_raw(0, IPC_INFO, &info), 0);
        return 0;
}
