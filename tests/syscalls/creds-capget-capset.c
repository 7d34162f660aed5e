/* SPDX-License-Identifier: Apache-2.0 */
/*
 * capget/capset: the version probe (an unknown version is EINVAL with the
 * kernel's version written back, or success when data is NULL), version 1
 * copies one 32-bit set, version 3 two; a bad pid; capset's subset rules
 * (EPERM to raise permitted, for effective outside permitted, for another
 * process) and that a dropped capability is gone from /proc/self/status.
 */
#include <fcntl.h>

#include "creds-test.h"

static void probe(void)
{
        struct __user_cap_header_struct h = { 0, 0 };
        struct __user_cap_data_struct d[3];

        EXPECT_ERRNO(syscall(SYS_capget, &h, d), EINVAL);
        EXPECT_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
        h.version = 0x12345678;
        EXPECT_RET(syscall(SYS_capget, &h, NULL), 0);
        EXPECT_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
        h.version = 0;
        EXPECT_ERRNO(syscall(SYS_capset, &h, d), EINVAL);
        EXPECT_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
        EXPECT_ERRNO(syscall(SYS_capget, LOW_ADDR, d), EFAULT);
        EXPECT_ERRNO(syscall(SYS_capset, LOW_ADDR, d), EFAULT);

        /* Valid version, NULL data: nothing to do. */
        EXPECT_RET(syscall(SYS_capget, &h, NULL), 0);

        /* Version 1: one struct; version 2 and 3: two. */
        memset(d, 0xa5, sizeof(d));
        h.version = _LINUX_CAPABILITY_VERSION_1;
        EXPECT_OK(syscall(SYS_capget, &h, d));
        EXPECT_EQ(d[1].effective, 0xa5a5a5a5);
        CHECK(d[0].effective & (1u << CAP_SETUID), "v1 effective %#x", d[0].effective);
        memset(d, 0xa5, sizeof(d));
        h.version = _LINUX_CAPABILITY_VERSION_2;
        EXPECT_OK(syscall(SYS_capget, &h, d));
        CHECK(d[1].effective != 0xa5a5a5a5, "v2 did not fill the upper half");
        EXPECT_EQ(d[2].effective, 0xa5a5a5a5);
        EXPECT_ERRNO(syscall(SYS_capget, &h, LOW_ADDR), EFAULT);

        /* Pids: negative EINVAL, unknown ESRCH, ourselves fine. */
        h.version = _LINUX_CAPABILITY_VERSION_3;
        h.pid = -1;
        EXPECT_ERRNO(syscall(SYS_capget, &h, d), EINVAL);
        h.pid = 0x3ffffff;
        EXPECT_ERRNO(syscall(SYS_capget, &h, d), ESRCH);
        h.pid = (int)syscall(SYS_gettid);
        EXPECT_OK(syscall(SYS_capget, &h, d));
        /* capset may only change the caller. */
        h.pid = (int)syscall(SYS_gettid) + 1;
        EXPECT_ERRNO(syscall(SYS_capset, &h, d), EPERM);
}

static uint64_t status_caps(const char *name)
{
        char buf[4096], *p;
        int fd = open("/proc/self/status", O_RDONLY);
        ssize_t n;

        if (fd < 0)
                FAIL("open /proc/self/status: %s", test_errname(errno));
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        CHECK(n > 0, "read: %zd", n);
        buf[n] = 0;
        p = strstr(buf, name);
        CHECK(p != NULL, "no %s line", name);
        return strtoull(p + strlen(name) + 2, NULL, 16);
}

static void subsets(void)
{
        struct caps start = caps_get(), c;
        const uint64_t setuid = 1ULL << CAP_SETUID;

        EXPECT_EQ(status_caps("CapPrm"), start.prm);
        EXPECT_EQ(status_caps("CapEff"), start.eff);
        /* Effective must stay within permitted. */
        c = start;
        c.prm &= ~setuid;
        EXPECT_ERRNO(caps_set(c), EPERM);
        /* Dropping from both is fine; then it cannot come back. */
        c.eff &= ~setuid;
        EXPECT_OK(caps_set(c));
        EXPECT_EQ(caps_get().prm, start.prm & ~setuid);
        EXPECT_EQ(status_caps("CapPrm"), start.prm & ~setuid);
        EXPECT_ERRNO(caps_set(start), EPERM);
        EXPECT_ERRNO(syscall(SYS_setuid, 1000), EPERM);
        /* Effective can drop and come back from permitted. */
        c.eff = 0;
        EXPECT_OK(caps_set(c));
        EXPECT_EQ(status_caps("CapEff"), 0);
        c.eff = c.prm;
        EXPECT_OK(caps_set(c));
        EXPECT_EQ(caps_get().eff, c.prm);
        /* Inheritable: within permitted (we hold CAP_SETPCAP: within the
         * bounding set), here the whole permitted set. */
        c.inh = c.prm;
        EXPECT_OK(caps_set(c));
        EXPECT_EQ(caps_get().inh, c.prm);
        EXPECT_EQ(status_caps("CapInh"), c.prm);
}

static void version1_drops_upper(void)
{
        struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_1, 0 };
        struct __user_cap_data_struct d[2];
        struct caps c;

        EXPECT_OK(syscall(SYS_capget, &h, d));
        EXPECT_OK(syscall(SYS_capset, &h, d));
        c = caps_get();
        EXPECT_EQ(c.prm >> 32, 0);
        EXPECT_EQ(c.eff >> 32, 0);
        EXPECT_EQ((uint32_t)c.prm, d[0].permitted);
}

int main(void)
{
        creds_require_root();
        probe();
        creds_in_child(subsets);
        creds_in_child(version1_drops_upper);
        return TEST_PASS;
}
