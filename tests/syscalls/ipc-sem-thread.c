/* SPDX-License-Identifier: Apache-2.0 */
/* sem across threads: a thread blocked in semop is woken by another thread's
 * semop; the threads of a process share its SEM_UNDO adjustments (glibc
 * passes CLONE_SYSVSEM), applied when the process exits, not when the
 * thread that made them does. */
#include <pthread.h>

#include "ipc-test.h"

static int id;

static void *waiter(void *arg)
{
        struct sembuf op = { 0, -1, 0 };

        (void)arg;
        EXPECT_OK(syscall(SYS_semop, id, &op, 1));
        return NULL;
}

static void *taker(void *arg)
{
        struct sembuf op = { 1, -1, SEM_UNDO };

        (void)arg;
        EXPECT_OK(syscall(SYS_semop, id, &op, 1));
        return NULL;
}

static void child(void *arg)
{
        pthread_t th;

        (void)arg;
        EXPECT_EQ(pthread_create(&th, NULL, taker, NULL), 0);
        EXPECT_EQ(pthread_join(th, NULL), 0);
        EXPECT_RET(semctl_raw(id, 1, GETVAL, 0), 4);   /* the thread's exit undid nothing */
}

int main(void)
{
        struct sembuf post = { 0, 1, 0 };
        pthread_t th;

        ipc_test_setup();
        id = (int)EXPECT_OK(syscall(SYS_semget, IPC_PRIVATE, 2, 0600));
        EXPECT_EQ(pthread_create(&th, NULL, waiter, NULL), 0);
        for (int i = 0; i < 2000 && semctl_raw(id, 0, GETNCNT, 0) != 1; i++)
                ipc_sleep_ms(5);
        EXPECT_RET(semctl_raw(id, 0, GETNCNT, 0), 1);
        EXPECT_OK(syscall(SYS_semop, id, &post, 1));
        EXPECT_EQ(pthread_join(th, NULL), 0);
        EXPECT_RET(semctl_raw(id, 0, GETVAL, 0), 0);

        EXPECT_OK(semctl_raw(id, 1, SETVAL, 5));
        ipc_reap(ipc_spawn(child, NULL));
        EXPECT_RET(semctl_raw(id, 1, GETVAL, 0), 5);   /* the process's exit did */
        EXPECT_OK(semctl_raw(id, 0, IPC_RMID, 0));
        return 0;
}
