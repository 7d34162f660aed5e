/* Helpers the socket system calls share (sys_socket.c, sys_sockmsg.c). */
#ifndef CONTERNEL_SYSCALLS_SOCK_H
#define CONTERNEL_SYSCALLS_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "net/socket.h"
#include "syscalls/path.h"

struct task;

/* The socket at fd: a new reference to its file in *ret_file and the sock
 * (borrowed from the file). -EBADF, -ENOTSOCK, as Linux's sockfd_lookup(). */
int sockfd_get(struct task *t, int fd, struct file **ret_file, struct sock **ret_sk);

/* The caller's identity and file system view for a socket call. at_cwd()
 * made the at_call; release it with at_end(). */
void sock_ctx_init(struct task *t, struct at_call *c, struct sock_ctx *ctx);

/* Call attempt(t, arg) until it returns something other than -EAGAIN,
 * waiting on sk's queue in between unless nonblock; timeout_ns > 0 bounds
 * the wait (then -EAGAIN, or -EINTR for a signal). A signal otherwise gives
 * -ERESTARTSYS. */
long sock_wait(struct task *t, struct sock *sk, bool nonblock, int64_t timeout_ns,
               long (*attempt)(struct task *t, void *arg), void *arg);

/* A guest sockaddr (Linux's move_addr_to_kernel): -EINVAL for a length
 * below zero or above sockaddr_storage, -EFAULT. */
int sockaddr_copy_in(struct task *t, guest_ptr_t uaddr, int len, struct sockaddr_storage *ret);
/* Linux's move_addr_to_user(): at most *ulen bytes of addr, then the full
 * length into *ulen. -EFAULT, -EINVAL for a negative *ulen. */
int sockaddr_copy_out(struct task *t, const void *addr, int len, guest_ptr_t uaddr,
                      guest_ptr_t ulen);

#endif
