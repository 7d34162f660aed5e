/* timerfd: one-shot and periodic expirations read as a count, blocking
 * read, poll and epoll readiness, gettime, and Linux's argument checks. */
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

#include "test.h"

int main(void)
{
        struct itimerspec its = { .it_value = { 0, 20000000 } }, cur;
        struct epoll_event ev;
        struct timespec now;
        struct pollfd pfd;
        uint64_t n;
        int fd, nb, ep;

        fd = EXPECT_OK(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
        EXPECT_OK(timerfd_gettime(fd, &cur));
        EXPECT_EQ(cur.it_value.tv_sec + cur.it_value.tv_nsec, 0);

        /* One shot; the blocking read waits for it. */
        EXPECT_OK(timerfd_settime(fd, 0, &its, NULL));
        EXPECT_OK(timerfd_gettime(fd, &cur));
        CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 20000000,
              "left %ld ns", cur.it_value.tv_nsec);
        EXPECT_RET(read(fd, &n, sizeof(n)), 8);
        EXPECT_EQ(n, 1);
        EXPECT_ERRNO(read(fd, &n, 4), EINVAL);

        /* Periodic, absolute start: several expirations pile up. */
        nb = EXPECT_OK(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK));
        EXPECT_ERRNO(read(nb, &n, sizeof(n)), EAGAIN);
        clock_gettime(CLOCK_REALTIME, &now);
        its.it_value = now;
        its.it_value.tv_nsec += 10000000;
        if (its.it_value.tv_nsec >= 1000000000L) {
                its.it_value.tv_sec++;
                its.it_value.tv_nsec -= 1000000000L;
        }
        its.it_interval = (struct timespec){ 0, 10000000 };
        EXPECT_OK(timerfd_settime(nb, TFD_TIMER_ABSTIME, &its, NULL));
        pfd = (struct pollfd){ .fd = nb, .events = POLLIN };
        EXPECT_RET(poll(&pfd, 1, 5000), 1);
        usleep(50000);
        EXPECT_RET(read(nb, &n, sizeof(n)), 8);
        CHECK(n >= 3, "only %llu expirations", (unsigned long long)n);

        /* epoll sees it; disarming stops it. */
        ep = EXPECT_OK(epoll_create1(0));
        ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 7 };
        EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, nb, &ev));
        EXPECT_RET(epoll_wait(ep, &ev, 1, 5000), 1);
        EXPECT_EQ(ev.data.u64, 7);
        its = (struct itimerspec){ 0 };
        EXPECT_OK(timerfd_settime(nb, 0, &its, &cur));
        EXPECT_EQ(cur.it_interval.tv_nsec, 10000000);
        EXPECT_ERRNO(read(nb, &n, sizeof(n)), EAGAIN);

        /* Argument checks. */
        EXPECT_ERRNO(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
        EXPECT_ERRNO(timerfd_create(CLOCK_MONOTONIC, 0x1), EINVAL);
        its.it_value.tv_nsec = 1000000000;
        EXPECT_ERRNO(timerfd_settime(fd, 0, &its, NULL), EINVAL);
        its.it_value.tv_nsec = 0;
        EXPECT_ERRNO(timerfd_settime(fd, 0x10, &its, NULL), EINVAL);
        EXPECT_ERRNO(timerfd_settime(ep, 0, &its, NULL), EINVAL);
        EXPECT_ERRNO(timerfd_gettime(1000, &cur), EBADF);
        return 0;
}
