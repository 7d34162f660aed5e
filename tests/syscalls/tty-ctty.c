/* Controlling terminals: a session leader takes one with TIOCSCTTY, then
 * /dev/tty opens it; others may not take one; setsid leaves it behind and
 * TIOCNOTTY gives it up. */
#include "tty-test.h"

static int open_dev_tty(void)
{
        return (int)syscall(SYS_openat, AT_FDCWD, "/dev/tty", O_RDWR | O_NOCTTY);
}

static int grandchild(int s2)
{
        /* Not a session leader: no TIOCSCTTY; a new session has no /dev/tty. */
        EXPECT_ERRNO(tty_ioctl(s2, TIOCSCTTY, 0), EPERM);
        int fd = (int)EXPECT_OK(open_dev_tty());
        EXPECT_OK(close(fd));
        EXPECT_OK(syscall(SYS_setsid));
        EXPECT_ERRNO(open_dev_tty(), ENXIO);
        /* The terminal belongs to the other session. */
        EXPECT_ERRNO(tty_ioctl(s2, TIOCSCTTY, 0), EPERM);
        return 0;
}

/* /proc/self/stat's tty_nr and tpgid. */
static void stat_tty(int *ret_nr, int *ret_tpgid)
{
        char buf[512], *p;
        int fd = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/proc/self/stat", O_RDONLY));
        long n = EXPECT_OK(syscall(SYS_read, fd, buf, sizeof(buf) - 1));

        buf[n] = '\0';
        close(fd);
        p = strrchr(buf, ')');
        CHECK(p && sscanf(p, ") %*c %*d %*d %*d %d %d", ret_nr, ret_tpgid) == 2, "stat: %s", buf);
}

static int child(int m, int s, int s2, int index)
{
        struct stat a, b;
        char buf[16];
        int v = -1, fd, pid;

        EXPECT_OK(syscall(SYS_setsid));
        EXPECT_ERRNO(open_dev_tty(), ENXIO);
        EXPECT_ERRNO(tty_ioctl(s, TIOCGPGRP, (unsigned long)&v), ENOTTY);
        EXPECT_ERRNO(tty_ioctl(s, TIOCNOTTY, 0), ENOTTY);
        stat_tty(&v, &fd);
        EXPECT_EQ(v, 0);
        EXPECT_EQ(fd, -1);
        EXPECT_OK(tty_ioctl(s, TIOCSCTTY, 0));
        EXPECT_OK(tty_ioctl(s, TIOCSCTTY, 0));          /* again: nothing to do */
        stat_tty(&v, &fd);
        EXPECT_EQ(v, (136 << 8) | (index & 0xff) | ((index & ~0xff) << 12));
        EXPECT_EQ(fd, getpgrp());
        EXPECT_ERRNO(tty_ioctl(s2, TIOCSCTTY, 0), EPERM);       /* has one */
        fd = (int)EXPECT_OK(open_dev_tty());
        /* /dev/tty is 5:0 itself; what is written reaches the terminal. */
        EXPECT_OK(fstat(fd, &a));
        EXPECT_OK(fstat(s, &b));
        EXPECT_EQ(a.st_rdev, makedev(5, 0));
        EXPECT_EQ(major(b.st_rdev), 136);
        tty_type(fd, "via");
        tty_read_some(m, buf, sizeof(buf), 5000);
        CHECK(!strcmp(buf, "via"), "master read \"%s\"", buf);
        EXPECT_OK(close(fd));
        pid = (int)EXPECT_OK(fork());
        if (pid == 0)
                exit(grandchild(s));
        EXPECT_CHILD_OK(pid);
        /* TIOCNOTTY by the leader: SIGHUP to its (foreground) group. */
        signal(SIGHUP, SIG_IGN);
        EXPECT_OK(tty_ioctl(s, TIOCNOTTY, 0));
        EXPECT_ERRNO(open_dev_tty(), ENXIO);
        EXPECT_ERRNO(tty_ioctl(m, TIOCGSID, (unsigned long)&v), ENOTTY);
        /* Free again: a session leader may take it back. */
        EXPECT_OK(tty_ioctl(s, TIOCSCTTY, 0));
        return 0;
}

int main(void)
{
        int m, s, m2, s2, pid, index;

        tty_open_pair(&m, &s, &index);
        tty_open_pair(&m2, &s2, NULL);
        pid = (int)EXPECT_OK(fork());
        if (pid == 0)
                exit(child(m, s, s2, index));
        EXPECT_CHILD_OK(pid);
        return TEST_PASS;
}
