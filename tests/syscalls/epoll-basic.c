/* epoll: level- and edge-triggered readiness, one-shot, ctl errors, the
 * registration living with the open file (dup) and dying with its last
 * close, nested epoll, and waking on another process's write. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

#include "test.h"

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
        struct epoll_event ev = { .events = events, .data.u64 = data };

        return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(void)
{
        struct epoll_event ev[8];
        int ep, ep2, p[2], efd, dupfd, reg, status;
        char buf[16], path[] = "/tmp/epoll-basic-XXXXXX";
        pid_t child;

        ep = EXPECT_OK(epoll_create1(EPOLL_CLOEXEC));
        EXPECT_OK(pipe(p));

        /* Level-triggered: reported while readable. */
        EXPECT_OK(add(ep, p[0], EPOLLIN, 1));
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 0);
        EXPECT_RET(write(p[1], "ab", 2), 2);
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 1);
        EXPECT_EQ(ev[0].events, EPOLLIN);
        EXPECT_EQ(ev[0].data.u64, 1);
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 1);
        EXPECT_RET(read(p[0], buf, 2), 2);
        EXPECT_RET(epoll_wait(ep, ev, 8, 10), 0);

        /* Edge-triggered: once per change. */
        struct epoll_event mod = { .events = EPOLLIN | EPOLLET, .data.u64 = 2 };
        EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &mod));
        EXPECT_RET(write(p[1], "c", 1), 1);
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 1);
        EXPECT_EQ(ev[0].data.u64, 2);
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 0);
        EXPECT_RET(write(p[1], "d", 1), 1);
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 1);
        EXPECT_RET(read(p[0], buf, sizeof(buf)), 2);

        /* One-shot: reported once, then disarmed until MOD. */
        mod = (struct epoll_event){ .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 3 };
        EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &mod));
        EXPECT_RET(write(p[1], "e", 1), 1);
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 1);
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 0);
        EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &mod));
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 1);
        EXPECT_RET(read(p[0], buf, sizeof(buf)), 1);

        /* The writer gone: EPOLLHUP even if not asked for. */
        mod = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 4 };
        EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &mod));
        EXPECT_OK(close(p[1]));
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 1);
        EXPECT_EQ(ev[0].events, EPOLLHUP);
        EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
        EXPECT_OK(close(p[0]));

        /* ctl errors. */
        efd = EXPECT_OK(eventfd(0, 0));
        EXPECT_OK(add(ep, efd, EPOLLIN, 5));
        EXPECT_ERRNO(add(ep, efd, EPOLLIN, 5), EEXIST);
        EXPECT_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, 1000, NULL), EBADF);
        EXPECT_ERRNO(add(ep, ep, EPOLLIN, 0), EINVAL);
        EXPECT_ERRNO(add(efd, ep, EPOLLIN, 0), EINVAL);       /* efd is no epoll */
        EXPECT_ERRNO(epoll_ctl(ep, 42, efd, &mod), EINVAL);
        EXPECT_ERRNO(epoll_wait(ep, ev, 0, 0), EINVAL);
        EXPECT_ERRNO(epoll_wait(efd, ev, 1, 0), EINVAL);
        EXPECT_ERRNO(epoll_create(0), EINVAL);
        EXPECT_ERRNO(epoll_create1(1), EINVAL);
        reg = EXPECT_OK(mkstemp(path));
        EXPECT_ERRNO(add(ep, reg, EPOLLIN, 0), EPERM);
        EXPECT_OK(unlink(path));
        EXPECT_OK(close(reg));

        /* The registration belongs to the open file: a dup keeps it alive
         * after the original fd is closed. */
        dupfd = EXPECT_OK(dup(efd));
        EXPECT_OK(close(efd));
        EXPECT_OK(eventfd_write(dupfd, 1));
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 1);
        EXPECT_EQ(ev[0].data.u64, 5);
        EXPECT_OK(close(dupfd));        /* last close: gone from the set */
        EXPECT_RET(epoll_wait(ep, ev, 8, 0), 0);

        /* Nested: an epoll watching an epoll; loops are refused. */
        ep2 = EXPECT_OK(epoll_create1(0));
        EXPECT_OK(add(ep2, ep, EPOLLIN, 6));
        EXPECT_ERRNO(add(ep, ep2, EPOLLIN, 7), ELOOP);
        efd = EXPECT_OK(eventfd(0, 0));
        EXPECT_OK(add(ep, efd, EPOLLIN, 8));
        EXPECT_RET(epoll_wait(ep2, ev, 8, 0), 0);
        EXPECT_OK(eventfd_write(efd, 1));
        EXPECT_RET(epoll_wait(ep2, ev, 8, 0), 1);
        EXPECT_EQ(ev[0].data.u64, 6);

        /* Woken by another process. */
        EXPECT_OK(pipe(p));
        EXPECT_OK(add(ep, p[0], EPOLLIN, 9));
        child = EXPECT_OK(fork());
        if (child == 0) {
                usleep(30000);
                _exit(write(p[1], "x", 1) == 1 ? 0 : 1);
        }
        EXPECT_OK(eventfd_read(efd, &(eventfd_t){ 0 }));
        EXPECT_RET(epoll_wait(ep, ev, 8, 5000), 1);
        EXPECT_EQ(ev[0].data.u64, 9);
        EXPECT_RET(waitpid(child, &status, 0), child);
        return 0;
}
