/* SPDX-License-Identifier: Apache-2.0 */
/*
 * execve and credentials, for a program without file capabilities or set-id
 * bits: the saved and fs ids become the effective ones; a root euid gets
 * bounding | inheritable as permitted and effective (so a root that dropped
 * capabilities gets them back); a root ruid alone gets the permitted set
 * but an empty effective one; a non-root process keeps none.
 */
#include <fcntl.h>
#include <inttypes.h>

#include "creds-test.h"

static struct caps start;
static char start_arg[64];

static void run_stage(const char *stage)
{
        char *argv[] = { "creds-exec", (char *)stage, start_arg, NULL };
        char *envp[] = { NULL };

        syscall(SYS_execve, "/proc/self/exe", argv, envp);
        FAIL("execve: %s", test_errname(errno));
}

static void root_dropped_effective(void)
{
        struct caps c = start;

        EXPECT_RET(syscall(SYS_setfsuid, 1234), 0);
        EXPECT_OK(syscall(SYS_setresgid, 5, 6, 7));
        c.eff = 0;
        c.prm &= ~(1ULL << CAP_SETUID);
        EXPECT_OK(caps_set(c));
        run_stage("root");
}

static void ruid_root_only(void)
{
        EXPECT_OK(syscall(SYS_setresuid, 0, 1000, 1000));
        EXPECT_EQ(caps_get().eff, 0);
        run_stage("ruid-root");
}

static void not_root(void)
{
        EXPECT_OK(syscall(SYS_setresuid, 1000, 1000, 0));
        EXPECT_OK(syscall(SYS_setresuid, 1000, 1000, 1000));
        run_stage("user");
}

/* After the exec. */
static int stage(const char *name, uint64_t prm)
{
        struct caps c = caps_get();

        if (strcmp(name, "root") == 0) {
                EXPECT_EQ(c.prm, prm);
                EXPECT_EQ(c.eff, prm);
                EXPECT_RESUID(0, 0, 0);
                EXPECT_EQ(FSUID(), 0);
                EXPECT_RESGID(5, 6, 6);
                EXPECT_EQ(FSGID(), 6);
        } else if (strcmp(name, "ruid-root") == 0) {
                EXPECT_EQ(c.prm, prm);
                EXPECT_EQ(c.eff, 0);
                EXPECT_RESUID(0, 1000, 1000);
        } else {
                EXPECT_EQ(c.prm, 0);
                EXPECT_EQ(c.eff, 0);
                EXPECT_RESUID(1000, 1000, 1000);
        }
        return TEST_PASS;
}

int main(int argc, char **argv)
{
        if (argc == 3)
                return stage(argv[1], strtoull(argv[2], NULL, 16));
        creds_require_root();
        start = caps_get();
        if (start.inh != 0)
                test_skip("an inheritable set is already there");
        snprintf(start_arg, sizeof(start_arg), "%" PRIx64, start.prm);
        creds_in_child(root_dropped_effective);
        creds_in_child(ruid_root_only);
        creds_in_child(not_root);
        return TEST_PASS;
}
