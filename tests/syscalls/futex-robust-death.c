/* Robust mutexes whose owner thread dies holding them: the kernel walks
 * the robust list at exit, marks each lock FUTEX_OWNER_DIED and wakes a
 * waiter, so the next locker gets EOWNERDEAD. PI robust mutexes sit on the
 * list with bit 0 of the entry set (glibc); their waiter gets the lock too.
 * Both with nobody waiting and with a waiter blocked in the kernel. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "test.h"

static pthread_mutex_t m;
static atomic_int held;

static void *owner(void *arg)
{
        (void)arg;
        if (pthread_mutex_lock(&m) != 0)
                return (void *)1;
        atomic_store(&held, 1);
        /* Wait until told to die (a waiter may be queued meanwhile). */
        while (atomic_load(&held) != 2)
                usleep(1000);
        return NULL;                    /* exits holding m */
}

/* Blocks in the kernel until the owner dies; makes the lock consistent
 * and lets it go. Returns what the lock said (or 100 + a later failure). */
static void *waiter(void *arg)
{
        long r = pthread_mutex_lock(&m);

        (void)arg;
        if (r == EOWNERDEAD && pthread_mutex_consistent(&m) != 0)
                return (void *)101L;
        if (r == EOWNERDEAD && pthread_mutex_unlock(&m) != 0)
                return (void *)102L;
        return (void *)r;
}

static void one(int protocol, bool contended)
{
        pthread_mutexattr_t ma;
        pthread_t o, w;
        void *ret;

        EXPECT_EQ(pthread_mutexattr_init(&ma), 0);
        EXPECT_EQ(pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST), 0);
        EXPECT_EQ(pthread_mutexattr_setprotocol(&ma, protocol), 0);
        EXPECT_EQ(pthread_mutex_init(&m, &ma), 0);
        atomic_store(&held, 0);
        EXPECT_EQ(pthread_create(&o, NULL, owner, NULL), 0);
        while (atomic_load(&held) != 1)
                usleep(1000);
        if (contended) {
                EXPECT_EQ(pthread_create(&w, NULL, waiter, NULL), 0);
                usleep(50 * 1000);      /* let it block in the kernel */
        }
        atomic_store(&held, 2);
        EXPECT_EQ(pthread_join(o, &ret), 0);
        EXPECT_EQ((long)ret, 0L);
        if (contended) {
                EXPECT_EQ(pthread_join(w, &ret), 0);
                EXPECT_EQ((long)ret, (long)EOWNERDEAD);
        } else {
                EXPECT_EQ(pthread_mutex_lock(&m), EOWNERDEAD);
                EXPECT_EQ(pthread_mutex_consistent(&m), 0);
                EXPECT_EQ(pthread_mutex_unlock(&m), 0);
        }
        EXPECT_EQ(pthread_mutex_lock(&m), 0);
        EXPECT_EQ(pthread_mutex_unlock(&m), 0);
        EXPECT_EQ(pthread_mutex_destroy(&m), 0);
}

int main(void)
{
        one(PTHREAD_PRIO_NONE, false);
        one(PTHREAD_PRIO_NONE, true);
        one(PTHREAD_PRIO_INHERIT, false);
        one(PTHREAD_PRIO_INHERIT, true);
        return TEST_PASS;
}
