/* SPDX-License-Identifier: Apache-2.0 */
/*
 * set_tid_address(2) stores the pointer without checking it and returns the
 * caller's thread id.
 */
#include "test.h"

static int tid_word;

int main(void)
{
        long tid = syscall(SYS_gettid);

        CHECK(tid > 0, "gettid() = %ld", tid);
        EXPECT_RET(syscall(SYS_set_tid_address, &tid_word), tid);
        EXPECT_RET(syscall(SYS_set_tid_address, NULL), tid);
        EXPECT_RET(syscall(SYS_set_tid_address, LOW_ADDR), tid);
        EXPECT_RET(syscall(SYS_set_tid_address, KERNEL_ADDR), tid);
        EXPECT_RET(syscall(SYS_set_tid_address, &tid_word), tid);
        /* Only the exit of a thread sharing its memory writes there. */
        EXPECT_EQ(tid_word, 0);
        EXPECT_EQ(syscall(SYS_getpid), tid);
        return TEST_PASS;
}
