/* /proc/sys/kernel/hostname reads as uname's nodename and, in a UTS
 * namespace of our own, writing it changes the nodename. The sandbox has no
 * unshare yet: the write part is skipped wherever unshare fails, so that
 * both runs print the same (nothing). */
#include <fcntl.h>
#include <sched.h>
#include <sys/utsname.h>

#include "test.h"

static void check_matches_uname(void)
{
        char buf[128];
        struct utsname u;
        int fd = (int)EXPECT_OK(syscall(SYS_open, "/proc/sys/kernel/hostname",
                                        O_RDONLY | O_CLOEXEC));
        ssize_t n = (ssize_t)EXPECT_OK(syscall(SYS_read, fd, buf, sizeof(buf) - 1));

        close(fd);
        buf[n] = '\0';
        EXPECT_OK(syscall(SYS_uname, &u));
        CHECK(n > 0 && buf[n - 1] == '\n', "no newline: \"%s\"", buf);
        buf[n - 1] = '\0';
        CHECK(strcmp(buf, u.nodename) == 0, "hostname \"%s\", nodename \"%s\"", buf,
              u.nodename);
}

int main(void)
{
        static const char name[] = "proc-sys-test\n";
        struct utsname u;
        int fd;

        check_matches_uname();
        if (syscall(SYS_unshare, CLONE_NEWUTS) != 0)
                return TEST_PASS;
        fd = (int)EXPECT_OK(syscall(SYS_open, "/proc/sys/kernel/hostname",
                                    O_WRONLY | O_TRUNC | O_CLOEXEC));
        EXPECT_RET(syscall(SYS_write, fd, name, sizeof(name) - 1), sizeof(name) - 1);
        close(fd);
        EXPECT_OK(syscall(SYS_uname, &u));
        CHECK(strcmp(u.nodename, "proc-sys-test") == 0, "nodename \"%s\"", u.nodename);
        check_matches_uname();
        return TEST_PASS;
}
