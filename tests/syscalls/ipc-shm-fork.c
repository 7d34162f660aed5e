/* SPDX-License-Identifier: Apache-2.0 */
/* shm: a segment is shared by fork and by processes that attach it by key;
 * shm_nattch counts attachments (fork adds one, exit and shmdt remove it);
 * IPC_STAT reports the size, the creator and the mode. */
#include "ipc-test.h"

static int shmid;

static void child_writes(void *arg)
{
        volatile char *p = arg;

        EXPECT_EQ(p[0], 'P');
        EXPECT_EQ(shm_nattch(shmid), 2);
        p[1] = 'C';
}

static void child_attaches_by_key(void *arg)
{
        long id;
        char *p;

        (void)arg;
        id = EXPECT_OK(syscall(SYS_shmget, 0x1234, 0, 0));
        EXPECT_EQ(id, shmid);
        p = (char *)syscall(SYS_shmat, (int)id, NULL, 0);
        CHECK(p != (char *)-1, "shmat: %s", test_errname(errno));
        EXPECT_EQ(p[1], 'C');
        EXPECT_EQ(shm_nattch(shmid), 3);        /* the parent's, inherited, ours */
        p[2] = 'K';
        EXPECT_OK(syscall(SYS_shmdt, p));
        EXPECT_EQ(shm_nattch(shmid), 2);
}

int main(void)
{
        struct shmid_ds ds;
        volatile char *p;

        ipc_test_setup();
        shmid = (int)EXPECT_OK(syscall(SYS_shmget, 0x1234, 10000, IPC_CREAT | IPC_EXCL | 0640));
        EXPECT_OK(shmctl_raw(shmid, IPC_STAT, &ds));
        EXPECT_EQ(ds.shm_segsz, 10000);
        EXPECT_EQ(ds.shm_perm.__key, 0x1234);
        EXPECT_EQ(ds.shm_perm.mode, 0640);
        EXPECT_EQ(ds.shm_perm.uid, geteuid());
        EXPECT_EQ(ds.shm_perm.cuid, geteuid());
        EXPECT_EQ(ds.shm_cpid, getpid());
        EXPECT_EQ(ds.shm_nattch, 0);
        EXPECT_EQ(ds.shm_atime, 0);

        p = (volatile char *)syscall(SYS_shmat, shmid, NULL, 0);
        CHECK(p != (char *)-1, "shmat: %s", test_errname(errno));
        EXPECT_EQ(((uintptr_t)p) & 4095, 0);
        EXPECT_EQ(p[0], 0);                     /* zero filled */
        EXPECT_EQ(p[12287], 0);                 /* the last page, past the size */
        EXPECT_EQ(shm_nattch(shmid), 1);
        EXPECT_OK(shmctl_raw(shmid, IPC_STAT, &ds));
        EXPECT_EQ(ds.shm_lpid, getpid());
        CHECK(ds.shm_atime != 0, "atime not set");
        p[0] = 'P';

        ipc_reap(ipc_spawn(child_writes, (void *)p));
        EXPECT_EQ(p[1], 'C');                   /* the child's store shows */
        EXPECT_EQ(shm_nattch(shmid), 1);        /* its exit detached */

        ipc_reap(ipc_spawn(child_attaches_by_key, NULL));
        EXPECT_EQ(p[2], 'K');
        EXPECT_EQ(shm_nattch(shmid), 1);

        /* Two attachments in one process count twice and see the same bytes. */
        volatile char *q = (volatile char *)syscall(SYS_shmat, shmid, NULL, SHM_RDONLY);
        CHECK(q != (char *)-1, "shmat: %s", test_errname(errno));
        CHECK(q != p, "same address");
        EXPECT_EQ(shm_nattch(shmid), 2);
        p[3] = 'X';
        EXPECT_EQ(q[3], 'X');
        EXPECT_OK(syscall(SYS_shmdt, q));
        EXPECT_EQ(shm_nattch(shmid), 1);
        EXPECT_OK(syscall(SYS_shmdt, p));
        EXPECT_EQ(shm_nattch(shmid), 0);
        EXPECT_OK(shmctl_raw(shmid, IPC_STAT, &ds));
        CHECK(ds.shm_dtime != 0, "dtime not set");

        /* The data stays with the segment, not the attachment. */
        p = (volatile char *)syscall(SYS_shmat, shmid, NULL, 0);
        CHECK(p != (char *)-1, "shmat: %s", test_errname(errno));
        EXPECT_EQ(p[0], 'P');
        EXPECT_OK(syscall(SYS_shmdt, p));
        EXPECT_OK(shmctl_raw(shmid, IPC_RMID, NULL));
        EXPECT_ERRNO(shmctl_raw(shmid, IPC_STAT, &ds), EINVAL);
        EXPECT_ERRNO(syscall(SYS_shmget, 0x1234, 0, 0), ENOENT);
        return 0;
}
