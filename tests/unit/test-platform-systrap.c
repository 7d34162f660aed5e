/*
 * The systrap platform against real stub processes: no mocks. Each test gets
 * a fresh memory file, platform, address space (code page at CODE, data page
 * at DATA) and ctx from setup().
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/macro.h"
#include "platform/platform.h"
#include "platform/systrap/internal.h"

#define CODE 0x400000ULL
#define DATA 0x401000ULL
#define MEMFILE_SIZE (16 * PAGE_SIZE)

struct fixture {
        int memfd;
        const struct platform_ops *ops;
        struct platform *p;
        struct platform_as *as;
        struct platform_ctx *ctx;
        struct cpu_regs regs;
        struct platform_event ev;
};

static pid_t stub_pid(const struct fixture *f)
{
        return container_of(f->as, struct systrap_as, base)->pid;
}

static void load_code(struct fixture *f, const void *code, size_t len)
{
        assert_int_equal(pwrite(f->memfd, code, len, 0), (ssize_t)len);
        memset(&f->regs, 0, sizeof(f->regs));
        f->regs.gp.rip = CODE;
        f->regs.gp.rsp = DATA + PAGE_SIZE;
        f->regs.gp.eflags = 0x202;
}

static int run(struct fixture *f)
{
        return f->ops->switch_to(f->ctx, &f->regs, &f->ev);
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        f->memfd = memfd_create("guest", MFD_CLOEXEC);
        assert_true(f->memfd >= 0);
        assert_int_equal(ftruncate(f->memfd, MEMFILE_SIZE), 0);
        f->ops = platform_lookup("systrap");
        assert_non_null(f->ops);
        assert_int_equal(f->ops->create(f->memfd, &f->p), 0);
        assert_int_equal(f->ops->as_create(f->p, &f->as), 0);
        assert_int_equal(f->ops->as_map(f->as, CODE, PAGE_SIZE, PROT_READ | PROT_EXEC, 0), 0);
        assert_int_equal(f->ops->as_map(f->as, DATA, PAGE_SIZE, PROT_READ | PROT_WRITE,
                                        PAGE_SIZE), 0);
        assert_int_equal(f->ops->ctx_create(f->as, &f->ctx), 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        f->ops->ctx_release(f->ctx);
        f->ops->as_release(f->as);
        f->ops->destroy(f->p);
        close(f->memfd);
        free(f);
        return 0;
}

/* mov $39,%eax; syscall; mov %rax,%rdi; mov $60,%eax; syscall */
static const uint8_t getpid_then_exit[] = {
        0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0x48, 0x89, 0xc7, 0xb8, 0x3c, 0, 0, 0, 0x0f, 0x05,
};

static void test_syscall_stop_reports_nr_and_rip(void **state)
{
        struct fixture *f = *state;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.orig_rax, 39);
        assert_int_equal(f->regs.gp.rip, CODE + 7);
}

static void test_syscall_result_reaches_guest(void **state)
{
        struct fixture *f = *state;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(run(f), 0);
        f->regs.gp.rax = 1234;
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.orig_rax, 60);
        assert_int_equal(f->regs.gp.rdi, 1234);
        assert_int_equal(f->regs.gp.rip, CODE + sizeof(getpid_then_exit));
}

static void test_memory_is_shared_with_memfile(void **state)
{
        struct fixture *f = *state;
        /* mov (%rbx),%rsi; mov %rdi,(%rbx); syscall */
        static const uint8_t code[] = { 0x48, 0x8b, 0x33, 0x48, 0x89, 0x3b, 0x0f, 0x05 };
        uint64_t in = 0x1122334455667788ULL, out = 0;

        load_code(f, code, sizeof(code));
        assert_int_equal(pwrite(f->memfd, &in, sizeof(in), PAGE_SIZE), sizeof(in));
        f->regs.gp.rbx = DATA;
        f->regs.gp.rdi = 0xabcdef;
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.rsi, in);
        assert_int_equal(pread(f->memfd, &out, sizeof(out), PAGE_SIZE), sizeof(out));
        assert_int_equal(out, 0xabcdef);
}

static void test_write_to_unmapped_faults_with_address(void **state)
{
        struct fixture *f = *state;
        /* movabs $0x500010,%rbx; mov %eax,(%rbx) */
        static const uint8_t code[] = { 0x48, 0xbb, 0x10, 0, 0x50, 0, 0, 0, 0, 0, 0x89, 0x03 };

        load_code(f, code, sizeof(code));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_FAULT);
        assert_int_equal(f->ev.signo, SIGSEGV);
        assert_int_equal(f->ev.si_code, SEGV_MAPERR);
        assert_int_equal(f->ev.addr, 0x500010);
        assert_int_equal(f->regs.gp.rip, CODE + 10);
}

static void test_write_to_readonly_faults_accerr(void **state)
{
        struct fixture *f = *state;
        /* movabs $CODE,%rbx; mov %eax,(%rbx) */
        static const uint8_t code[] = { 0x48, 0xbb, 0, 0, 0x40, 0, 0, 0, 0, 0, 0x89, 0x03 };

        load_code(f, code, sizeof(code));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_FAULT);
        assert_int_equal(f->ev.signo, SIGSEGV);
        assert_int_equal(f->ev.si_code, SEGV_ACCERR);
        assert_int_equal(f->ev.addr, CODE);
        assert_int_equal(f->ev.access, 0);
}

static void test_ud2_faults_sigill(void **state)
{
        struct fixture *f = *state;
        static const uint8_t code[] = { 0x0f, 0x0b };

        load_code(f, code, sizeof(code));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_FAULT);
        assert_int_equal(f->ev.signo, SIGILL);
        assert_int_equal(f->ev.si_code, ILL_ILLOPN);
        assert_int_equal(f->regs.gp.rip, CODE);
}

static void test_int3_faults_sigtrap(void **state)
{
        struct fixture *f = *state;
        static const uint8_t code[] = { 0xcc, 0x0f, 0x05 };

        load_code(f, code, sizeof(code));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_FAULT);
        assert_int_equal(f->ev.signo, SIGTRAP);
        assert_int_equal(f->regs.gp.rip, CODE + 1);
        /* The SIGTRAP is not delivered: the guest goes on to its syscall. */
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
}

static void test_int80_is_not_a_syscall(void **state)
{
        struct fixture *f = *state;
        static const uint8_t code[] = { 0xb8, 0x14, 0, 0, 0, 0xcd, 0x80 }; /* mov $20,%eax; int $0x80 */

        load_code(f, code, sizeof(code));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_FAULT);
        assert_int_equal(f->ev.signo, SIGSEGV);
        assert_int_equal(f->regs.gp.rip, CODE + 5);
}

static void test_protect_nonexec_faults_on_fetch(void **state)
{
        struct fixture *f = *state;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(f->ops->as_protect(f->as, CODE, PAGE_SIZE, PROT_READ), 0);
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_FAULT);
        assert_int_equal(f->ev.signo, SIGSEGV);
        assert_int_equal(f->ev.si_code, SEGV_ACCERR);
        assert_int_equal(f->ev.addr, CODE);
        assert_int_equal(f->ev.access, PLATFORM_ACCESS_EXEC);
        /* And back. */
        assert_int_equal(f->ops->as_protect(f->as, CODE, PAGE_SIZE, PROT_READ | PROT_EXEC), 0);
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
}

static void test_unmap_removes_mapping(void **state)
{
        struct fixture *f = *state;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(f->ops->as_unmap(f->as, CODE, PAGE_SIZE), 0);
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_FAULT);
        assert_int_equal(f->ev.signo, SIGSEGV);
        assert_int_equal(f->ev.si_code, SEGV_MAPERR);
        assert_int_equal(f->ev.addr, CODE);
}

/* as_apply: several changes in one hand-off, in order, as the single calls. */
static void test_apply_batch(void **state)
{
        struct fixture *f = *state;
        const struct platform_as_op ops[] = {
                { PLATFORM_AS_UNMAP, 0, CODE, PAGE_SIZE, 0 },
                { PLATFORM_AS_MAP, PROT_READ, CODE, PAGE_SIZE, 0 },
                { PLATFORM_AS_PROTECT, PROT_READ | PROT_EXEC, CODE, PAGE_SIZE, 0 },
                { PLATFORM_AS_PROTECT, PROT_READ, DATA, PAGE_SIZE, 0 },
        };
        const struct platform_as_op bad[] = {
                { PLATFORM_AS_MAP, PROT_READ, CODE + 1, PAGE_SIZE, 0 },
        };
        /* mov %eax,(%rsp-8): a write to the now read-only data page */
        static const uint8_t code[] = { 0x89, 0x44, 0x24, 0xf8 };

        load_code(f, code, sizeof(code));
        f->regs.gp.rsp = DATA + 16;
        assert_int_equal(f->ops->as_apply(f->as, ops, ARRAY_SIZE(ops)), 0);
        assert_int_equal(f->ops->as_apply(f->as, bad, 1), -EINVAL);
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_FAULT);
        assert_int_equal(f->ev.signo, SIGSEGV);
        assert_int_equal(f->ev.si_code, SEGV_ACCERR);
        assert_int_equal(f->ev.addr, DATA + 8);
}

/* More than one hand-off's worth: later chunks still run. */
static void test_apply_long_batch(void **state)
{
        struct fixture *f = *state;
        struct platform_as_op ops[2 * SYSTRAP_BATCH_MAX + 3];

        for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
                ops[i] = (struct platform_as_op){ PLATFORM_AS_PROTECT,
                                                  i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
                                                  DATA, PAGE_SIZE, 0 };
        assert_int_equal(f->ops->as_apply(f->as, ops, ARRAY_SIZE(ops)), 0);
        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
}

/* Every stub but the factory is the factory's child, in its pid namespace. */
static void test_stubs_are_forked_from_the_factory(void **state)
{
        struct fixture *f = *state;
        struct systrap_platform *sp = container_of(f->p, struct systrap_platform, base);
        char path[64], buf[4096], *ppid;
        int fd;
        ssize_t n;

        assert_non_null(sp->factory);
        snprintf(path, sizeof(path), "/proc/%d/status", stub_pid(f));
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        assert_true(n > 0);
        buf[n] = 0;
        ppid = strstr(buf, "\nPPid:\t");
        assert_non_null(ppid);
        assert_int_equal(atoi(ppid + strlen("\nPPid:\t")), sp->factory->pid);
}

struct interrupter {
        const struct platform_ops *ops;
        struct platform_ctx *ctx;
        long delay_ms;          /* 0: 50 ms */
};

static void *interrupt_later(void *arg)
{
        struct interrupter *in = arg;
        struct timespec ts = { .tv_nsec = (in->delay_ms ? in->delay_ms : 50) * 1000 * 1000 };

        nanosleep(&ts, NULL);
        in->ops->interrupt(in->ctx);
        return NULL;
}

static void test_interrupt_stops_spinning_guest(void **state)
{
        struct fixture *f = *state;
        static const uint8_t spin[] = { 0xeb, 0xfe };   /* jmp . */
        struct interrupter in = { f->ops, f->ctx };
        pthread_t t;

        load_code(f, spin, sizeof(spin));
        for (int i = 0; i < 3; i++) {
                assert_int_equal(pthread_create(&t, NULL, interrupt_later, &in), 0);
                assert_int_equal(run(f), 0);
                assert_int_equal(pthread_join(t, NULL), 0);
                assert_int_equal(f->ev.stop, PLATFORM_STOP_INTERRUPTED);
                assert_int_equal(f->regs.gp.rip, CODE);
        }
}

static void test_interrupt_before_switch_is_not_lost(void **state)
{
        struct fixture *f = *state;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        f->ops->interrupt(f->ctx);
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_INTERRUPTED);
        /* The signal still pending in the stub is swallowed. */
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.orig_rax, 39);
}

static void test_stray_signals_are_not_delivered(void **state)
{
        struct fixture *f = *state;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(kill(stub_pid(f), SIGTERM), 0);
        assert_int_equal(kill(stub_pid(f), SIGSEGV), 0);
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.orig_rax, 39);
}

/* The memory file and the data file (every stub's part of it), nothing else. */
static void test_stub_holds_only_its_two_files(void **state)
{
        static const char *const want[] = { [STUB_MEMFD] = "memfd:guest",
                                            [STUB_DATAFD] = "memfd:systrap-data" };
        struct fixture *f = *state;
        char path[64], link[256];
        struct dirent *de;
        int n = 0;
        DIR *d;

        snprintf(path, sizeof(path), "/proc/%d/fd", stub_pid(f));
        d = opendir(path);
        assert_non_null(d);
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);

                if (de->d_name[0] == '.')
                        continue;
                n++;
                assert_true(fd == STUB_MEMFD || fd == STUB_DATAFD);
                snprintf(path, sizeof(path), "/proc/%d/fd/%d", stub_pid(f), fd);
                ssize_t len = readlink(path, link, sizeof(link) - 1);
                assert_true(len > 0);
                link[len] = 0;
                assert_non_null(strstr(link, want[fd]));
        }
        closedir(d);
        assert_int_equal(n, 2);
}

static uintptr_t region_of(const struct fixture *f)
{
        return container_of(f->p, struct systrap_platform, base)->region;
}

static void test_stub_maps_only_region_and_guest(void **state)
{
        struct fixture *f = *state;
        uintptr_t region = region_of(f);
        char path[64], line[512];
        int guest = 0, code = 0, data = 0;
        FILE *maps;

        snprintf(path, sizeof(path), "/proc/%d/maps", stub_pid(f));
        maps = fopen(path, "re");
        assert_non_null(maps);
        while (fgets(line, sizeof(line), maps)) {
                unsigned long long start, end;
                char perms[8];

                assert_int_equal(sscanf(line, "%llx-%llx %7s", &start, &end, perms), 3);
                if (strstr(line, "[vsyscall]"))
                        continue;       /* not unmappable, and execute-only or absent */
                if (end <= GUEST_ADDR_MAX) {
                        guest++;
                        assert_true(start >= CODE && end <= DATA + PAGE_SIZE);
                        continue;
                }
                assert_true(start >= region && end <= region + SYSTRAP_REGION_SIZE);
                if (strchr(perms, 'x')) {
                        code++;
                        assert_int_equal(start, region);
                        assert_int_equal(end - start, PAGE_SIZE);
                        assert_string_equal(perms, "r-xp");
                } else if (strcmp(perms, "rw-s") == 0) {
                        data++;
                        assert_int_equal(start, region + SYSTRAP_CODE_SPAN);
                } else {
                        assert_string_equal(perms, "---p");
                }
        }
        fclose(maps);
        assert_int_equal(guest, 2);
        assert_int_equal(code, 1);
        assert_int_equal(data, 1);
}

static void test_release_kills_stub(void **state)
{
        struct fixture *f = *state;
        pid_t pid = stub_pid(f);

        assert_int_equal(kill(pid, 0), 0);
        f->ops->ctx_release(f->ctx);
        f->ctx = NULL;
        f->ops->as_release(f->as);
        f->as = NULL;
        /* Killed at once; the keeper (pool.c) waits for its exit, and the
         * kernel reaps it (the factory ignores SIGCHLD) right after. */
        systrap_pool_settle(container_of(f->p, struct systrap_platform, base));
        for (int i = 0; i < 2000 && kill(pid, 0) == 0; i++)
                usleep(1000);
        assert_int_equal(kill(pid, 0), -1);
        assert_int_equal(errno, ESRCH);
}

/* The guest mappings /proc/PID/maps shows below GUEST_ADDR_MAX. */
static int guest_mappings(pid_t pid)
{
        char path[64], line[512];
        int n = 0;
        FILE *maps;

        snprintf(path, sizeof(path), "/proc/%d/maps", pid);
        maps = fopen(path, "re");
        assert_non_null(maps);
        while (fgets(line, sizeof(line), maps)) {
                unsigned long long start, end;

                assert_int_equal(sscanf(line, "%llx-%llx", &start, &end), 2);
                if (end <= GUEST_ADDR_MAX && !strstr(line, "[vsyscall]"))
                        n++;
        }
        fclose(maps);
        return n;
}

/* Once the guest forks (a second address space), a released stub whose
 * threads were all stopped goes back to the pool when it has room: same
 * process, nothing of the old guest mapped, and it runs the next one's code. */
static void test_released_stub_is_reused_empty(void **state)
{
        struct fixture *f = *state;
        struct systrap_platform *sp = container_of(f->p, struct systrap_platform, base);
        struct platform_as *first, *as;
        struct platform_ctx *ctx;
        pid_t pid;

        assert_int_equal(f->ops->as_create(f->p, &first), 0);   /* the pool fills */
        systrap_pool_settle(sp);
        assert_int_equal(f->ops->as_create(f->p, &as), 0);      /* room for one */
        assert_int_equal(f->ops->as_map(as, CODE, PAGE_SIZE, PROT_READ | PROT_EXEC, 0), 0);
        assert_int_equal(f->ops->as_map(as, 0x10000000, 4 * PAGE_SIZE, PROT_READ,
                                        2 * PAGE_SIZE), 0);
        assert_int_equal(f->ops->ctx_create(as, &ctx), 0);
        pid = container_of(as, struct systrap_as, base)->pid;
        assert_int_equal(guest_mappings(pid), 2);
        f->ops->ctx_release(ctx);
        f->ops->as_release(as);
        systrap_pool_settle(sp);
        assert_int_equal(kill(pid, 0), 0);
        assert_int_equal(guest_mappings(pid), 0);

        assert_int_equal(f->ops->as_create(f->p, &as), 0);
        assert_int_equal(container_of(as, struct systrap_as, base)->pid, pid);
        assert_int_equal(f->ops->as_map(as, CODE, PAGE_SIZE, PROT_READ | PROT_EXEC, 0), 0);
        assert_int_equal(f->ops->as_map(as, DATA, PAGE_SIZE, PROT_READ | PROT_WRITE, PAGE_SIZE), 0);
        assert_int_equal(f->ops->ctx_create(as, &ctx), 0);
        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(f->ops->switch_to(ctx, &f->regs, &f->ev), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.orig_rax, 39);
        f->ops->ctx_release(ctx);
        f->ops->as_release(as);
        f->ops->as_release(first);
}

/* A released stopped context is parked as its address space's spare: the
 * next ctx_create gets the same host thread under a new id, and it runs
 * the guest's code from the registers it is given. */
static void test_released_ctx_is_parked_for_the_next(void **state)
{
        struct fixture *f = *state;
        struct systrap_ctx *old = container_of(f->ctx, struct systrap_ctx, base);
        pid_t tid = old->tid;
        uint64_t id = old->id;
        struct systrap_ctx *ctx;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(run(f), 0);            /* stopped at its getpid */
        f->ops->ctx_release(f->ctx);
        f->ctx = NULL;
        assert_int_equal(f->ops->ctx_create(f->as, &f->ctx), 0);
        ctx = container_of(f->ctx, struct systrap_ctx, base);
        assert_int_equal(ctx->tid, tid);
        assert_true(ctx->id != id);
        assert_int_equal(syscall(SYS_tgkill, stub_pid(f), tid, 0), 0);
        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.orig_rax, 39);
        assert_int_equal(f->regs.gp.rip, CODE + 7);
}

static int count_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        int n = 0;

        assert_non_null(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

static void test_as_create_release_leaks_nothing(void **state)
{
        struct fixture *f = *state;
        struct systrap_platform *sp = container_of(f->p, struct systrap_platform, base);
        int before;

        /* The keeper's ready stubs hold a pidfd each: not counted. */
        systrap_pool_settle(sp);
        before = count_fds() - (int)sp->pool.nready;
        for (int i = 0; i < 20; i++) {
                struct platform_as *as;
                struct platform_ctx *ctx;

                assert_int_equal(f->ops->as_create(f->p, &as), 0);
                assert_int_equal(f->ops->ctx_create(as, &ctx), 0);
                if (i % 2)      /* dead stubs are reaped too */
                        assert_int_equal(kill(container_of(as, struct systrap_as, base)->pid,
                                              SIGKILL), 0);
                f->ops->ctx_release(ctx);
                f->ops->as_release(as);
        }
        systrap_pool_settle(sp);
        assert_int_equal(count_fds() - (int)sp->pool.nready, before);
        assert_int_equal(waitpid(-1, NULL, __WALL | WNOHANG), 0);       /* only our own stub left */
}

static void test_killed_stub_gives_esrch(void **state)
{
        struct fixture *f = *state;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(kill(stub_pid(f), SIGKILL), 0);
        assert_int_equal(run(f), -ESRCH);
        assert_int_equal(run(f), -ESRCH);
        assert_int_equal(f->ops->as_map(f->as, CODE, PAGE_SIZE, PROT_READ, 0), -ESRCH);
}

static void test_bad_arguments_are_einval(void **state)
{
        struct fixture *f = *state;
        const struct platform_ops *o = f->ops;
        struct platform *p;

        assert_int_equal(o->as_map(f->as, CODE + 1, PAGE_SIZE, PROT_READ, 0), -EINVAL);
        assert_int_equal(o->as_map(f->as, CODE, 100, PROT_READ, 0), -EINVAL);
        assert_int_equal(o->as_map(f->as, CODE, 0, PROT_READ, 0), -EINVAL);
        assert_int_equal(o->as_map(f->as, CODE, PAGE_SIZE, PROT_READ, 12), -EINVAL);
        assert_int_equal(o->as_map(f->as, CODE, PAGE_SIZE, 0x10, 0), -EINVAL);
        assert_int_equal(o->as_map(f->as, GUEST_ADDR_MAX, PAGE_SIZE, PROT_READ, 0), -EINVAL);
        assert_int_equal(o->as_map(f->as, GUEST_ADDR_MAX - PAGE_SIZE, 2 * PAGE_SIZE,
                                   PROT_READ, 0), -EINVAL);
        assert_int_equal(o->as_map(f->as, CODE, (uint64_t)-PAGE_SIZE, PROT_READ, 0), -EINVAL);
        assert_int_equal(o->as_map(f->as, CODE, PAGE_SIZE, PROT_READ, (uint64_t)-PAGE_SIZE),
                         -EINVAL);
        assert_int_equal(o->as_unmap(f->as, CODE + 8, PAGE_SIZE), -EINVAL);
        assert_int_equal(o->as_unmap(f->as, GUEST_ADDR_MAX, PAGE_SIZE), -EINVAL);
        assert_int_equal(o->as_protect(f->as, CODE, PAGE_SIZE + 1, PROT_READ), -EINVAL);
        assert_int_equal(o->as_protect(f->as, 0x7ffffffff000ULL, PAGE_SIZE, PROT_READ), -EINVAL);
        assert_int_equal(o->create(-1, &p), -EBADF);

        /* The trampoline above GUEST_ADDR_MAX is out of reach, so the guest
         * mappings are intact and the stub still works. */
        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
}

static void test_garbage_registers_never_crash(void **state)
{
        struct fixture *f = *state;
        unsigned seed = 12345;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        for (int i = 0; i < 200; i++) {
                uint8_t *b = (uint8_t *)&f->regs.gp;
                int r;

                for (size_t j = 0; j < sizeof(f->regs.gp); j++)
                        b[j] = (uint8_t)rand_r(&seed);
                r = run(f);
                assert_true(r == 0 || r == -EINVAL);
                if (r == 0)
                        assert_int_equal(f->ev.stop, PLATFORM_STOP_FAULT);
        }
        /* Still usable. */
        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
}

static void test_xstate_roundtrip_reaches_guest(void **state)
{
        struct fixture *f = *state;
        /* movq %xmm0,%rsi; syscall (rax reads -ENOSYS at a syscall stop) */
        static const uint8_t code[] = { 0x66, 0x48, 0x0f, 0x7e, 0xc6, 0x0f, 0x05 };
        static struct cpu_xstate xs;
        uint64_t v = 0x0123456789abcdefULL;

        load_code(f, code, sizeof(code));
        assert_int_equal(f->ops->xstate_get(f->ctx, &xs), 0);
        assert_true(xs.size >= 512);
        memcpy(xs.buf + 160, &v, sizeof(v));    /* xmm0 in the legacy area */
        assert_int_equal(f->ops->xstate_set(f->ctx, &xs), 0);
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.rsi, v);

        xs.size = 100;
        assert_int_equal(f->ops->xstate_set(f->ctx, &xs), -EINVAL);
}

static void *create_ctx_elsewhere(void *arg)
{
        struct fixture *f = arg;
        struct platform_ctx *ctx;
        int r = f->ops->ctx_create(f->as, &ctx);

        if (r == 0)
                f->ops->ctx_release(ctx);
        return (void *)(intptr_t)r;
}

static void test_second_ctx_is_another_stub_thread(void **state)
{
        struct fixture *f = *state;
        struct platform_ctx *ctx2;
        struct cpu_regs regs2;
        struct platform_event ev2;
        pthread_t t;
        void *res;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(f->ops->ctx_create(f->as, &ctx2), 0);
        assert_int_not_equal(container_of(ctx2, struct systrap_ctx, base)->tid, stub_pid(f));
        regs2 = f->regs;
        assert_int_equal(f->ops->switch_to(ctx2, &regs2, &ev2), 0);
        assert_int_equal(ev2.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(regs2.gp.orig_rax, 39);
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        f->ops->ctx_release(ctx2);

        /* Any host thread can create one. */
        assert_int_equal(pthread_create(&t, NULL, create_ctx_elsewhere, f), 0);
        assert_int_equal(pthread_join(t, &res), 0);
        assert_int_equal((intptr_t)res, 0);
}

/*
 * Hostile guests. Everything below is what a guest that owns its stub
 * process can do; each must fail to reach the host and must not crash or
 * confuse the sentry.
 */

static uintptr_t slot_addr(const struct fixture *f)
{
        return region_of(f) + SYSTRAP_SLOTS_OFF +
               (uintptr_t)container_of(f->ctx, struct systrap_ctx, base)->slot * SYSTRAP_SLOT_SIZE;
}

/* The "syscall" of the trampoline's rt_sigreturn stub (mov $15,%eax is 5
 * bytes; a ud2 follows the syscall). */
static uintptr_t tramp_syscall(const struct fixture *f)
{
        return region_of(f) + TRAMP_OFFSET(systrap_restorer) + 5;
}

/* Jumps into the trampoline with a host call of the guest's choosing, as if
 * guest code had done "jmp" there; returns what the call returned. */
static long raw_call(struct fixture *f, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
                     uint64_t a3, uint64_t a4, uint64_t a5)
{
        memset(&f->regs, 0, sizeof(f->regs));
        f->regs.gp.rip = tramp_syscall(f);
        f->regs.gp.rsp = DATA + PAGE_SIZE;
        f->regs.gp.eflags = 0x202;
        f->regs.gp.rax = (uint64_t)nr;
        f->regs.gp.rdi = a0;
        f->regs.gp.rsi = a1;
        f->regs.gp.rdx = a2;
        f->regs.gp.r10 = a3;
        f->regs.gp.r8 = a4;
        f->regs.gp.r9 = a5;
        assert_int_equal(run(f), 0);
        /* The call returned (or was refused) and the ud2 after it faulted. */
        assert_int_equal(f->ev.stop, PLATFORM_STOP_FAULT);
        assert_int_equal(f->ev.signo, SIGILL);
        assert_int_equal(f->regs.gp.rip, tramp_syscall(f) + 2);
        return (long)f->regs.gp.rax;
}

static void test_raw_host_calls_from_trampoline_are_refused(void **state)
{
        struct fixture *f = *state;
        uintptr_t region = region_of(f);
        static const char path[] = "/etc/passwd";

        assert_int_equal(pwrite(f->memfd, path, sizeof(path), PAGE_SIZE), sizeof(path));
        assert_int_equal(raw_call(f, SYS_openat, (uint64_t)AT_FDCWD, DATA, O_RDONLY, 0, 0, 0),
                         -EPERM);
        assert_int_equal(raw_call(f, SYS_socket, AF_INET, SOCK_STREAM, 0, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_kill, 1, 0, 0, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_getpid, 0, 0, 0, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_execve, DATA, 0, 0, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_ptrace, PTRACE_TRACEME, 0, 0, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_seccomp, 0, 0, 0, 0, 0, 0), -EPERM);
        /* Replacing the stub's handlers. */
        assert_int_equal(raw_call(f, SYS_rt_sigaction, SIGSYS, DATA, 0, 8, 0, 0), -EPERM);
        /* fork, and a thread with flags of its own. */
        assert_int_equal(raw_call(f, SYS_clone, SIGCHLD, 0, 0, 0, 0, 0), -EPERM);
        /* What the factory may do and a stub forked from it may not: fork
         * (its child filter), install filters, remap its data (the seal), or
         * close its two files. */
        assert_int_equal(raw_call(f, SYS_clone, STUB_FORK_FLAGS, 0, DATA, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, DATA, 0, 0, 0),
                         -EPERM);
        assert_int_equal(raw_call(f, SYS_mmap, region + SYSTRAP_CODE_SPAN, SYSTRAP_DATA_SIZE,
                                  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, STUB_DATAFD, 0),
                         -EPERM);
        assert_int_equal(raw_call(f, SYS_close, STUB_MEMFD, 0, 0, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_close, STUB_DATAFD, 0, 0, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND,
                                  0, 0, 0, 0, 0), -EPERM);
        /* Memory other than the memory file, or above the guest's range. */
        assert_int_equal(raw_call(f, SYS_mmap, 0x600000, PAGE_SIZE, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_mmap, region, PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                                  MAP_SHARED | MAP_FIXED, STUB_MEMFD, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_munmap, region, PAGE_SIZE, 0, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_mprotect, region, PAGE_SIZE,
                                  PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_futex, DATA, FUTEX_WAKE_OP, 1, 0, DATA, 0), -EPERM);
        /* What the allow-list lets through (a start below GUEST_ADDR_MAX) but
         * reaches into the region: refused by the seal. */
        assert_int_equal(raw_call(f, SYS_munmap, GUEST_ADDR_MAX - PAGE_SIZE,
                                  region + SYSTRAP_REGION_SIZE - (GUEST_ADDR_MAX - PAGE_SIZE),
                                  0, 0, 0, 0), -EPERM);
        /* (mprotect wants the whole range mapped: fill the gap first.) */
        assert_int_equal(raw_call(f, SYS_mmap, GUEST_ADDR_MAX - PAGE_SIZE,
                                  region - (GUEST_ADDR_MAX - PAGE_SIZE), PROT_READ,
                                  MAP_SHARED | MAP_FIXED, STUB_MEMFD, 0),
                         (long)(GUEST_ADDR_MAX - PAGE_SIZE));
        assert_int_equal(raw_call(f, SYS_mprotect, GUEST_ADDR_MAX - PAGE_SIZE,
                                  region + PAGE_SIZE - (GUEST_ADDR_MAX - PAGE_SIZE),
                                  PROT_READ | PROT_WRITE, 0, 0, 0), -EPERM);
        assert_int_equal(raw_call(f, SYS_mmap, GUEST_ADDR_MAX - PAGE_SIZE,
                                  region + PAGE_SIZE - (GUEST_ADDR_MAX - PAGE_SIZE),
                                  PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED | MAP_FIXED,
                                  STUB_MEMFD, 0), -EPERM);

        /* The stub is intact. */
        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.orig_rax, 39);
}

static void test_guest_sigaction_and_sigreturn_are_trapped(void **state)
{
        struct fixture *f = *state;
        /* mov $13,%eax; syscall; mov $15,%eax; syscall; mov $39,%eax; syscall */
        static const uint8_t code[] = {
                0xb8, 0x0d, 0, 0, 0, 0x0f, 0x05, 0xb8, 0x0f, 0, 0, 0, 0x0f, 0x05,
                0xb8, 0x27, 0, 0, 0, 0x0f, 0x05,
        };

        load_code(f, code, sizeof(code));
        f->regs.gp.rdi = SIGSYS;
        f->regs.gp.rsi = DATA;
        for (unsigned i = 0; i < 3; i++) {
                static const uint64_t nr[] = { 13, 15, 39 };

                assert_int_equal(run(f), 0);
                assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
                assert_int_equal(f->regs.gp.orig_rax, nr[i]);
                assert_int_equal(f->regs.gp.rip, CODE + 7 * (i + 1));
        }
}

static void test_scribbled_page_is_rewritten_by_next_stop(void **state)
{
        struct fixture *f = *state;
        /* mov $0x41,%eax; mov $4096,%ecx; rep stosb; mov $39,%eax; syscall */
        static const uint8_t code[] = {
                0xb8, 0x41, 0, 0, 0, 0xb9, 0, 0x10, 0, 0, 0xf3, 0xaa,
                0xb8, 0x27, 0, 0, 0, 0x0f, 0x05,
        };
        static struct cpu_xstate xs;

        for (int i = 0; i < 3; i++) {
                load_code(f, code, sizeof(code));
                f->regs.gp.rdi = slot_addr(f);
                assert_int_equal(run(f), 0);
                assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
                assert_int_equal(f->regs.gp.orig_rax, 39);
                assert_int_equal(f->regs.gp.rip, CODE + sizeof(code));
                assert_int_equal(f->ops->xstate_get(f->ctx, &xs), 0);
        }
}

static void test_wrong_state_word_kills_stub(void **state)
{
        struct fixture *f = *state;
        static const uint8_t code[] = { 0xc7, 0x07, ST_DONE, 0, 0, 0, 0xeb, 0xfe }; /* movl $DONE,(%rdi); jmp . */

        load_code(f, code, sizeof(code));
        f->regs.gp.rdi = slot_addr(f);
        assert_int_equal(run(f), -ESRCH);
        assert_int_equal(run(f), -ESRCH);
        assert_int_equal(f->ops->as_map(f->as, CODE, PAGE_SIZE, PROT_READ, 0), -ESRCH);
}

static void test_forged_stop_is_only_guest_registers(void **state)
{
        struct fixture *f = *state;
        /* A stop written by guest code, not the handler: SIGSYS from seccomp,
         * "getpid", a frame pointer of 0xdead; then spin (jmp .). */
        static const uint8_t code[] = {
                0xc7, 0x47, 0x18, 0x1f, 0, 0, 0,                /* movl $31,24(%rdi) */
                0xc7, 0x47, 0x1c, 0x01, 0, 0, 0,                /* movl $1,28(%rdi) */
                0xc7, 0x47, 0x2c, 0x3e, 0, 0, 0xc0,             /* movl $0xc000003e,44(%rdi) */
                0x48, 0xc7, 0x47, 0x30, 0xad, 0xde, 0, 0,       /* movq $0xdead,48(%rdi) */
                0x48, 0xc7, 0x87, 0x18, 0x01, 0, 0, 0x27, 0, 0, 0, /* movq $39,280(%rdi) */
                0xc7, 0x07, 0x01, 0, 0, 0,                      /* movl $STOPPED,(%rdi) */
                0xeb, 0xfe,                                     /* jmp . */
        };
        struct interrupter in = { f->ops, f->ctx };
        static struct cpu_xstate xs;
        pthread_t t;

        load_code(f, code, sizeof(code));
        f->regs.gp.rdi = slot_addr(f);
        assert_int_equal(run(f), 0);
        /* Believed, but it is nothing the guest could not ask for anyway. */
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.orig_rax, 39);
        /* The forged frame pointer is refused, not followed. */
        assert_int_equal(f->ops->xstate_get(f->ctx, &xs), -EIO);
        assert_int_equal(f->ops->xstate_set(f->ctx, &xs), -EIO);
        /* The thread never stopped: an interrupt brings it back for real. */
        f->regs.gp.rip = CODE + sizeof(code) - 2;
        assert_int_equal(pthread_create(&t, NULL, interrupt_later, &in), 0);
        assert_int_equal(run(f), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_INTERRUPTED);
        assert_int_equal(f->regs.gp.rip, CODE + sizeof(code) - 2);
        assert_int_equal(f->ops->xstate_get(f->ctx, &xs), 0);
}

/* A forged rt_sigreturn frame at DATA: the registers to go to, and a signal
 * mask; rt_sigreturn runs from the trampoline, which allows it. */
static void forge_sigreturn(struct fixture *f, uint64_t mask, uint64_t rip)
{
        ucontext_t uc;

        memset(&uc, 0, sizeof(uc));
        uc.uc_stack.ss_sp = (void *)(slot_addr(f) + SYSTRAP_STACK_OFF);
        uc.uc_stack.ss_size = SYSTRAP_STACK_SIZE;
        uc.uc_mcontext.gregs[REG_RIP] = (greg_t)rip;
        uc.uc_mcontext.gregs[REG_RSP] = (greg_t)(DATA + PAGE_SIZE);
        uc.uc_mcontext.gregs[REG_EFL] = 0x202;
        uc.uc_mcontext.gregs[REG_CSGSFS] = 0x33 | (0x2bULL << 48);
        memcpy(&uc.uc_sigmask, &mask, sizeof(mask));
        assert_int_equal(pwrite(f->memfd, &uc, sizeof(uc), PAGE_SIZE), sizeof(uc));
        memset(&f->regs, 0, sizeof(f->regs));
        f->regs.gp.rip = tramp_syscall(f);
        f->regs.gp.rax = SYS_rt_sigreturn;
        f->regs.gp.rsp = DATA;
        f->regs.gp.eflags = 0x202;
}

static void test_sigreturn_blocking_sigsys_kills_stub(void **state)
{
        struct fixture *f = *state;

        assert_int_equal(pwrite(f->memfd, getpid_then_exit, sizeof(getpid_then_exit), 0),
                         sizeof(getpid_then_exit));
        forge_sigreturn(f, ~0ULL, CODE);
        /* The next guest call traps with SIGSYS blocked: the kernel resets
         * it to its default action, which kills the stub. */
        assert_int_equal(run(f), -ESRCH);
        assert_int_equal(run(f), -ESRCH);
}

static void test_sigreturn_blocking_interrupt_kills_stub(void **state)
{
        struct fixture *f = *state;
        static const uint8_t spin[] = { 0xeb, 0xfe };
        struct interrupter in = { f->ops, f->ctx };
        struct timespec t0, t1;
        pthread_t t;

        assert_int_equal(pwrite(f->memfd, spin, sizeof(spin), 0), sizeof(spin));
        forge_sigreturn(f, 1ULL << (SYSTRAP_INTERRUPT_SIGNAL - 1), CODE);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(pthread_create(&t, NULL, interrupt_later, &in), 0);
        /* Deaf to interrupts: killed after a second, not waited for forever. */
        assert_int_equal(run(f), -ESRCH);
        assert_int_equal(pthread_join(t, NULL), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_true(t1.tv_sec - t0.tv_sec < 5);
}

static void status_fields(pid_t pid, const char *tid, char *out, size_t size)
{
        char path[320], line[256];
        FILE *st;

        snprintf(path, sizeof(path), "/proc/%d/task/%s/status", pid, tid);
        st = fopen(path, "re");
        assert_non_null(st);
        out[0] = 0;
        while (fgets(line, sizeof(line), st))
                if (strncmp(line, "Seccomp", 7) == 0 || strncmp(line, "NoNewPrivs", 10) == 0 ||
                    strncmp(line, "Cap", 3) == 0)
                        strncat(out, line, size - strlen(out) - 1);
        fclose(st);
}

static void test_every_stub_thread_is_filtered_and_unprivileged(void **state)
{
        struct fixture *f = *state;
        struct platform_ctx *ctx2;
        char path[64], fields[1024];
        struct dirent *de;
        int n = 0;
        DIR *d;

        assert_int_equal(f->ops->ctx_create(f->as, &ctx2), 0);
        snprintf(path, sizeof(path), "/proc/%d/task", stub_pid(f));
        d = opendir(path);
        assert_non_null(d);
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                n++;
                status_fields(stub_pid(f), de->d_name, fields, sizeof(fields));
                assert_non_null(strstr(fields, "NoNewPrivs:\t1\n"));
                assert_non_null(strstr(fields, "Seccomp:\t2\n"));
                /* the instruction-pointer filter, the allow-list, the child filter */
                assert_non_null(strstr(fields, "Seccomp_filters:\t3\n"));
                assert_non_null(strstr(fields, "CapPrm:\t0000000000000000\n"));
                assert_non_null(strstr(fields, "CapEff:\t0000000000000000\n"));
                assert_non_null(strstr(fields, "CapBnd:\t0000000000000000\n"));
        }
        closedir(d);
        assert_int_equal(n, 3);         /* the service thread and two ctxs */
        f->ops->ctx_release(ctx2);
}

static void test_stub_has_own_namespaces_and_empty_root(void **state)
{
        struct fixture *f = *state;
        static const char *const ns[] = { "user", "pid", "mnt", "net", "ipc", "uts" };
        char path[64];
        struct dirent *de;
        struct stat a, b;
        int n = 0;
        DIR *d;

        for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
                snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
                assert_int_equal(stat(path, &a), 0);
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", stub_pid(f), ns[i]);
                assert_int_equal(stat(path, &b), 0);
                assert_true(a.st_ino != b.st_ino);
        }
        snprintf(path, sizeof(path), "/proc/%d/root", stub_pid(f));
        d = opendir(path);
        assert_non_null(d);
        while ((de = readdir(d)))
                n++;
        closedir(d);
        assert_int_equal(n, 2);         /* . and .. */
}

/* Idle costs nothing: a stopped stub thread sleeps in futex after its spin,
 * and a sentry thread waiting for a guest that computes sleeps too. */
static long thread_ticks(pid_t pid, pid_t tid)
{
        char path[64], buf[1024], *p;
        unsigned long utime, stime;
        FILE *st;

        snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
        st = fopen(path, "re");
        assert_non_null(st);
        assert_non_null(fgets(buf, sizeof(buf), st));
        fclose(st);
        p = strrchr(buf, ')');
        assert_non_null(p);
        /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
        assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                                &utime, &stime), 2);
        return (long)(utime + stime);
}

static double thread_cpu_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_idle_sides_sleep(void **state)
{
        struct fixture *f = *state;
        struct timespec half = { .tv_nsec = 500 * 1000 * 1000 };
        static const uint8_t spin[] = { 0xeb, 0xfe };
        struct interrupter in = { f->ops, f->ctx };
        pid_t tid = container_of(f->ctx, struct systrap_ctx, base)->tid;
        double cpu;
        long ticks;
        pthread_t t;

        /* The stub waits for us for half a second: under 2 ticks of CPU. */
        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(run(f), 0);
        ticks = thread_ticks(stub_pid(f), tid);
        nanosleep(&half, NULL);
        assert_true(thread_ticks(stub_pid(f), tid) - ticks <= 2);

        /* We wait for the guest for half a second: under 20 ms of CPU. */
        load_code(f, spin, sizeof(spin));
        in.delay_ms = 500;
        cpu = thread_cpu_ms();
        assert_int_equal(pthread_create(&t, NULL, interrupt_later, &in), 0);
        assert_int_equal(run(f), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_INTERRUPTED);
        assert_true(thread_cpu_ms() - cpu < 20);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
                T(test_syscall_stop_reports_nr_and_rip),
                T(test_syscall_result_reaches_guest),
                T(test_memory_is_shared_with_memfile),
                T(test_write_to_unmapped_faults_with_address),
                T(test_write_to_readonly_faults_accerr),
                T(test_ud2_faults_sigill),
                T(test_int3_faults_sigtrap),
                T(test_int80_is_not_a_syscall),
                T(test_protect_nonexec_faults_on_fetch),
                T(test_unmap_removes_mapping),
                T(test_apply_batch),
                T(test_apply_long_batch),
                T(test_stubs_are_forked_from_the_factory),
                T(test_interrupt_stops_spinning_guest),
                T(test_interrupt_before_switch_is_not_lost),
                T(test_stray_signals_are_not_delivered),
                T(test_stub_holds_only_its_two_files),
                T(test_stub_maps_only_region_and_guest),
                T(test_release_kills_stub),
                T(test_released_stub_is_reused_empty),
                T(test_released_ctx_is_parked_for_the_next),
                T(test_as_create_release_leaks_nothing),
                T(test_killed_stub_gives_esrch),
                T(test_bad_arguments_are_einval),
                T(test_garbage_registers_never_crash),
                T(test_xstate_roundtrip_reaches_guest),
                T(test_second_ctx_is_another_stub_thread),
                T(test_raw_host_calls_from_trampoline_are_refused),
                T(test_guest_sigaction_and_sigreturn_are_trapped),
                T(test_scribbled_page_is_rewritten_by_next_stop),
                T(test_wrong_state_word_kills_stub),
                T(test_forged_stop_is_only_guest_registers),
                T(test_sigreturn_blocking_sigsys_kills_stub),
                T(test_sigreturn_blocking_interrupt_kills_stub),
                T(test_every_stub_thread_is_filtered_and_unprivileged),
                T(test_stub_has_own_namespaces_and_empty_root),
                T(test_idle_sides_sleep),
#undef T
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
