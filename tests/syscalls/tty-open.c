/* /dev/ptmx and devpts: a new pair is locked until TIOCSPTLCK 0, numbered
 * by TIOCGPTN, its slave is /dev/pts/N (136:N), TIOCGPTPEER opens it too,
 * and the node goes when the master closes. */
#include "tty-test.h"

int main(void)
{
        char name[32], link[64], proc[64];
        int m, s, n = -1, lock = -1, zero = 0;
        struct stat st;
        long len;

        m = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY));
        EXPECT_OK(fstat(m, &st));
        EXPECT_TRUE(S_ISCHR(st.st_mode));
        EXPECT_EQ(major(st.st_rdev), 5);
        EXPECT_EQ(minor(st.st_rdev), 2);
        EXPECT_OK(tty_ioctl(m, TIOCGPTN, (unsigned long)&n));
        CHECK(n >= 0, "pty number %d", n);
        EXPECT_OK(tty_ioctl(m, TIOCGPTLCK, (unsigned long)&lock));
        EXPECT_EQ(lock, 1);
        snprintf(name, sizeof(name), "/dev/pts/%d", n);
        EXPECT_OK(stat(name, &st));
        EXPECT_TRUE(S_ISCHR(st.st_mode));
        EXPECT_EQ(major(st.st_rdev), 136);
        EXPECT_EQ(minor(st.st_rdev), n);
        /* Locked: the slave can't be opened. */
        EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, name, O_RDWR | O_NOCTTY), EIO);
        EXPECT_ERRNO(tty_ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY), EIO);
        EXPECT_OK(tty_ioctl(m, TIOCSPTLCK, (unsigned long)&zero));
        EXPECT_OK(tty_ioctl(m, TIOCGPTLCK, (unsigned long)&lock));
        EXPECT_EQ(lock, 0);
        s = (int)EXPECT_OK(syscall(SYS_openat, AT_FDCWD, name, O_RDWR | O_NOCTTY));
        /* The slave knows no pty number; both are terminals. */
        EXPECT_ERRNO(tty_ioctl(s, TIOCGPTN, (unsigned long)&n), ENOTTY);
        struct kterm t;
        tty_get(s, &t);
        tty_get(m, &t);
        EXPECT_ERRNO(tty_ioctl(m, 0x5401 + 0x3000, 0), ENOTTY);
        /* ttyname: the slave's /proc link names its node. */
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s);
        len = EXPECT_OK(readlink(proc, link, sizeof(link) - 1));
        link[len] = '\0';
        CHECK(!strcmp(link, name), "link %s, want %s", link, name);
        /* TIOCGPTPEER: another slave fd, same node. */
        int p = (int)EXPECT_OK(tty_ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
        struct stat ps;
        EXPECT_OK(fstat(p, &ps));
        EXPECT_EQ(ps.st_rdev, st.st_rdev);
        EXPECT_EQ(fcntl(p, F_GETFD), FD_CLOEXEC);
        EXPECT_ERRNO(tty_ioctl(s, TIOCGPTPEER, O_RDWR), EIO);
        /* Data both ways. */
        tty_type(s, "x");
        char c = 0;
        EXPECT_RET(syscall(SYS_read, m, &c, 1), 1);
        EXPECT_EQ(c, 'x');
        /* The node goes with the master. */
        EXPECT_OK(close(m));
        EXPECT_ERRNO(stat(name, &st), ENOENT);
        EXPECT_OK(close(p));
        EXPECT_OK(close(s));
        return TEST_PASS;
}
