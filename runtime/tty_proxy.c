/*
 * `conternel do -t`, inside the sentry: a thread moving bytes between the
 * host terminal (fds 0 and 1, in raw mode: the keeper's doing) and the
 * master of the sandbox pty whose slave is the guest's stdio, and applying
 * host resizes (a byte on the keeper's pipe) as TIOCSWINSZ. The master's
 * wait queue wakes the thread through an eventfd.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/macro.h"
#include "runtime.h"
#include "vfs/file.h"

#define PROXY_BUF 4096

struct tty_proxy {
        struct file *master;            /* a reference */
        int winch_fd;                   /* borrowed; -1: none */
        int wake_fd;                    /* eventfd: the master's queue, or stop */
        struct waiter w;
        atomic_bool stop;
        pthread_t thread;
        /* input read from the host, not yet taken by the master */
        char pending[PROXY_BUF];
        size_t npending;
};

static void proxy_wake(struct waiter *w, unsigned events)
{
        struct tty_proxy *p = container_of(w, struct tty_proxy, w);
        uint64_t one = 1;

        (void)events;
        if (write(p->wake_fd, &one, sizeof(one)) < 0) {
                /* the counter is full: a wake-up is pending anyway */
        }
}

static void write_all(int fd, const char *buf, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, buf, n);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return;         /* the terminal is gone: drop it */
                buf += w;
                n -= (size_t)w;
        }
}

/* Move what the guest wrote to the host; false once every slave is closed. */
static bool drain_master(struct tty_proxy *p)
{
        char buf[PROXY_BUF];

        for (;;) {
                struct iovec v = { buf, sizeof(buf) };
                struct iov_iter it = { &v, 1, sizeof(buf), 0 };
                ssize_t n = vfs_read(p->master, &it, -1);

                if (n == -EAGAIN)
                        return true;
                if (n <= 0)
                        return false;
                write_all(STDOUT_FILENO, buf, (size_t)n);
        }
}

/* Hand pending host input to the master (as typing). */
static void feed_master(struct tty_proxy *p)
{
        while (p->npending > 0) {
                struct iovec v = { p->pending, p->npending };
                struct iov_iter it = { &v, 1, p->npending, 0 };
                ssize_t n = vfs_write(p->master, &it, -1);

                if (n <= 0)
                        return;         /* full (-EAGAIN): the queue wakes us */
                memmove(p->pending, p->pending + n, p->npending - (size_t)n);
                p->npending -= (size_t)n;
        }
}

static void apply_winsize(struct tty_proxy *p)
{
        struct winsize ws;

        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                vfs_ioctl(p->master, TIOCSWINSZ, &ws);
}

static void *proxy_main(void *arg)
{
        struct tty_proxy *p = arg;
        bool in_open = true;

        while (drain_master(p) && !atomic_load(&p->stop)) {
                struct pollfd fds[3] = {
                        { .fd = in_open && p->npending == 0 ? STDIN_FILENO : -1, .events = POLLIN },
                        { .fd = p->wake_fd, .events = POLLIN },
                        { .fd = p->winch_fd, .events = POLLIN },
                };
                uint64_t v;
                char c;

                feed_master(p);
                if (poll(fds, 3, -1) < 0 && errno != EINTR)
                        break;
                if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t n = read(STDIN_FILENO, p->pending, sizeof(p->pending));

                        if (n > 0)
                                p->npending = (size_t)n;
                        else if (n == 0 || errno != EINTR)
                                in_open = false;
                }
                if (fds[1].revents & POLLIN && read(p->wake_fd, &v, sizeof(v)) < 0) {
                        /* raced with another reader: nothing to do */
                }
                if (fds[2].revents & POLLIN) {
                        while (read(p->winch_fd, &c, 1) == 1)
                                ;
                        apply_winsize(p);
                }
                feed_master(p);
        }
        return NULL;
}

int tty_proxy_start(struct file *master, int winch_fd, struct tty_proxy **ret)
{
        struct tty_proxy *p = calloc(1, sizeof(*p));
        int r;

        if (!p)
                return -ENOMEM;
        p->master = file_ref(master);
        p->winch_fd = winch_fd;
        p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (p->wake_fd < 0) {
                r = -errno;
                goto fail;
        }
        apply_winsize(p);
        p->w = (struct waiter){ .mask = EPOLLIN | EPOLLOUT | EPOLLHUP, .wake = proxy_wake };
        waitqueue_add(master->wq, &p->w);
        r = -pthread_create(&p->thread, NULL, proxy_main, p);
        if (r < 0) {
                waitqueue_remove(master->wq, &p->w);
                goto fail;
        }
        *ret = p;
        return 0;
fail:
        if (p->wake_fd >= 0)
                close(p->wake_fd);
        file_unref(p->master);
        free(p);
        return r;
}

void tty_proxy_stop(struct tty_proxy *p)
{
        uint64_t one = 1;

        if (!p)
                return;
        atomic_store(&p->stop, true);
        if (write(p->wake_fd, &one, sizeof(one)) < 0) {
                /* pending anyway */
        }
        pthread_join(p->thread, NULL);
        drain_master(p);                /* the last words */
        waitqueue_remove(p->master->wq, &p->w);
        close(p->wake_fd);
        file_unref(p->master);
        free(p);
}
