/* A mapping keeps its open file (Linux's vma->vm_file): after close(2)
 * the file is still open for writing while mapped, so execve of it is
 * ETXTBSY and IN_CLOSE_WRITE comes at munmap, not at close. */
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "test.h"

#define PAGE 4096UL

int main(void)
{
        char path[64], evbuf[256];
        char *const argv[] = { path, NULL };
        struct inotify_event *ev = (struct inotify_event *)evbuf;
        void *p;
        struct statfs sf;
        int fd, in;

        EXPECT_OK(syscall(SYS_statfs, "/dev/shm", &sf));
        if (sf.f_flags & ST_NOEXEC)
                test_skip("/dev/shm is noexec");
        snprintf(path, sizeof(path), "/dev/shm/mmap-file-holds-open.%d", getpid());
        fd = (int)EXPECT_OK(syscall(SYS_open, path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0700));
        EXPECT_OK(syscall(SYS_ftruncate, fd, (off_t)PAGE));
        in = (int)EXPECT_OK(syscall(SYS_inotify_init1, IN_NONBLOCK | IN_CLOEXEC));
        EXPECT_OK(syscall(SYS_inotify_add_watch, in, path, IN_CLOSE_WRITE));

        p = (void *)EXPECT_OK(syscall(SYS_mmap, NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
                                      fd, (off_t)0));
        close(fd);
        EXPECT_ERRNO(syscall(SYS_read, in, evbuf, sizeof(evbuf)), EAGAIN);
        EXPECT_ERRNO(syscall(SYS_execve, path, argv, NULL), ETXTBSY);

        EXPECT_OK(syscall(SYS_munmap, p, PAGE));
        EXPECT_RET(syscall(SYS_read, in, evbuf, sizeof(evbuf)), (long)sizeof(*ev));
        CHECK(ev->mask == IN_CLOSE_WRITE, "event mask %#x", ev->mask);
        /* Now only its contents (zeros) are wrong for execve. */
        EXPECT_ERRNO(syscall(SYS_execve, path, argv, NULL), ENOEXEC);

        close(in);
        EXPECT_OK(syscall(SYS_unlink, path));
        return TEST_PASS;
}
