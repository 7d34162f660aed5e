/* Threads: pthread_create/join (CLONE_CHILD_CLEARTID wakes the joiner),
 * shared memory, one pid with many tids, mutexes and condition variables
 * (futexes), a signal to one thread, and exit_group from a thread. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

#include "test.h"

#define NTHREADS 4
#define ROUNDS 2000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;
static pid_t tids[NTHREADS];
static volatile sig_atomic_t usr1_tid;

static void *worker(void *arg)
{
        int i = (int)(long)arg;

        tids[i] = gettid();
        if (getpid() == gettid())
                return (void *)1;
        for (int n = 0; n < ROUNDS; n++) {
                pthread_mutex_lock(&lock);
                counter++;
                pthread_mutex_unlock(&lock);
        }
        pthread_mutex_lock(&lock);
        ready++;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
        return (void *)(long)(i + 100);
}

static void on_usr1(int signo)
{
        (void)signo;
        usr1_tid = gettid();
}

static void *sleeper(void *arg)
{
        (void)arg;
        for (;;)
                pause();
        return NULL;
}

static void *exiter(void *arg)
{
        (void)arg;
        exit(7);                        /* exit_group: takes the whole process */
}

int main(void)
{
        pthread_t th[NTHREADS], sl;
        void *ret;
        pid_t child;
        int status;

        for (long i = 0; i < NTHREADS; i++)
                EXPECT_EQ(pthread_create(&th[i], NULL, worker, (void *)i), 0);
        pthread_mutex_lock(&lock);
        while (ready < NTHREADS)
                pthread_cond_wait(&cond, &lock);
        pthread_mutex_unlock(&lock);
        for (int i = 0; i < NTHREADS; i++) {
                EXPECT_EQ(pthread_join(th[i], &ret), 0);
                EXPECT_EQ((long)ret, i + 100);
                CHECK(tids[i] != getpid() && tids[i] > 0, "thread %d tid %d", i, tids[i]);
        }
        EXPECT_EQ(counter, NTHREADS * ROUNDS);

        /* A signal to one thread runs its handler on that thread. */
        signal(SIGUSR1, on_usr1);
        EXPECT_EQ(pthread_create(&sl, NULL, sleeper, NULL), 0);
        for (int i = 0; i < 1000 && !usr1_tid; i++) {
                pthread_kill(sl, SIGUSR1);
                usleep(1000);
        }
        CHECK(usr1_tid != 0 && usr1_tid != getpid(), "handler ran on tid %d", (int)usr1_tid);
        EXPECT_EQ(pthread_cancel(sl), 0);
        EXPECT_EQ(pthread_join(sl, NULL), 0);

        /* exit() from a thread ends the whole process with its status. */
        child = EXPECT_OK(fork());
        if (child == 0) {
                pthread_t e, s2;

                pthread_create(&s2, NULL, sleeper, NULL);
                pthread_create(&e, NULL, exiter, NULL);
                for (;;)
                        pause();
        }
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "status %#x", status);
        return 0;
}
