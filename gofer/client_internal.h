/* Inside the gofer client: one round trip at a time (client.c), used by the
 * per-op functions (client_ops.c). */
#ifndef CONTERNEL_GOFER_CLIENT_INTERNAL_H
#define CONTERNEL_GOFER_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "gofer/client.h"
#include "gofer/message.h"

struct gofer_client {
        int sock;                       /* immutable */
        pthread_mutex_t lock;           /* held for one round trip */
        uint32_t next_tag;              /* protected by lock */
        uint64_t calls;                 /* requests begun; protected by lock */
        bool broken;                    /* protected by lock */
        uint8_t *out, *in;              /* GOFER_MSG_MAX each; protected by lock */
};

/* One call: begin (lock, start the request), put the body into w, do
 * (send, receive, check the header), get the body from r, end (check the
 * body was consumed, unlock). */
struct gofer_call {
        uint16_t op;
        uint32_t tag;
        struct gofer_wbuf w;
        struct gofer_rbuf r;            /* the reply body, after the error */
        int fd;                         /* a received fd or -1; owned by the call */
};

void gofer_call_begin(struct gofer_client *c, struct gofer_call *call, uint16_t op);
/* Returns the gofer's answer (0 or its -errno), -EPROTO for a reply that
 * breaks the protocol, -EIO on a broken client, or a socket error. may_fd:
 * whether this op may answer with an fd. */
int gofer_call_do(struct gofer_client *c, struct gofer_call *call, bool may_fd);
/* Mark the connection broken after a bad reply body; returns -EPROTO. */
int gofer_call_violation(struct gofer_client *c, struct gofer_call *call);
/* Check the body was consumed exactly (else a violation) and unlock; closes
 * call->fd unless taken. Returns r, or -EPROTO. */
int gofer_call_end(struct gofer_client *c, struct gofer_call *call, int r);

#endif
