/*
 * execve: replace a process's program (Linux's fs/exec.c, binfmt_script and
 * binfmt_elf through sentry/loader).
 *
 * Set-user-ID and set-group-ID programs run with their owner's ids (not on
 * an MS_NOSUID mount, not with no_new_privs), as Linux's bprm_fill_uid and
 * cap_bprm_creds_from_file (creds.h); no file capabilities (no
 * security.capability xattr is read).
 *
 * Two steps, so that a failure leaves the caller's process as it was:
 * exec_prepare() opens the file through the VFS, follows #! interpreters
 * and loads the ELF image (and its PT_INTERP) into a new mm; exec_commit()
 * is the point of no return: the other threads go, the new mm replaces the
 * old one, close-on-exec fds close, caught signals reset.
 *
 * The program's file cannot be opened for writing nor truncated while a
 * process runs it, and a file open for writing cannot be executed: ETXTBSY
 * (Linux's deny_write_access on mm->exe_file; here the thread group holds
 * the file: thread_group.exe_file).
 */
#ifndef CONTERNEL_SENTRY_EXEC_H
#define CONTERNEL_SENTRY_EXEC_H

#include "platform/platform.h"
#include "sentry/kernel/creds.h"

struct mm;
struct task;
struct vfs_at;

/* A program loaded into its own mm, not yet running. */
struct exec_image {
        struct mm *mm;                  /* owned */
        struct cpu_regs regs;           /* the first instruction's registers */
        char *exe_path;                 /* the ELF's path, for /proc/PID/exe; owned */
        char *comm;                     /* the name the program was run as; owned */
        /* The ELF opened for execution (a reference): it denies writers
         * (ETXTBSY) for as long as a process runs it (thread_group.exe_file). */
        struct file *exe_file;
        /* The credentials the program runs with (set-user-ID and
         * set-group-ID bits applied, capabilities recomputed: creds_exec),
         * owned; secure: AT_SECURE; nondump: PR_GET_DUMPABLE goes to
         * suid_dumpable (0) rather than 1. */
        struct creds creds;
        bool secure, nondump;
};

/* Open name (resolved from at; lookup_flags LOOKUP_FOLLOW and/or
 * LOOKUP_EMPTY, as execveat's flags say) and load it for t with argv and
 * envp. filename is what the program is told it was run as (AT_EXECFN, the
 * script argument, its comm): name itself, or execveat's "/dev/fd/N/name".
 * Nothing of t changes. Linux's errnos: -ENOENT, -EACCES (not a regular
 * file, no exec permission), -ENOEXEC (neither ELF nor #! script, or a bad
 * one), -ELOOP (interpreters nested too deep), -E2BIG, -ENOMEM, the
 * interpreter's open errors. */
int exec_prepare(struct task *t, const struct vfs_at *at, const char *name,
                 unsigned lookup_flags, const char *filename, char *const argv[],
                 char *const envp[], struct exec_image *ret);
void exec_image_release(struct exec_image *img);

/* Make img (consumed) t's program: the point of no return. On t's own
 * thread. Returns 0, or -EINTR when t was itself killed meanwhile (another
 * thread's exit_group or exec): the caller just lets t leave. */
int exec_commit(struct task *t, struct exec_image *img);

#endif
