/* MAP_PRIVATE of a file: the file's contents, copy-on-write (writes stay in
 * the mapping, the file's later writes show until a page is written), zeroes
 * past EOF within the last page, SIGBUS on the pages past it. */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include "fs-test.h"

static sigjmp_buf env;
static volatile int got_signo, got_code;
static void *volatile got_addr;

static void handler(int signo, siginfo_t *info, void *uc)
{
        (void)uc;
        got_signo = signo;
        got_code = info->si_code;
        got_addr = info->si_addr;
        siglongjmp(env, 1);
}

/* The signal a read of p raises (0: none). */
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
        static char buf[3 * 4096];
        char *p, *q;
        int fd;

        if (test_dir_enter() < 0)
                return 1;
        CHECK(sigaction(SIGBUS, &sa, NULL) == 0 && sigaction(SIGSEGV, &sa, NULL) == 0);
        fd = open("f", O_CREAT | O_RDWR, 0644);
        CHECK(fd >= 0);
        for (size_t i = 0; i < sizeof(buf); i++)
                buf[i] = (char)('a' + i / 4096);
        /* Two pages and a bit: the third page is the last, partly past EOF. */
        CHECK(pwrite(fd, buf, 2 * 4096 + 100, 0) == 2 * 4096 + 100);

        p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        CHECK(p != MAP_FAILED);
        CHECK(p[0] == 'a' && p[4096] == 'b' && p[2 * 4096 + 99] == 'c');
        CHECK(p[2 * 4096 + 100] == 0 && p[3 * 4096 - 1] == 0);
        /* The fourth page is past EOF. */
        CHECK(read_signal(p + 3 * 4096) == SIGBUS);
        CHECK(got_code == BUS_ADRERR && got_addr == p + 3 * 4096);

        /* A write stays private: the file keeps its byte. */
        p[1] = 'X';
        CHECK(pread(fd, buf, 2, 0) == 2 && buf[1] == 'a');
        CHECK(p[1] == 'X');
        /* The file's write shows in a page the mapping has not written. */
        CHECK(pwrite(fd, "Y", 1, 4096 + 5) == 1);
        CHECK(p[4096 + 5] == 'Y');
        /* ...and not in one it has. */
        CHECK(pwrite(fd, "Z", 1, 2) == 1);
        CHECK(p[2] == 'a');
        /* write(2) from the mapping reads its private contents. */
        CHECK(pwrite(fd, p, 2, 8) == 2);
        CHECK(pread(fd, buf, 2, 8) == 2 && buf[0] == 'a' && buf[1] == 'X');

        /* An offset into the file, read-only. */
        q = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
        CHECK(q != MAP_FAILED);
        CHECK(q[0] == 'b' && q[5] == 'Y');
        CHECK(read_signal(q) == 0);
        CHECK(munmap(q, 4096) == 0);

        /* A file mapping's private copy survives closing the file. */
        CHECK(close(fd) == 0);
        CHECK(p[1] == 'X' && p[0] == 'a');
        CHECK(munmap(p, 4 * 4096) == 0);

        /* Read-only fds map privately writable. */
        fd = open("f", O_RDONLY);
        CHECK(fd >= 0);
        p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        CHECK(p != MAP_FAILED);
        p[0] = 'Q';
        CHECK(pread(fd, buf, 1, 0) == 1 && buf[0] == 'a');
        CHECK(munmap(p, 4096) == 0);
        close(fd);
        return 0;
}
