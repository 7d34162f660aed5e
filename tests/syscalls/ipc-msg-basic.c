/* SPDX-License-Identifier: Apache-2.0 */
/* msg: sending and receiving by type (0: first, >0: that type, with
 * MSG_EXCEPT any other, <0: the lowest type up to |type|), E2BIG and
 * MSG_NOERROR, MSG_COPY, IPC_NOWAIT's ENOMSG, the queue's counters, errnos. */
#include "ipc-test.h"

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct m {
        long type;
        char text[16];
};

static int id;

static void send(long type, const char *text)
{
        struct m m = { .type = type };

        snprintf(m.text, sizeof(m.text), "%s", text);
        EXPECT_OK(syscall(SYS_msgsnd, id, &m, strlen(text) + 1, IPC_NOWAIT));
}

static void recv_expect(long type, int flags, long want_type, const char *want)
{
        struct m m = { 0 };
        long n = syscall(SYS_msgrcv, id, &m, sizeof(m.text), type, flags | IPC_NOWAIT);

        if (n != (long)strlen(want) + 1)
                FAIL("msgrcv(%ld, 0x%x): %ld %s, expected \"%s\"", type, flags, n,
                     n < 0 ? test_errname(errno) : "", want);
        EXPECT_EQ(m.type, want_type);
        CHECK(strcmp(m.text, want) == 0, "got \"%s\", expected \"%s\"", m.text, want);
}

int main(void)
{
        struct msqid_ds ds;
        struct msginfo mi;
        struct m m;

        ipc_test_setup();
        EXPECT_ERRNO(syscall(SYS_msgget, 0x42, 0600), ENOENT);
        id = (int)EXPECT_OK(syscall(SYS_msgget, 0x42, IPC_CREAT | 0600));
        EXPECT_RET(syscall(SYS_msgget, 0x42, 0), id);
        EXPECT_ERRNO(syscall(SYS_msgget, 0x42, IPC_CREAT | IPC_EXCL), EEXIST);

        EXPECT_OK(syscall(SYS_msgctl, id, IPC_STAT, &ds));
        EXPECT_EQ(ds.msg_qbytes, 16384);
        EXPECT_EQ(ds.msg_qnum, 0);
        EXPECT_RET(syscall(SYS_msgctl, 0, IPC_INFO, &mi), id & 32767);
        EXPECT_EQ(mi.msgmax, 8192);
        EXPECT_EQ(mi.msgmnb, 16384);
        EXPECT_EQ(mi.msgmni, 32000);

        send(3, "three");
        send(1, "one");
        send(2, "two");
        send(1, "uno");
        EXPECT_OK(syscall(SYS_msgctl, id, IPC_STAT, &ds));
        EXPECT_EQ(ds.msg_qnum, 4);
        EXPECT_EQ(ds.__msg_cbytes, 6 + 4 + 4 + 4);
        EXPECT_EQ(ds.msg_lspid, getpid());
        EXPECT_RET(syscall(SYS_msgctl, 0, MSG_INFO, &mi), id & 32767);
        EXPECT_EQ(mi.msgpool, 1);       /* queues */
        EXPECT_EQ(mi.msgmap, 4);        /* messages */
        EXPECT_EQ(mi.msgtql, 18);       /* bytes */

        /* MSG_COPY: by position, leaving the queue alone */
        memset(&m, 0, sizeof(m));
        EXPECT_RET(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 2, MSG_COPY | IPC_NOWAIT), 4);
        EXPECT_EQ(m.type, 2);
        EXPECT_ERRNO(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 4, MSG_COPY | IPC_NOWAIT), ENOMSG);
        EXPECT_ERRNO(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 0, MSG_COPY), EINVAL);
        EXPECT_ERRNO(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT), EINVAL);

        /* too small: E2BIG and the message stays; MSG_NOERROR truncates */
        EXPECT_ERRNO(syscall(SYS_msgrcv, id, &m, 3, 3, IPC_NOWAIT), E2BIG);
        memset(&m, 0, sizeof(m));
        EXPECT_RET(syscall(SYS_msgrcv, id, &m, 3, 3, IPC_NOWAIT | MSG_NOERROR), 3);
        EXPECT_EQ(m.type, 3);
        CHECK(memcmp(m.text, "thr\0", 4) == 0, "got \"%s\"", m.text);

        recv_expect(-2, 0, 1, "one");           /* the lowest type, first of it */
        recv_expect(1, MSG_EXCEPT, 2, "two");
        EXPECT_ERRNO(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 2, IPC_NOWAIT), ENOMSG);
        recv_expect(0, 0, 1, "uno");
        EXPECT_ERRNO(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 0, IPC_NOWAIT), ENOMSG);
        EXPECT_OK(syscall(SYS_msgctl, id, IPC_STAT, &ds));
        EXPECT_EQ(ds.msg_qnum, 0);
        EXPECT_EQ(ds.__msg_cbytes, 0);
        EXPECT_EQ(ds.msg_lrpid, getpid());
        CHECK(ds.msg_rtime != 0, "rtime not set");

        /* errnos */
        m.type = 0;
        EXPECT_ERRNO(syscall(SYS_msgsnd, id, &m, 1, IPC_NOWAIT), EINVAL);
        m.type = 1;
        EXPECT_ERRNO(syscall(SYS_msgsnd, id, &m, 8193, IPC_NOWAIT), EINVAL);
        EXPECT_ERRNO(syscall(SYS_msgsnd, id, &m, (size_t)-1, IPC_NOWAIT), EINVAL);
        EXPECT_ERRNO(syscall(SYS_msgsnd, -1, &m, 1, IPC_NOWAIT), EINVAL);
        EXPECT_ERRNO(syscall(SYS_msgsnd, id + 1, &m, 1, IPC_NOWAIT), EINVAL);
        EXPECT_ERRNO(syscall(SYS_msgsnd, id, (void *)8, 1, IPC_NOWAIT), EFAULT);
        EXPECT_ERRNO(syscall(SYS_msgsnd, -1, (void *)8, 1, IPC_NOWAIT), EFAULT);       /* type first */
        EXPECT_ERRNO(syscall(SYS_msgrcv, id, &m, (size_t)-1, 0, IPC_NOWAIT), EINVAL);
        EXPECT_ERRNO(syscall(SYS_msgrcv, -1, &m, 1, 0, IPC_NOWAIT), EINVAL);
        EXPECT_ERRNO(syscall(SYS_msgctl, id, 99, &ds), EINVAL);
        EXPECT_ERRNO(syscall(SYS_msgctl, id, IPC_STAT, (void *)8), EFAULT);
        /* a zero-length message is fine */
        EXPECT_OK(syscall(SYS_msgsnd, id, &m, 0, IPC_NOWAIT));
        EXPECT_RET(syscall(SYS_msgrcv, id, &m, 0, 0, IPC_NOWAIT), 0);

        /* msg_qbytes may go down, and up to MSGMNB (past it is for
         * CAP_SYS_RESOURCE, which the host's root may lack) */
        EXPECT_OK(syscall(SYS_msgctl, id, IPC_STAT, &ds));
        ds.msg_qbytes = 1000;
        ds.msg_perm.mode = 0640;
        EXPECT_OK(syscall(SYS_msgctl, id, IPC_SET, &ds));
        EXPECT_OK(syscall(SYS_msgctl, id, IPC_STAT, &ds));
        EXPECT_EQ(ds.msg_qbytes, 1000);
        EXPECT_EQ(ds.msg_perm.mode, 0640);
        ds.msg_qbytes = 16384;
        EXPECT_OK(syscall(SYS_msgctl, id, IPC_SET, &ds));
        EXPECT_ERRNO(syscall(SYS_msgctl, id, IPC_SET, (void *)8), EFAULT);

        EXPECT_OK(syscall(SYS_msgctl, id, IPC_RMID, NULL));
        EXPECT_ERRNO(syscall(SYS_msgctl, id, IPC_STAT, &ds), EINVAL);
        return 0;
}
