/*
 * System V IPC: shared memory segments, semaphore sets and message queues,
 * per sandbox (Linux's ipc/ for one IPC namespace). Keys and ids are the
 * sandbox's own; nothing reaches the host's IPC namespace.
 *
 * The entry points are the system calls themselves (guest pointers in, -errno
 * out, Linux's checks in Linux's order): syscalls/sys_ipc.c only decodes.
 *
 * Lock order: mm->lock → ipc_ns shm lock → memfile->lock (an mm dropping its
 * last mapping of a segment calls into shm.c with its lock held; shm.c never
 * calls into the mm with its lock held). The sem and msg locks are leaves,
 * apart from task_wake() (task->block_lock). The mqueue lock comes before
 * thread group locks (mq_notify's owner) and is never held across a wait
 * queue's add, remove or notify.
 */
#ifndef CONTERNEL_SENTRY_IPC_H
#define CONTERNEL_SENTRY_IPC_H

#include <stdint.h>

#include "lib/guest.h"

struct ipc_ns;
struct memfile;
struct task;
struct thread_group;

/* The sandbox's IPC namespace; segments live in mf. -ENOMEM. */
int ipc_ns_create(struct memfile *mf, struct ipc_ns **ret);
/* When the sandbox is gone (no task left), before its memory file goes:
 * the shared memory segments. */
void ipc_ns_release_memory(struct ipc_ns *ns);
/* Then, once no open file can be left (after the sockets, which may hold
 * message queue fds in flight): everything else. */
void ipc_ns_destroy(struct ipc_ns *ns);

/* shm.c */
long ipc_shmget(struct task *t, int32_t key, uint64_t size, int flg);
long ipc_shmat(struct task *t, int shmid, guest_ptr_t addr, int flg);
long ipc_shmdt(struct task *t, guest_ptr_t addr);
long ipc_shmctl(struct task *t, int shmid, int cmd, guest_ptr_t buf);

/* sem.c */
long ipc_semget(struct task *t, int32_t key, int nsems, int flg);
/* timeout: a guest struct timespec (relative), 0 for none (semop). */
long ipc_semtimedop(struct task *t, int semid, guest_ptr_t sops, uint64_t nsops,
                    guest_ptr_t timeout);
long ipc_semctl(struct task *t, int semid, int semnum, int cmd, uint64_t arg);
/* The last thread of tg is leaving: apply its SEM_UNDO adjustments. */
void ipc_sem_exit(struct ipc_ns *ns, struct thread_group *tg);

/* msg.c */
long ipc_msgget(struct task *t, int32_t key, int flg);
long ipc_msgsnd(struct task *t, int msqid, guest_ptr_t msgp, uint64_t msgsz, int flg);
long ipc_msgrcv(struct task *t, int msqid, guest_ptr_t msgp, uint64_t msgsz, long msgtyp,
                int flg);
long ipc_msgctl(struct task *t, int msqid, int cmd, guest_ptr_t buf);

/* mqueue.c: POSIX message queues. nofile: the caller's RLIMIT_NOFILE. */
long ipc_mq_open(struct task *t, guest_ptr_t name, int oflag, unsigned mode, guest_ptr_t attr,
                 int nofile);
long ipc_mq_unlink(struct task *t, guest_ptr_t name);
/* timeout: a guest struct timespec (absolute CLOCK_REALTIME), 0 for none. */
long ipc_mq_timedsend(struct task *t, int fd, guest_ptr_t msg, uint64_t len, unsigned prio,
                      guest_ptr_t timeout);
long ipc_mq_timedreceive(struct task *t, int fd, guest_ptr_t msg, uint64_t len,
                         guest_ptr_t prio, guest_ptr_t timeout);
long ipc_mq_notify(struct task *t, int fd, guest_ptr_t sevp);
long ipc_mq_getsetattr(struct task *t, int fd, guest_ptr_t newattr, guest_ptr_t oldattr);

#endif
