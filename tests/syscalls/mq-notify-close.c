/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX message queues: mq_notify's registration ends when the registered
 * process closes any descriptor of the queue (Linux's mqueue_flush_file()):
 * a dup of the one it registered through, another open of the same queue,
 * one dup2 replaces; no signal comes for the next message, and anyone may
 * register again. A close by another process (a child's inherited copy)
 * leaves it in place. */
#include "mq-test.h"

static int fd;

static void child_closes(void *arg)
{
        (void)arg;
        EXPECT_OK(close(fd));
}

/* The registration is gone: a new one is accepted (EBUSY otherwise), and
 * dropped again. */
static void expect_unregistered(const char *after)
{
        struct sigevent sev = { .sigev_notify = SIGEV_NONE };

        if (syscall(SYS_mq_notify, fd, &sev) != 0)
                FAIL("after %s: mq_notify: %s (still registered)", after, test_errname(errno));
        EXPECT_OK(syscall(SYS_mq_notify, fd, NULL));
}

static void register_signal(void)
{
        struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };

        EXPECT_OK(syscall(SYS_mq_notify, fd, &sev));
}

int main(void)
{
        struct timespec zero = { 0, 0 };
        struct sigevent sev = { .sigev_notify = SIGEV_NONE };
        char buf[8192];         /* at least mq_msgsize */
        sigset_t set;
        int other, dup_fd, reg;

        ipc_test_setup();
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
        fd = mq_open_raw("c", O_CREAT | O_RDWR | O_NONBLOCK, 0600, NULL);
        CHECK(fd >= 0, "mq_open: %s", test_errname(errno));

        /* A child closing its copy: still registered. */
        register_signal();
        ipc_reap(ipc_spawn(child_closes, NULL));
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EBUSY);

        /* Closing a dup: gone, and no signal for the next message. */
        dup_fd = dup(fd);
        CHECK(dup_fd >= 0, "dup: %s", test_errname(errno));
        EXPECT_OK(close(dup_fd));
        EXPECT_RET(mq_send_raw(fd, "x", 1, 0), 0);
        EXPECT_ERRNO(sigtimedwait(&set, NULL, &zero), EAGAIN);
        EXPECT_RET(mq_recv_raw(fd, buf, sizeof(buf), NULL), 1);
        expect_unregistered("closing a dup");

        /* Closing another open of the same queue: gone too. */
        register_signal();
        other = mq_open_raw("c", O_RDONLY, 0, NULL);
        CHECK(other >= 0, "mq_open: %s", test_errname(errno));
        EXPECT_OK(close(other));
        expect_unregistered("closing another open of the queue");

        /* dup2 over a descriptor of the queue closes it, even one for the
         * same open file: gone too. */
        register_signal();
        reg = dup(fd);
        CHECK(reg >= 0, "dup: %s", test_errname(errno));
        EXPECT_ERRNO(syscall(SYS_mq_notify, fd, &sev), EBUSY);
        EXPECT_RET(dup2(fd, reg), reg);
        expect_unregistered("dup2 over a descriptor of the queue");
        EXPECT_OK(close(reg));

        EXPECT_OK(close(fd));
        EXPECT_OK(syscall(SYS_mq_unlink, "c"));
        return TEST_PASS;
}
