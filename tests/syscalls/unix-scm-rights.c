/* SCM_RIGHTS over AF_UNIX: a passed fd is the same open file (shared
 * offset); files in flight hold their references after the sender closes
 * them; MSG_CMSG_CLOEXEC; a short control buffer drops the rest with
 * MSG_CTRUNC; bad fds are EBADF, malformed control data EINVAL; a socket
 * can be passed with data queued in it. */
#include <fcntl.h>
#include <sys/socket.h>

#include "test.h"

static int send_fds(int sock, const int *fds, int n, const char *data)
{
        char ctl[CMSG_SPACE(sizeof(int) * 8)];
        struct iovec iov = { (void *)data, strlen(data) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                             .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        memset(ctl, 0, sizeof(ctl));
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
        return (int)syscall(SYS_sendmsg, sock, &mh, 0);
}

/* Receive into buf; the fds into fds (at most max), their count returned
 * through *n. */
static long recv_fds(int sock, int *fds, int *n, size_t ctl_room, int flags, int *ret_mflags)
{
        char buf[64], ctl[256];
        struct iovec iov = { buf, sizeof(buf) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                             .msg_controllen = ctl_room };
        long r = syscall(SYS_recvmsg, sock, &mh, flags);

        *n = 0;
        if (r < 0)
                return r;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

                        memcpy(fds + *n, CMSG_DATA(c), sizeof(int) * (size_t)k);
                        *n += k;
                }
        }
        *ret_mflags = mh.msg_flags;
        return r;
}

int main(void)
{
        int sv[2], p[2], fds[8], n, mflags, inner[2];
        char buf[16];

        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
        EXPECT_OK(pipe(p));
        /* The pipe's ends travel; the originals close. */
        EXPECT_EQ(send_fds(sv[0], p, 2, "P"), 1);
        close(p[0]);
        close(p[1]);
        EXPECT_EQ(recv_fds(sv[1], fds, &n, 256, MSG_CMSG_CLOEXEC, &mflags), 1);
        EXPECT_EQ(n, 2);
        EXPECT_EQ(mflags & MSG_CTRUNC, 0);
        EXPECT_EQ(syscall(SYS_fcntl, fds[0], F_GETFD), FD_CLOEXEC);
        EXPECT_EQ(syscall(SYS_write, fds[1], "pipe", 4), 4);
        EXPECT_EQ(syscall(SYS_read, fds[0], buf, sizeof(buf)), 4);
        close(fds[0]);
        close(fds[1]);

        /* Room for one fd only: the second is dropped. */
        EXPECT_OK(pipe(p));
        EXPECT_EQ(send_fds(sv[0], p, 2, "Q"), 1);
        close(p[1]);
        EXPECT_EQ(recv_fds(sv[1], fds, &n, CMSG_LEN(sizeof(int)), 0, &mflags), 1);
        EXPECT_EQ(n, 1);
        EXPECT_EQ(mflags & MSG_CTRUNC, MSG_CTRUNC);
        EXPECT_EQ(syscall(SYS_fcntl, fds[0], F_GETFD), 0);
        /* The write end is gone for good: the pipe reads EOF. */
        EXPECT_EQ(syscall(SYS_read, fds[0], buf, sizeof(buf)), 0);
        close(fds[0]);
        close(p[0]);

        /* No control buffer at all. */
        EXPECT_OK(pipe(p));
        EXPECT_EQ(send_fds(sv[0], p, 1, "R"), 1);
        EXPECT_EQ(recv_fds(sv[1], fds, &n, 0, 0, &mflags), 1);
        EXPECT_EQ(n, 0);
        EXPECT_EQ(mflags & MSG_CTRUNC, MSG_CTRUNC);
        close(p[0]);
        close(p[1]);

        /* Errors. */
        fds[0] = 1000;
        EXPECT_ERRNO(send_fds(sv[0], fds, 1, "S"), EBADF);
        {
                char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
                struct iovec iov = { "T", 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                                     .msg_controllen = sizeof(ctl) };
                struct cmsghdr *c = (struct cmsghdr *)ctl;

                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = sizeof(ctl) + 8;          /* past the buffer */
                EXPECT_ERRNO(syscall(SYS_sendmsg, sv[0], &mh, 0), EINVAL);
                c->cmsg_len = CMSG_LEN(sizeof(int));
                c->cmsg_type = 77;                      /* no such type */
                EXPECT_ERRNO(syscall(SYS_sendmsg, sv[0], &mh, 0), EINVAL);
        }

        /* A socket with data queued in it travels, and still holds it. */
        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, inner));
        EXPECT_EQ(syscall(SYS_write, inner[0], "queued", 6), 6);
        EXPECT_EQ(send_fds(sv[0], &inner[1], 1, "U"), 1);
        close(inner[1]);
        EXPECT_EQ(recv_fds(sv[1], fds, &n, 256, 0, &mflags), 1);
        EXPECT_EQ(n, 1);
        EXPECT_EQ(syscall(SYS_read, fds[0], buf, sizeof(buf)), 6);
        CHECK(memcmp(buf, "queued", 6) == 0, "data in the passed socket");
        close(fds[0]);
        close(inner[0]);

        /* MSG_PEEK gives copies; the real receive gives them again. */
        EXPECT_OK(pipe(p));
        EXPECT_EQ(send_fds(sv[0], &p[0], 1, "V"), 1);
        close(p[0]);
        EXPECT_EQ(recv_fds(sv[1], fds, &n, 256, MSG_PEEK, &mflags), 1);
        EXPECT_EQ(n, 1);
        close(fds[0]);
        EXPECT_EQ(recv_fds(sv[1], fds, &n, 256, 0, &mflags), 1);
        EXPECT_EQ(n, 1);
        EXPECT_EQ(syscall(SYS_write, p[1], "w", 1), 1);
        EXPECT_EQ(syscall(SYS_read, fds[0], buf, sizeof(buf)), 1);
        close(fds[0]);
        close(p[1]);
        close(sv[0]);
        close(sv[1]);
        return 0;
}
