/* SPDX-License-Identifier: Apache-2.0 */
/*
 * execve of set-user-ID and set-group-ID programs (copies of this test,
 * chowned and chmodded in a private directory): the effective and saved
 * uid become the file's owner with S_ISUID; the gid its group with S_ISGID
 * and S_IXGRP (S_ISGID alone is not set-gid); a root-owned set-uid program
 * run by a user gets root's capabilities; root running a user's set-uid
 * program keeps its permitted set but no effective one. Not with
 * no_new_privs, not from an MS_NOSUID mount. AT_SECURE says when ids
 * changed; PR_GET_DUMPABLE drops to fs.suid_dumpable; keepcaps is cleared.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include "creds-test.h"

#define OWNER 2000
#define GROUP 3000
#define USER 1000
#define UGROUP 1001

static char test_dir[64] = "/tmp/creds-exec-setid-XXXXXX";
static char mnt_dir[96];
static char bset_arg[32];

static char *in(const char *name)
{
        static char path[4][128];
        static int i;
        char *p = path[i++ % 4];

        snprintf(p, sizeof(path[0]), "%s/%s", test_dir, name);
        return p;
}

static void cleanup(void)
{
        const char *names[] = { "uid", "gid", "gidnox", "rootuid", "plain" };

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                unlink(in(names[i]));
        rmdir(mnt_dir);
        rmdir(test_dir);
}

static void copy_self(const char *dst, uid_t uid, gid_t gid, mode_t mode)
{
        char buf[65536];
        int in_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        int out = open(dst, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0700);
        ssize_t n;

        EXPECT_TRUE(in_fd >= 0 && out >= 0);
        while ((n = read(in_fd, buf, sizeof(buf))) > 0)
                EXPECT_EQ(write(out, buf, (size_t)n), n);
        EXPECT_EQ(n, 0);
        EXPECT_OK(close(in_fd));
        EXPECT_OK(close(out));
        /* chown first: it clears the set-id bits. */
        EXPECT_OK(chown(dst, uid, gid));
        EXPECT_OK(chmod(dst, mode));
}

static void run(const char *path, const char *stage)
{
        char *argv[] = { (char *)path, (char *)stage, bset_arg, NULL };
        char *envp[] = { NULL };

        syscall(SYS_execve, path, argv, envp);
        FAIL("execve %s: %s", path, test_errname(errno));
}

static void become_user(void)
{
        EXPECT_OK(syscall(SYS_setgroups, 0, NULL));
        EXPECT_OK(syscall(SYS_setresgid, UGROUP, UGROUP, UGROUP));
        EXPECT_OK(syscall(SYS_setresuid, USER, USER, USER));
}

static void user_runs_uid(void)
{
        become_user();
        run(in("uid"), "user-uid");
}

static void user_runs_gid(void)
{
        become_user();
        run(in("gid"), "user-gid");
}

static void user_runs_gidnox(void)
{
        become_user();
        run(in("gidnox"), "user-gidnox");
}

static void user_runs_rootuid(void)
{
        become_user();
        run(in("rootuid"), "user-rootuid");
}

static void user_nnp_runs_uid(void)
{
        become_user();
        EXPECT_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
        run(in("uid"), "user-nnp");
}

static void root_runs_uid(void)
{
        EXPECT_OK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
        run(in("uid"), "root-uid");
}

static void user_runs_nosuid(void)
{
        char path[160];

        /* Natively: our own namespace, private (the sandbox has just one;
         * unshare may be missing there, which is fine: nothing leaves it). */
        if (syscall(SYS_unshare, CLONE_NEWNS) < 0 && errno != ENOSYS)
                FAIL("unshare: %s", test_errname(errno));
        EXPECT_OK(syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        EXPECT_OK(syscall(SYS_mount, "none", mnt_dir, "tmpfs", MS_NOSUID, "mode=0755"));
        snprintf(path, sizeof(path), "%s/uid", mnt_dir);
        copy_self(path, OWNER, GROUP, 04755);
        become_user();
        run(path, "user-nosuid");
}

/* After the exec: what the stage expects. */
static int dumpable_default(void)
{
        char buf[16] = "";
        int fd = open("/proc/sys/fs/suid_dumpable", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return 0;               /* Linux's default */
        if (read(fd, buf, sizeof(buf) - 1) < 0)
                buf[0] = '\0';
        close(fd);
        return atoi(buf);
}

static void expect_after(bool secure, bool dumpable)
{
        EXPECT_EQ(getauxval(AT_SECURE), (unsigned long)secure);
        EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), dumpable ? 1 : dumpable_default());
        EXPECT_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
}

static int stage(const char *name, uint64_t bset)
{
        struct caps c = caps_get();

        if (strcmp(name, "user-uid") == 0) {
                EXPECT_RESUID(USER, OWNER, OWNER);
                EXPECT_EQ(FSUID(), (uid_t)OWNER);
                EXPECT_RESGID(UGROUP, UGROUP, UGROUP);
                EXPECT_EQ(c.prm, 0);
                EXPECT_EQ(c.eff, 0);
                expect_after(true, false);
        } else if (strcmp(name, "user-gid") == 0) {
                EXPECT_RESUID(USER, USER, USER);
                EXPECT_RESGID(UGROUP, GROUP, GROUP);
                EXPECT_EQ(FSGID(), (gid_t)GROUP);
                expect_after(true, false);
        } else if (strcmp(name, "user-gidnox") == 0 || strcmp(name, "user-nnp") == 0 ||
                   strcmp(name, "user-nosuid") == 0) {
                EXPECT_RESUID(USER, USER, USER);
                EXPECT_RESGID(UGROUP, UGROUP, UGROUP);
                EXPECT_EQ(c.prm, 0);
                expect_after(false, true);
        } else if (strcmp(name, "user-rootuid") == 0) {
                EXPECT_RESUID(USER, 0, 0);
                EXPECT_EQ(FSUID(), 0u);
                EXPECT_EQ(c.prm, bset);
                EXPECT_EQ(c.eff, bset);
                expect_after(true, false);
        } else if (strcmp(name, "root-uid") == 0) {
                /* A real uid of 0 still gets the permitted set, but the
                 * effective uid is not root: nothing effective. */
                EXPECT_RESUID(0, OWNER, OWNER);
                EXPECT_EQ(c.prm, bset);
                EXPECT_EQ(c.eff, 0);
                expect_after(true, false);
        } else {
                FAIL("unknown stage %s", name);
        }
        return TEST_PASS;
}

int main(int argc, char **argv)
{
        uint64_t bset = 0;

        if (argc == 3)
                return stage(argv[1], strtoull(argv[2], NULL, 16));
        creds_require_root();
        if (caps_get().inh != 0)
                test_skip("an inheritable set is already there");
        for (int cap = 0; cap < 64; cap++)
                if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
                        bset |= 1ULL << cap;
        snprintf(bset_arg, sizeof(bset_arg), "%" PRIx64, bset);
        EXPECT_TRUE(mkdtemp(test_dir) != NULL);
        atexit(cleanup);
        EXPECT_OK(chmod(test_dir, 0755));
        snprintf(mnt_dir, sizeof(mnt_dir), "%s/mnt", test_dir);
        EXPECT_OK(mkdir(mnt_dir, 0755));
        copy_self(in("uid"), OWNER, GROUP, 04755);
        copy_self(in("gid"), OWNER, GROUP, 02755);
        copy_self(in("gidnox"), OWNER, GROUP, 02745);
        copy_self(in("rootuid"), 0, 0, 04755);
        creds_in_child(user_runs_uid);
        creds_in_child(user_runs_gid);
        creds_in_child(user_runs_gidnox);
        creds_in_child(user_runs_rootuid);
        creds_in_child(user_nnp_runs_uid);
        creds_in_child(root_runs_uid);
        creds_in_child(user_runs_nosuid);
        return TEST_PASS;
}
