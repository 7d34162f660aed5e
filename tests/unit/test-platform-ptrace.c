/*
 * The ptrace platform against real stub processes: no mocks. Each test gets
 * a fresh memory file, platform, address space (code page at CODE, data page
 * at DATA) and ctx from setup().
 */
#include <dirent.h>
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
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/macro.h"
#include "platform/platform.h"
#include "platform/ptrace/internal.h"

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
        return container_of(f->as, struct ptrace_as, base)->pid;
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
        f->ops = platform_lookup("ptrace");
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

struct interrupter {
        const struct platform_ops *ops;
        struct platform_ctx *ctx;
};

static void *interrupt_later(void *arg)
{
        struct interrupter *in = arg;
        struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };

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

static void test_stub_holds_only_the_memfd(void **state)
{
        struct fixture *f = *state;
        char path[64], link[256];
        struct dirent *de;
        int n = 0;
        DIR *d;

        snprintf(path, sizeof(path), "/proc/%d/fd", stub_pid(f));
        d = opendir(path);
        assert_non_null(d);
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                n++;
                assert_int_equal(atoi(de->d_name), STUB_MEMFD);
        }
        closedir(d);
        assert_int_equal(n, 1);
        snprintf(path, sizeof(path), "/proc/%d/fd/%d", stub_pid(f), STUB_MEMFD);
        ssize_t len = readlink(path, link, sizeof(link) - 1);
        assert_true(len > 0);
        link[len] = 0;
        assert_non_null(strstr(link, "memfd:guest"));
}

static void test_stub_maps_only_trampoline_and_guest(void **state)
{
        struct fixture *f = *state;
        char path[64], line[512];
        int guest = 0, trampoline = 0;
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
                } else {
                        trampoline++;
                        assert_int_equal(end - start, PAGE_SIZE);
                        assert_string_equal(perms, "r-xp");
                }
        }
        fclose(maps);
        assert_int_equal(guest, 2);
        assert_int_equal(trampoline, 1);
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
        assert_int_equal(kill(pid, 0), -1);
        assert_int_equal(errno, ESRCH);
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
        int before = count_fds();

        for (int i = 0; i < 20; i++) {
                struct platform_as *as;
                struct platform_ctx *ctx;

                assert_int_equal(f->ops->as_create(f->p, &as), 0);
                assert_int_equal(f->ops->ctx_create(as, &ctx), 0);
                if (i % 2)      /* dead stubs are reaped too */
                        assert_int_equal(kill(container_of(as, struct ptrace_as, base)->pid,
                                              SIGKILL), 0);
                f->ops->ctx_release(ctx);
                f->ops->as_release(as);
        }
        assert_int_equal(count_fds(), before);
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

static void test_second_ctx_is_another_stub_thread(void **state)
{
        struct fixture *f = *state;
        struct platform_ctx *ctx2;
        struct cpu_regs regs2;
        struct platform_event ev2;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(f->ops->ctx_create(f->as, &ctx2), 0);
        assert_int_not_equal(container_of(ctx2, struct ptrace_ctx, base)->tid,
                             container_of(f->ctx, struct ptrace_ctx, base)->tid);
        regs2 = f->regs;
        assert_int_equal(f->ops->switch_to(ctx2, &regs2, &ev2), 0);
        assert_int_equal(ev2.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(regs2.gp.orig_rax, 39);
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        f->ops->ctx_release(ctx2);
}

/* Guest threads: each on a host thread of its own. */

struct guest_thread {
        struct fixture *f;
        struct platform_as *as;
        pthread_barrier_t *barrier;
        uint64_t id;
        int failures;
};

/* Runs getpid_then_exit's first call n times in a ctx of its own, with a
 * register only this thread uses. */
static void *run_own_ctx(void *arg)
{
        struct guest_thread *g = arg;
        const struct platform_ops *o = g->f->ops;
        struct platform_ctx *ctx;
        struct platform_event ev;
        struct cpu_regs regs;

        if (o->ctx_create(g->as, &ctx) < 0) {
                g->failures++;
                return NULL;
        }
        if (g->barrier)
                pthread_barrier_wait(g->barrier);
        for (int i = 0; i < 200; i++) {
                memset(&regs, 0, sizeof(regs));
                regs.gp.rip = CODE;
                regs.gp.rsp = DATA + PAGE_SIZE;
                regs.gp.eflags = 0x202;
                regs.gp.rbx = g->id * 1000000 + (uint64_t)i;
                if (o->switch_to(ctx, &regs, &ev) < 0 || ev.stop != PLATFORM_STOP_SYSCALL ||
                    regs.gp.orig_rax != 39 || regs.gp.rip != CODE + 7 ||
                    regs.gp.rbx != g->id * 1000000 + (uint64_t)i)
                        g->failures++;
        }
        o->ctx_release(ctx);
        return NULL;
}

static void test_two_threads_run_guest_code_concurrently(void **state)
{
        struct fixture *f = *state;
        pthread_barrier_t barrier;
        struct guest_thread g[2];
        pthread_t t[2];

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);
        for (int i = 0; i < 2; i++) {
                g[i] = (struct guest_thread){ .f = f, .as = f->as, .barrier = &barrier,
                                              .id = (uint64_t)i + 1 };
                assert_int_equal(pthread_create(&t[i], NULL, run_own_ctx, &g[i]), 0);
        }
        for (int i = 0; i < 2; i++) {
                assert_int_equal(pthread_join(t[i], NULL), 0);
                assert_int_equal(g[i].failures, 0);
        }
        pthread_barrier_destroy(&barrier);
        /* The fixture's ctx, created on this thread, is untouched. */
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
}

#define EXTRA 0x402000ULL
/* mov (%rbx),%rsi; syscall */
static const uint8_t load_rbx[] = { 0x48, 0x8b, 0x33, 0x0f, 0x05 };

struct mapper {
        struct fixture *f;
        bool with_ctx;
        int r;
        uint64_t seen;
};

/* Maps EXTRA from a thread with (own stub thread) or without a ctx (the
 * platform thread), and reads it through its own ctx if it has one. */
static void *map_extra(void *arg)
{
        struct mapper *m = arg;
        const struct platform_ops *o = m->f->ops;
        struct platform_ctx *ctx = NULL;
        struct platform_event ev;
        struct cpu_regs regs = m->f->regs;

        if (m->with_ctx && (m->r = o->ctx_create(m->f->as, &ctx)) < 0)
                return NULL;
        m->r = o->as_map(m->f->as, EXTRA, PAGE_SIZE, PROT_READ, 2 * PAGE_SIZE);
        if (m->r == 0 && ctx) {
                regs.gp.rbx = EXTRA;
                m->r = o->switch_to(ctx, &regs, &ev);
                if (m->r == 0 && ev.stop != PLATFORM_STOP_SYSCALL)
                        m->r = -EIO;
                m->seen = regs.gp.rsi;
        }
        o->ctx_release(ctx);
        return NULL;
}

static void check_map_from_other_thread(struct fixture *f, bool with_ctx)
{
        uint64_t v = 0x5555aaaa0000ULL + with_ctx;
        struct mapper m = { .f = f, .with_ctx = with_ctx };
        pthread_t t;

        load_code(f, load_rbx, sizeof(load_rbx));
        assert_int_equal(pwrite(f->memfd, &v, sizeof(v), 2 * PAGE_SIZE), sizeof(v));
        assert_int_equal(pthread_create(&t, NULL, map_extra, &m), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(m.r, 0);
        if (with_ctx)
                assert_int_equal(m.seen, v);
        /* Visible to this thread's ctx too. */
        f->regs.gp.rbx = EXTRA;
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.rsi, v);
}

static void test_map_from_second_thread_is_visible_to_both(void **state)
{
        check_map_from_other_thread(*state, true);
}

static void test_map_from_thread_without_ctx_works(void **state)
{
        check_map_from_other_thread(*state, false);
}

static int count_dir(const char *path)
{
        DIR *d = opendir(path);
        struct dirent *de;
        int n = 0;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static int stub_threads(pid_t pid)
{
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/task", pid);
        return count_dir(path);
}

struct creator {
        struct fixture *f;
        pthread_barrier_t *created, *go;
        struct platform_as *as;
        int r;
};

/* Creates an address space and a ctx, runs once, waits until the main
 * thread has its own ctx there, then releases its ctx and exits. */
static void *create_as_and_exit(void *arg)
{
        struct creator *c = arg;
        const struct platform_ops *o = c->f->ops;
        struct platform_ctx *ctx;
        struct platform_event ev;
        struct cpu_regs regs = c->f->regs;

        c->r = o->as_create(c->f->p, &c->as);
        if (c->r == 0)
                c->r = o->as_map(c->as, CODE, PAGE_SIZE, PROT_READ | PROT_EXEC, 0);
        if (c->r == 0)
                c->r = o->as_map(c->as, DATA, PAGE_SIZE, PROT_READ | PROT_WRITE, PAGE_SIZE);
        if (c->r == 0)
                c->r = o->ctx_create(c->as, &ctx);
        if (c->r == 0) {
                c->r = o->switch_to(ctx, &regs, &ev);
                if (c->r == 0 && ev.stop != PLATFORM_STOP_SYSCALL)
                        c->r = -EIO;
        }
        pthread_barrier_wait(c->created);
        pthread_barrier_wait(c->go);
        if (c->r == 0)
                o->ctx_release(ctx);
        return NULL;
}

static void test_creating_thread_may_exit_first(void **state)
{
        struct fixture *f = *state;
        const struct platform_ops *o = f->ops;
        pthread_barrier_t created, go;
        struct creator c = { .f = f, .created = &created, .go = &go };
        struct platform_ctx *ctx;
        struct cpu_regs regs;
        struct platform_event ev;
        pid_t pid;
        pthread_t t;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        regs = f->regs;
        pthread_barrier_init(&created, NULL, 2);
        pthread_barrier_init(&go, NULL, 2);
        assert_int_equal(pthread_create(&t, NULL, create_as_and_exit, &c), 0);
        pthread_barrier_wait(&created);
        assert_int_equal(c.r, 0);
        assert_int_equal(o->ctx_create(c.as, &ctx), 0);
        assert_int_equal(o->switch_to(ctx, &regs, &ev), 0);
        assert_int_equal(ev.stop, PLATFORM_STOP_SYSCALL);
        pthread_barrier_wait(&go);
        assert_int_equal(pthread_join(t, NULL), 0);

        /* The creator is gone; its ctx's stub thread too; the stub lives on. */
        pid = container_of(c.as, struct ptrace_as, base)->pid;
        assert_int_equal(stub_threads(pid), 2);         /* main + ours */
        for (int i = 0; i < 20; i++) {
                regs = f->regs;
                assert_int_equal(o->switch_to(ctx, &regs, &ev), 0);
                assert_int_equal(ev.stop, PLATFORM_STOP_SYSCALL);
                assert_int_equal(regs.gp.orig_rax, 39);
        }
        assert_int_equal(o->as_protect(c.as, DATA, PAGE_SIZE, PROT_READ), 0);
        o->ctx_release(ctx);
        o->as_release(c.as);
        assert_int_equal(kill(pid, 0), -1);
        pthread_barrier_destroy(&created);
        pthread_barrier_destroy(&go);
}

static void test_releasing_one_ctx_leaves_the_other_running(void **state)
{
        struct fixture *f = *state;
        struct guest_thread g = { .f = f, .as = f->as, .id = 7 };
        pthread_t t;

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        assert_int_equal(run(f), 0);            /* stopped at getpid, mid-program */
        assert_int_equal(pthread_create(&t, NULL, run_own_ctx, &g), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(g.failures, 0);
        assert_int_equal(stub_threads(stub_pid(f)), 2);
        f->regs.gp.rax = 4321;
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
        assert_int_equal(f->regs.gp.orig_rax, 60);
        assert_int_equal(f->regs.gp.rdi, 4321);
}

static void *release_elsewhere(void *arg)
{
        struct fixture *f = arg;

        f->ops->ctx_release(f->ctx);
        return NULL;
}

/* The sentry should not, but it must not hang or leak: the stub thread stays
 * stopped until as_release reaps it. */
static void test_ctx_released_from_another_thread_is_reaped(void **state)
{
        struct fixture *f = *state;
        pid_t pid = stub_pid(f);
        pthread_t t;

        assert_int_equal(pthread_create(&t, NULL, release_elsewhere, f), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        f->ctx = NULL;
        assert_int_equal(stub_threads(pid), 2);
        f->ops->as_release(f->as);
        f->as = NULL;
        assert_int_equal(kill(pid, 0), -1);
        assert_int_equal(waitpid(-1, NULL, __WALL | WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
}

/* Reads a "Name:\tvalue" line of /proc/<pid>/task/<tid>/status. */
static void task_status(pid_t pid, pid_t tid, const char *name, char *buf, size_t size)
{
        char path[96], line[256];
        size_t n = strlen(name);
        FILE *fp;

        snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
        fp = fopen(path, "re");
        assert_non_null(fp);
        buf[0] = 0;
        while (fgets(line, sizeof(line), fp))
                if (strncmp(line, name, n) == 0 && line[n] == ':') {
                        snprintf(buf, size, "%s", line + n + 2);
                        buf[strcspn(buf, "\n")] = 0;
                }
        fclose(fp);
}

struct first_stop {
        struct fixture *f;
        uint64_t rip;
        char tracer[32], blocked[32];
        pid_t self;
        int r;
};

static void *look_at_new_thread(void *arg)
{
        struct first_stop *s = arg;
        struct platform_ctx *ctx;
        struct user_regs_struct regs;
        struct ptrace_ctx *pc;

        s->self = gettid();
        s->r = s->f->ops->ctx_create(s->f->as, &ctx);
        if (s->r < 0)
                return NULL;
        pc = container_of(ctx, struct ptrace_ctx, base);
        if (ptrace(PTRACE_GETREGS, pc->tid, NULL, &regs) < 0)
                s->r = -errno;
        s->rip = regs.rip;
        task_status(pc->tgid, pc->tid, "TracerPid", s->tracer, sizeof(s->tracer));
        task_status(pc->tgid, pc->tid, "SigBlk", s->blocked, sizeof(s->blocked));
        s->f->ops->ctx_release(ctx);
        return NULL;
}

/* A new ctx's thread is traced by the thread that created the ctx, and has never left the trampoline, before
 * ctx_create returns; the main thread has every signal blocked. */
static void test_new_thread_is_traced_before_any_guest_code(void **state)
{
        struct fixture *f = *state;
        struct first_stop s = { .f = f };
        uintptr_t tramp = container_of(f->as, struct ptrace_as, base)->trampoline;
        char buf[32], self[16];
        unsigned long long mask;
        pthread_t t;

        assert_int_equal(pthread_create(&t, NULL, look_at_new_thread, &s), 0);
        assert_int_equal(pthread_join(t, NULL), 0);
        assert_int_equal(s.r, 0);
        assert_true(s.rip >= tramp && s.rip < tramp + PAGE_SIZE);
        snprintf(self, sizeof(self), "%d", s.self);
        assert_string_equal(s.tracer, self);    /* the creating thread itself */
        assert_string_equal(s.blocked, "0000000000000000");
        /* Not SIGKILL, SIGSTOP, nor SIGTRAP, which each int3 unblocks. */
        task_status(stub_pid(f), stub_pid(f), "SigBlk", buf, sizeof(buf));
        mask = strtoull(buf, NULL, 16);
        assert_true(mask & (1ULL << (SIGTERM - 1)));
        assert_true(mask & (1ULL << (SIGURG - 1)));
        assert_true(mask & (1ULL << (SIGSEGV - 1)));
        assert_true(mask & (1ULL << (SIGRTMAX - 1)));
}

static void test_destroying_platform_kills_leftover_stub(void **state)
{
        struct fixture *f = *state;
        struct platform *p;
        struct platform_as *as;
        struct ptrace_as *pas;
        siginfo_t si = { 0 };

        assert_int_equal(f->ops->create(f->memfd, &p), 0);
        assert_int_equal(f->ops->as_create(p, &as), 0);
        pas = container_of(as, struct ptrace_as, base);
        f->ops->destroy(p);             /* with the address space still there */
        assert_int_equal(waitid((idtype_t)P_PIDFD, (id_t)pas->pidfd, &si, WEXITED | __WALL), 0);
        assert_int_equal(si.si_code, CLD_KILLED);
        assert_int_equal(si.si_status, SIGKILL);
        close(pas->pidfd);
        pthread_mutex_destroy(&pas->lock);
        free(pas);
}

static void *create_run_release(void *arg)
{
        struct guest_thread *g = arg;
        const struct platform_ops *o = g->f->ops;
        struct platform_ctx *ctx;
        struct platform_event ev;
        struct cpu_regs regs = g->f->regs;

        if (o->ctx_create(g->as, &ctx) < 0) {
                g->failures++;
                return NULL;
        }
        if (o->switch_to(ctx, &regs, &ev) < 0 || ev.stop != PLATFORM_STOP_SYSCALL)
                g->failures++;
        if (o->as_map(g->as, EXTRA, PAGE_SIZE, PROT_READ, 0) < 0)
                g->failures++;
        o->ctx_release(ctx);
        return NULL;
}

static void test_ctx_cycles_from_fresh_threads_leak_nothing(void **state)
{
        struct fixture *f = *state;
        struct guest_thread g = { .f = f, .as = f->as };
        int fds = count_fds(), threads = count_dir("/proc/self/task");

        load_code(f, getpid_then_exit, sizeof(getpid_then_exit));
        for (int i = 0; i < 50; i++) {
                pthread_t t;

                assert_int_equal(pthread_create(&t, NULL, create_run_release, &g), 0);
                assert_int_equal(pthread_join(t, NULL), 0);
        }
        assert_int_equal(g.failures, 0);
        assert_int_equal(count_fds(), fds);
        assert_int_equal(count_dir("/proc/self/task"), threads);
        assert_int_equal(stub_threads(stub_pid(f)), 2);         /* main + the fixture's */
        assert_int_equal(waitpid(-1, NULL, __WALL | WNOHANG), 0);       /* no zombie */
        assert_int_equal(run(f), 0);
        assert_int_equal(f->ev.stop, PLATFORM_STOP_SYSCALL);
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
                T(test_interrupt_stops_spinning_guest),
                T(test_interrupt_before_switch_is_not_lost),
                T(test_stray_signals_are_not_delivered),
                T(test_stub_holds_only_the_memfd),
                T(test_stub_maps_only_trampoline_and_guest),
                T(test_release_kills_stub),
                T(test_as_create_release_leaks_nothing),
                T(test_killed_stub_gives_esrch),
                T(test_bad_arguments_are_einval),
                T(test_garbage_registers_never_crash),
                T(test_xstate_roundtrip_reaches_guest),
                T(test_second_ctx_is_another_stub_thread),
                T(test_two_threads_run_guest_code_concurrently),
                T(test_map_from_second_thread_is_visible_to_both),
                T(test_map_from_thread_without_ctx_works),
                T(test_creating_thread_may_exit_first),
                T(test_releasing_one_ctx_leaves_the_other_running),
                T(test_ctx_released_from_another_thread_is_reaped),
                T(test_new_thread_is_traced_before_any_guest_code),
                T(test_destroying_platform_kills_leftover_stub),
                T(test_ctx_cycles_from_fresh_threads_leak_nothing),
#undef T
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
