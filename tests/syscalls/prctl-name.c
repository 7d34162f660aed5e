/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prctl PR_SET_NAME / PR_GET_NAME: the name starts as the basename of the
 * executed file (AT_EXECFN) cut to 15 bytes, a longer name is cut to 15, and
 * PR_GET_NAME writes all 16 bytes, NUL-padded. Bad pointers are EFAULT and an
 * unknown option EINVAL.
 */
#include <sys/auxv.h>
#include <sys/prctl.h>

#include "test.h"

#define TASK_COMM_LEN 16

static void get_name(char out[TASK_COMM_LEN])
{
        memset(out, 0xff, TASK_COMM_LEN);
        EXPECT_RET(syscall(SYS_prctl, PR_GET_NAME, out, 0, 0, 0), 0);
}

static void check_name(const char *set, const char *want)
{
        char name[TASK_COMM_LEN];
        size_t len = strlen(want);

        EXPECT_RET(syscall(SYS_prctl, PR_SET_NAME, set, 0, 0, 0), 0);
        get_name(name);
        CHECK(strcmp(name, want) == 0, "set \"%s\": expected \"%s\", got \"%.16s\"",
              set, want, name);
        for (size_t i = len; i < TASK_COMM_LEN; i++)
                CHECK(name[i] == '\0', "set \"%s\": byte %zu of the name is %#x, not NUL",
                      set, i, (unsigned char)name[i]);
}

int main(void)
{
        const char *execfn = (const char *)getauxval(AT_EXECFN);
        const char *base;
        char name[TASK_COMM_LEN], want[TASK_COMM_LEN];

        if (!execfn)
                test_skip("no AT_EXECFN");
        base = strrchr(execfn, '/');
        base = base ? base + 1 : execfn;
        snprintf(want, sizeof(want), "%s", base);
        get_name(name);
        CHECK(strcmp(name, want) == 0, "initial name: expected \"%s\", got \"%.16s\"",
              want, name);

        check_name("abc", "abc");
        check_name("exactly-15-char", "exactly-15-char");
        check_name("abcdefghijklmnopqrstuvwxyz", "abcdefghijklmno");
        check_name("two words", "two words");
        check_name("", "");

        EXPECT_ERRNO(syscall(SYS_prctl, PR_GET_NAME, NULL, 0, 0, 0), EFAULT);
        EXPECT_ERRNO(syscall(SYS_prctl, PR_GET_NAME, KERNEL_ADDR, 0, 0, 0), EFAULT);
        EXPECT_ERRNO(syscall(SYS_prctl, PR_SET_NAME, NULL, 0, 0, 0), EFAULT);
        EXPECT_ERRNO(syscall(SYS_prctl, PR_SET_NAME, LOW_ADDR, 0, 0, 0), EFAULT);
        /* A failed PR_SET_NAME leaves the name alone. */
        get_name(name);
        CHECK(name[0] == '\0', "name changed to \"%.16s\" by a failed PR_SET_NAME", name);

        EXPECT_ERRNO(syscall(SYS_prctl, 0x7fff, 0, 0, 0, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_prctl, -1, 0, 0, 0, 0), EINVAL);
        return TEST_PASS;
}
