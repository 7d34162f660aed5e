/* A blocking read on an AF_UNIX socket is interrupted by a signal (EINTR
 * for a handler without SA_RESTART); /proc/self/fd names a socket
 * "socket:[inode]" with fstat's inode number. */
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "test.h"

static void on_alarm(int sig)
{
        (void)sig;
}

int main(void)
{
        struct sigaction sa = { .sa_handler = on_alarm };
        struct itimerval it = { .it_value = { 0, 50 * 1000 } };
        char link[64], want[64], buf[4];
        struct stat st;
        int sv[2];
        ssize_t n;

        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
        sigaction(SIGALRM, &sa, NULL);
        EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
        EXPECT_ERRNO(syscall(SYS_read, sv[0], buf, sizeof(buf)), EINTR);
        EXPECT_OK(setitimer(ITIMER_REAL, &it, NULL));
        EXPECT_ERRNO(syscall(SYS_recvfrom, sv[0], buf, sizeof(buf), MSG_WAITALL, NULL, NULL), EINTR);

        EXPECT_OK(fstat(sv[1], &st));
        snprintf(link, sizeof(link), "/proc/self/fd/%d", sv[1]);
        n = readlink(link, want, sizeof(want) - 1);
        CHECK(n > 0, "readlink %s: %s", link, strerror(errno));
        want[n] = 0;
        snprintf(link, sizeof(link), "socket:[%llu]", (unsigned long long)st.st_ino);
        CHECK(strcmp(want, link) == 0, "link %s, want %s", want, link);
        close(sv[0]);
        close(sv[1]);
        return 0;
}
