/*
 * `conternel compat [--platform=NAME] [--overlay=none] [--test] -- CMD [ARGS...]`: the
 * compatibility harness. CMD runs natively and sandboxed with the same
 * standard input; exit status, standard output and standard error are
 * compared and every difference is shown as a unified diff.
 *
 * --test is the tests/syscalls runner: the native run must pass (exit 0; 77
 * means skip and is passed on) before the sandboxed one is compared with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"
#include "platform/platform.h"
#include "runtime.h"

#define EXIT_SKIP 77

struct run {
        const char *label;
        int out, err, log;      /* memfds holding what the run wrote */
        int status;             /* wait status */
};

static int memfd(const char *name)
{
        return memfd_create(name, MFD_CLOEXEC);
}

/* Run argv with stdin from in (rewound), stdout/stderr into r's memfds. */
static int run_child(struct run *r, int in, char **argv)
{
        pid_t pid;

        if (lseek(in, 0, SEEK_SET) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (dup2(in, 0) < 0 || dup2(r->out, 1) < 0 || dup2(r->err, 2) < 0)
                        _exit(125);
                execvp(argv[0], argv);
                fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
                _exit(errno == ENOENT ? 127 : 126);
        }
        while (waitpid(pid, &r->status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

/* Copy what a run wrote to fd (from its start) to our stdout. */
static void dump_fd(int fd)
{
        char buf[4096];
        ssize_t n;

        fflush(stdout);
        if (lseek(fd, 0, SEEK_SET) < 0)
                return;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                if (write(1, buf, (size_t)n) != n)
                        return;
}

static char *status_text(int status)
{
        char *s = NULL;

        if (WIFSIGNALED(status))
                (void)!asprintf(&s, "killed by signal %d (%s)\n", WTERMSIG(status),
                                strsignal(WTERMSIG(status)));
        else
                (void)!asprintf(&s, "exit status %d\n", WEXITSTATUS(status));
        return s;
}

static bool fds_equal(int a, int b)
{
        struct stat sa, sb;
        void *pa, *pb;
        bool eq;

        if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0 || sa.st_size != sb.st_size)
                return false;
        if (sa.st_size == 0)
                return true;
        pa = mmap(NULL, (size_t)sa.st_size, PROT_READ, MAP_PRIVATE, a, 0);
        pb = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, b, 0);
        eq = pa != MAP_FAILED && pb != MAP_FAILED && memcmp(pa, pb, (size_t)sa.st_size) == 0;
        if (pa != MAP_FAILED)
                munmap(pa, (size_t)sa.st_size);
        if (pb != MAP_FAILED)
                munmap(pb, (size_t)sb.st_size);
        return eq;
}

/* Show the difference between two memfds with diff(1) -u. */
static void show_diff(const char *what, int a, int b)
{
        char pa[64], pb[64], la[64], lb[64];
        pid_t pid;

        snprintf(pa, sizeof(pa), "/proc/self/fd/%d", a);
        snprintf(pb, sizeof(pb), "/proc/self/fd/%d", b);
        snprintf(la, sizeof(la), "native %s", what);
        snprintf(lb, sizeof(lb), "sandboxed %s", what);
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
                /* Keep the memfds open across exec: clear close-on-exec. */
                fcntl(a, F_SETFD, 0);
                fcntl(b, F_SETFD, 0);
                dup2(1, 2);
                execlp("diff", "diff", "-u", "--label", la, "--label", lb, pa, pb, (char *)NULL);
                _exit(127);
        }
        if (pid > 0)
                waitpid(pid, NULL, 0);
}

static void compat_usage(FILE *f)
{
        fprintf(f,
                "Usage: conternel compat [--platform=NAME] [--test] [--] CMD [ARGS...]\n"
                "\n"
                "Run CMD natively and in a sandbox with the same standard input and\n"
                "compare exit status, standard output and standard error. Differences are\n"
                "printed as a unified diff; the exit status is 0 when both runs agree.\n"
                "\n"
                "  --platform=NAME  the sandbox's platform (default " PLATFORM_DEFAULT ")\n"
                "  --overlay=none   passed to `do`: the host's files, written through\n"
                "  --test           CMD is a test: the native run must exit 0 (77: skip)\n");
}

int cmd_compat(int argc, char **argv)
{
        static const struct option options[] = {
                { "platform", required_argument, NULL, 'p' },
                { "test", no_argument, NULL, 't' },
                { "overlay", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *platform = PLATFORM_DEFAULT;
        struct run native = { .label = "native" }, boxed = { .label = "sandboxed" };
        _cleanup_close_ int in = -1;
        _cleanup_free_ char **sargv = NULL;
        _cleanup_free_ char *platform_opt = NULL, *log_opt = NULL;
        bool test = false, same = true, overlay_none = false;
        char **cmd;
        int c, r, ncmd;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
                switch (c) {
                case 'p':
                        if (!platform_lookup(optarg)) {
                                fprintf(stderr, "conternel: unknown platform '%s'\n", optarg);
                                return 2;
                        }
                        platform = optarg;
                        break;
                case 't':
                        test = true;
                        break;
                case 'o':
                        if (strcmp(optarg, "none") != 0) {
                                fprintf(stderr, "conternel: --overlay=none is the only choice\n");
                                return 2;
                        }
                        overlay_none = true;
                        break;
                case 'h':
                        compat_usage(stdout);
                        return 0;
                default:
                        compat_usage(stderr);
                        return 2;
                }
        }
        if (optind >= argc) {
                compat_usage(stderr);
                return 2;
        }
        cmd = argv + optind;
        ncmd = argc - optind;

        /* Both runs read the same bytes: keep a copy of our stdin, unless it
         * is a terminal (then both get an empty one). */
        in = memfd("stdin");
        if (in < 0)
                return 125;
        if (!isatty(0)) {
                char buf[65536];
                ssize_t n;

                while ((n = read(0, buf, sizeof(buf))) > 0)
                        if (write(in, buf, (size_t)n) != n)
                                return 125;
        }
        native.out = memfd("native-out");
        native.err = memfd("native-err");
        boxed.out = memfd("sandbox-out");
        boxed.err = memfd("sandbox-err");
        boxed.log = memfd("sandbox-log");
        if (native.out < 0 || native.err < 0 || boxed.out < 0 || boxed.err < 0 || boxed.log < 0)
                return 125;

        r = run_child(&native, in, cmd);
        if (r < 0) {
                fprintf(stderr, "conternel compat: native run: %s\n", strerror(-r));
                return 125;
        }
        if (test && WIFEXITED(native.status) && WEXITSTATUS(native.status) == EXIT_SKIP)
                return EXIT_SKIP;
        if (test && !(WIFEXITED(native.status) && WEXITSTATUS(native.status) == 0)) {
                _cleanup_free_ char *s = status_text(native.status);
                printf("native run failed (a wrong test): %s", s);
                dump_fd(native.err);
                return 1;
        }

        /* The sandboxed run: ourselves, `do`, with our logs kept apart so
         * they don't count as the program's stderr. */
        sargv = calloc((size_t)ncmd + 7, sizeof(*sargv));
        if (!sargv || asprintf(&platform_opt, "--platform=%s", platform) < 0 ||
            asprintf(&log_opt, "--log=/proc/self/fd/%d", boxed.log) < 0)
                return 125;
        fcntl(boxed.log, F_SETFD, 0);
        sargv[0] = (char *)"/proc/self/exe";
        sargv[1] = (char *)"do";
        sargv[2] = platform_opt;
        sargv[3] = log_opt;
        int na = 4;

        if (overlay_none)
                sargv[na++] = (char *)"--overlay=none";
        sargv[na++] = (char *)"--";
        memcpy(sargv + na, cmd, sizeof(*cmd) * (size_t)ncmd);
        r = run_child(&boxed, in, sargv);
        if (r < 0) {
                fprintf(stderr, "conternel compat: sandboxed run: %s\n", strerror(-r));
                return 125;
        }

        if (native.status != boxed.status) {
                _cleanup_free_ char *a = status_text(native.status), *b = status_text(boxed.status);
                printf("--- native status\n+++ sandboxed status\n-%s+%s", a, b);
                same = false;
        }
        if (!fds_equal(native.out, boxed.out)) {
                show_diff("stdout", native.out, boxed.out);
                same = false;
        }
        if (!fds_equal(native.err, boxed.err)) {
                show_diff("stderr", native.err, boxed.err);
                same = false;
        }
        if (!same) {
                struct stat st;

                if (fstat(boxed.log, &st) == 0 && st.st_size > 0) {
                        printf("conternel's log of the sandboxed run:\n");
                        dump_fd(boxed.log);
                }
                return 1;
        }
        return 0;
}
