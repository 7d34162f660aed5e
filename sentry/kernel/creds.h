/* Guest credentials. The guest's view of ids is the sentry's, not the host's. */
#ifndef CONTERNEL_SENTRY_CREDS_H
#define CONTERNEL_SENTRY_CREDS_H

#include <stdint.h>

#define CREDS_NGROUPS_MAX 65536 /* Linux's NGROUPS_MAX */

struct creds {
        uint32_t ruid, euid, suid, fsuid;
        uint32_t rgid, egid, sgid, fsgid;
        uint32_t ngroups;
        uint32_t *groups;               /* owned; ngroups entries */
};

/* root with no supplementary groups, as a container's init starts. */
void creds_init_root(struct creds *c);
void creds_release(struct creds *c);

#endif
