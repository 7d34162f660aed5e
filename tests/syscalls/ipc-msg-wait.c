/* SPDX-License-Identifier: Apache-2.0 */
/* msg: a receiver waits for a message of its type; a sender waits for room
 * (msg_qbytes) or gets EAGAIN with IPC_NOWAIT; a stop and continue restarts
 * the wait (msgrcv is -ERESTARTNOHAND), a handled signal ends it with EINTR
 * even with SA_RESTART; removal wakes waiters with EIDRM. */
#include "ipc-test.h"

struct m {
        long type;
        char text[64];
};

static int id;
static volatile sig_atomic_t got_signal;

static void wait_qnum(unsigned long want)
{
        struct msqid_ds ds;

        for (int i = 0; i < 2000; i++) {
                EXPECT_OK(syscall(SYS_msgctl, id, IPC_STAT, &ds));
                if (ds.msg_qnum == want)
                        return;
                ipc_sleep_ms(5);
        }
        FAIL("msg_qnum never reached %lu", want);
}

static void on_usr1(int sig)
{
        (void)sig;
        got_signal = 1;
}

static void child_receives(void *arg)
{
        struct m m = { 0 };

        (void)arg;
        /* type 5 only: the type 4 the parent sends first stays */
        EXPECT_RET(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 5, 0), 5);
        EXPECT_EQ(m.type, 5);
        CHECK(strcmp(m.text, "five") == 0, "got %s", m.text);
}

static void child_interrupted(void *arg)
{
        struct m m;

        (void)arg;
        EXPECT_ERRNO(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 9, 0), EINTR);
        EXPECT_EQ(got_signal, 1);
}

static void child_sends(void *arg)
{
        struct m m = { .type = 7 };

        (void)arg;
        /* the queue is full: waits until the parent takes one */
        EXPECT_OK(syscall(SYS_msgsnd, id, &m, 40, 0));
}

static void child_removed(void *arg)
{
        int *ready = arg;
        struct m m;

        EXPECT_RET(write(ready[1], "r", 1), 1);
        EXPECT_ERRNO(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 0, 0), EIDRM);
}

int main(void)
{
        struct msqid_ds ds;
        struct m m = { 0 };
        pid_t pid;

        ipc_test_setup();
        id = (int)EXPECT_OK(syscall(SYS_msgget, IPC_PRIVATE, 0600));

        pid = ipc_spawn(child_receives, NULL);
        ipc_sleep_ms(50);
        m.type = 4;
        strcpy(m.text, "four");
        EXPECT_OK(syscall(SYS_msgsnd, id, &m, 5, 0));
        ipc_sleep_ms(50);
        /* stopped and continued: no handler ran, so the wait goes on */
        int status;
        EXPECT_OK(kill(pid, SIGSTOP));
        EXPECT_RET(waitpid(pid, &status, WUNTRACED), pid);
        EXPECT_EQ(WIFSTOPPED(status), 1);
        EXPECT_OK(kill(pid, SIGCONT));
        ipc_sleep_ms(50);
        m.type = 5;
        strcpy(m.text, "five");
        EXPECT_OK(syscall(SYS_msgsnd, id, &m, 5, 0));
        ipc_reap(pid);
        wait_qnum(1);
        EXPECT_RET(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 0, IPC_NOWAIT), 5);
        EXPECT_EQ(m.type, 4);

        /* The handler is the parent's, inherited: set before the fork. */
        struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
        EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
        pid = ipc_spawn(child_interrupted, NULL);
        ipc_signal_until_exit(pid, SIGUSR1);

        /* room: msg_qbytes 100 holds two 40-byte messages */
        EXPECT_OK(syscall(SYS_msgctl, id, IPC_STAT, &ds));
        ds.msg_qbytes = 100;
        EXPECT_OK(syscall(SYS_msgctl, id, IPC_SET, &ds));
        m.type = 1;
        EXPECT_OK(syscall(SYS_msgsnd, id, &m, 40, IPC_NOWAIT));
        EXPECT_OK(syscall(SYS_msgsnd, id, &m, 40, IPC_NOWAIT));
        EXPECT_ERRNO(syscall(SYS_msgsnd, id, &m, 40, IPC_NOWAIT), EAGAIN);
        EXPECT_OK(syscall(SYS_msgsnd, id, &m, 20, IPC_NOWAIT));        /* exactly full */
        pid = ipc_spawn(child_sends, NULL);
        ipc_sleep_ms(50);
        wait_qnum(3);
        EXPECT_RET(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 1, IPC_NOWAIT), 40);
        ipc_reap(pid);
        wait_qnum(3);
        EXPECT_RET(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 7, IPC_NOWAIT), 40);

        /* it waits for any type: drain what is left first */
        EXPECT_RET(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 0, IPC_NOWAIT), 40);
        EXPECT_RET(syscall(SYS_msgrcv, id, &m, sizeof(m.text), 0, IPC_NOWAIT), 20);
        /* nothing shows a message queue's waiters: the child says it is
         * about to wait, and gets time to */
        int ready[2];
        char c;
        EXPECT_OK(pipe(ready));
        pid = ipc_spawn(child_removed, ready);
        EXPECT_RET(read(ready[0], &c, 1), 1);
        ipc_sleep_ms(200);
        EXPECT_OK(syscall(SYS_msgctl, id, IPC_RMID, NULL));
        ipc_reap(pid);
        return 0;
}
