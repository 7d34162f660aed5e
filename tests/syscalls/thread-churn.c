/* SPDX-License-Identifier: Apache-2.0 */
/* Threads made and ended in quick succession, several alive at once: every
 * pthread_create succeeds, every thread runs with a tid of its own, and
 * each join returns its value. (In a sandbox whose threads
 * are host threads of a stub process, finding a new one's host id while
 * others exit must not miss it.) */
#include <pthread.h>

#include "test.h"

#define BATCH 4
#define ROUNDS 300

static void *worker(void *arg)
{
        return (void *)((long)arg * 3);
}

static void *tid_of(void *arg)
{
        *(pid_t *)arg = gettid();
        return NULL;
}

int main(void)
{
        /* One at a time, then BATCH at a time. */
        for (int round = 0; round < ROUNDS; round++) {
                pthread_t t;
                void *ret;
                int e = pthread_create(&t, NULL, worker, (void *)(long)round);

                if (e)
                        FAIL("round %d: pthread_create: %s", round, strerror(e));
                e = pthread_join(t, &ret);
                if (e)
                        FAIL("round %d: pthread_join: %s", round, strerror(e));
                CHECK((long)ret == round * 3L, "round %d: returned %ld", round, (long)ret);
        }
        for (int round = 0; round < ROUNDS; round++) {
                pthread_t t[BATCH];
                pid_t tids[BATCH];
                void *ret;
                int e;

                for (int i = 0; i < BATCH; i++) {
                        e = pthread_create(&t[i], NULL, i ? worker : tid_of,
                                           i ? (void *)(long)(round * BATCH + i) : &tids[0]);
                        if (e)
                                FAIL("round %d: pthread_create %d: %s", round, i, strerror(e));
                }
                for (int i = 0; i < BATCH; i++) {
                        e = pthread_join(t[i], &ret);
                        if (e)
                                FAIL("round %d: pthread_join %d: %s", round, i, strerror(e));
                        if (i && (long)ret != (long)(round * BATCH + i) * 3)
                                FAIL("round %d: thread %d returned %ld", round, i, (long)ret);
                }
                CHECK(tids[0] > 0 && tids[0] != getpid(), "round %d: tid %d", round, tids[0]);
        }
        return TEST_PASS;
}
