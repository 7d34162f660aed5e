/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the credential tests: they need root (the sandbox's guest is
 * root; natively the suite runs as root or the test skips) and change their
 * credentials only in a forked child, which dies with them.
 */
#pragma once

#include <linux/capability.h>
#include <stdint.h>
#include <sys/wait.h>

#include "test.h"

/* Skip unless we are root with CAP_SETUID and CAP_SETGID, as the guest is. */
static inline void creds_require_root(void)
{
        struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct d[2];

        if (syscall(SYS_geteuid) != 0 || syscall(SYS_capget, &h, d) != 0 ||
            !(d[0].effective & (1u << CAP_SETUID)) || !(d[0].effective & (1u << CAP_SETGID)))
                test_skip("needs root with CAP_SETUID and CAP_SETGID");
}

/* Run fn in a child; fail with its status unless it exits 0. */
static inline void creds_in_child(void (*fn)(void))
{
        int status;
        pid_t pid = fork();

        if (pid < 0)
                FAIL("fork: %s", test_errname(errno));
        if (pid == 0) {
                fn();
                fflush(stderr);
                _exit(TEST_PASS);
        }
        if (waitpid(pid, &status, 0) != pid)
                FAIL("waitpid: %s", test_errname(errno));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                exit(WIFEXITED(status) ? WEXITSTATUS(status) : TEST_FAIL);
}

/* The calling thread's capability sets, 64 bits each. */
struct caps {
        uint64_t eff, prm, inh;
};

static inline struct caps caps_get(void)
{
        struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct d[2];
        struct caps c;

        if (syscall(SYS_capget, &h, d) != 0)
                FAIL("capget: %s", test_errname(errno));
        c.eff = d[0].effective | (uint64_t)d[1].effective << 32;
        c.prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
        c.inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
        return c;
}

static inline long caps_set(struct caps c)
{
        struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct d[2] = {
                { (uint32_t)c.eff, (uint32_t)c.prm, (uint32_t)c.inh },
                { (uint32_t)(c.eff >> 32), (uint32_t)(c.prm >> 32), (uint32_t)(c.inh >> 32) },
        };

        return syscall(SYS_capset, &h, d);
}

/* getresuid/getresgid as one check. */
#define EXPECT_RESUID(r, e, s)                                                \
        do {                                                                  \
                uid_t ru_, eu_, su_;                                             \
                EXPECT_OK(syscall(SYS_getresuid, &ru_, &eu_, &su_));             \
                if (ru_ != (uid_t)(r) || eu_ != (uid_t)(e) || su_ != (uid_t)(s)) \
                        FAIL("getresuid: expected %u %u %u, got %u %u %u",    \
                             (uid_t)(r), (uid_t)(e), (uid_t)(s), ru_, eu_, su_);  \
        } while (0)
#define EXPECT_RESGID(r, e, s)                                                \
        do {                                                                  \
                gid_t ru_, eu_, su_;                                             \
                EXPECT_OK(syscall(SYS_getresgid, &ru_, &eu_, &su_));             \
                if (ru_ != (gid_t)(r) || eu_ != (gid_t)(e) || su_ != (gid_t)(s)) \
                        FAIL("getresgid: expected %u %u %u, got %u %u %u",    \
                             (gid_t)(r), (gid_t)(e), (gid_t)(s), ru_, eu_, su_);  \
        } while (0)

/* The fs uid: setfsuid(-1) changes nothing and returns it. */
#define FSUID() ((uid_t)syscall(SYS_setfsuid, -1))
#define FSGID() ((gid_t)syscall(SYS_setfsgid, -1))
