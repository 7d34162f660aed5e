/* A real gofer for the gofer unit tests: a child process serving a fresh
 * temporary tree over a socketpair. Header-only, for test-gofer-*.c. */
#ifndef CONTERNEL_TESTS_GOFER_FIXTURE_H
#define CONTERNEL_TESTS_GOFER_FIXTURE_H

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gofer/client.h"
#include "gofer/server.h"

/* Sanitizer runtimes (LeakSanitizer's exit-time thread, reports) make calls
 * the gofer's seccomp filter kills. */
#if defined(__SANITIZE_ADDRESS__)
#define FIXTURE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIXTURE_SANITIZED 1
#endif
#endif
#ifndef FIXTURE_SANITIZED
#define FIXTURE_SANITIZED 0
#endif

struct gofer_fixture {
        char base[64];                  /* /tmp/gofer-test-XXXXXX: holds root/ and secret */
        char root[96];                  /* what the gofer serves */
        pid_t pid;
        int sock;                       /* raw fixtures: our end; else -1 (the client owns it) */
        struct gofer_client *client;
        uint32_t rootnode;
};

enum {
        FIXTURE_RAW = 1 << 0,           /* no client: talk bytes over fx->sock */
        FIXTURE_RO = 1 << 1,            /* --ro */
        FIXTURE_CONFINE = 1 << 2,       /* gofer_confine() in the child */
        FIXTURE_EXEC = 1 << 3,          /* exec `$CONTERNEL gofer --root=... --fd=3` */
        FIXTURE_HOST_ROOT = 1 << 4,     /* serve the host's "/" instead of the tree */
};

static void fixture_write(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
                abort();
        close(fd);
}

/* root/: d/ (f: "hello"), empty/, file ("data"), fifo, and escape bait:
 * up -> ../secret, abs -> BASE/secret, etc -> /etc, dotdot -> ..,
 * loop -> loop. BASE/secret is outside the root. */
static void fixture_populate(struct gofer_fixture *fx)
{
        char p[PATH_MAX];

#define P(fmt, ...) (snprintf(p, sizeof(p), fmt, __VA_ARGS__), p)
        if (mkdir(P("%s/d", fx->root), 0755) < 0 || mkdir(P("%s/empty", fx->root), 0755) < 0)
                abort();
        fixture_write(P("%s/d/f", fx->root), "hello");
        fixture_write(P("%s/file", fx->root), "data");
        fixture_write(P("%s/secret", fx->base), "SECRET");
        if (mkfifo(P("%s/fifo", fx->root), 0644) < 0 ||
            symlink("../secret", P("%s/up", fx->root)) < 0 ||
            symlink("/etc", P("%s/etc", fx->root)) < 0 ||
            symlink("..", P("%s/dotdot", fx->root)) < 0 ||
            symlink("loop", P("%s/loop", fx->root)) < 0)
                abort();
        char target[128];
        snprintf(target, sizeof(target), "%s/secret", fx->base);
        if (symlink(target, P("%s/abs", fx->root)) < 0)
                abort();
#undef P
}

static int fixture_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st; (void)flag; (void)ftw;
        remove(path);
        return 0;
}

static void fixture_serve(struct gofer_fixture *fx, int sock, unsigned flags)
{
        struct gofer_server *s;

        int root = open(fx->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0 || gofer_server_create(root, (flags & FIXTURE_RO) ? GOFER_SERVER_READONLY : 0, &s) < 0)
                _exit(3);
        if (flags & FIXTURE_CONFINE) {
                /* Sanitizer runtimes make calls the filter does not allow. */
                unsigned cf = FIXTURE_SANITIZED ? GOFER_CONFINE_NO_SECCOMP : 0;
                if (gofer_confine(s, cf) < 0)
                        _exit(4);
        }
        int r = gofer_server_serve(s, sock);
        gofer_server_free(s);
        _exit(r < 0 ? 5 : 0);
}

static struct gofer_fixture *fixture_start(unsigned flags)
{
        struct gofer_fixture *fx = calloc(1, sizeof(*fx));
        int sv[2];

        if (!fx)
                abort();
        strcpy(fx->base, "/tmp/gofer-test-XXXXXX");
        if (!mkdtemp(fx->base))
                abort();
        snprintf(fx->root, sizeof(fx->root), "%s/root", fx->base);
        if (mkdir(fx->root, 0755) < 0)
                abort();
        fixture_populate(fx);
        if (flags & FIXTURE_HOST_ROOT)
                strcpy(fx->root, "/");
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                abort();
        fx->pid = fork();
        if (fx->pid < 0)
                abort();
        if (fx->pid == 0) {
                close(sv[0]);
                if (flags & FIXTURE_EXEC) {
                        char root_arg[128];
                        snprintf(root_arg, sizeof(root_arg), "--root=%s", fx->root);
                        if (dup2(sv[1], 3) < 0)
                                _exit(6);
                        execl(getenv("CONTERNEL"), "conternel", "gofer", root_arg, "--fd=3",
                              (flags & FIXTURE_RO) ? "--ro" : NULL, NULL);
                        _exit(7);
                }
                fixture_serve(fx, sv[1], flags);
        }
        close(sv[1]);
        fx->sock = -1;
        if (flags & FIXTURE_RAW) {
                fx->sock = sv[0];
                return fx;
        }
        if (gofer_client_create(sv[0], &fx->client) < 0)
                abort();
        struct gofer_entry e;
        if (gofer_attach(fx->client, &e) < 0)
                abort();
        fx->rootnode = e.node;
        return fx;
}

/* Hang up, and return the gofer's exit status (0: it served and exited
 * cleanly; 128+N: killed by signal N). */
static int fixture_stop(struct gofer_fixture *fx)
{
        int status, ret;

        gofer_client_free(fx->client);
        if (fx->sock >= 0)
                close(fx->sock);
        if (waitpid(fx->pid, &status, 0) < 0)
                abort();
        ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        nftw(fx->base, fixture_rm, 16, FTW_DEPTH | FTW_PHYS);
        free(fx);
        return ret;
}

#endif
