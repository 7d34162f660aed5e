/* Every handler in the table, grouped by the file that implements it. */
#ifndef CONTERNEL_SYSCALLS_SYS_H
#define CONTERNEL_SYSCALLS_SYS_H

#include "syscall.h"

#define SYS(name) long sys_##name(struct task *t, const struct syscall_args *a)

/* sys_file.c */
SYS(read); SYS(write); SYS(pread64); SYS(pwrite64); SYS(readv); SYS(writev);
SYS(lseek); SYS(ioctl); SYS(fadvise64);
SYS(preadv); SYS(pwritev); SYS(preadv2); SYS(pwritev2);
SYS(lseek); SYS(ioctl);
/* sys_fd.c */
/* sys_epoll.c */
SYS(epoll_create); SYS(epoll_create1); SYS(epoll_ctl); SYS(epoll_wait); SYS(epoll_pwait);
SYS(epoll_pwait2); SYS(eventfd); SYS(eventfd2);
/* sys_inotify.c */
SYS(inotify_init); SYS(inotify_init1); SYS(inotify_add_watch); SYS(inotify_rm_watch);
/* sys_timerfd.c */
SYS(timerfd_create); SYS(timerfd_settime); SYS(timerfd_gettime);
/* sys_futex.c */
SYS(futex);
/* sys_pipe.c, sys_poll.c */
SYS(pipe); SYS(pipe2); SYS(poll); SYS(ppoll); SYS(select); SYS(pselect6);
SYS(close); SYS(close_range); SYS(dup); SYS(dup2); SYS(dup3); SYS(fcntl);
/* sys_memfd.c */
SYS(memfd_create);
/* sys_lock.c */
SYS(flock);
/* sys_sendfile.c */
SYS(sendfile); SYS(copy_file_range); SYS(splice); SYS(tee);
/* sys_open.c */
SYS(open); SYS(openat); SYS(creat); SYS(openat2);
/* sys_stat.c */
SYS(stat); SYS(lstat); SYS(fstat); SYS(newfstatat); SYS(statx);
SYS(access); SYS(faccessat); SYS(faccessat2); SYS(readlink); SYS(readlinkat);
/* sys_dir.c */
SYS(mkdir); SYS(mkdirat); SYS(rmdir); SYS(getdents64); SYS(chdir); SYS(fchdir); SYS(getcwd);
SYS(chroot);
/* sys_link.c */
SYS(unlink); SYS(unlinkat); SYS(rename); SYS(renameat); SYS(renameat2);
SYS(link); SYS(linkat); SYS(symlink); SYS(symlinkat);
/* sys_attr.c */
SYS(chmod); SYS(fchmod); SYS(fchmodat); SYS(chown); SYS(fchown); SYS(lchown); SYS(fchownat);
SYS(truncate); SYS(ftruncate); SYS(umask);
/* sys_fallocate.c */
SYS(fallocate);
/* sys_mknod.c */
SYS(mknod); SYS(mknodat);
/* sys_statfs.c */
SYS(statfs); SYS(fstatfs);
/* sys_sync.c */
SYS(fsync); SYS(fdatasync); SYS(sync); SYS(syncfs); SYS(sync_file_range);
/* sys_xattr.c */
SYS(setxattr); SYS(lsetxattr); SYS(fsetxattr); SYS(getxattr); SYS(lgetxattr); SYS(fgetxattr);
SYS(listxattr); SYS(llistxattr); SYS(flistxattr); SYS(removexattr); SYS(lremovexattr);
SYS(fremovexattr);
/* sys_time_attr.c */
SYS(utimensat); SYS(futimesat); SYS(utimes); SYS(utime);
/* sys_mm.c */
SYS(brk); SYS(mmap); SYS(munmap); SYS(mprotect); SYS(mremap); SYS(madvise); SYS(msync);
/* sys_thread.c */
SYS(exit); SYS(exit_group); SYS(getpid); SYS(gettid); SYS(getppid);
SYS(set_tid_address); SYS(set_robust_list); SYS(get_robust_list);
SYS(arch_prctl);
/* sys_prctl.c */
SYS(prctl);
/* sys_pidfd.c */
SYS(pidfd_open); SYS(pidfd_send_signal); SYS(pidfd_getfd);
/* sys_process.c */
/* sys_mount.c */
SYS(mount); SYS(umount2);
/* sys_exec.c */
SYS(execve); SYS(execveat);
SYS(fork); SYS(vfork); SYS(clone); SYS(clone3); SYS(wait4); SYS(waitid);
SYS(getpgid); SYS(getpgrp); SYS(getsid); SYS(setpgid); SYS(setsid);
/* sys_creds.c */
SYS(getuid); SYS(geteuid); SYS(getgid); SYS(getegid); SYS(getgroups); SYS(setgroups);
SYS(setuid); SYS(setgid); SYS(setreuid); SYS(setregid); SYS(setresuid); SYS(setresgid);
SYS(getresuid); SYS(getresgid); SYS(setfsuid); SYS(setfsgid); SYS(capget); SYS(capset);
/* sys_time.c */
SYS(clock_gettime); SYS(clock_getres); SYS(gettimeofday); SYS(time);
SYS(nanosleep); SYS(clock_nanosleep); SYS(restart_syscall);
SYS(getitimer); SYS(setitimer); SYS(alarm);
/* sys_timer.c */
SYS(timer_create); SYS(timer_settime); SYS(timer_gettime); SYS(timer_getoverrun);
SYS(timer_delete);
/* sys_rusage.c */
SYS(getrusage); SYS(times);
struct rusage;
struct task_usage;
void rusage_from_usage(struct rusage *ru, const struct task_usage *u);
/* sys_info.c */
SYS(uname); SYS(sysinfo); SYS(getrandom);
/* sys_sched.c */
SYS(sched_yield); SYS(getpriority); SYS(setpriority); SYS(sched_setscheduler);
SYS(sched_setparam); SYS(sched_getscheduler); SYS(sched_getparam);
SYS(sched_get_priority_max); SYS(sched_get_priority_min); SYS(sched_rr_get_interval);
SYS(sched_getaffinity); SYS(sched_setaffinity); SYS(getcpu);
SYS(prlimit64); SYS(getrlimit); SYS(setrlimit);
/* sys_signal.c */
SYS(rt_sigaction); SYS(rt_sigprocmask); SYS(sigaltstack);
SYS(kill); SYS(tkill); SYS(tgkill); SYS(rt_sigqueueinfo); SYS(rt_tgsigqueueinfo);
SYS(rt_sigpending); SYS(rt_sigreturn); SYS(pause); SYS(rt_sigsuspend); SYS(rt_sigtimedwait);
SYS(signalfd); SYS(signalfd4);
/* sys_socket.c, sys_sockmsg.c */
SYS(socket); SYS(socketpair); SYS(bind); SYS(listen); SYS(connect); SYS(accept); SYS(accept4);
SYS(shutdown); SYS(getsockname); SYS(getpeername); SYS(setsockopt); SYS(getsockopt);
SYS(sendto); SYS(recvfrom); SYS(sendmsg); SYS(recvmsg); SYS(sendmmsg); SYS(recvmmsg);
/* sys_ipc.c */
SYS(shmget); SYS(shmat); SYS(shmdt); SYS(shmctl); SYS(semget); SYS(semop); SYS(semtimedop);
SYS(semctl); SYS(msgget); SYS(msgsnd); SYS(msgrcv); SYS(msgctl);
/* sys_mqueue.c */
SYS(mq_open); SYS(mq_unlink); SYS(mq_timedsend); SYS(mq_timedreceive); SYS(mq_notify);
SYS(mq_getsetattr);
/* sys_tty.c: terminals (ioctl, and do_rw()'s checks on a pty slave) */
struct file;
struct timespec;
long sys_tty_ioctl(struct task *t, struct file *f, unsigned cmd, guest_ptr_t arg);
bool tty_rw_is_slave(struct file *f);
int tty_rw_check(struct task *t, struct file *f, bool write);
bool tty_read_deadline(struct file *f, struct timespec *ret);

#undef SYS

#endif
