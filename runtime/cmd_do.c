/* `conternel do [OPTIONS] -- CMD [ARGS...]`: run one program in a sandbox. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "platform/platform.h"
#include "runtime.h"

static void do_usage(FILE *f)
{
        const char *const *names = platform_names();

        fprintf(f,
                "Usage: conternel do [OPTIONS] [--] CMD [ARGS...]\n"
                "\n"
                "Run CMD in a new sandbox: every system call it makes is answered by\n"
                "conternel's own kernel. Standard input, output and error pass through\n"
                "(with -t, through a pseudo-terminal of the sandbox).\n"
                "\n"
                "Options:\n"
                "  --platform=NAME   how guest code runs (default " PLATFORM_DEFAULT "; available:");
        for (; *names; names++)
                fprintf(f, " %s", *names);
        fprintf(f, ")\n"
                "  --hostname=NAME   the sandbox's host name (default conternel)\n"
                "  --strace          log every guest system call with its arguments and result\n"
                "  --debug           log what the sentry does\n"
                "  --log=FILE        write conternel's logs (and --strace) to FILE, not stderr\n"
                "  --pids-limit=N    at most N guest threads at once (default 1024)\n"
                "  --overlay=none    let the program change the host's files (default: its\n"
                "                    changes stay in the sandbox, in memory)\n"
                "  --root=DIR        the host directory DIR is the sandbox's / (default: /)\n"
                "  -v, --volume=HOST:GUEST[:ro]\n"
                "                    the host directory HOST at GUEST in the sandbox, served\n"
                "                    by a gofer of its own; writes reach HOST unless :ro\n"
                "  -t, --tty         give the program a terminal of the sandbox's own, proxied\n"
                "                    to this one (in raw mode until the sandbox ends)\n"
                "  -h, --help        show this help\n"
                "\n"
                "Exit status: the program's; 128+N if signal N killed it; 127 if CMD was\n"
                "not found, 126 if it cannot be executed, 125 if the sandbox failed.\n");
}

/* -v HOST:GUEST[:ro]: HOST must be a directory (made absolute), GUEST an
 * absolute path. Keeps pointers into arg (argv lives as long as we do). */
static int parse_volume(char *arg, struct sandbox_options *o)
{
        char *host = arg, *guest = strchr(arg, ':'), *mode;
        struct rootfs_bind *b;

        if (o->nbinds == ROOTFS_MAX_BINDS) {
                fprintf(stderr, "conternel: at most %d volumes\n", ROOTFS_MAX_BINDS);
                return -1;
        }
        if (!guest || guest == host) {
                fprintf(stderr, "conternel: -v wants HOST:GUEST[:ro], not '%s'\n", arg);
                return -1;
        }
        *guest++ = '\0';
        mode = strchr(guest, ':');
        if (mode) {
                *mode++ = '\0';
                if (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0) {
                        fprintf(stderr, "conternel: -v: unknown mode '%s' (ro or rw)\n", mode);
                        return -1;
                }
        }
        if (guest[0] != '/' || strstr(guest, "/../") || !strcmp(guest, "/")) {
                fprintf(stderr, "conternel: -v: '%s' is not an absolute path below /\n", guest);
                return -1;
        }
        host = realpath(host, NULL);    /* lives until exit */
        if (!host) {
                fprintf(stderr, "conternel: -v: %s: %s\n", arg, strerror(errno));
                return -1;
        }
        b = &o->binds[o->nbinds++];
        *b = (struct rootfs_bind){ .host = host, .guest = guest, .ro = mode && !strcmp(mode, "ro") };
        return 0;
}

/* Parse the options shared by verbs that start a sandbox; returns the index
 * of CMD in argv, -1 on a usage error, 0 after --help. */
static int sandbox_options_parse(int argc, char **argv, struct sandbox_options *o)
{
        enum { OPT_PLATFORM = 256, OPT_HOSTNAME, OPT_STRACE, OPT_DEBUG, OPT_LOG, OPT_PIDS,
               OPT_OVERLAY, OPT_ROOT };
        static const struct option options[] = {
                { "platform", required_argument, NULL, OPT_PLATFORM },
                { "hostname", required_argument, NULL, OPT_HOSTNAME },
                { "strace", no_argument, NULL, OPT_STRACE },
                { "debug", no_argument, NULL, OPT_DEBUG },
                { "log", required_argument, NULL, OPT_LOG },
                { "pids-limit", required_argument, NULL, OPT_PIDS },
                { "overlay", required_argument, NULL, OPT_OVERLAY },
                { "volume", required_argument, NULL, 'v' },
                { "root", required_argument, NULL, OPT_ROOT },
                { "tty", no_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+htv:", options, NULL)) != -1) {
                switch (c) {
                case OPT_PLATFORM:
                        if (!platform_lookup(optarg)) {
                                fprintf(stderr, "conternel: unknown platform '%s'\n", optarg);
                                return -1;
                        }
                        o->platform = optarg;
                        break;
                case OPT_HOSTNAME:
                        if (strlen(optarg) > 64) {
                                fprintf(stderr, "conternel: host name longer than 64 bytes\n");
                                return -1;
                        }
                        o->hostname = optarg;
                        break;
                case OPT_STRACE:
                        o->strace = true;
                        break;
                case OPT_DEBUG:
                        o->debug = true;
                        break;
                case OPT_LOG:
                        o->log_path = optarg;
                        break;
                case OPT_PIDS: {
                        char *end;
                        long n = strtol(optarg, &end, 10);

                        if (*end || n < 1 || n > 30000) {
                                fprintf(stderr, "conternel: --pids-limit wants 1..30000\n");
                                return -1;
                        }
                        o->pids_limit = (int)n;
                        break;
                }
                case OPT_OVERLAY:
                        if (strcmp(optarg, "none") != 0) {
                                fprintf(stderr, "conternel: --overlay: only 'none' is built\n");
                                return -1;
                        }
                        o->overlay_none = true;
                        break;
                case OPT_ROOT:
                        o->root = realpath(optarg, NULL);       /* lives until exit */
                        if (!o->root) {
                                fprintf(stderr, "conternel: --root=%s: %s\n", optarg,
                                        strerror(errno));
                                return -1;
                        }
                        break;
                case 'v':
                        if (parse_volume(optarg, o) < 0)
                                return -1;
                        break;
                case 't':
                        o->tty = true;
                        break;
                case 'h':
                        do_usage(stdout);
                        return 0;
                default:
                        return -1;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "conternel do: no program given\n");
                return -1;
        }
        return optind;
}

static int sandbox_options_apply(const struct sandbox_options *o)
{
        if (o->log_path) {
                int fd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

                if (fd < 0) {
                        perror(o->log_path);
                        return -1;
                }
                log_set_fd(fd);
        }
        if (o->debug)
                log_set_level(LOG_DEBUG);
        return 0;
}

int cmd_do(int argc, char **argv)
{
        struct sandbox_options o = { 0 };
        int cmd = sandbox_options_parse(argc, argv, &o);

        if (cmd == 0)
                return 0;
        if (cmd < 0) {
                do_usage(stderr);
                return 2;
        }
        if (sandbox_options_apply(&o) < 0)
                return 125;
        if (o.tty)
                return tty_keeper_run(&o, argv + cmd);
        return sandbox_run(&o, argv + cmd);
}
