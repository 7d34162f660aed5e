/* MAP_SHARED of a file: the mapping and read/write see the same bytes both
 * ways, between two mappings too; a file grown after mmap shows in the
 * mapping; ftruncate shrinking makes the pages past the end SIGBUS, and the
 * page holding the new end reads zero past it. */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "fs-test.h"

static sigjmp_buf env;
static volatile int got_signo;

static void handler(int signo, siginfo_t *info, void *uc)
{
        (void)info, (void)uc;
        got_signo = signo;
        siglongjmp(env, 1);
}

static int read_signal(volatile char *p)
{
        got_signo = 0;
        if (sigsetjmp(env, 1) == 0)
                (void)*p;
        return got_signo;
}

static int write_signal(volatile char *p)
{
        got_signo = 0;
        if (sigsetjmp(env, 1) == 0)
                *p = 1;
        return got_signo;
}

int main(void)
{
        struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
        char buf[16];
        char *p, *q;
        int fd, status;
        pid_t pid;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(sigaction(SIGBUS, &sa, NULL) == 0 && sigaction(SIGSEGV, &sa, NULL) == 0);
        fd = open("f", O_CREAT | O_RDWR, 0644);
        CHECK(fd >= 0);
        CHECK(ftruncate(fd, 3 * 4096) == 0);

        p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        CHECK(p != MAP_FAILED);
        CHECK(p[0] == 0 && p[3 * 4096 - 1] == 0);
        memcpy(p + 10, "hello", 5);
        CHECK(pread(fd, buf, 5, 10) == 5 && memcmp(buf, "hello", 5) == 0);
        CHECK(pwrite(fd, "world", 5, 4096 + 7) == 5);
        CHECK(memcmp(p + 4096 + 7, "world", 5) == 0);

        /* A second mapping of the same page, elsewhere. */
        q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
        CHECK(q != MAP_FAILED && q != p + 4096);
        p[4096] = '!';
        CHECK(q[0] == '!' && memcmp(q + 7, "world", 5) == 0);
        CHECK(munmap(q, 4096) == 0);

        /* A child writes through its inherited mapping; the parent sees it. */
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                p[20] = 'c';
                _exit(0);
        }
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK(p[20] == 'c');
        CHECK(pread(fd, buf, 1, 20) == 1 && buf[0] == 'c');

        /* Shrink to a page and a bit: the third page is gone (SIGBUS, read
         * or write), the second reads zero past the end. */
        CHECK(ftruncate(fd, 4096 + 3) == 0);
        CHECK(read_signal(p + 2 * 4096) == SIGBUS);
        CHECK(write_signal(p + 2 * 4096 + 8) == SIGBUS);
        CHECK(p[4096] == '!' && p[4096 + 3] == 0 && p[4096 + 7] == 0);
        CHECK(p[10] == 'h');

        /* Growing it again brings the page back, zeroed. */
        CHECK(ftruncate(fd, 3 * 4096) == 0);
        CHECK(read_signal(p + 2 * 4096) == 0);
        CHECK(p[2 * 4096] == 0);
        p[2 * 4096 + 1] = 'g';
        CHECK(pread(fd, buf, 1, 2 * 4096 + 1) == 1 && buf[0] == 'g');

        /* Closing the fd keeps the mapping. */
        CHECK(close(fd) == 0);
        p[30] = 'k';
        CHECK(munmap(p, 3 * 4096) == 0);
        fd = open("f", O_RDONLY);
        CHECK(fd >= 0);
        CHECK(pread(fd, buf, 1, 30) == 1 && buf[0] == 'k');
        /* Read-only shared mapping of a read-only fd. */
        p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
        CHECK(p != MAP_FAILED && p[30] == 'k');
        CHECK(write_signal(p) == SIGSEGV);
        CHECK(munmap(p, 4096) == 0);
        close(fd);
        return 0;
}
