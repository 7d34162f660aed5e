/* conternel: a user-space application kernel. Dispatches to one verb. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "runtime.h"

struct verb {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *help;       /* NULL: hidden from usage */
};

static const struct verb verbs[] = {
        { "do", cmd_do, "run a program in a new sandbox" },
        { "compat", cmd_compat, "run a program natively and sandboxed and compare" },
        { "gofer", cmd_gofer, NULL },
};

static void usage(FILE *f)
{
        fprintf(f, "Usage: conternel [--version] [--help] VERB [ARGS...]\n\nVerbs:\n");
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (verbs[i].help)
                        fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].help);
        fprintf(f, "\nconternel VERB --help describes each.\n");
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("conternel %s\n", CONTERNEL_VERSION);
                return 0;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                usage(stdout);
                return 0;
        }
        backtrace_install();
        /* A write to a closed host pipe must be an EPIPE the guest sees (with
         * its own SIGPIPE), not the end of the sentry. */
        signal(SIGPIPE, SIG_IGN);
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (strcmp(argv[1], verbs[i].name) == 0)
                        return verbs[i].run(argc - 1, argv + 1);
        fprintf(stderr, "conternel: unknown verb '%s'\n", argv[1]);
        usage(stderr);
        return 2;
}
