/* SPDX-License-Identifier: Apache-2.0 */
/*
 * getrlimit/setrlimit/prlimit64: every resource reads the same through the
 * three calls, soft <= hard; lowering a soft limit is read back and can be
 * undone; prlimit64 returns the old value while setting; soft > hard is
 * EINVAL, RLIMIT_NOFILE above fs.nr_open EPERM, an unknown resource EINVAL,
 * an unknown pid ESRCH, bad pointers EFAULT.
 */
#include <limits.h>
#include <sys/resource.h>

#include "test.h"

static struct rlimit get(int res)
{
        struct rlimit a = { 1, 2 }, b = { 3, 4 }, c;

        EXPECT_RET(syscall(SYS_prlimit64, 0, res, NULL, &a), 0);
        EXPECT_RET(syscall(SYS_getrlimit, res, &b), 0);
        EXPECT_RET(getrlimit(res, &c), 0);
        CHECK(a.rlim_cur == b.rlim_cur && a.rlim_max == b.rlim_max &&
              a.rlim_cur == c.rlim_cur && a.rlim_max == c.rlim_max,
              "resource %d: prlimit64 {%#lx, %#lx}, getrlimit {%#lx, %#lx}", res,
              (unsigned long)a.rlim_cur, (unsigned long)a.rlim_max,
              (unsigned long)b.rlim_cur, (unsigned long)b.rlim_max);
        CHECK(a.rlim_cur <= a.rlim_max, "resource %d: soft %#lx above hard %#lx", res,
              (unsigned long)a.rlim_cur, (unsigned long)a.rlim_max);
        return a;
}

static void check_lower_soft(int res, rlim_t soft)
{
        struct rlimit old = get(res), now, prev;

        /* setrlimit */
        EXPECT_RET(syscall(SYS_setrlimit, res, &(struct rlimit){ soft, old.rlim_max }), 0);
        now = get(res);
        CHECK(now.rlim_cur == soft && now.rlim_max == old.rlim_max,
              "resource %d: set soft %#lx, read {%#lx, %#lx}", res, (unsigned long)soft,
              (unsigned long)now.rlim_cur, (unsigned long)now.rlim_max);
        /* prlimit64 sets and returns the previous value at once. */
        EXPECT_RET(syscall(SYS_prlimit64, 0, res, &old, &prev), 0);
        CHECK(prev.rlim_cur == soft && prev.rlim_max == old.rlim_max,
              "resource %d: prlimit64 returned {%#lx, %#lx} as the old value", res,
              (unsigned long)prev.rlim_cur, (unsigned long)prev.rlim_max);
        now = get(res);
        CHECK(now.rlim_cur == old.rlim_cur, "resource %d: soft limit not restored", res);
}

int main(void)
{
        struct rlimit nofile, r;
        long pid = syscall(SYS_getpid);

        for (int res = 0; res < RLIM_NLIMITS; res++)
                get(res);
        nofile = get(RLIMIT_NOFILE);
        CHECK(nofile.rlim_cur >= 3 && nofile.rlim_max != RLIM_INFINITY,
              "RLIMIT_NOFILE {%#lx, %#lx}", (unsigned long)nofile.rlim_cur,
              (unsigned long)nofile.rlim_max);
        get(RLIMIT_STACK);
        get(RLIMIT_AS);

        check_lower_soft(RLIMIT_NOFILE, nofile.rlim_cur - 1);
        check_lower_soft(RLIMIT_CORE, 0);
        check_lower_soft(RLIMIT_NOFILE, 3);

        EXPECT_RET(syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, NULL, &r), 0);
        CHECK(r.rlim_cur == nofile.rlim_cur && r.rlim_max == nofile.rlim_max,
              "prlimit64(getpid()) differs from prlimit64(0)");
        EXPECT_RET(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, NULL), 0);

        /* soft > hard */
        r = (struct rlimit){ nofile.rlim_max, nofile.rlim_max - 1 };
        EXPECT_ERRNO(syscall(SYS_setrlimit, RLIMIT_NOFILE, &r), EINVAL);
        EXPECT_ERRNO(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &r, NULL), EINVAL);
        EXPECT_ERRNO(syscall(SYS_setrlimit, RLIMIT_CORE, &(struct rlimit){ 2, 1 }), EINVAL);
        /* No process may have more fds than fs.nr_open (at most 2^30). */
        r = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
        EXPECT_ERRNO(syscall(SYS_setrlimit, RLIMIT_NOFILE, &r), EPERM);
        CHECK(get(RLIMIT_NOFILE).rlim_cur == nofile.rlim_cur, "failed setrlimit changed NOFILE");

        /* Unknown resources. */
        EXPECT_ERRNO(syscall(SYS_getrlimit, RLIM_NLIMITS, &r), EINVAL);
        EXPECT_ERRNO(syscall(SYS_getrlimit, -1, &r), EINVAL);
        EXPECT_ERRNO(syscall(SYS_setrlimit, RLIM_NLIMITS, &nofile), EINVAL);
        EXPECT_ERRNO(syscall(SYS_prlimit64, 0, RLIM_NLIMITS, NULL, &r), EINVAL);
        EXPECT_ERRNO(syscall(SYS_prlimit64, 0, 100, NULL, &r), EINVAL);

        /* Unknown process. */
        EXPECT_ERRNO(syscall(SYS_prlimit64, INT_MAX, RLIMIT_NOFILE, NULL, &r), ESRCH);
        EXPECT_ERRNO(syscall(SYS_prlimit64, -1, RLIMIT_NOFILE, NULL, &r), ESRCH);

        /* Bad pointers. */
        EXPECT_ERRNO(syscall(SYS_getrlimit, RLIMIT_NOFILE, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_getrlimit, RLIMIT_NOFILE, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_setrlimit, RLIMIT_NOFILE, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, LOW_ADDR, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, KERNEL_ADDR), EFAULT);
        return TEST_PASS;
}
