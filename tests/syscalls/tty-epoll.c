/* epoll on both ends of a pty: the slave is readable once a line is
 * complete, the master once the slave wrote; a master whose slave closed
 * reports EPOLLHUP, a slave whose master closed EPOLLHUP|EPOLLERR. */
#include <sys/epoll.h>

#include "tty-test.h"

static unsigned events_of(int ep, int ms)
{
        struct epoll_event ev;
        long n = syscall(SYS_epoll_wait, ep, &ev, 1, ms);

        CHECK(n >= 0, "epoll_wait: %s", test_errname(errno));
        return n ? ev.events : 0;
}

int main(void)
{
        struct epoll_event ev = { .events = EPOLLIN };
        int m, s, em, es;
        char buf[16];

        tty_open_pair(&m, &s, NULL);
        em = (int)EXPECT_OK(syscall(SYS_epoll_create1, EPOLL_CLOEXEC));
        es = (int)EXPECT_OK(syscall(SYS_epoll_create1, EPOLL_CLOEXEC));
        EXPECT_OK(syscall(SYS_epoll_ctl, em, EPOLL_CTL_ADD, m, &ev));
        EXPECT_OK(syscall(SYS_epoll_ctl, es, EPOLL_CTL_ADD, s, &ev));
        EXPECT_EQ(events_of(em, 0), 0);
        EXPECT_EQ(events_of(es, 0), 0);

        /* Half a line: the echo makes the master readable, not the slave. */
        tty_type(m, "ab");
        EXPECT_EQ(events_of(em, 2000), EPOLLIN);
        EXPECT_EQ(events_of(es, 100), 0);
        tty_read_some(m, buf, sizeof(buf), 1000);
        EXPECT_EQ(events_of(em, 0), 0);
        tty_type(m, "\n");
        EXPECT_EQ(events_of(es, 2000), EPOLLIN);
        EXPECT_RET(syscall(SYS_read, s, buf, sizeof(buf)), 3);
        EXPECT_EQ(events_of(es, 0), 0);

        EXPECT_OK(close(s));
        EXPECT_EQ(events_of(em, 2000) & ~(unsigned)EPOLLIN, EPOLLHUP);
        EXPECT_OK(close(m));

        tty_open_pair(&m, &s, NULL);
        es = (int)EXPECT_OK(syscall(SYS_epoll_create1, EPOLL_CLOEXEC));
        EXPECT_OK(syscall(SYS_epoll_ctl, es, EPOLL_CTL_ADD, s, &ev));
        EXPECT_OK(close(m));
        EXPECT_EQ(events_of(es, 2000), EPOLLIN | EPOLLHUP | EPOLLERR);
        return TEST_PASS;
}
