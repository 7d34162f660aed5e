/* SPDX-License-Identifier: Apache-2.0 */
/*
 * set_robust_list(2)/get_robust_list(2): glibc registers an empty list at
 * start-up; the head pointer and length read back as set; a length other than
 * sizeof(struct robust_list_head) is EINVAL; an unknown pid is ESRCH; bad
 * output pointers are EFAULT.
 */
#include <limits.h>
#include <linux/futex.h>

#include "test.h"

static struct robust_list_head mine = { .list = { .next = &mine.list } };

static void get_list(long pid, struct robust_list_head **ret_head, size_t *ret_len)
{
        *ret_head = (void *)0x1234;
        *ret_len = 1;
        EXPECT_RET(syscall(SYS_get_robust_list, pid, ret_head, ret_len), 0);
}

int main(void)
{
        struct robust_list_head *libc_head, *head;
        size_t libc_len, len;
        long pid = syscall(SYS_getpid);

        /* glibc's list: registered, empty (it points at itself). */
        get_list(0, &libc_head, &libc_len);
        EXPECT_EQ(libc_len, sizeof(struct robust_list_head));
        CHECK(libc_head != NULL, "glibc registered no robust list");
        CHECK(libc_head->list.next == &libc_head->list,
              "glibc's robust list head %p is not an empty list (next %p)",
              (void *)libc_head, (void *)libc_head->list.next);
        get_list(pid, &head, &len);
        CHECK(head == libc_head && len == libc_len, "pid %ld: head %p len %zu", pid,
              (void *)head, len);

        EXPECT_RET(syscall(SYS_set_robust_list, &mine, sizeof(mine)), 0);
        get_list(0, &head, &len);
        CHECK(head == &mine, "head %p after setting %p", (void *)head, (void *)&mine);
        EXPECT_EQ(len, sizeof(mine));

        /* Only the exact size is accepted; a failed call changes nothing. */
        EXPECT_ERRNO(syscall(SYS_set_robust_list, libc_head, sizeof(mine) - 1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_set_robust_list, libc_head, sizeof(mine) + 1), EINVAL);
        EXPECT_ERRNO(syscall(SYS_set_robust_list, libc_head, 0), EINVAL);
        EXPECT_ERRNO(syscall(SYS_set_robust_list, libc_head, (size_t)-1), EINVAL);
        get_list(0, &head, &len);
        CHECK(head == &mine, "head %p after failed sets", (void *)head);

        /* The pointer itself is not checked. */
        EXPECT_RET(syscall(SYS_set_robust_list, NULL, sizeof(mine)), 0);
        get_list(0, &head, &len);
        CHECK(head == NULL, "head %p after setting NULL", (void *)head);
        EXPECT_RET(syscall(SYS_set_robust_list, KERNEL_ADDR, sizeof(mine)), 0);
        get_list(0, &head, &len);
        CHECK(head == KERNEL_ADDR, "head %p after setting %p", (void *)head, KERNEL_ADDR);

        EXPECT_ERRNO(syscall(SYS_get_robust_list, INT_MAX, &head, &len), ESRCH);
        EXPECT_ERRNO(syscall(SYS_get_robust_list, -1, &head, &len), ESRCH);
        EXPECT_ERRNO(syscall(SYS_get_robust_list, 0, NULL, &len), EFAULT);
        EXPECT_ERRNO(syscall(SYS_get_robust_list, 0, &head, NULL), EFAULT);
        EXPECT_ERRNO(syscall(SYS_get_robust_list, 0, &head, KERNEL_ADDR), EFAULT);

        EXPECT_RET(syscall(SYS_set_robust_list, libc_head, libc_len), 0);
        get_list(0, &head, &len);
        CHECK(head == libc_head, "head %p after restoring %p", (void *)head, (void *)libc_head);
        return TEST_PASS;
}
