/* `conternel gofer --root=DIR --fd=N [--ro]`: a hidden verb the launcher
 * spawns as a separate process. Serves DIR over the SOCK_SEQPACKET socket
 * N until the sentry hangs up. Says nothing except why it could not start. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gofer/server.h"
#include "runtime.h"

/* The sanitizer build's gofer runs without its seccomp filter: ASan and
 * LeakSanitizer make calls serving never does (LSan ptraces at exit). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define GOFER_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GOFER_SANITIZED 1
#endif
#endif

#ifdef GOFER_SANITIZED
#define GOFER_CONFINE_FLAGS GOFER_CONFINE_NO_SECCOMP
/* Nor does it check for leaks at exit: after pivot_root there is no /proc
 * for LeakSanitizer to read, and it would say so on the sandbox's stderr. */
static bool serving;

int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
        return serving;
}
#define GOFER_SERVING() (serving = true)
#else
#define GOFER_CONFINE_FLAGS 0
#define GOFER_SERVING() ((void)0)
#endif

static int fatal(const char *what, int err)
{
        fprintf(stderr, "conternel gofer: %s: %s\n", what, strerror(err));
        return 1;
}

/* Close every fd above stderr except keep. */
static void close_others(int keep)
{
        if (keep > 3)
                close_range(3, (unsigned)keep - 1, 0);
        close_range((unsigned)keep + 1, ~0u, 0);
}

int cmd_gofer(int argc, char **argv)
{
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "fd", required_argument, NULL, 'f' },
                { "ro", no_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *root = NULL;
        unsigned flags = 0;
        int sock = -1, c, type;
        socklen_t len = sizeof(type);
        struct gofer_server *s;

        while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
                switch (c) {
                case 'r':
                        root = optarg;
                        break;
                case 'f': {
                        char *end;
                        long v = strtol(optarg, &end, 10);
                        if (*end || end == optarg || v < 0 || v > INT_MAX) {
                                fprintf(stderr, "conternel gofer: bad --fd '%s'\n", optarg);
                                return 2;
                        }
                        sock = (int)v;
                        break;
                }
                case 'o':
                        flags |= GOFER_SERVER_READONLY;
                        break;
                case 'h':
                        printf("Usage: conternel gofer --root=DIR --fd=N [--ro]\n"
                               "Serve DIR over the SOCK_SEQPACKET socket N (spawned by the launcher).\n");
                        return 0;
                default:
                        return 2;
                }
        }
        if (!root || sock < 0 || optind != argc) {
                fprintf(stderr, "Usage: conternel gofer --root=DIR --fd=N [--ro]\n");
                return 2;
        }
        if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
                return fatal("--fd", errno);
        if (type != SOCK_SEQPACKET)
                return fatal("--fd", EPROTOTYPE);
        close_others(sock);

        int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return fatal(root, errno);
        int r = gofer_server_create(root_fd, flags, &s);
        if (r < 0)
                return fatal(root, -r);
        GOFER_SERVING();
        r = gofer_confine(s, GOFER_CONFINE_FLAGS);
        if (r < 0)
                return fatal("confining", -r);
        r = gofer_server_serve(s, sock);
        gofer_server_free(s);
        return r < 0 ? 1 : 0;
}
