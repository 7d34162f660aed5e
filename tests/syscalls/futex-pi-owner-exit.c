/* PI futexes whose owner exits holding them without a robust list entry
 * (Linux's exit_pi_state_list() and handle_exit_race()):
 * - a waiter blocked in FUTEX_LOCK_PI gets the lock, the word then holding
 *   its tid | FUTEX_WAITERS | FUTEX_OWNER_DIED; a second waiter gets it at
 *   the first one's unlock as from any unlock (tid | FUTEX_WAITERS);
 * - the same across processes (a shared mapping, the owner's process exits)
 *   and with a thread-group leader as the owner (a zombie while its threads
 *   run);
 * - with nobody waiting the dead tid stays in the word and LOCK_PI is ESRCH
 *   (setting FUTEX_WAITERS first), TRYLOCK_PI too, also with
 *   FUTEX_OWNER_DIED set; a word of FUTEX_OWNER_DIED alone is taken, the bit
 *   kept; UNLOCK_PI of the dead owner's lock is EPERM;
 * - and, for comparison, with a robust list entry (bit 0: PI): the waiter
 *   ends the same, and with nobody waiting the word is FUTEX_OWNER_DIED;
 * - an owner's execve hands its locks on the same way (Linux's
 *   exec_mm_release()), yet it owns locks again afterwards: a word naming
 *   it is EWOULDBLOCK for TRYLOCK_PI, not ESRCH, until it is gone. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "test.h"

static uint32_t word, word2;
static atomic_int stage;
static atomic_long owner_tid;

static long futex(uint32_t *uaddr, int op)
{
        return syscall(SYS_futex, uaddr, op, 0, NULL, NULL, 0);
}

static uint32_t load(const uint32_t *w)
{
        return __atomic_load_n(w, __ATOMIC_SEQ_CST);
}

/* Until FUTEX_WAITERS shows in *w, then a while more so that the waiter
 * that set it sleeps in the kernel. */
static void await_waiter(const uint32_t *w)
{
        for (int i = 0; i < 2000 && !(load(w) & FUTEX_WAITERS); i++)
                usleep(1000);
        usleep(50 * 1000);
}

/* Takes the lock and exits holding it once told (stage 2), or at once if
 * stage was not 0 to begin with. */
static void *owner(void *arg)
{
        int op = (int)(long)arg, zero = 0;

        owner_tid = syscall(SYS_gettid);
        if (futex(&word, op) != 0)
                return (void *)1;
        if (!atomic_compare_exchange_strong(&stage, &zero, 1))
                return NULL;
        while (atomic_load(&stage) != 2)
                usleep(1000);
        return NULL;
}

struct got {
        uint32_t *uaddr;
        int op;                 /* LOCK_PI, private or not; +1 is UNLOCK_PI */
        long tid;
        long r;
        int err;
        uint32_t seen;          /* the word once we own it */
};

/* Blocks in FUTEX_LOCK_PI; records what it got and lets the lock go. */
static void *waiter(void *arg)
{
        struct got *g = arg;

        g->tid = syscall(SYS_gettid);
        errno = 0;
        g->r = futex(g->uaddr, g->op);
        g->err = errno;
        g->seen = load(g->uaddr);
        if (g->r == 0 && futex(g->uaddr, g->op + 1) != 0)
                g->r = 100;
        return NULL;
}

/* The owner thread exits with n waiters blocked on the lock. */
static void contended(int op, int n)
{
        struct got g[2] = { 0 };
        pthread_t o, w[2];
        int died = 0;

        word = 0;
        atomic_store(&stage, 0);
        EXPECT_EQ(pthread_create(&o, NULL, owner, (void *)(long)op), 0);
        while (atomic_load(&stage) != 1)
                usleep(1000);
        EXPECT_EQ(load(&word), (uint32_t)owner_tid);
        for (int i = 0; i < n; i++) {
                g[i].uaddr = &word;
                g[i].op = op;
                EXPECT_EQ(pthread_create(&w[i], NULL, waiter, &g[i]), 0);
                await_waiter(&word);
        }
        atomic_store(&stage, 2);
        EXPECT_EQ(pthread_join(o, NULL), 0);
        for (int i = 0; i < n; i++) {
                EXPECT_EQ(pthread_join(w[i], NULL), 0);
                CHECK(g[i].r == 0, "waiter %d: %ld %s", i, g[i].r, test_errname(g[i].err));
                CHECK((g[i].seen & ~FUTEX_OWNER_DIED) == ((uint32_t)g[i].tid | FUTEX_WAITERS),
                      "waiter %d (tid %ld) owned %#x", i, g[i].tid, g[i].seen);
                died += !!(g[i].seen & FUTEX_OWNER_DIED);
        }
        /* Only the one the dead owner's lock went to sees OWNER_DIED. */
        EXPECT_EQ(died, 1);
        EXPECT_EQ(load(&word), 0u);
}

/* The owner thread exits with nobody waiting: its tid stays. */
static void uncontended(void)
{
        long me = syscall(SYS_gettid);
        uint32_t dead;
        pthread_t o;

        word = 0;
        atomic_store(&stage, 2);
        EXPECT_EQ(pthread_create(&o, NULL, owner, (void *)(long)FUTEX_LOCK_PI_PRIVATE), 0);
        EXPECT_EQ(pthread_join(o, NULL), 0);
        dead = (uint32_t)owner_tid;
        EXPECT_EQ(load(&word), dead);

        EXPECT_ERRNO(futex(&word, FUTEX_LOCK_PI_PRIVATE), ESRCH);
        EXPECT_EQ(load(&word), dead | FUTEX_WAITERS);
        EXPECT_ERRNO(futex(&word, FUTEX_LOCK_PI_PRIVATE), ESRCH);
        EXPECT_ERRNO(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE), ESRCH);
        EXPECT_ERRNO(futex(&word, FUTEX_UNLOCK_PI_PRIVATE), EPERM);
        EXPECT_EQ(load(&word), dead | FUTEX_WAITERS);

        word = dead;
        EXPECT_ERRNO(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE), ESRCH);
        EXPECT_EQ(load(&word), dead | FUTEX_WAITERS);

        /* OWNER_DIED with a tid still names an owner, a dead one. */
        word = dead | FUTEX_OWNER_DIED;
        EXPECT_ERRNO(futex(&word, FUTEX_LOCK_PI), ESRCH);
        EXPECT_EQ(load(&word), dead | FUTEX_OWNER_DIED | FUTEX_WAITERS);

        /* OWNER_DIED alone (a robust release) is free: taken, bit kept,
         * WAITERS dropped as nobody waits. */
        word = FUTEX_OWNER_DIED;
        EXPECT_OK(futex(&word, FUTEX_LOCK_PI_PRIVATE));
        EXPECT_EQ(load(&word), (uint32_t)me | FUTEX_OWNER_DIED);
        EXPECT_OK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE));
        EXPECT_EQ(load(&word), 0u);
        word = FUTEX_OWNER_DIED | FUTEX_WAITERS;
        EXPECT_OK(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE));
        EXPECT_EQ(load(&word), (uint32_t)me | FUTEX_OWNER_DIED);
        EXPECT_OK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE));
        EXPECT_EQ(load(&word), 0u);
}

/* A PI lock on the owner's robust list (replacing glibc's, which this
 * thread does not use). */
static struct robust_list_head rhead;
static struct robust_lock {
        struct robust_list list;
        uint32_t word;
} rlock;

static void *robust_owner(void *arg)
{
        int zero = 0;

        (void)arg;
        rhead.list.next = (struct robust_list *)((uintptr_t)&rlock.list | 1);
        rhead.futex_offset = offsetof(struct robust_lock, word);
        rhead.list_op_pending = NULL;
        rlock.list.next = &rhead.list;
        if (syscall(SYS_set_robust_list, &rhead, sizeof(rhead)) != 0)
                return (void *)1;
        owner_tid = syscall(SYS_gettid);
        if (futex(&rlock.word, FUTEX_LOCK_PI_PRIVATE) != 0)
                return (void *)2;
        if (!atomic_compare_exchange_strong(&stage, &zero, 1))
                return NULL;
        while (atomic_load(&stage) != 2)
                usleep(1000);
        return NULL;
}

static void robust(bool contended_)
{
        long me = syscall(SYS_gettid);
        struct got g = { .uaddr = &rlock.word, .op = FUTEX_LOCK_PI_PRIVATE };
        pthread_t o, w;
        void *ret;

        rlock.word = 0;
        atomic_store(&stage, contended_ ? 0 : 2);
        EXPECT_EQ(pthread_create(&o, NULL, robust_owner, NULL), 0);
        if (contended_) {
                while (atomic_load(&stage) != 1)
                        usleep(1000);
                EXPECT_EQ(pthread_create(&w, NULL, waiter, &g), 0);
                await_waiter(&rlock.word);
                atomic_store(&stage, 2);
        }
        EXPECT_EQ(pthread_join(o, &ret), 0);
        EXPECT_EQ((long)ret, 0L);
        if (contended_) {
                EXPECT_EQ(pthread_join(w, NULL), 0);
                CHECK(g.r == 0, "waiter: %ld %s", g.r, test_errname(g.err));
                EXPECT_EQ(g.seen, (uint32_t)g.tid | FUTEX_WAITERS | FUTEX_OWNER_DIED);
                EXPECT_EQ(load(&rlock.word), 0u);
                return;
        }
        EXPECT_EQ(load(&rlock.word), FUTEX_OWNER_DIED);
        EXPECT_OK(futex(&rlock.word, FUTEX_LOCK_PI_PRIVATE));
        EXPECT_EQ(load(&rlock.word), (uint32_t)me | FUTEX_OWNER_DIED);
        EXPECT_OK(futex(&rlock.word, FUTEX_UNLOCK_PI_PRIVATE));
        EXPECT_EQ(load(&rlock.word), 0u);
}

/* The owner execs: its lock goes to the waiter, and it lives on. */
static void exec_owner(void)
{
        char fd_text[16], fd2_text[16], c;
        struct got g = { 0 };
        uint32_t *shared;
        pthread_t w;
        pid_t child;
        int status, p[2], q[2];

        shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        EXPECT_TRUE(shared != MAP_FAILED);
        shared[1] = 0;
        EXPECT_OK(pipe(p));
        EXPECT_OK(pipe(q));
        child = EXPECT_OK(fork());
        if (child == 0) {
                char *argv[] = { "futex-pi-owner-exit", "exec-child", fd_text, fd2_text, NULL };
                char *envp[] = { NULL };

                close(p[1]);
                close(q[0]);
                snprintf(fd_text, sizeof(fd_text), "%d", p[0]);
                snprintf(fd2_text, sizeof(fd2_text), "%d", q[1]);
                if (futex(&shared[0], FUTEX_LOCK_PI) != 0)
                        _exit(1);
                __atomic_store_n(&shared[1], 1, __ATOMIC_SEQ_CST);
                while (load(&shared[1]) != 2)
                        usleep(1000);
                syscall(SYS_execve, "/proc/self/exe", argv, envp);
                _exit(2);
        }
        close(p[0]);
        close(q[1]);
        while (load(&shared[1]) != 1)
                usleep(1000);
        g.uaddr = &shared[0];
        g.op = FUTEX_LOCK_PI;
        EXPECT_EQ(pthread_create(&w, NULL, waiter, &g), 0);
        await_waiter(&shared[0]);
        __atomic_store_n(&shared[1], 2, __ATOMIC_SEQ_CST);
        EXPECT_EQ(pthread_join(w, NULL), 0);
        CHECK(g.r == 0, "waiter: %ld %s", g.r, test_errname(g.err));
        EXPECT_EQ(g.seen, (uint32_t)g.tid | FUTEX_WAITERS | FUTEX_OWNER_DIED);
        EXPECT_EQ(load(&shared[0]), 0u);

        /* The exec'd program says it runs, then waits for the pipe's end:
         * alive meanwhile (while the execve runs Linux may say ESRCH).
         * Not a private op: Linux 6.18 says EPERM to one whose owner is
         * another process. */
        EXPECT_RET(read(q[0], &c, 1), 1);
        close(q[0]);
        word = (uint32_t)child;
        EXPECT_ERRNO(futex(&word, FUTEX_TRYLOCK_PI), EWOULDBLOCK);
        EXPECT_EQ(load(&word), (uint32_t)child | FUTEX_WAITERS);
        close(p[1]);
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
        EXPECT_ERRNO(futex(&word, FUTEX_TRYLOCK_PI), ESRCH);
        EXPECT_OK(munmap(shared, 4096));
}

/* The owner is another process (the word in a shared mapping) that exits. */
static void other_process(void)
{
        uint32_t *shared;
        struct got g = { 0 };
        pthread_t w;
        pid_t child;
        int status;

        shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        EXPECT_TRUE(shared != MAP_FAILED);
        shared[1] = 0;
        child = EXPECT_OK(fork());
        if (child == 0) {
                if (futex(&shared[0], FUTEX_LOCK_PI) != 0)
                        _exit(1);
                __atomic_store_n(&shared[1], 1, __ATOMIC_SEQ_CST);
                while (load(&shared[1]) != 2)
                        usleep(1000);
                _exit(0);
        }
        while (load(&shared[1]) != 1)
                usleep(1000);
        g.uaddr = &shared[0];
        g.op = FUTEX_LOCK_PI;
        EXPECT_EQ(pthread_create(&w, NULL, waiter, &g), 0);
        await_waiter(&shared[0]);
        __atomic_store_n(&shared[1], 2, __ATOMIC_SEQ_CST);
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
        EXPECT_EQ(pthread_join(w, NULL), 0);
        CHECK(g.r == 0, "waiter: %ld %s", g.r, test_errname(g.err));
        EXPECT_EQ(g.seen, (uint32_t)g.tid | FUTEX_WAITERS | FUTEX_OWNER_DIED);
        EXPECT_EQ(load(&shared[0]), 0u);
        EXPECT_OK(munmap(shared, 4096));
}

/* In a child: the leader takes word and word2, a thread waits on word, and
 * the leader exits (a zombie while the rest run). Exit code 0 or a step. */
static uint32_t leader_gone = 1;
static struct got leader_waiter;

static void *after_leader(void *arg)
{
        pthread_t *w = arg;
        long leader = getpid();

        while (load(&leader_gone) != 0)
                syscall(SYS_futex, &leader_gone, FUTEX_WAIT, 1, NULL, NULL, 0);
        if (pthread_join(*w, NULL) != 0)
                syscall(SYS_exit_group, 10);
        if (leader_waiter.r != 0)
                syscall(SYS_exit_group, 11);
        if (leader_waiter.seen != ((uint32_t)leader_waiter.tid | FUTEX_WAITERS | FUTEX_OWNER_DIED))
                syscall(SYS_exit_group, 12);
        if (load(&word2) != (uint32_t)leader)
                syscall(SYS_exit_group, 13);
        errno = 0;
        if (futex(&word2, FUTEX_LOCK_PI_PRIVATE) != -1 || errno != ESRCH)
                syscall(SYS_exit_group, 14);
        syscall(SYS_exit_group, 0);
        return NULL;
}

static void leader_exits(void)
{
        pid_t child;
        int status;

        child = EXPECT_OK(fork());
        if (child == 0) {
                static pthread_t w, t;

                word = 0;
                word2 = 0;
                if (futex(&word, FUTEX_LOCK_PI_PRIVATE) != 0 ||
                    futex(&word2, FUTEX_LOCK_PI_PRIVATE) != 0)
                        _exit(2);
                leader_waiter.uaddr = &word;
                leader_waiter.op = FUTEX_LOCK_PI_PRIVATE;
                if (pthread_create(&w, NULL, waiter, &leader_waiter) != 0)
                        _exit(3);
                await_waiter(&word);
                if (pthread_create(&t, NULL, after_leader, &w) != 0)
                        _exit(4);
                /* Our exit zeroes leader_gone and wakes after_leader. */
                syscall(SYS_set_tid_address, &leader_gone);
                syscall(SYS_exit, 0);
        }
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
}

int main(int argc, char **argv)
{
        if (argc == 4 && strcmp(argv[1], "exec-child") == 0) {
                char c = 'x';

                /* exec_owner()'s child after its execve: says so, then
                 * waits for EOF. */
                if (write(atoi(argv[3]), &c, 1) != 1)
                        return 1;
                while (read(atoi(argv[2]), &c, 1) > 0)
                        ;
                return 0;
        }
        contended(FUTEX_LOCK_PI_PRIVATE, 1);
        contended(FUTEX_LOCK_PI, 1);
        contended(FUTEX_LOCK_PI_PRIVATE, 2);
        uncontended();
        other_process();
        leader_exits();
        robust(true);
        robust(false);
        exec_owner();
        return TEST_PASS;
}
