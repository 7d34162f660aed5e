/* /dev/random and /dev/urandom: device numbers, reads of any size that
 * differ, writes accepted, lseek 0. */
#include <fcntl.h>

#include "test.h"

int main(void)
{
        static const struct { const char *path; int minor; } devs[] = {
                { "/dev/random", 8 }, { "/dev/urandom", 9 },
        };

        for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
                unsigned char a[64], b[64], big[70000];
                struct stat st;
                int fd = (int)EXPECT_OK(syscall(SYS_open, devs[i].path, O_RDWR | O_CLOEXEC));

                EXPECT_OK(syscall(SYS_fstat, fd, &st));
                CHECK(S_ISCHR(st.st_mode), "%s: mode %o", devs[i].path, st.st_mode);
                EXPECT_EQ(st.st_mode & 07777, 0666);
                EXPECT_EQ(major(st.st_rdev), 1);
                EXPECT_EQ(minor(st.st_rdev), devs[i].minor);
                EXPECT_RET(syscall(SYS_read, fd, a, sizeof(a)), sizeof(a));
                EXPECT_RET(syscall(SYS_read, fd, b, sizeof(b)), sizeof(b));
                CHECK(memcmp(a, b, sizeof(a)) != 0, "%s: two reads gave the same bytes",
                      devs[i].path);
                EXPECT_RET(syscall(SYS_read, fd, big, sizeof(big)), sizeof(big));
                EXPECT_RET(syscall(SYS_read, fd, a, 0), 0);
                EXPECT_RET(syscall(SYS_write, fd, "seed", 4), 4);
                EXPECT_RET(syscall(SYS_lseek, fd, (off_t)0, SEEK_CUR), 0);
                close(fd);
        }
        return TEST_PASS;
}
