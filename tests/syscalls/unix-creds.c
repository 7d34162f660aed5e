/* Credentials on AF_UNIX: SO_PEERCRED is the peer's pid and ids (socketpair:
 * our own; connect: the listener's at listen time, and the client's for
 * the accepted end); SCM_CREDENTIALS arrive when SO_PASSCRED is on, the
 * sender's by default or the ones it sent; a stranger's pid is EPERM for
 * anyone but root. Values are checked against getpid()/getuid(), never
 * fixed numbers. */
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "test.h"

static void peercred(int fd, struct ucred *uc)
{
        socklen_t len = sizeof(*uc);

        EXPECT_OK(syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_PEERCRED, uc, &len));
        EXPECT_EQ(len, sizeof(*uc));
}

/* Receive one byte; the SCM_CREDENTIALS that came with it into *uc. */
static int recv_creds(int fd, struct ucred *uc)
{
        char buf[4], ctl[CMSG_SPACE(sizeof(*uc))];
        struct iovec iov = { buf, sizeof(buf) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                             .msg_controllen = sizeof(ctl) };
        struct cmsghdr *c;

        if (syscall(SYS_recvmsg, fd, &mh, 0) < 0)
                return -1;
        c = CMSG_FIRSTHDR(&mh);
        if (!c || c->cmsg_type != SCM_CREDENTIALS || c->cmsg_len != CMSG_LEN(sizeof(*uc)))
                return 0;
        memcpy(uc, CMSG_DATA(c), sizeof(*uc));
        return 1;
}

static long send_creds(int fd, const struct ucred *uc)
{
        char ctl[CMSG_SPACE(sizeof(*uc))];
        struct iovec iov = { "c", 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                             .msg_controllen = sizeof(ctl) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_CREDENTIALS;
        c->cmsg_len = CMSG_LEN(sizeof(*uc));
        memcpy(CMSG_DATA(c), uc, sizeof(*uc));
        return syscall(SYS_sendmsg, fd, &mh, 0);
}

int main(void)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        struct ucred uc, mine = { getpid(), getuid(), getgid() };
        int sv[2], one = 1, l, s, status, v;
        socklen_t len, vl = sizeof(v);
        pid_t pid;

        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
        peercred(sv[0], &uc);
        EXPECT_EQ(uc.pid, getpid());
        EXPECT_EQ(uc.uid, geteuid());
        EXPECT_EQ(uc.gid, getegid());

        /* No SO_PASSCRED: no credentials. */
        EXPECT_EQ(syscall(SYS_write, sv[1], "a", 1), 1);
        EXPECT_EQ(recv_creds(sv[0], &uc), 0);
        EXPECT_OK(syscall(SYS_setsockopt, sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)));
        EXPECT_OK(syscall(SYS_getsockopt, sv[0], SOL_SOCKET, SO_PASSCRED, &v, &vl));
        EXPECT_EQ(v, 1);
        EXPECT_EQ(syscall(SYS_write, sv[1], "b", 1), 1);
        memset(&uc, 0, sizeof(uc));
        EXPECT_EQ(recv_creds(sv[0], &uc), 1);
        EXPECT_EQ(uc.pid, getpid());
        EXPECT_EQ(uc.uid, getuid());
        EXPECT_EQ(uc.gid, getgid());
        /* Explicit, our own. */
        EXPECT_EQ(send_creds(sv[1], &mine), 1);
        EXPECT_EQ(recv_creds(sv[0], &uc), 1);
        EXPECT_EQ(uc.pid, getpid());
        /* Another process's pid: only root may (or init's own). */
        {
                struct ucred other = mine;

                other.pid = 1;          /* init: always there */
                if (geteuid() == 0 || getpid() == 1) {
                        EXPECT_EQ(send_creds(sv[1], &other), 1);
                        EXPECT_EQ(recv_creds(sv[0], &uc), 1);
                } else {
                        EXPECT_ERRNO(send_creds(sv[1], &other), EPERM);
                }
        }
        close(sv[0]);
        close(sv[1]);

        /* Across processes: a child connects. */
        snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "ct-cred-%d", (int)getpid());
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1));
        l = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
        EXPECT_OK(syscall(SYS_bind, l, &a, len));
        EXPECT_OK(syscall(SYS_listen, l, 1));
        pid = fork();
        if (pid == 0) {
                int c = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
                struct ucred pc;
                socklen_t pl = sizeof(pc);
                char ch;

                if (syscall(SYS_connect, c, &a, len) < 0)
                        _exit(1);
                if (syscall(SYS_getsockopt, c, SOL_SOCKET, SO_PEERCRED, &pc, &pl) < 0)
                        _exit(2);
                if (pc.pid != getppid())        /* the listener's */
                        _exit(3);
                if (syscall(SYS_read, c, &ch, 1) != 0)
                        _exit(4);
                _exit(0);
        }
        s = (int)EXPECT_OK(syscall(SYS_accept, l, NULL, NULL));
        peercred(s, &uc);
        EXPECT_EQ(uc.pid, pid);
        EXPECT_EQ(uc.uid, geteuid());
        close(s);
        EXPECT_EQ(waitpid(pid, &status, 0), pid);
        EXPECT_EQ(status, 0);
        /* Unconnected: no peer credentials. */
        peercred(l, &uc);
        EXPECT_EQ(uc.pid, getpid());            /* a listener's are its own */
        close(l);
        l = (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
        peercred(l, &uc);
        EXPECT_EQ(uc.pid, 0);
        EXPECT_EQ(uc.uid, (uid_t)-1);
        close(l);
        return 0;
}
