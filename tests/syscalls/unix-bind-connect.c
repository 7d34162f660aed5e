/* AF_UNIX names: bind to a path (an S_IFSOCK node; EADDRINUSE when the
 * name exists), listen, connect, accept; the names each end reports;
 * ECONNREFUSED without a listener; abstract names and autobind. */
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "test.h"

static socklen_t mkaddr(struct sockaddr_un *a, const char *path)
{
        memset(a, 0, sizeof(*a));
        a->sun_family = AF_UNIX;
        strcpy(a->sun_path, path);
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t mkabstract(struct sockaddr_un *a, const char *name)
{
        memset(a, 0, sizeof(*a));
        a->sun_family = AF_UNIX;
        memcpy(a->sun_path + 1, name, strlen(name));
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

static int sock(int type)
{
        return (int)EXPECT_OK(syscall(SYS_socket, AF_UNIX, type, 0));
}

int main(void)
{
        char dir[] = "/tmp/unix-bind-XXXXXX", path[128], buf[16];
        struct sockaddr_un a, got;
        socklen_t len, glen;
        struct stat st;
        int l, c, s, c2;

        if (!mkdtemp(dir))
                test_skip("mkdtemp: %s", strerror(errno));
        snprintf(path, sizeof(path), "%s/sock", dir);
        len = mkaddr(&a, path);

        l = sock(SOCK_STREAM);
        EXPECT_ERRNO(syscall(SYS_listen, l, 5), EINVAL);        /* unbound */
        EXPECT_OK(syscall(SYS_bind, l, &a, len));
        EXPECT_OK(stat(path, &st));
        CHECK(S_ISSOCK(st.st_mode), "mode %o", st.st_mode);
        EXPECT_ERRNO(syscall(SYS_bind, l, &a, len), EADDRINUSE); /* the node first */
        {
                struct sockaddr_un a2;
                char path2[160];

                snprintf(path2, sizeof(path2), "%s/other", dir);
                EXPECT_ERRNO(syscall(SYS_bind, l, &a2, mkaddr(&a2, path2)), EINVAL);
                EXPECT_ERRNO(stat(path2, &st), ENOENT);    /* made, then removed */
        }
        glen = sizeof(got);
        EXPECT_OK(syscall(SYS_getsockname, l, &got, &glen));
        EXPECT_EQ(glen, len);
        CHECK(strcmp(got.sun_path, path) == 0, "name %s", got.sun_path);
        EXPECT_ERRNO(open(path, O_RDWR), ENXIO);

        /* Bound but not listening: refused. */
        c = sock(SOCK_STREAM);
        EXPECT_ERRNO(syscall(SYS_connect, c, &a, len), ECONNREFUSED);
        EXPECT_OK(syscall(SYS_listen, l, 5));

        /* The name is taken, by the node. */
        s = sock(SOCK_STREAM);
        EXPECT_ERRNO(syscall(SYS_bind, s, &a, len), EADDRINUSE);
        close(s);
        /* A datagram socket cannot connect to a stream listener. */
        s = sock(SOCK_DGRAM);
        EXPECT_ERRNO(syscall(SYS_connect, s, &a, len), EPROTOTYPE);
        close(s);

        EXPECT_OK(syscall(SYS_connect, c, &a, len));
        EXPECT_ERRNO(syscall(SYS_connect, c, &a, len), EISCONN);
        glen = sizeof(got);
        EXPECT_OK(syscall(SYS_getpeername, c, &got, &glen));
        EXPECT_EQ(glen, len);
        glen = sizeof(got);
        memset(&got, 0x55, sizeof(got));
        s = (int)EXPECT_OK(syscall(SYS_accept4, l, &got, &glen, SOCK_CLOEXEC));
        EXPECT_EQ(glen, offsetof(struct sockaddr_un, sun_path));        /* unbound client */
        EXPECT_EQ(got.sun_family, AF_UNIX);
        EXPECT_EQ(syscall(SYS_fcntl, s, F_GETFD), FD_CLOEXEC);
        glen = sizeof(got);
        EXPECT_OK(syscall(SYS_getsockname, s, &got, &glen));
        CHECK(glen == len && strcmp(got.sun_path, path) == 0, "accepted name");
        EXPECT_EQ(syscall(SYS_write, c, "ping", 4), 4);
        EXPECT_EQ(syscall(SYS_read, s, buf, sizeof(buf)), 4);
        EXPECT_EQ(syscall(SYS_write, s, "pong", 4), 4);
        EXPECT_EQ(syscall(SYS_read, c, buf, sizeof(buf)), 4);
        CHECK(memcmp(buf, "pong", 4) == 0, "reply");
        close(s);
        close(c);

        /* The node outlives the socket; unlinked, connecting is ENOENT. */
        close(l);
        c = sock(SOCK_STREAM);
        EXPECT_ERRNO(syscall(SYS_connect, c, &a, len), ECONNREFUSED);
        EXPECT_OK(unlink(path));
        EXPECT_ERRNO(syscall(SYS_connect, c, &a, len), ENOENT);
        close(c);

        /* Abstract names: no node, exact lengths, EADDRINUSE. */
        snprintf(buf, sizeof(buf), "ct-%d", (int)getpid());
        len = mkabstract(&a, buf);
        l = sock(SOCK_SEQPACKET);
        EXPECT_OK(syscall(SYS_bind, l, &a, len));
        s = sock(SOCK_SEQPACKET);
        EXPECT_ERRNO(syscall(SYS_bind, s, &a, len), EADDRINUSE);
        close(s);
        EXPECT_OK(syscall(SYS_listen, l, 1));
        glen = sizeof(got);
        EXPECT_OK(syscall(SYS_getsockname, l, &got, &glen));
        EXPECT_EQ(glen, len);
        CHECK(memcmp(&got, &a, len) == 0, "abstract name");
        c = sock(SOCK_SEQPACKET);
        EXPECT_ERRNO(syscall(SYS_connect, c, &a, len - 1), ECONNREFUSED);      /* a prefix is another name */
        EXPECT_OK(syscall(SYS_connect, c, &a, len));
        s = (int)EXPECT_OK(syscall(SYS_accept, l, NULL, NULL));
        EXPECT_EQ(syscall(SYS_write, c, "abc", 3), 3);
        EXPECT_EQ(syscall(SYS_read, s, buf, sizeof(buf)), 3);
        close(s);
        close(c);
        close(l);
        /* Released: the name is free again. */
        l = sock(SOCK_DGRAM);
        EXPECT_OK(syscall(SYS_bind, l, &a, len));

        /* Autobind: an abstract name of five hex digits. */
        c2 = sock(SOCK_DGRAM);
        EXPECT_OK(syscall(SYS_bind, c2, &a, offsetof(struct sockaddr_un, sun_path)));
        glen = sizeof(got);
        EXPECT_OK(syscall(SYS_getsockname, c2, &got, &glen));
        EXPECT_EQ(glen, offsetof(struct sockaddr_un, sun_path) + 6);
        EXPECT_EQ(got.sun_path[0], 0);
        /* A datagram to the bound socket carries the sender's name. */
        EXPECT_EQ(syscall(SYS_sendto, c2, "d", 1, 0, &a, len), 1);
        glen = sizeof(a);
        {
                struct sockaddr_un from;
                socklen_t flen = sizeof(from);

                EXPECT_EQ(syscall(SYS_recvfrom, l, buf, sizeof(buf), 0, &from, &flen), 1);
                EXPECT_EQ(flen, offsetof(struct sockaddr_un, sun_path) + 6);
                CHECK(memcmp(&from, &got, flen) == 0, "sender name");
        }
        close(c2);
        close(l);
        rmdir(dir);
        return 0;
}
