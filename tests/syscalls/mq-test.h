/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers for the POSIX message queue tests (mq-*): raw system calls (the
 * kernel's names have no leading '/', glibc strips it), run in a fresh IPC
 * namespace natively (ipc_test_setup) so the host's queues are untouched.
 */
#pragma once

#include <fcntl.h>
#include <mqueue.h>

#include "ipc-test.h"

static inline int mq_open_raw(const char *name, int oflag, unsigned mode, struct mq_attr *attr)
{
        return (int)syscall(SYS_mq_open, name, oflag, mode, attr);
}

static inline long mq_send_raw(int fd, const char *msg, size_t len, unsigned prio)
{
        return syscall(SYS_mq_timedsend, fd, msg, len, prio, NULL);
}

static inline long mq_recv_raw(int fd, char *buf, size_t len, unsigned *prio)
{
        return syscall(SYS_mq_timedreceive, fd, buf, len, prio, NULL);
}

static inline long mq_attr_raw(int fd, struct mq_attr *nattr, struct mq_attr *oattr)
{
        return syscall(SYS_mq_getsetattr, fd, nattr, oattr);
}

/* An absolute CLOCK_REALTIME time ms from now (negative: in the past). */
static inline struct timespec mq_abs_ms(long ms)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
        } else if (ts.tv_nsec < 0) {
                ts.tv_sec--;
                ts.tv_nsec += 1000000000L;
        }
        return ts;
}
