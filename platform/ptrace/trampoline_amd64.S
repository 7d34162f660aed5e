/*
 * The stub trampoline: position-independent code that stub.c copies into a
 * page above GUEST_ADDR_MAX and that forked stubs jump to. It is data to the
 * sentry (it sits in .rodata and is never executed there).
 *
 * stub_entry (offset 0), entered with %rdi = the page's own address:
 *   unmap everything but this page (sentry heap, stacks, vdso, vvar), unblock
 *   every signal so that each one stops the stub for the tracer, then stop
 *   with SIGSTOP. The tracer never resumes it here.
 * stub_syscall: "syscall; int3", where inject.c runs remote system calls.
 * stub_exit: exit(0) for the thread it is run on.
 */
#define SYS_rt_sigprocmask 14
#define SYS_munmap 11
#define SYS_getpid 39
#define SYS_kill 62
#define SYS_exit_group 231
#define SIGSTOP 19
#define SIG_SETMASK 2
#define PAGE_SIZE 4096
#define TASK_SIZE 0x7ffffffff000

        .section .rodata.stub_trampoline, "a"
        .balign 4096
        .globl stub_trampoline_start, stub_trampoline_end
        .globl stub_syscall_insn, stub_exit_insn
        .hidden stub_trampoline_start, stub_trampoline_end
        .hidden stub_syscall_insn, stub_exit_insn

stub_trampoline_start:
        mov     %rdi, %r12

        /* munmap(0, base) */
        mov     $SYS_munmap, %eax
        xor     %edi, %edi
        mov     %r12, %rsi
        syscall
        test    %rax, %rax
        jnz     fail

        /* munmap(base + PAGE_SIZE, TASK_SIZE - base - PAGE_SIZE) */
        lea     PAGE_SIZE(%r12), %rdi
        movabs  $TASK_SIZE, %rsi
        sub     %rdi, %rsi
        mov     $SYS_munmap, %eax
        syscall
        test    %rax, %rax
        jnz     fail

        /* rt_sigprocmask(SIG_SETMASK, &empty, NULL, 8) */
        mov     $SYS_rt_sigprocmask, %eax
        mov     $SIG_SETMASK, %edi
        lea     empty_set(%rip), %rsi
        xor     %edx, %edx
        mov     $8, %r10d
        syscall
        test    %rax, %rax
        jnz     fail

        /* kill(getpid(), SIGSTOP): the tracer takes over from here. */
        mov     $SYS_getpid, %eax
        syscall
        mov     %rax, %rdi
        mov     $SIGSTOP, %esi
        mov     $SYS_kill, %eax
        syscall
fail:
        mov     $SYS_exit_group, %eax
        mov     $1, %edi
        syscall
        ud2

        .balign 16
stub_syscall_insn:
        syscall
        int3
        ud2

        .balign 16
stub_exit_insn:
        mov     $60, %eax
        xor     %edi, %edi
        syscall
        ud2

        .balign 8
empty_set:
        .quad   0
stub_trampoline_end:

        .section .note.GNU-stack, "", @progbits
