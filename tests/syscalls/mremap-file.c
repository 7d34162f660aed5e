/* mremap(2) of file mappings: a move keeps the file offsets (still the
 * file's pages), a grow maps the file's next pages, and past EOF is SIGBUS. */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

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

int main(void)
{
        struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };
        char *p, *q, *r, *hole, c;
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(sigaction(SIGBUS, &sa, NULL) == 0);
        fd = open("f", O_CREAT | O_RDWR, 0644);
        CHECK(fd >= 0);
        CHECK(ftruncate(fd, 3 * 4096) == 0);
        for (int i = 0; i < 3; i++)
                CHECK(pwrite(fd, "abc" + i, 1, i * 4096) == 1);

        /* Room to grow in place: reserve, then map the file at its start. */
        hole = mmap(NULL, 8 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(hole != MAP_FAILED);
        CHECK(munmap(hole + 4096, 7 * 4096) == 0);
        p = mmap(hole + 4096, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 4096);
        CHECK(p == hole + 4096);
        CHECK(p[0] == 'b');
        q = mremap(p, 4096, 2 * 4096, 0);
        CHECK(q == p);
        CHECK(q[4096] == 'c');
        q[4096 + 1] = 'w';
        CHECK(pread(fd, &c, 1, 2 * 4096 + 1) == 1 && c == 'w');
        /* Grown past EOF: that page is SIGBUS. */
        q = mremap(p, 2 * 4096, 3 * 4096, 0);
        CHECK(q == p);
        CHECK(read_signal(q + 2 * 4096) == SIGBUS);
        CHECK(read_signal(q + 4096) == 0);

        /* Moved: the same file pages at the new address. */
        r = mremap(q, 3 * 4096, 3 * 4096, MREMAP_MAYMOVE | MREMAP_FIXED, hole + 5 * 4096);
        CHECK(r == hole + 5 * 4096);
        CHECK(r[0] == 'b' && r[4096 + 1] == 'w');
        r[2] = 'm';
        CHECK(pread(fd, &c, 1, 4096 + 2) == 1 && c == 'm');
        CHECK(read_signal(r + 2 * 4096) == SIGBUS);
        /* The file grows: the moved mapping sees the new page. */
        CHECK(ftruncate(fd, 4 * 4096) == 0);
        CHECK(read_signal(r + 2 * 4096) == 0 && r[2 * 4096] == 0);

        /* Shrinking unmaps the tail. */
        CHECK(mremap(r, 3 * 4096, 4096, 0) == r);
        CHECK(munmap(r, 4096) == 0);

        /* Private: a move keeps the private copy. */
        p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        CHECK(p != MAP_FAILED);
        p[0] = 'P';
        q = mremap(p, 2 * 4096, 4 * 4096, MREMAP_MAYMOVE);
        CHECK(q != MAP_FAILED);
        CHECK(q[0] == 'P' && q[4096 + 2] == 'm' && q[2 * 4096 + 1] == 'w');
        CHECK(pread(fd, &c, 1, 0) == 1 && c == 'a');
        CHECK(munmap(q, 4 * 4096) == 0);
        close(fd);
        return 0;
}
