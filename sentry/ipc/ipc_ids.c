/*
 * The id table of one IPC kind, like Linux's ipc_ids with its idr: indexes
 * are handed out cyclically in a window that grows with the number in use
 * (at least IPC_MIN_CYCLE), and the sequence number goes up each time the
 * index wraps, so ids are not reused at once.
 */
#include <errno.h>
#include <stdlib.h>

#include "lib/macro.h"
#include "sentry/ipc/internal.h"

void ipc_ids_init(struct ipc_ids *ids, int mni)
{
        pthread_mutex_init(&ids->lock, NULL);
        ids->slots = NULL;
        ids->nslots = 0;
        ids->in_use = 0;
        ids->last_idx = -1;
        ids->seq = 0;
        ids->mni = MIN(mni, IPC_MNI);
}

void ipc_ids_destroy(struct ipc_ids *ids)
{
        free(ids->slots);
        ids->slots = NULL;
        pthread_mutex_destroy(&ids->lock);
}

static int ensure_slots(struct ipc_ids *ids, int n)
{
        struct ipc_obj **s;
        int want;

        if (n <= ids->nslots)
                return 0;
        want = MAX(n, MAX(ids->nslots * 2, IPC_MIN_CYCLE));
        want = MIN(want, IPC_MNI);
        s = realloc(ids->slots, (size_t)want * sizeof(*s));
        if (!s)
                return -ENOMEM;
        for (int i = ids->nslots; i < want; i++)
                s[i] = NULL;
        ids->slots = s;
        ids->nslots = want;
        return 0;
}

int ipc_ids_add(struct ipc_ids *ids, struct ipc_obj *o)
{
        int window, start, idx = -1, r;

        if (ids->in_use >= ids->mni)
                return -ENOSPC;
        /* idr_alloc_cyclic(0, max(in_use * 3 / 2, ipc_min_cycle)) */
        window = MIN(MAX(ids->in_use * 3 / 2, IPC_MIN_CYCLE), IPC_MNI);
        r = ensure_slots(ids, window);
        if (r < 0)
                return r;
        start = ids->last_idx + 1 < window ? ids->last_idx + 1 : 0;
        for (int i = 0; i < window; i++) {
                int cand = (start + i) % window;

                if (!ids->slots[cand]) {
                        idx = cand;
                        break;
                }
        }
        if (idx < 0)
                return -ENOSPC;
        if (idx <= ids->last_idx) {
                ids->seq++;
                if (ids->seq > IPC_SEQ_MAX)
                        ids->seq = 0;
        }
        ids->last_idx = idx;
        o->seq = ids->seq;
        o->id = (int)(o->seq << IPC_MNI_SHIFT) | idx;
        o->deleted = false;
        ids->slots[idx] = o;
        ids->in_use++;
        return 0;
}

void ipc_ids_remove(struct ipc_ids *ids, struct ipc_obj *o)
{
        int idx = o->id & (IPC_MNI - 1);

        if (o->deleted)
                return;
        if (idx < ids->nslots && ids->slots[idx] == o) {
                ids->slots[idx] = NULL;
                ids->in_use--;
        }
        o->deleted = true;
}

struct ipc_obj *ipc_ids_find_idx(const struct ipc_ids *ids, int idx)
{
        if (idx < 0 || idx >= ids->nslots)
                return NULL;
        return ids->slots[idx];
}

struct ipc_obj *ipc_ids_find_id(const struct ipc_ids *ids, int id)
{
        struct ipc_obj *o;

        if (id < 0)
                return NULL;
        o = ipc_ids_find_idx(ids, id & (IPC_MNI - 1));
        if (!o || o->seq != ((unsigned)id >> IPC_MNI_SHIFT))
                return NULL;
        return o;
}

struct ipc_obj *ipc_ids_find_key(const struct ipc_ids *ids, int32_t key)
{
        if (key == IPC_PRIVATE)
                return NULL;
        for (int i = 0; i < ids->nslots; i++)
                if (ids->slots[i] && ids->slots[i]->key == key)
                        return ids->slots[i];
        return NULL;
}

int ipc_ids_max_idx(const struct ipc_ids *ids)
{
        for (int i = ids->nslots - 1; i >= 0; i--)
                if (ids->slots[i])
                        return i;
        return -1;
}
