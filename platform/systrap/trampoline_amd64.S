/*
 * The systrap stub's code: position-independent, no libc, copied by stub.c
 * into the code page of the stub region (layout.h) and run only there. It is
 * data to the sentry (.rodata, never executed in the sentry).
 *
 * systrap_tramp_start, jumped to by the forked child once its signal
 * handlers and the instruction-pointer filter are in place:
 *   unmap everything outside the region, install the allow-list filter kept
 *   in the region's header, and become the service thread: slot 0, all
 *   signals blocked, running the sentry's requests forever.
 *
 * systrap_handler: the handler of SIGSYS (every guest system call), the
 *   fault signals and the interrupt signal, on the slot's signal stack.
 *   Saves the stop into the slot's message page, hands it to the sentry,
 *   runs requests until told to resume, copies the registers the sentry
 *   wrote into the ucontext and returns through systrap_restorer.
 *
 * Threads for guest contexts are cloned by a request (clone with the child
 * stack at the top of their slot); they set their signal stack, unblock
 * every signal and stop on a ud2 so that the sentry sees them ready.
 *
 * New stubs are forked by a request to the factory (factory.c: clone with
 * STUB_FORK_FLAGS, its data part's offset in %r9): the child maps its own
 * part of the data file over the data span, installs the child filter from
 * its header, seals the region and becomes a service thread like the
 * factory's own.
 *
 * Register use: %rbx the message page, %r15 the ucontext; anything may be
 * clobbered in the handler (rt_sigreturn restores the guest's registers).
 */
#include "layout.h"

#define SYS_mmap 9
#define SYS_rt_sigprocmask 14
#define SYS_rt_sigreturn 15
#define SYS_munmap 11
#define SYS_clone 56
#define SYS_exit 60
#define SYS_sigaltstack 131
#define SYS_arch_prctl 158
#define SYS_futex 202
#define SYS_sched_yield 24
#define SYS_exit_group 231
#define SYS_seccomp 317
#define SYS_mseal 462
#define PROT_READ_WRITE 3
#define MAP_SHARED_FIXED 0x11
#define ENOSYS 38
#define SECCOMP_SET_MODE_FILTER 1
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define SIG_SETMASK 2
#define TASK_SIZE 0x7ffffffff000

        .section .rodata.systrap_trampoline, "a"
        .balign 4096
        .globl systrap_tramp_start, systrap_tramp_end
        .globl systrap_handler, systrap_restorer
        .hidden systrap_tramp_start, systrap_tramp_end
        .hidden systrap_handler, systrap_restorer

systrap_tramp_start:
        lea     systrap_tramp_start(%rip), %r12

        /* munmap(0, region) */
        mov     $SYS_munmap, %eax
        xor     %edi, %edi
        mov     %r12, %rsi
        syscall
        test    %rax, %rax
        jnz     setup_fail

        /* munmap(region_end, TASK_SIZE - region_end) */
        lea     SYSTRAP_REGION_SIZE(%r12), %rdi
        movabs  $TASK_SIZE, %rsi
        sub     %rdi, %rsi
        mov     $SYS_munmap, %eax
        syscall
        test    %rax, %rax
        jnz     setup_fail

        /* seccomp(SECCOMP_SET_MODE_FILTER, 0, header): the allow-list. */
        mov     $SYS_seccomp, %eax
        mov     $SECCOMP_SET_MODE_FILTER, %edi
        xor     %esi, %esi
        lea     (SYSTRAP_CODE_SPAN + SYSTRAP_HDR_FPROG)(%r12), %rdx
        syscall
        test    %rax, %rax
        jnz     setup_fail

        /* The service thread: slot 0, its stack at the slot's top. */
service:
        lea     SYSTRAP_SLOTS_OFF(%r12), %rbx
        lea     SYSTRAP_SLOT_SIZE(%rbx), %rsp
        mov     $ST_DONE, %eax          /* ready */
        call    post
1:      call    wait_sentry
        jmp     1b

setup_fail:
        mov     $SYS_exit_group, %eax
        mov     $1, %edi
        syscall
        ud2

/* post: state = %eax (a full barrier), then wake the sentry if it sleeps. */
post:
        xchg    %eax, MSG_STATE(%rbx)
        cmpl    $0, MSG_SENTRY_WAITING(%rbx)
        je      1f
        mov     $SYS_futex, %eax
        lea     MSG_STATE(%rbx), %rdi
        mov     $FUTEX_WAKE, %esi
        mov     $1, %edx
        syscall
1:      ret

/* wait_sentry: spin up to MSG_SPIN TSC cycles, then sleep, until the state
 * is RESUME (return) or REQUEST (run it, post DONE, wait again). The first
 * MSG_SPIN_PAUSE cycles of the spin only pause; after that each turn yields
 * the CPU to whatever else is runnable on it. A yield that took longer than
 * MSG_YIELD_SLOW means a task not ours held the CPU meanwhile (and the
 * answer waited for it): for MSG_NOYIELD_FOR after one, the spin only
 * pauses, and for half that long at most (a longer one would make our own
 * yielding threads' yields slow too), then sleeps. */
wait_sentry:
        rdtsc
        shl     $32, %rdx
        or      %rdx, %rax
        mov     %rax, %r14
        mov     MSG_SPIN(%rbx), %r13
spin:
        mov     MSG_STATE(%rbx), %eax
        cmp     $ST_RESUME, %eax
        je      resume
        cmp     $ST_REQUEST, %eax
        je      request
        rdtsc
        shl     $32, %rdx
        or      %rdx, %rax
        mov     %rax, %r12                      /* now */
        sub     %r14, %rax
        cmp     %r13, %rax
        jae     sleep
        mov     MSG_SPIN_PAUSE(%rbx), %edx
        cmp     %rdx, %rax
        jb      2f
        cmp     MSG_NOYIELD_UNTIL(%rbx), %r12
        jae     1f
        mov     MSG_YIELD_SLOW(%rbx), %rdx      /* contended: a short spin, */
        shr     $1, %rdx                        /* never as long as a slow */
        cmp     %rdx, %rax                      /* yield, then sleep */
        jae     sleep
        jmp     2f
1:      mov     $SYS_sched_yield, %eax
        syscall
        rdtsc
        shl     $32, %rdx
        or      %rdx, %rax
        mov     %rax, %rdx
        sub     %r12, %rax                      /* how long the yield took */
        cmp     MSG_YIELD_SLOW(%rbx), %rax
        jb      spin
        add     MSG_NOYIELD_FOR(%rbx), %rdx
        mov     %rdx, MSG_NOYIELD_UNTIL(%rbx)
        jmp     spin
2:      pause
        jmp     spin
sleep:
        mov     $1, %eax
        xchg    %eax, MSG_STUB_WAITING(%rbx)
        mov     MSG_STATE(%rbx), %edx
        cmp     $ST_RESUME, %edx
        je      awake
        cmp     $ST_REQUEST, %edx
        je      awake
        mov     $SYS_futex, %eax
        lea     MSG_STATE(%rbx), %rdi
        mov     $FUTEX_WAIT, %esi
        xor     %r10d, %r10d
        syscall
        jmp     sleep
awake:
        movl    $0, MSG_STUB_WAITING(%rbx)
        jmp     spin
resume:
        movl    $ST_RUNNING, MSG_STATE(%rbx)
        ret
request:
        movl    $ST_RUNNING, MSG_STATE(%rbx)
        mov     MSG_REQ_NR(%rbx), %rax
        cmp     $SYSTRAP_REQ_BATCH, %rax
        je      batch
        mov     %rax, %r12
        mov     MSG_REQ_ARGS(%rbx), %rdi
        mov     (MSG_REQ_ARGS + 8)(%rbx), %rsi
        mov     (MSG_REQ_ARGS + 16)(%rbx), %rdx
        mov     (MSG_REQ_ARGS + 24)(%rbx), %r10
        mov     (MSG_REQ_ARGS + 32)(%rbx), %r8
        mov     (MSG_REQ_ARGS + 40)(%rbx), %r9
        syscall
        cmp     $SYS_clone, %r12
        jne     1f
        test    %rax, %rax
        jnz     1f
        cmp     $SYSTRAP_THREAD_CLONE_FLAGS, %rdi       /* kept by the kernel */
        je      new_thread
        jmp     new_stub
1:      mov     %rax, MSG_REQ_RET(%rbx)
        mov     $ST_DONE, %eax
        call    post
        jmp     wait_sentry

/* A batch: at most BATCH_MAX calls from the entries, until one fails (a
 * result in [-4095, -1]). No clone in a batch (the sentry never puts one
 * there; a child would run on in the loop). %r13/%r14 are wait_sentry's
 * scratch, set again when it is entered. */
batch:
        mov     MSG_BATCH_N(%rbx), %r13
        cmp     $SYSTRAP_BATCH_MAX, %r13
        jbe     1f
        mov     $SYSTRAP_BATCH_MAX, %r13d
1:      lea     MSG_BATCH_CALLS(%rbx), %r14
        xor     %r12d, %r12d                    /* calls done */
2:      cmp     %r13, %r12
        je      3f
        mov     (%r14), %rax
        mov     8(%r14), %rdi
        mov     16(%r14), %rsi
        mov     24(%r14), %rdx
        mov     32(%r14), %r10
        mov     40(%r14), %r8
        mov     48(%r14), %r9
        syscall
        mov     %rax, BATCH_RET(%r14)
        inc     %r12
        cmp     $-4095, %rax
        jae     3f
        add     $BATCH_ENTRY_SIZE, %r14
        jmp     2b
3:      mov     %r12, MSG_REQ_RET(%rbx)
        mov     $ST_DONE, %eax
        call    post
        jmp     wait_sentry

/* A thread cloned for a guest context; %rsp is the top of its slot. */
new_thread:
        lea     -1(%rsp), %rbx
        and     $-SYSTRAP_SLOT_SIZE, %rbx
        lea     SYSTRAP_STACK_OFF(%rbx), %rax
        mov     %rax, MSG_SS(%rbx)
        movl    $0, (MSG_SS + 8)(%rbx)
        movq    $SYSTRAP_STACK_SIZE, (MSG_SS + 16)(%rbx)
        mov     $SYS_sigaltstack, %eax
        lea     MSG_SS(%rbx), %rdi
        xor     %esi, %esi
        syscall
        test    %rax, %rax
        jnz     thread_fail
        mov     $SYS_rt_sigprocmask, %eax
        mov     $SIG_SETMASK, %edi
        lea     empty_set(%rip), %rsi
        xor     %edx, %edx
        mov     $8, %r10d
        syscall
        test    %rax, %rax
        jnz     thread_fail
        /* The first stop: SIGILL here tells the sentry the thread is ready. */
        ud2
thread_fail:
        mov     $SYS_exit, %eax
        mov     $1, %edi
        syscall
        ud2

/* A stub forked by the factory. Its stack and message page are still the
 * factory's (shared memory) until its own part is mapped: so no stack use
 * before that. %r9 (kept by the kernel): the part's offset. */
new_stub:
        lea     systrap_tramp_start(%rip), %r12
        mov     $SYS_mmap, %eax
        lea     SYSTRAP_CODE_SPAN(%r12), %rdi
        mov     $SYSTRAP_DATA_SIZE, %esi
        mov     $PROT_READ_WRITE, %edx
        mov     $MAP_SHARED_FIXED, %r10d
        mov     $SYSTRAP_DATAFD, %r8d
        syscall
        cmp     %rax, %rdi
        jne     setup_fail
        /* seccomp(SECCOMP_SET_MODE_FILTER, 0, header): the child filter. */
        mov     $SYS_seccomp, %eax
        mov     $SECCOMP_SET_MODE_FILTER, %edi
        xor     %esi, %esi
        lea     (SYSTRAP_CODE_SPAN + SYSTRAP_HDR_CHILD_FPROG)(%r12), %rdx
        syscall
        test    %rax, %rax
        jnz     setup_fail
        /* mseal(region, size, 0); a kernel without it has no seal at all. */
        mov     $SYS_mseal, %eax
        mov     %r12, %rdi
        mov     $SYSTRAP_REGION_SIZE, %esi
        xor     %edx, %edx
        syscall
        test    %rax, %rax
        jz      service
        cmp     $-ENOSYS, %rax
        je      service
        jmp     setup_fail

        .balign 16
systrap_handler:
        mov     %rsp, %rbx
        and     $-SYSTRAP_SLOT_SIZE, %rbx
        mov     %rdx, %r15
        mov     SI_SIGNO(%rsi), %eax
        mov     %eax, MSG_SIGNO(%rbx)
        mov     SI_CODE(%rsi), %eax
        mov     %eax, MSG_SI_CODE(%rbx)
        mov     SI_ADDR(%rsi), %rax
        mov     %rax, MSG_SI_ADDR(%rbx)
        mov     SI_SYSCALL(%rsi), %rax          /* si_syscall and si_arch */
        mov     %rax, MSG_SI_SYSCALL(%rbx)
        lea     UC_GREGS(%r15), %rsi
        lea     MSG_GREGS(%rbx), %rdi
        mov     $(MSG_NGREGS + 1), %ecx         /* and csgsfs */
        rep movsq
        mov     UC_FPREGS(%r15), %rax
        mov     %rax, MSG_FPSTATE(%rbx)
        mov     $ST_STOPPED, %eax
        call    post
        call    wait_sentry

        lea     MSG_GREGS(%rbx), %rsi
        lea     UC_GREGS(%r15), %rdi
        mov     $MSG_NGREGS, %ecx
        rep movsq
        /* Whatever a forged frame set: no signal blocked, our own stack. */
        movq    $0, UC_SIGMASK(%r15)
        lea     SYSTRAP_STACK_OFF(%rbx), %rax
        mov     %rax, UC_STACK(%r15)
        movl    $0, (UC_STACK + 8)(%r15)
        movq    $SYSTRAP_STACK_SIZE, (UC_STACK + 16)(%r15)
        mov     MSG_FS_BASE(%rbx), %rsi
        cmp     MSG_CUR_FS(%rbx), %rsi
        je      1f
        mov     %rsi, MSG_CUR_FS(%rbx)
        mov     $ARCH_SET_FS, %edi
        mov     $SYS_arch_prctl, %eax
        syscall
1:      mov     MSG_GS_BASE(%rbx), %rsi
        cmp     MSG_CUR_GS(%rbx), %rsi
        je      2f
        mov     %rsi, MSG_CUR_GS(%rbx)
        mov     $ARCH_SET_GS, %edi
        mov     $SYS_arch_prctl, %eax
        syscall
2:      ret

        .balign 16
systrap_restorer:
        mov     $SYS_rt_sigreturn, %eax
        syscall
        ud2

        .balign 8
empty_set:
        .quad   0
systrap_tramp_end:

        .section .note.GNU-stack, "", @progbits
