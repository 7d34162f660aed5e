#include "fdnotify.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Process-wide: host readiness is not sandbox state. Set up once. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int epfd = -1;

static void *fdnotify_thread(void *arg)
{
        struct epoll_event ev[16];

        (void)arg;
        for (;;) {
                int n = epoll_wait(epfd, ev, 16, -1);

                for (int i = 0; i < n; i++)
                        waitqueue_notify(ev[i].data.ptr, ev[i].events | EPOLLIN | EPOLLOUT);
        }
        return NULL;
}

static void fdnotify_start(void)
{
        pthread_attr_t attr;
        pthread_t t;

        epfd = epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0)
                return;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, fdnotify_thread, NULL) != 0) {
                close(epfd);
                epfd = -1;
        }
        pthread_attr_destroy(&attr);
}

int fdnotify_add(int host_fd, struct waitqueue *wq)
{
        /* Edge-triggered: each change wakes the waiters once; they ask the
         * host (fdnotify_poll) what holds now. */
        struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                                  .data.ptr = wq };

        pthread_once(&once, fdnotify_start);
        if (epfd < 0)
                return -ENOMEM;
        return epoll_ctl(epfd, EPOLL_CTL_ADD, host_fd, &ev) < 0 ? -errno : 0;
}

void fdnotify_remove(int host_fd)
{
        if (epfd >= 0)
                epoll_ctl(epfd, EPOLL_CTL_DEL, host_fd, NULL);
}

unsigned fdnotify_poll(int host_fd, unsigned events)
{
        struct pollfd p = { .fd = host_fd, .events = (short)events };

        if (poll(&p, 1, 0) <= 0)
                return 0;
        return (unsigned short)p.revents;
}
