/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uname(2): every field is NUL-terminated within its 65 bytes, sysname is
 * "Linux", machine "x86_64", the release looks like N.N..., and two calls
 * agree. A bad buffer is EFAULT.
 */
#include <ctype.h>
#include <sys/utsname.h>

#include "test.h"

static void check_field(const char *name, const char *f, size_t len, int nonempty)
{
        CHECK(memchr(f, '\0', len) != NULL, "%s is not NUL-terminated", name);
        if (nonempty)
                CHECK(f[0] != '\0', "%s is empty", name);
}

int main(void)
{
        struct utsname u, u2;
        const char *p;

        memset(&u, 0xa5, sizeof(u));
        EXPECT_RET(syscall(SYS_uname, &u), 0);
        _Static_assert(sizeof(u.sysname) == 65, "struct new_utsname");
        check_field("sysname", u.sysname, sizeof(u.sysname), 1);
        check_field("nodename", u.nodename, sizeof(u.nodename), 1);
        check_field("release", u.release, sizeof(u.release), 1);
        check_field("version", u.version, sizeof(u.version), 1);
        check_field("machine", u.machine, sizeof(u.machine), 1);
        check_field("domainname", u.domainname, sizeof(u.domainname), 0);

        CHECK(strcmp(u.sysname, "Linux") == 0, "sysname \"%s\"", u.sysname);
        CHECK(strcmp(u.machine, "x86_64") == 0, "machine \"%s\"", u.machine);
        /* release: "<major>.<minor>" then anything. */
        p = u.release;
        CHECK(isdigit((unsigned char)*p), "release \"%s\"", u.release);
        while (isdigit((unsigned char)*p))
                p++;
        CHECK(*p == '.' && isdigit((unsigned char)p[1]), "release \"%s\"", u.release);

        memset(&u2, 0x5a, sizeof(u2));
        EXPECT_RET(uname(&u2), 0);
        CHECK(strcmp(u.sysname, u2.sysname) == 0 && strcmp(u.nodename, u2.nodename) == 0 &&
              strcmp(u.release, u2.release) == 0 && strcmp(u.version, u2.version) == 0 &&
              strcmp(u.machine, u2.machine) == 0 && strcmp(u.domainname, u2.domainname) == 0,
              "two uname() calls differ");

        EXPECT_ERRNO(syscall(SYS_uname, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_uname, LOW_ADDR), EFAULT);
        EXPECT_ERRNO(syscall(SYS_uname, KERNEL_ADDR), EFAULT);
        return TEST_PASS;
}
