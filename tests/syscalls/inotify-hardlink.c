/* inotify and hard links: a file with a name in each of two watched
 * directories reports an event to the directory of the name it was opened
 * (or changed) by, with that name, as Linux reports by dentry; the file's
 * own watch sees every event once. Linking and unlinking a name tell both
 * its directory (IN_CREATE, IN_DELETE) and the file (IN_ATTRIB: the link
 * count). On the overlay (/tmp) and on tmpfs (/dev/shm) when sandboxed. */
#include "inotify-test.h"

static void run(const char *base)
{
        struct in_reader r = { 0 };
        int fd, wa, wb, wf, f;

        in_dir_enter_at(base);
        EXPECT_OK(mkdir("a", 0755));
        EXPECT_OK(mkdir("b", 0755));
        f = EXPECT_OK(open("a/f", O_CREAT | O_WRONLY, 0644));
        EXPECT_OK(close(f));
        fd = EXPECT_OK(in_init1(IN_NONBLOCK));
        r.fd = fd;
        wa = EXPECT_OK(in_add(fd, "a", IN_ALL_EVENTS));
        wb = EXPECT_OK(in_add(fd, "b", IN_ALL_EVENTS));
        wf = EXPECT_OK(in_add(fd, "a/f", IN_ALL_EVENTS));

        EXPECT_OK(link("a/f", "b/g"));
        EXPECT_EVENT(&r, wf, IN_ATTRIB, "");
        EXPECT_EVENT(&r, wb, IN_CREATE, "g");
        EXPECT_NO_EVENT(&r);

        /* Through b/g: b hears of "g", a hears nothing. */
        f = EXPECT_OK(open("b/g", O_RDWR));
        EXPECT_EVENT(&r, wb, IN_OPEN, "g");
        EXPECT_EVENT(&r, wf, IN_OPEN, "");
        EXPECT_RET(write(f, "x", 1), 1);
        EXPECT_EVENT(&r, wb, IN_MODIFY, "g");
        EXPECT_EVENT(&r, wf, IN_MODIFY, "");
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wb, IN_CLOSE_WRITE, "g");
        EXPECT_EVENT(&r, wf, IN_CLOSE_WRITE, "");
        EXPECT_OK(chmod("b/g", 0600));
        EXPECT_EVENT(&r, wb, IN_ATTRIB, "g");
        EXPECT_EVENT(&r, wf, IN_ATTRIB, "");
        EXPECT_NO_EVENT(&r);

        /* Through a/f: the other way round. */
        f = EXPECT_OK(open("a/f", O_RDONLY));
        EXPECT_EVENT(&r, wa, IN_OPEN, "f");
        EXPECT_EVENT(&r, wf, IN_OPEN, "");
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wa, IN_CLOSE_NOWRITE, "f");
        EXPECT_EVENT(&r, wf, IN_CLOSE_NOWRITE, "");
        EXPECT_OK(truncate("a/f", 0));
        EXPECT_EVENT(&r, wa, IN_MODIFY, "f");
        EXPECT_EVENT(&r, wf, IN_MODIFY, "");
        EXPECT_NO_EVENT(&r);

        /* One name goes: its directory and the link count. */
        EXPECT_OK(unlink("a/f"));
        EXPECT_EVENT(&r, wf, IN_ATTRIB, "");
        EXPECT_EVENT(&r, wa, IN_DELETE, "f");
        EXPECT_NO_EVENT(&r);
        f = EXPECT_OK(open("b/g", O_RDONLY));
        EXPECT_EVENT(&r, wb, IN_OPEN, "g");
        EXPECT_EVENT(&r, wf, IN_OPEN, "");
        EXPECT_OK(close(f));
        EXPECT_EVENT(&r, wb, IN_CLOSE_NOWRITE, "g");
        EXPECT_EVENT(&r, wf, IN_CLOSE_NOWRITE, "");
        EXPECT_NO_EVENT(&r);
        EXPECT_OK(close(fd));
        in_dir_remove();
}

int main(void)
{
        run("/tmp");
        run("/dev/shm");
        return TEST_PASS;
}
