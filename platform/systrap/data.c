/*
 * The data file: one memfd per platform holding every stub's data (header,
 * message pages, signal stacks; layout.h), SYSTRAP_DATA_SIZE bytes per stub
 * ("a part"). Every stub has the file at STUB_DATAFD and maps its own part
 * over the region's data span, then seals it; the sentry maps each part
 * separately (as->data).
 *
 * One file rather than a memfd per stub because a stub forked from the
 * factory (factory.c) can't be handed a new file descriptor: it inherits the
 * factory's and finds its part by offset.
 *
 * A part is reused only after the stub that mapped it has exited
 * (systrap_stub_reap). The sentry keeps its mapping of a part for the next
 * stub (mapping and unmapping 2 MiB per process costs TLB shootdowns), and
 * zeroes only what a new stub reads before the sentry writes it: the
 * service thread's message page (ctx.c initialises each slot it hands out;
 * the header is written whole). The rest (old signal frames) is another
 * process of the same sandbox's, and every stub can map the memory file,
 * all of the sandbox's memory, anyway (docs/security.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define GROW_PARTS 16u                  /* the file grows by this many parts */

int systrap_data_init(struct systrap_platform *sp)
{
        pthread_mutex_init(&sp->data_lock, NULL);
        sp->datafd = memfd_create("systrap-data", MFD_CLOEXEC);
        return sp->datafd < 0 ? -errno : 0;
}

/* Every stub's part must have been put back. */
void systrap_data_fini(struct systrap_platform *sp)
{
        for (uint32_t i = 0; i < sp->data_nfree; i++)
                munmap(sp->data_free[i].data, SYSTRAP_DATA_SIZE);
        if (sp->datafd >= 0)
                close(sp->datafd);
        free(sp->data_free);
        pthread_mutex_destroy(&sp->data_lock);
}

/* A part and the sentry's mapping of it: a reused one, else a new one
 * (growing the file). */
static int part_alloc(struct systrap_platform *sp, uint32_t *ret, uint8_t **ret_data)
{
        void *data;
        int r = 0;

        pthread_mutex_lock(&sp->data_lock);
        if (sp->data_nfree) {
                struct systrap_part *p = &sp->data_free[--sp->data_nfree];

                *ret = p->part;
                *ret_data = p->data;
                goto out;
        }
        if (sp->data_next % GROW_PARTS == 0) {
                uint64_t parts = (uint64_t)sp->data_next + GROW_PARTS;

                if (parts > UINT32_MAX / 2) {
                        r = -ENOMEM;
                        goto out;
                }
                if (ftruncate(sp->datafd, (off_t)data_offset((uint32_t)parts)) < 0) {
                        r = -errno;
                        goto out;
                }
        }
        data = mmap(NULL, SYSTRAP_DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, sp->datafd,
                    (off_t)data_offset(sp->data_next));
        if (data == MAP_FAILED) {
                r = -errno;
                goto out;
        }
        *ret = sp->data_next++;
        *ret_data = data;
out:
        pthread_mutex_unlock(&sp->data_lock);
        return r;
}

int systrap_data_get(struct systrap_platform *sp, struct systrap_as *as)
{
        int r = part_alloc(sp, &as->part, &as->data);

        if (r == 0)
                memset(as->data + SYSTRAP_HDR_SIZE, 0, sizeof(struct systrap_msg));
        return r;
}

/* Kept for the next stub; if the list can't grow, the part is dropped for
 * good (its file range and mapping leak, never its contents). */
void systrap_data_put(struct systrap_platform *sp, struct systrap_as *as)
{
        pthread_mutex_lock(&sp->data_lock);
        if (sp->data_nfree == sp->data_cap) {
                uint32_t cap = sp->data_cap ? 2 * sp->data_cap : 64;
                struct systrap_part *n = realloc(sp->data_free, cap * sizeof(*n));

                if (!n)
                        goto out;
                sp->data_free = n;
                sp->data_cap = cap;
        }
        sp->data_free[sp->data_nfree++] = (struct systrap_part){ as->part, as->data };
out:
        pthread_mutex_unlock(&sp->data_lock);
        as->data = NULL;
}
