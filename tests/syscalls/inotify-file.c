/* inotify events about a file, seen by a watch on the file and one on its
 * directory (with the name): IN_OPEN, IN_ACCESS, IN_MODIFY, IN_ATTRIB,
 * IN_CLOSE_WRITE/NOWRITE, identical consecutive events coalesced, names
 * padded with NULs to a multiple of 16, FIONREAD, and a read buffer too
 * small for the next event (EINVAL). On the overlay when sandboxed. */
#include "inotify-test.h"

int main(void)
{
        struct in_reader r = { 0 };
        char buf[64], small[sizeof(struct inotify_event) + 4];
        int fd, wdd, wdf, f, n;
        struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };

        in_dir_enter();
        f = EXPECT_OK(open("file", O_CREAT | O_WRONLY, 0644));
        EXPECT_OK(close(f));
        fd = EXPECT_OK(in_init1(IN_NONBLOCK));
        r.fd = fd;
        wdd = EXPECT_OK(in_add(fd, ".", IN_ALL_EVENTS));
        wdf = EXPECT_OK(in_add(fd, "file", IN_ALL_EVENTS));

        /* The directory's watch first, then the file's own. */
        f = EXPECT_OK(open("file", O_RDWR));
        EXPECT_EVENT(&r, wdd, IN_OPEN, "file");
        EXPECT_EVENT(&r, wdf, IN_OPEN, "");
        EXPECT_RET(write(f, "hello", 5), 5);
        EXPECT_RET(write(f, "world", 5), 5);
        /* Not coalesced: the last event queued is the other watch's. */
        EXPECT_EVENT(&r, wdd, IN_MODIFY, "file");
        EXPECT_EVENT(&r, wdf, IN_MODIFY, "");
        EXPECT_EVENT(&r, wdd, IN_MODIFY, "file");
        EXPECT_EVENT(&r, wdf, IN_MODIFY, "");
        EXPECT_NO_EVENT(&r);
        EXPECT_RET(pread(f, buf, sizeof(buf), 0), 10);
        EXPECT_RET(pread(f, buf, sizeof(buf), 10), 0); /* nothing read: no event */
        EXPECT_EVENT(&r, wdd, IN_ACCESS, "file");
        EXPECT_EVENT(&r, wdf, IN_ACCESS, "");
        EXPECT_OK(fchmod(f, 0600));
        EXPECT_EVENT(&r, wdd, IN_ATTRIB, "file");
        EXPECT_EVENT(&r, wdf, IN_ATTRIB, "");
        EXPECT_OK(ftruncate(f, 2));
        EXPECT_EVENT(&r, wdd, IN_MODIFY, "file");
        EXPECT_EVENT(&r, wdf, IN_MODIFY, "");
        EXPECT_OK(utimensat(AT_FDCWD, "file", ts, 0));
        EXPECT_EVENT(&r, wdd, IN_ATTRIB, "file");
        EXPECT_EVENT(&r, wdf, IN_ATTRIB, "");
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wdd, IN_CLOSE_WRITE, "file");
        EXPECT_EVENT(&r, wdf, IN_CLOSE_WRITE, "");
        EXPECT_NO_EVENT(&r);

        /* O_TRUNC: the open, then a modification. */
        f = EXPECT_OK(open("file", O_WRONLY | O_TRUNC));
        EXPECT_EVENT(&r, wdd, IN_OPEN, "file");
        EXPECT_EVENT(&r, wdf, IN_OPEN, "");
        EXPECT_EVENT(&r, wdd, IN_MODIFY, "file");
        EXPECT_EVENT(&r, wdf, IN_MODIFY, "");
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wdd, IN_CLOSE_WRITE, "file");
        EXPECT_EVENT(&r, wdf, IN_CLOSE_WRITE, "");

        /* A read-only open closes without writing; O_PATH is silent. */
        f = EXPECT_OK(open("file", O_RDONLY));
        EXPECT_OK(close(f));
        f = EXPECT_OK(open("file", O_PATH));
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wdd, IN_OPEN, "file");
        EXPECT_EVENT(&r, wdf, IN_OPEN, "");
        EXPECT_EVENT(&r, wdd, IN_CLOSE_NOWRITE, "file");
        EXPECT_EVENT(&r, wdf, IN_CLOSE_NOWRITE, "");
        EXPECT_NO_EVENT(&r);

        /* A directory's own events carry IN_ISDIR; listing it is IN_ACCESS. */
        f = EXPECT_OK(open(".", O_RDONLY | O_DIRECTORY));
        EXPECT_EVENT(&r, wdd, IN_OPEN | IN_ISDIR, "");
        EXPECT_TRUE(syscall(SYS_getdents64, f, buf, sizeof(buf)) > 0);
        EXPECT_EVENT(&r, wdd, IN_ACCESS | IN_ISDIR, "");
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wdd, IN_CLOSE_NOWRITE | IN_ISDIR, "");

        /* FIONREAD counts whole events, names padded: 32 + 16. A read too
         * small for the next event is EINVAL and consumes nothing; one with
         * room for one event returns just that one. */
        f = EXPECT_OK(open("file", O_RDONLY));
        EXPECT_OK(ioctl(fd, FIONREAD, &n));
        EXPECT_EQ(n, 32 + 16);
        EXPECT_ERRNO(read(fd, small, sizeof(small)), EINVAL);   /* "file" needs 32 */
        EXPECT_RET(read(fd, buf, 32 + 15), 32);
        EXPECT_EQ(((struct inotify_event *)buf)->wd, wdd);
        EXPECT_EQ(((struct inotify_event *)buf)->len, 16);
        EXPECT_TRUE(strcmp(((struct inotify_event *)buf)->name, "file") == 0);
        EXPECT_OK(ioctl(fd, FIONREAD, &n));
        EXPECT_EQ(n, 16);
        EXPECT_ERRNO(read(fd, small, sizeof(struct inotify_event) - 1), EINVAL);
        EXPECT_RET(read(fd, small, sizeof(small)), 16);
        EXPECT_EQ(((struct inotify_event *)small)->wd, wdf);
        EXPECT_EQ(((struct inotify_event *)small)->mask, IN_OPEN);
        EXPECT_EQ(((struct inotify_event *)small)->len, 0);
        EXPECT_OK(ioctl(fd, FIONREAD, &n));
        EXPECT_EQ(n, 0);
        EXPECT_OK(close(f));
        /* A 16-byte name takes 32 bytes with its NUL. */
        f = EXPECT_OK(open("name-of-16-bytes", O_CREAT | O_RDONLY, 0644));
        EXPECT_OK(ioctl(fd, FIONREAD, &n));
        EXPECT_EQ(n, 32 + 16 + 48 + 48);        /* CLOSE(file) twice, CREATE, OPEN */
        EXPECT_EVENT(&r, wdd, IN_CLOSE_NOWRITE, "file");
        EXPECT_EVENT(&r, wdf, IN_CLOSE_NOWRITE, "");
        EXPECT_EVENT(&r, wdd, IN_CREATE, "name-of-16-bytes");
        EXPECT_EVENT(&r, wdd, IN_OPEN, "name-of-16-bytes");
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wdd, IN_CLOSE_NOWRITE, "name-of-16-bytes");
        EXPECT_NO_EVENT(&r);

        /* With one watch, identical consecutive events coalesce, unread or
         * not; a different one in between separates them. */
        EXPECT_OK(in_rm(fd, wdf));
        EXPECT_EVENT(&r, wdf, IN_IGNORED, "");
        f = EXPECT_OK(open("file", O_WRONLY | O_APPEND));
        EXPECT_EVENT(&r, wdd, IN_OPEN, "file");
        EXPECT_RET(write(f, "a", 1), 1);
        EXPECT_RET(write(f, "b", 1), 1);
        EXPECT_RET(write(f, "c", 1), 1);
        EXPECT_OK(fchmod(f, 0644));
        EXPECT_RET(write(f, "d", 1), 1);
        EXPECT_EVENT(&r, wdd, IN_MODIFY, "file");
        EXPECT_EVENT(&r, wdd, IN_ATTRIB, "file");
        EXPECT_EVENT(&r, wdd, IN_MODIFY, "file");
        EXPECT_NO_EVENT(&r);
        EXPECT_RET(write(f, "e", 1), 1);
        EXPECT_EVENT(&r, wdd, IN_MODIFY, "file");
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wdd, IN_CLOSE_WRITE, "file");
        EXPECT_NO_EVENT(&r);
        EXPECT_OK(close(fd));
        return 0;
}
