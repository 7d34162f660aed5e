/* inotify_init1, inotify_add_watch and inotify_rm_watch: flags, Linux's
 * errnos in its order, watch descriptors (one per inode, allocated
 * cyclically from 1), IN_MASK_CREATE, IN_ONLYDIR, IN_DONT_FOLLOW, and
 * IN_IGNORED on removal. In /dev/shm: hard links must share an inode. */
#include "inotify-test.h"

int main(void)
{
        struct in_reader r = { 0 };
        int fd, fd2, pfd[2], wd1, wd2, wd3, wdl;

        /* tmpfs: the overlay gives each name of a hard link an inode of its own. */
        in_dir_enter_at("/dev/shm");
        fd = EXPECT_OK(open("f", O_CREAT | O_WRONLY, 0644));
        EXPECT_OK(close(fd));
        EXPECT_OK(link("f", "hard"));
        EXPECT_OK(symlink("f", "sym"));
        EXPECT_OK(mkdir("d", 0755));

        EXPECT_ERRNO(in_init1(0x1), EINVAL);
        EXPECT_ERRNO(in_init1(O_RDWR | IN_NONBLOCK), EINVAL);
        fd = EXPECT_OK(in_init1(IN_NONBLOCK | IN_CLOEXEC));
        EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
        EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY | O_NONBLOCK);
        r.fd = fd;
        EXPECT_NO_EVENT(&r);
        fd2 = EXPECT_OK((int)syscall(SYS_inotify_init));
        EXPECT_OK(close(fd2));

        /* The mask first, then the fd, then the flags, then the file. */
        EXPECT_ERRNO(in_add(fd, "f", 0), EINVAL);
        EXPECT_ERRNO(in_add(-1, "f", 0x100000), EINVAL);        /* not an inotify bit */
        EXPECT_ERRNO(in_add(-1, "f", IN_MODIFY), EBADF);
        EXPECT_ERRNO(in_add(fd, "f", IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
        EXPECT_OK(pipe(pfd));
        EXPECT_ERRNO(in_add(pfd[0], "f", IN_MODIFY), EINVAL);
        EXPECT_ERRNO(in_add(pfd[0], "nonexistent", IN_MODIFY), EINVAL);
        EXPECT_ERRNO(in_add(fd, "nonexistent", IN_MODIFY), ENOENT);
        EXPECT_ERRNO(in_add(fd, "", IN_MODIFY), ENOENT);
        EXPECT_ERRNO(in_add(fd, KERNEL_ADDR, IN_MODIFY), EFAULT);
        EXPECT_ERRNO(in_add(fd, "f/x", IN_MODIFY), ENOTDIR);
        EXPECT_ERRNO(in_add(fd, "f", IN_MODIFY | IN_ONLYDIR), ENOTDIR);
        EXPECT_ERRNO(in_add(fd, "sym", IN_MODIFY | IN_ONLYDIR), ENOTDIR);

        /* One wd per inode: a hard link or a followed symlink finds it. */
        wd1 = EXPECT_OK(in_add(fd, "f", IN_MODIFY));
        EXPECT_EQ(wd1, 1);
        EXPECT_EQ(in_add(fd, "hard", IN_ATTRIB), wd1);
        EXPECT_EQ(in_add(fd, "sym", IN_ATTRIB | IN_MASK_ADD), wd1);
        EXPECT_ERRNO(in_add(fd, "hard", IN_ATTRIB | IN_MASK_CREATE), EEXIST);
        /* IN_DONT_FOLLOW watches the link itself. */
        wdl = EXPECT_OK(in_add(fd, "sym", IN_ATTRIB | IN_DONT_FOLLOW));
        EXPECT_EQ(wdl, 2);
        wd2 = EXPECT_OK(in_add(fd, "d", IN_CREATE | IN_ONLYDIR | IN_MASK_CREATE));
        EXPECT_EQ(wd2, 3);
        /* A mask of flags only is accepted. */
        EXPECT_EQ(in_add(fd, "d", IN_ONLYDIR), wd2);
        EXPECT_NO_EVENT(&r);

        /* rm_watch: the fd, then the wd; IN_IGNORED once. */
        EXPECT_ERRNO(in_rm(-1, wd1), EBADF);
        EXPECT_ERRNO(in_rm(pfd[0], wd1), EINVAL);
        EXPECT_ERRNO(in_rm(fd, 0), EINVAL);
        EXPECT_ERRNO(in_rm(fd, 99), EINVAL);
        EXPECT_ERRNO(in_rm(fd, -1), EINVAL);
        EXPECT_OK(in_rm(fd, wd1));
        EXPECT_ERRNO(in_rm(fd, wd1), EINVAL);
        EXPECT_EVENT(&r, wd1, IN_IGNORED, "");
        EXPECT_NO_EVENT(&r);
        /* Watch descriptors are not reused at once. */
        wd3 = EXPECT_OK(in_add(fd, "f", IN_MODIFY));
        EXPECT_EQ(wd3, 4);
        EXPECT_OK(in_rm(fd, wdl));
        EXPECT_OK(in_rm(fd, wd2));
        EXPECT_EVENT(&r, wdl, IN_IGNORED, "");
        EXPECT_EVENT(&r, wd2, IN_IGNORED, "");
        EXPECT_NO_EVENT(&r);
        /* A new link: IN_ATTRIB on the file, IN_CREATE in the directory;
         * unlinking one of two names: IN_ATTRIB only; the last one: the
         * file goes (IN_DELETE_SELF, IN_IGNORED), then the name. */
        wd2 = EXPECT_OK(in_add(fd, ".", IN_CREATE | IN_DELETE));
        EXPECT_EQ(in_add(fd, "f", IN_ATTRIB | IN_DELETE_SELF), wd3);
        EXPECT_OK(link("f", "again"));
        EXPECT_EVENT(&r, wd3, IN_ATTRIB, "");
        EXPECT_EVENT(&r, wd2, IN_CREATE, "again");
        EXPECT_OK(unlink("hard"));
        EXPECT_EVENT(&r, wd3, IN_ATTRIB, "");
        EXPECT_EVENT(&r, wd2, IN_DELETE, "hard");
        EXPECT_OK(unlink("f"));
        EXPECT_OK(unlink("again"));
        EXPECT_EVENT(&r, wd3, IN_ATTRIB, "");
        EXPECT_EVENT(&r, wd2, IN_DELETE, "f");
        EXPECT_EVENT(&r, wd3, IN_ATTRIB, "");
        EXPECT_EVENT(&r, wd3, IN_DELETE_SELF, "");
        EXPECT_EVENT(&r, wd3, IN_IGNORED, "");
        EXPECT_EVENT(&r, wd2, IN_DELETE, "again");
        EXPECT_NO_EVENT(&r);
        fd2 = EXPECT_OK(open("f", O_CREAT | O_WRONLY, 0644));
        EXPECT_OK(close(fd2));
        EXPECT_EVENT(&r, wd2, IN_CREATE, "f");

        /* Another instance has its own numbers. */
        fd2 = EXPECT_OK(in_init1(0));
        EXPECT_EQ(in_add(fd2, "f", IN_MODIFY), 1);
        EXPECT_OK(close(fd2));
        EXPECT_OK(close(fd));
        return 0;
}
