/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capabilities follow uid changes as Linux's cap_emulate_setxuid() says:
 * the effective set is cleared when the euid leaves 0 and refilled from the
 * permitted set when it comes back; the permitted set goes when no uid is
 * left at 0; an fsuid leaving 0 drops only the file system capabilities
 * (CAP_CHOWN, CAP_DAC_*, CAP_FOWNER, CAP_FSETID, CAP_MKNOD, ...).
 */
#include "creds-test.h"

#define FS_CAPS ((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) | \
                 (1ULL << CAP_FOWNER) | (1ULL << CAP_FSETID) | (1ULL << CAP_MKNOD) |               \
                 (1ULL << CAP_LINUX_IMMUTABLE) | (1ULL << CAP_MAC_OVERRIDE))

static struct caps start;

static void euid_round_trip(void)
{
        struct caps c;

        /* Only the euid leaves 0: effective goes, permitted stays. */
        EXPECT_OK(syscall(SYS_setresuid, 0, 1000, 0));
        c = caps_get();
        EXPECT_EQ(c.eff, 0);
        EXPECT_EQ(c.prm, start.prm);
        EXPECT_ERRNO(syscall(SYS_setuid, 2000), EPERM);
        /* Back to euid 0 (the saved uid): effective = permitted. */
        EXPECT_OK(syscall(SYS_setresuid, -1, 0, -1));
        c = caps_get();
        EXPECT_EQ(c.eff, start.prm);
        EXPECT_OK(syscall(SYS_setuid, 2000));
}

static void fsuid_round_trip(void)
{
        struct caps c;

        EXPECT_RET(syscall(SYS_setfsuid, 1000), 0);
        c = caps_get();
        EXPECT_EQ(c.eff, start.eff & ~FS_CAPS);
        EXPECT_EQ(c.prm, start.prm);
        EXPECT_RET(syscall(SYS_setfsuid, 0), 1000);
        c = caps_get();
        EXPECT_EQ(c.eff, start.eff);
}

static void all_uids_leave_root(void)
{
        struct caps c;

        EXPECT_OK(syscall(SYS_setresuid, 1000, 1000, 1000));
        c = caps_get();
        EXPECT_EQ(c.eff, 0);
        EXPECT_EQ(c.prm, 0);
        /* And there is no way back. */
        EXPECT_ERRNO(syscall(SYS_setresuid, 0, 0, 0), EPERM);
        EXPECT_ERRNO(caps_set(start), EPERM);
        EXPECT_ERRNO(syscall(SYS_setgroups, 0, NULL), EPERM);
}

static void setuid_as_root_drops_all(void)
{
        struct caps c;

        EXPECT_OK(syscall(SYS_setuid, 1000));
        c = caps_get();
        EXPECT_EQ(c.eff, 0);
        EXPECT_EQ(c.prm, 0);
}

static void ruid_alone_keeps_caps(void)
{
        struct caps c;

        /* A saved uid of 0 keeps the permitted set; euid 0 the effective. */
        EXPECT_OK(syscall(SYS_setreuid, 1000, -1));
        EXPECT_RESUID(1000, 0, 0);
        c = caps_get();
        EXPECT_EQ(c.eff, start.eff);
        EXPECT_EQ(c.prm, start.prm);
}

int main(void)
{
        creds_require_root();
        start = caps_get();
        CHECK(start.eff == start.prm, "root's effective %llx is not its permitted %llx",
              (unsigned long long)start.eff, (unsigned long long)start.prm);
        creds_in_child(euid_round_trip);
        creds_in_child(fsuid_round_trip);
        creds_in_child(all_uids_leave_root);
        creds_in_child(setuid_as_root_drops_all);
        creds_in_child(ruid_alone_keeps_caps);
        return TEST_PASS;
}
