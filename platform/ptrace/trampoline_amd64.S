/*
 * The stub trampoline: position-independent code that stub.c copies into a
 * page above GUEST_ADDR_MAX and that forked stubs jump to. It is data to the
 * sentry (it sits in .rodata and is never executed there).
 *
 * stub_entry (offset 0), entered with %rdi = the page's own address and every
 *   signal blocked: unmap everything but this page (sentry heap, stacks, vdso,
 *   vvar), then stop with SIGSTOP. The tracer never resumes it here. The main
 *   thread keeps every signal blocked: it never runs guest code.
 * stub_syscall: "syscall; int3", where inject.c runs remote system calls.
 * stub_clone: the same for clone(): the parent stops at the int3, the child
 *   (rax == 0) goes straight to stub_park.
 * stub_park: pause() forever. A thread cloned without CLONE_PTRACE waits here,
 *   untraced and with every signal blocked (inherited from the main thread),
 *   until its tracer seizes it: it can reach nothing but this loop, and only
 *   its tracer can ever point it at guest code.
 * stub_exit: exit(0) for the thread it is run on.
 * empty_set: an empty signal set, for rt_sigprocmask injected into a ctx's
 *   thread (guest threads run with every signal unblocked, so that each one
 *   stops them for the tracer).
 */
#define SYS_pause 34
#define SYS_munmap 11
#define SYS_getpid 39
#define SYS_kill 62
#define SYS_exit_group 231
#define SIGSTOP 19
#define PAGE_SIZE 4096
#define TASK_SIZE 0x7ffffffff000

        .section .rodata.stub_trampoline, "a"
        .balign 4096
        .globl stub_trampoline_start, stub_trampoline_end
        .globl stub_syscall_insn, stub_clone_insn, stub_park_insn, stub_exit_insn
        .globl stub_empty_sigset, stub_syscall_done, stub_clone_done
        .hidden stub_trampoline_start, stub_trampoline_end
        .hidden stub_syscall_insn, stub_clone_insn, stub_park_insn, stub_exit_insn
        .hidden stub_empty_sigset, stub_syscall_done, stub_clone_done

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
stub_syscall_done:
        ud2

        .balign 16
stub_clone_insn:
        syscall
        test    %rax, %rax
        jz      stub_park_insn
        int3
stub_clone_done:
        ud2

        .balign 16
stub_park_insn:
        mov     $SYS_pause, %eax
        syscall
        jmp     stub_park_insn

        .balign 16
stub_exit_insn:
        mov     $60, %eax
        xor     %edi, %edi
        syscall
        ud2

        .balign 8
stub_empty_sigset:
        .quad   0
stub_trampoline_end:

        .section .note.GNU-stack, "", @progbits
