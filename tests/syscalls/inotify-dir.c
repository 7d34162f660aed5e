/* inotify events about names in a watched directory: IN_CREATE, IN_DELETE
 * (with IN_ISDIR for directories), IN_MOVED_FROM/IN_MOVED_TO sharing a
 * cookie, IN_MOVE_SELF, IN_DELETE_SELF and IN_IGNORED when the watched
 * inode goes; IN_ONESHOT, IN_MASK_ADD and
 * IN_EXCL_UNLINK. On the overlay when sandboxed. */
#include "inotify-test.h"

int main(void)
{
        struct in_reader r = { 0 };
        int fd, wd, wd2, wdf, wdo, f;
        uint32_t c1, c2;

        in_dir_enter();
        EXPECT_OK(mkdir("a", 0755));
        EXPECT_OK(mkdir("b", 0755));
        fd = EXPECT_OK(in_init1(IN_NONBLOCK));
        r.fd = fd;
        wd = EXPECT_OK(in_add(fd, "a", IN_CREATE | IN_DELETE | IN_MOVE | IN_DELETE_SELF |
                                        IN_MOVE_SELF));
        wd2 = EXPECT_OK(in_add(fd, "b", IN_MOVE | IN_CREATE | IN_DELETE));

        f = EXPECT_OK(open("a/f", O_CREAT | O_WRONLY, 0644));
        EXPECT_OK(close(f));
        EXPECT_OK(mkdir("a/sub", 0755));
        EXPECT_OK(symlink("f", "a/ln"));
        EXPECT_OK(mknod("a/fifo", S_IFIFO | 0644, 0));
        EXPECT_EVENT(&r, wd, IN_CREATE, "f");
        EXPECT_EVENT(&r, wd, IN_CREATE | IN_ISDIR, "sub");
        EXPECT_EVENT(&r, wd, IN_CREATE, "ln");
        EXPECT_EVENT(&r, wd, IN_CREATE, "fifo");
        EXPECT_NO_EVENT(&r);

        /* A rename within a directory and across: one cookie per rename. */
        EXPECT_OK(rename("a/f", "a/g"));
        c1 = EXPECT_EVENT(&r, wd, IN_MOVED_FROM, "f");
        EXPECT_TRUE(c1 != 0);
        EXPECT_EQ(EXPECT_EVENT(&r, wd, IN_MOVED_TO, "g"), c1);
        EXPECT_OK(rename("a/sub", "b/sub"));
        c2 = EXPECT_EVENT(&r, wd, IN_MOVED_FROM | IN_ISDIR, "sub");
        EXPECT_TRUE(c2 != 0 && c2 != c1);
        EXPECT_EQ(EXPECT_EVENT(&r, wd2, IN_MOVED_TO | IN_ISDIR, "sub"), c2);
        EXPECT_NO_EVENT(&r);

        /* The watched file itself moved and replaced: IN_MOVE_SELF; the
         * file replaced loses its last link. */
        wdf = EXPECT_OK(in_add(fd, "a/g", IN_ALL_EVENTS));
        f = EXPECT_OK(open("b/victim", O_CREAT | O_WRONLY, 0644));
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wd2, IN_CREATE, "victim");
        wdo = EXPECT_OK(in_add(fd, "b/victim", IN_ALL_EVENTS));
        EXPECT_OK(rename("a/g", "b/victim"));
        c1 = EXPECT_EVENT(&r, wd, IN_MOVED_FROM, "g");
        EXPECT_EQ(EXPECT_EVENT(&r, wd2, IN_MOVED_TO, "victim"), c1);
        EXPECT_EVENT(&r, wdo, IN_ATTRIB, "");
        EXPECT_EVENT(&r, wdf, IN_MOVE_SELF, "");
        EXPECT_EVENT(&r, wdo, IN_DELETE_SELF, "");
        EXPECT_EVENT(&r, wdo, IN_IGNORED, "");
        EXPECT_NO_EVENT(&r);

        /* Unlinking the last name: IN_ATTRIB, the file goes
         * (IN_DELETE_SELF, IN_IGNORED), then the name. (Hard links:
         * inotify-watch, on tmpfs.) */
        EXPECT_OK(unlink("b/victim"));
        EXPECT_EVENT(&r, wdf, IN_ATTRIB, "");
        EXPECT_EVENT(&r, wdf, IN_DELETE_SELF, "");
        EXPECT_EVENT(&r, wdf, IN_IGNORED, "");
        EXPECT_EVENT(&r, wd2, IN_DELETE, "victim");
        EXPECT_ERRNO(in_rm(fd, wdf), EINVAL);
        EXPECT_OK(rmdir("b/sub"));
        EXPECT_EVENT(&r, wd2, IN_DELETE | IN_ISDIR, "sub");
        EXPECT_NO_EVENT(&r);

        /* IN_ONESHOT: one event, then IN_IGNORED; IN_MASK_ADD widens. */
        wdf = EXPECT_OK(in_add(fd, "a/ln", IN_ATTRIB | IN_DONT_FOLLOW));
        EXPECT_EQ(in_add(fd, "a/ln", IN_MODIFY | IN_ONESHOT | IN_MASK_ADD | IN_DONT_FOLLOW), wdf);
        /* Changing nothing is no event. */
        EXPECT_OK(fchownat(AT_FDCWD, "a/ln", -1, -1, AT_SYMLINK_NOFOLLOW));
        EXPECT_NO_EVENT(&r);
        EXPECT_OK(fchownat(AT_FDCWD, "a/ln", getuid(), -1, AT_SYMLINK_NOFOLLOW));
        EXPECT_EVENT(&r, wdf, IN_ATTRIB, "");
        EXPECT_EVENT(&r, wdf, IN_IGNORED, "");
        EXPECT_OK(fchownat(AT_FDCWD, "a/ln", getuid(), -1, AT_SYMLINK_NOFOLLOW));
        EXPECT_NO_EVENT(&r);

        /* IN_EXCL_UNLINK: no events through a file once its name is gone. */
        EXPECT_OK(in_rm(fd, wd));
        EXPECT_EVENT(&r, wd, IN_IGNORED, "");
        wd = EXPECT_OK(in_add(fd, "a", IN_MODIFY | IN_DELETE | IN_EXCL_UNLINK));
        f = EXPECT_OK(open("a/tmp", O_CREAT | O_WRONLY, 0644));
        EXPECT_RET(write(f, "x", 1), 1);
        EXPECT_EVENT(&r, wd, IN_MODIFY, "tmp");
        EXPECT_OK(unlink("a/tmp"));
        EXPECT_EVENT(&r, wd, IN_DELETE, "tmp");
        EXPECT_RET(write(f, "y", 1), 1);
        EXPECT_NO_EVENT(&r);
        EXPECT_OK(close(f));
        /* Without it they go on. */
        EXPECT_EQ(in_add(fd, "a", IN_MODIFY | IN_DELETE), wd);
        f = EXPECT_OK(open("a/tmp", O_CREAT | O_WRONLY, 0644));
        EXPECT_OK(unlink("a/tmp"));
        EXPECT_EVENT(&r, wd, IN_DELETE, "tmp");
        EXPECT_RET(write(f, "y", 1), 1);
        EXPECT_EVENT(&r, wd, IN_MODIFY, "tmp");
        EXPECT_OK(close(f));

        /* Unlinked while open: the file goes with its last close. */
        f = EXPECT_OK(open("a/open", O_CREAT | O_WRONLY, 0644));
        wdf = EXPECT_OK(in_add(fd, "a/open", IN_ATTRIB | IN_CLOSE | IN_DELETE_SELF));
        EXPECT_OK(unlink("a/open"));
        EXPECT_EVENT(&r, wdf, IN_ATTRIB, "");
        EXPECT_EVENT(&r, wd, IN_DELETE, "open");
        EXPECT_NO_EVENT(&r);
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wdf, IN_CLOSE_WRITE, "");
        EXPECT_EVENT(&r, wdf, IN_DELETE_SELF, "");
        EXPECT_EVENT(&r, wdf, IN_IGNORED, "");
        EXPECT_NO_EVENT(&r);

        /* The watched directory removed: IN_DELETE_SELF, IN_IGNORED. */
        EXPECT_OK(unlink("a/ln"));
        EXPECT_OK(unlink("a/fifo"));
        EXPECT_EVENT(&r, wd, IN_DELETE, "ln");
        EXPECT_EVENT(&r, wd, IN_DELETE, "fifo");
        EXPECT_EQ(in_add(fd, "a", IN_DELETE_SELF), wd);
        EXPECT_OK(rmdir("a"));
        EXPECT_EVENT(&r, wd, IN_DELETE_SELF, "");
        EXPECT_EVENT(&r, wd, IN_IGNORED, "");
        EXPECT_NO_EVENT(&r);
        /* Opening and closing a directory leaves its watch alone; removed
         * while open, it goes with the last close. */
        wd = EXPECT_OK(in_add(fd, "b", IN_DELETE_SELF | IN_CLOSE_NOWRITE));
        f = EXPECT_OK(open("b", O_RDONLY | O_DIRECTORY));
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wd, IN_CLOSE_NOWRITE | IN_ISDIR, "");
        f = EXPECT_OK(open("b", O_RDONLY | O_DIRECTORY));
        EXPECT_OK(rmdir("b"));
        EXPECT_NO_EVENT(&r);
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wd, IN_CLOSE_NOWRITE | IN_ISDIR, "");
        EXPECT_EVENT(&r, wd, IN_DELETE_SELF, "");
        EXPECT_EVENT(&r, wd, IN_IGNORED, "");
        EXPECT_NO_EVENT(&r);
        EXPECT_OK(close(fd));
        return 0;
}
