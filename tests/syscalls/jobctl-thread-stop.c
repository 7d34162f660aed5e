/* A stop stops every thread of the group, whichever thread it is sent to
 * (tgkill to a non-leader thread), and SIGCONT resumes them all: sleeping
 * threads (nanosleep restarted) make no progress while stopped. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "test.h"

#define NTHREADS 3

struct shared {
        atomic_long count[NTHREADS];
        atomic_int tid[NTHREADS];
};

static struct shared *sh;

static void *ticker(void *arg)
{
        int i = (int)(long)arg;
        struct timespec ts = { .tv_nsec = 2 * 1000 * 1000 };

        atomic_store(&sh->tid[i], gettid());
        for (;;) {
                nanosleep(&ts, NULL);
                atomic_fetch_add(&sh->count[i], 1);
        }
        return NULL;
}

static void snapshot(long *v)
{
        for (int i = 0; i < NTHREADS; i++)
                v[i] = atomic_load(&sh->count[i]);
}

/* Every thread moves on within a few seconds. */
static void expect_progress(void)
{
        long before[NTHREADS], now[NTHREADS];
        struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
        bool all;

        snapshot(before);
        for (int tries = 0; tries < 500; tries++) {
                nanosleep(&ts, NULL);
                snapshot(now);
                all = true;
                for (int i = 0; i < NTHREADS; i++)
                        all &= now[i] > before[i];
                if (all)
                        return;
        }
        FAIL("threads did not all run");
}

static void expect_still(void)
{
        long before[NTHREADS], now[NTHREADS];
        struct timespec ts = { .tv_nsec = 100 * 1000 * 1000 };

        snapshot(before);
        nanosleep(&ts, NULL);
        snapshot(now);
        for (int i = 0; i < NTHREADS; i++)
                CHECK(now[i] == before[i], "thread %d ran while stopped (%ld -> %ld)", i, before[i],
                      now[i]);
}

int main(void)
{
        pid_t child;
        int status;

        alarm(20);
        sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        CHECK(sh != MAP_FAILED, "mmap: %s", strerror(errno));
        child = EXPECT_OK(fork());
        if (child == 0) {
                pthread_t th;

                setpgid(0, 0);          /* never orphaned: see jobctl-stop-cont */
                for (long i = 1; i < NTHREADS; i++)
                        if (pthread_create(&th, NULL, ticker, (void *)i) != 0)
                                _exit(1);
                ticker((void *)0);
        }
        setpgid(child, child);
        expect_progress();

        /* SIGSTOP to the whole process. */
        EXPECT_OK(kill(child, SIGSTOP));
        EXPECT_RET(waitpid(child, &status, WUNTRACED), child);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "status %#x", status);
        expect_still();
        EXPECT_OK(kill(child, SIGCONT));
        EXPECT_RET(waitpid(child, &status, WCONTINUED), child);
        CHECK(WIFCONTINUED(status), "status %#x", status);
        expect_progress();

        /* SIGTSTP to one non-leader thread stops them all. */
        EXPECT_OK(syscall(SYS_tgkill, child, atomic_load(&sh->tid[1]), SIGTSTP));
        EXPECT_RET(waitpid(child, &status, WUNTRACED), child);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP, "status %#x", status);
        expect_still();
        /* SIGCONT to one thread continues them all. */
        EXPECT_OK(syscall(SYS_tgkill, child, atomic_load(&sh->tid[2]), SIGCONT));
        EXPECT_RET(waitpid(child, &status, WCONTINUED), child);
        expect_progress();

        EXPECT_OK(kill(child, SIGKILL));
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
        return 0;
}
