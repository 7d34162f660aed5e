/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX record locks across execve: they belong to the process, so they
 * survive an exec, except that close-on-exec closes descriptors, and
 * closing any descriptor of a file drops every POSIX lock the process
 * holds on it (Linux's do_close_on_exec() -> filp_close() ->
 * locks_remove_posix()), even one taken through a descriptor that stays
 * open. The program execs itself twice: once with no close-on-exec
 * descriptor of the file (a child still sees the lock, with our pid), then
 * with one (the lock is gone, the other descriptor still open).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "test.h"

/* What a child sees when it asks for a write lock on [0, 10). */
static struct flock child_getlk(const char *path)
{
        struct flock *seen = mmap(NULL, sizeof(*seen), PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        struct flock l;
        int status;
        pid_t pid;

        CHECK(seen != MAP_FAILED, "mmap: %s", test_errname(errno));
        pid = fork();
        CHECK(pid >= 0, "fork: %s", test_errname(errno));
        if (pid == 0) {
                struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };
                int fd = open(path, O_RDWR);

                if (fd < 0 || fcntl(fd, F_GETLK, &q) < 0)
                        _exit(1);
                *seen = q;
                _exit(0);
        }
        EXPECT_RET(waitpid(pid, &status, 0), pid);
        EXPECT_EQ(status, 0);
        l = *seen;
        munmap(seen, sizeof(*seen));
        return l;
}

static void reexec(char *self, const char *phase, const char *path, int fd)
{
        char fdbuf[16];
        char *argv[] = { self, (char *)phase, (char *)path, fdbuf, NULL };

        snprintf(fdbuf, sizeof(fdbuf), "%d", fd);
        execv("/proc/self/exe", argv);
        execv(self, argv);
        FAIL("execv: %s", test_errname(errno));
}

int main(int argc, char **argv)
{
        struct flock l;
        int fd;

        if (argc == 1) {
                char path[] = "/tmp/fcntl-locks-exec-XXXXXX";
                struct flock w = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };

                fd = mkstemp(path);
                CHECK(fd >= 0, "mkstemp: %s", test_errname(errno));
                EXPECT_OK(fcntl(fd, F_SETLK, &w));
                reexec(argv[0], "kept", path, fd);
        }
        CHECK(argc == 4, "argc %d", argc);
        fd = atoi(argv[3]);
        EXPECT_OK(fcntl(fd, F_GETFD));
        l = child_getlk(argv[2]);
        if (strcmp(argv[1], "kept") == 0) {
                /* No descriptor was closed: the lock is still ours. */
                CHECK(l.l_type == F_WRLCK && l.l_pid == getpid() && l.l_start == 0 &&
                      l.l_len == 10, "after exec: type %d pid %d (we are %d) [%ld, +%ld)",
                      l.l_type, l.l_pid, getpid(), (long)l.l_start, (long)l.l_len);
                int ce = open(argv[2], O_RDONLY | O_CLOEXEC);

                CHECK(ce >= 0, "open: %s", test_errname(errno));
                reexec(argv[0], "dropped", argv[2], fd);
        }
        /* The close-on-exec descriptor was closed: every lock on the file
         * went with it, though fd stayed open. */
        CHECK(l.l_type == F_UNLCK, "after close-on-exec: type %d pid %d", l.l_type, l.l_pid);
        unlink(argv[2]);
        return TEST_PASS;
}
