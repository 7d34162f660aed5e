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
#undef T
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
