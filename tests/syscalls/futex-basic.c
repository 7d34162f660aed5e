/* futex: wait/wake, the value check, timeouts, bitsets, requeue, wake_op,
 * and a shared futex between processes through MAP_SHARED memory. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "test.h"

static long fx(uint32_t *uaddr, int op, uint32_t val, const void *timeout_or_val2, uint32_t *uaddr2,
               uint32_t val3)
{
        return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}

static _Atomic uint32_t word, word2;
static atomic_int started;

static void *waiter(void *arg)
{
        (void)arg;
        atomic_fetch_add(&started, 1);
        fx((uint32_t *)&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        return NULL;
}

int main(void)
{
        struct timespec ts = { 0, 20000000 };
        pthread_t th[3];
        uint32_t *shared;
        pid_t child;
        int status;
        long n;

        /* Value differs: EAGAIN at once. Timeout: ETIMEDOUT. */
        word = 1;
        EXPECT_ERRNO(fx((uint32_t *)&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN);
        EXPECT_ERRNO(fx((uint32_t *)&word, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0), ETIMEDOUT);
        /* Nobody waits: wake returns 0. Bad arguments. */
        EXPECT_EQ(fx((uint32_t *)&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
        EXPECT_ERRNO(fx((uint32_t *)((char *)&word + 1), FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0), EINVAL);
        EXPECT_ERRNO(fx((uint32_t *)16, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
        EXPECT_ERRNO(fx((uint32_t *)&word, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL);
        ts.tv_nsec = 1000000000;
        EXPECT_ERRNO(fx((uint32_t *)&word, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0), EINVAL);
        EXPECT_ERRNO(fx((uint32_t *)&word, 99, 0, NULL, NULL, 0), ENOSYS);

        /* Three waiters: wake one, requeue one to word2, wake the rest. */
        word = 0;
        for (int i = 0; i < 3; i++)
                EXPECT_EQ(pthread_create(&th[i], NULL, waiter, NULL), 0);
        while (atomic_load(&started) < 3)
                usleep(1000);
        usleep(20000);                  /* let them reach the wait */
        EXPECT_EQ(fx((uint32_t *)&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
        EXPECT_ERRNO(fx((uint32_t *)&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1,
                        (uint32_t *)&word2, 5), EAGAIN);
        n = fx((uint32_t *)&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1, (uint32_t *)&word2, 0);
        EXPECT_EQ(n, 1);                /* none woken, one moved */
        EXPECT_EQ(fx((uint32_t *)&word2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 1);
        EXPECT_EQ(fx((uint32_t *)&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 1);
        for (int i = 0; i < 3; i++)
                EXPECT_EQ(pthread_join(th[i], NULL), 0);

        /* WAKE_OP: word2 += 5 (it was 0), wake on word2 if the old value == 0. */
        word2 = 0;
        EXPECT_EQ(fx((uint32_t *)&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, (uint32_t *)&word2,
                     FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0)), 0);
        EXPECT_EQ(word2, 5);

        /* Shared between processes: the child waits, the parent wakes. */
        shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        CHECK(shared != MAP_FAILED, "mmap");
        *shared = 0;
        child = EXPECT_OK(fork());
        if (child == 0) {
                while (__atomic_load_n(shared, __ATOMIC_SEQ_CST) == 0)
                        fx(shared, FUTEX_WAIT, 0, NULL, NULL, 0);
                _exit(__atomic_load_n(shared, __ATOMIC_SEQ_CST) == 42 ? 0 : 1);
        }
        usleep(20000);
        __atomic_store_n(shared, 42, __ATOMIC_SEQ_CST);
        fx(shared, FUTEX_WAKE, 1, NULL, NULL, 0);
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
        return 0;
}
