/* Faults reach handlers with the si_code and si_addr Linux gives, and a
 * handler can resume the program by editing the saved registers. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "test.h"

static sigjmp_buf env;
static volatile siginfo_t got;
static volatile int skips;

static void jump_handler(int signo, siginfo_t *info, void *uc)
{
        (void)signo;
        (void)uc;
        got = *info;
        siglongjmp(env, 1);
}

/* Resume after a 2-byte ud2 by moving the saved rip. */
static void skip_handler(int signo, siginfo_t *info, void *ucp)
{
        ucontext_t *uc = ucp;

        (void)signo;
        got = *info;
        uc->uc_mcontext.gregs[REG_RIP] += 2;
        skips++;
}

static void expect_fault(void (*fn)(void *), void *arg, int signo, int code, void *addr)
{
        got = (siginfo_t){ 0 };
        if (sigsetjmp(env, 1) == 0) {
                fn(arg);
                FAIL("no fault, expected signal %d", signo);
        }
        EXPECT_EQ(got.si_signo, signo);
        EXPECT_EQ(got.si_code, code);
        if (addr)
                EXPECT_EQ((uintptr_t)got.si_addr, (uintptr_t)addr);
}

static void load(void *p)
{
        (void)*(volatile char *)p;
}

static void store(void *p)
{
        *(volatile char *)p = 1;
}

int main(void)
{
        struct sigaction sa = { .sa_sigaction = jump_handler, .sa_flags = SA_SIGINFO };
        char *ro, *gone;

        sigemptyset(&sa.sa_mask);
        EXPECT_OK(sigaction(SIGSEGV, &sa, NULL));
        EXPECT_OK(sigaction(SIGBUS, &sa, NULL));

        gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(gone != MAP_FAILED, "mmap");
        EXPECT_OK(munmap(gone, 4096));
        expect_fault(load, gone + 8, SIGSEGV, SEGV_MAPERR, gone + 8);

        ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(ro != MAP_FAILED, "mmap");
        expect_fault(store, ro + 100, SIGSEGV, SEGV_ACCERR, ro + 100);
        expect_fault(load, NULL, SIGSEGV, SEGV_MAPERR, NULL);

        /* The signal stays usable: the mask was restored by siglongjmp. */
        expect_fault(store, ro, SIGSEGV, SEGV_ACCERR, ro);

        /* A handler that edits rip resumes after the faulting instruction. */
        sa.sa_sigaction = skip_handler;
        EXPECT_OK(sigaction(SIGILL, &sa, NULL));
        __asm__ volatile("ud2");
        __asm__ volatile("ud2");
        EXPECT_EQ(skips, 2);
        EXPECT_EQ(got.si_signo, SIGILL);
        EXPECT_EQ(got.si_code, ILL_ILLOPN);

        /* int3 traps after the instruction: SIGTRAP, resumes by itself. */
        sa.sa_sigaction = jump_handler;
        EXPECT_OK(sigaction(SIGTRAP, &sa, NULL));
        got = (siginfo_t){ 0 };
        if (sigsetjmp(env, 1) == 0) {
                __asm__ volatile("int3");
                FAIL("int3 did not trap");
        }
        EXPECT_EQ(got.si_signo, SIGTRAP);
        EXPECT_EQ(got.si_code, SI_KERNEL);
        return 0;
}
