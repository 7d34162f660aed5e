/*
 * systrap-modes: the getppid round trip through the systrap platform's
 * switch_to, with the sentry side reduced to "rax = 1", for each way of
 * placing and waiting that the platform supports (platform/systrap/README.md).
 *
 * usage: systrap-modes N PLACEMENT SPIN_US
 *   PLACEMENT free|split|same; SPIN_US how long each side spins before it
 *   sleeps in futex (0: never spins). Prints "systrap-<placement>-<spin> <usec>"
 *   and the CPU time both processes used per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "platform/platform.h"
#include "platform/systrap/internal.h"

#define CODE 0x400000ULL

/* loop: mov $110,%eax; syscall; dec %rbx; jnz loop; mov $60,%eax; syscall */
static const unsigned char guest[] = {
        0xb8, 0x6e, 0, 0, 0, 0x0f, 0x05, 0x48, 0xff, 0xcb, 0x75, 0xf4,
        0xb8, 0x3c, 0, 0, 0, 0x0f, 0x05,
};

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_us(int who)
{
        struct rusage ru;

        getrusage(who, &ru);
        return ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec +
               ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}

static int run(const struct platform_ops *ops, struct platform_ctx *ctx, long n)
{
        struct cpu_regs regs;
        struct platform_event ev;

        memset(&regs, 0, sizeof(regs));
        regs.gp.rip = CODE;
        regs.gp.rbx = (uint64_t)n;
        regs.gp.eflags = 0x202;
        for (;;) {
                if (ops->switch_to(ctx, &regs, &ev) < 0 || ev.stop != PLATFORM_STOP_SYSCALL)
                        return -1;
                if (regs.gp.orig_rax == 60)
                        return 0;
                regs.gp.rax = 1;
        }
}

int main(int argc, char **argv)
{
        const struct platform_ops *ops = platform_lookup("systrap");
        struct platform *p;
        struct platform_as *as;
        struct platform_ctx *ctx;
        long n = argc > 1 ? atol(argv[1]) : 20000;
        const char *place = argc > 2 ? argv[2] : "free";
        double spin = argc > 3 ? atof(argv[3]) : 20, t0, c0;
        int memfd;

        if (!ops || n <= 0)
                return 2;
        if (strcmp(place, "split") == 0)
                systrap_tuning.placement = SYSTRAP_PLACE_SPLIT;
        else if (strcmp(place, "same") == 0)
                systrap_tuning.placement = SYSTRAP_PLACE_SAME;
        else
                systrap_tuning.placement = SYSTRAP_PLACE_FREE;
        systrap_tuning.sentry_spin_ns = systrap_tuning.stub_spin_ns = (uint64_t)(spin * 1000);

        memfd = memfd_create("guest", MFD_CLOEXEC);
        if (memfd < 0 || ftruncate(memfd, 4096) < 0 ||
            pwrite(memfd, guest, sizeof(guest), 0) != sizeof(guest) ||
            ops->create(memfd, &p) < 0 || ops->as_create(p, &as) < 0 ||
            ops->as_map(as, CODE, 4096, PROT_READ | PROT_EXEC, 0) < 0 ||
            ops->ctx_create(as, &ctx) < 0)
                return 1;
        if (run(ops, ctx, n / 10 + 1) < 0)      /* warm up */
                return 1;
        t0 = now_us();
        c0 = cpu_us(RUSAGE_SELF);
        if (run(ops, ctx, n) < 0)
                return 1;
        printf("systrap-%s-%g %.3f (sentry cpu %.2f us/call)\n", place, spin,
               (now_us() - t0) / (double)n, (cpu_us(RUSAGE_SELF) - c0) / (double)n);
        ops->ctx_release(ctx);
        ops->as_release(as);
        ops->destroy(p);
        return 0;
}
