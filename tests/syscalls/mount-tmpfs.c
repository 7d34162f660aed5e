/* mount and umount2: a tmpfs instance, EBUSY while in use, a bind mount,
 * propagation flags, and the errors. Natively in a child with a mount
 * namespace of its own (root), made private first so nothing reaches the
 * host's; in the sandbox the sandbox's own namespace. */
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include "test.h"

#define TMPFS_MAGIC 0x01021994

static char dir[64] = "/tmp/mount-tmpfs-XXXXXX";
static char path[128];

static const char *in(const char *name)
{
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        return path;
}

static int child(void)
{
        struct statfs sfs;
        char a[128], b[128];
        int fd;

        /* Natively: our own namespace (the sandbox has just one; unshare
         * may be missing there, which is fine: nothing leaves it). */
        if (syscall(SYS_unshare, CLONE_NEWNS) < 0 && errno != ENOSYS)
                FAIL("unshare: %s", test_errname(errno));
        EXPECT_OK(syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));

        EXPECT_OK(syscall(SYS_mount, "none", dir, "tmpfs", 0, "size=1m,mode=0700"));
        EXPECT_OK(statfs(dir, &sfs));
        EXPECT_EQ(sfs.f_type, TMPFS_MAGIC);
        fd = open(in("f"), O_CREAT | O_RDWR, 0600);
        EXPECT_TRUE(fd >= 0);
        EXPECT_ERRNO(syscall(SYS_umount2, dir, 0), EBUSY);
        EXPECT_OK(close(fd));
        EXPECT_OK(syscall(SYS_umount2, dir, 0));
        EXPECT_ERRNO(access(in("f"), F_OK), ENOENT);    /* it went with the tmpfs */
        EXPECT_ERRNO(syscall(SYS_umount2, dir, 0), EINVAL);     /* no longer a mount point */

        /* A bind mount shows the same files. */
        snprintf(a, sizeof(a), "%s/a", dir);
        snprintf(b, sizeof(b), "%s/b", dir);
        EXPECT_OK(mkdir(a, 0755));
        EXPECT_OK(mkdir(b, 0755));
        fd = open(in("a/f"), O_CREAT | O_WRONLY, 0644);
        EXPECT_TRUE(fd >= 0);
        EXPECT_OK(close(fd));
        EXPECT_OK(syscall(SYS_mount, a, b, NULL, MS_BIND, NULL));
        EXPECT_OK(access(in("b/f"), F_OK));
        EXPECT_OK(syscall(SYS_umount2, b, MNT_DETACH));
        EXPECT_ERRNO(access(in("b/f"), F_OK), ENOENT);
        EXPECT_OK(unlink(in("a/f")));
        EXPECT_OK(rmdir(a));
        EXPECT_OK(rmdir(b));

        EXPECT_ERRNO(syscall(SYS_mount, "none", dir, "no-such-fs", 0, NULL), ENODEV);
        EXPECT_ERRNO(syscall(SYS_mount, "none", in("missing"), "tmpfs", 0, NULL), ENOENT);
        EXPECT_ERRNO(syscall(SYS_umount2, dir, 0x100), EINVAL);
        EXPECT_ERRNO(syscall(SYS_umount2, dir, MNT_EXPIRE | MNT_DETACH), EINVAL);
        EXPECT_ERRNO(syscall(SYS_mount, "none", (char *)8, "tmpfs", 0, NULL), EFAULT);
        return TEST_PASS;
}

int main(void)
{
        int status;
        pid_t pid;

        if (geteuid() != 0)
                test_skip("needs root");
        EXPECT_TRUE(mkdtemp(dir) != NULL);
        pid = fork();
        EXPECT_TRUE(pid >= 0);
        if (pid == 0)
                _exit(child());
        EXPECT_EQ(waitpid(pid, &status, 0), pid);
        rmdir(dir);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
        return TEST_PASS;
}
