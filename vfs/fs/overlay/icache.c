/* overlay: one inode per upper file, whichever name finds it (see
 * internal.h's struct ovl_icache). */
#include <stdint.h>

#include "internal.h"

void ovl_icache_init(struct ovl_icache *c)
{
        pthread_mutex_init(&c->lock, NULL);
        for (int i = 0; i < OVL_ICACHE_BUCKETS; i++)
                c->buckets[i] = NULL;
}

void ovl_icache_destroy(struct ovl_icache *c)
{
        pthread_mutex_destroy(&c->lock);
}

static struct ovl_inode **bucket_of(struct ovl_icache *c, const struct inode *key)
{
        uintptr_t h = (uintptr_t)key;

        h ^= h >> 17;
        h *= 0x9e3779b97f4a7c15ULL;
        return &c->buckets[(h >> 32) % OVL_ICACHE_BUCKETS];
}

/* A reference unless it is already dying (its count reached 0: its
 * destroy will take it out). */
static bool ref_live(struct inode *inode)
{
        int n = atomic_load(&inode->refcount);

        while (n > 0)
                if (atomic_compare_exchange_weak(&inode->refcount, &n, n + 1))
                        return true;
        return false;
}

struct ovl_inode *ovl_icache_add(struct ovl_icache *c, struct ovl_inode *oi)
{
        const struct inode *key = oi->upper.dentry->inode;
        struct ovl_inode **b = bucket_of(c, key), *e;

        pthread_mutex_lock(&c->lock);
        for (e = *b; e; e = e->icache_next)
                if (e->icache_key == key && ref_live(&e->base))
                        break;
        if (!e) {
                oi->icache_key = key;
                oi->icache_next = *b;
                oi->in_icache = true;
                *b = oi;
        }
        pthread_mutex_unlock(&c->lock);
        return e;
}

void ovl_icache_remove(struct ovl_icache *c, struct ovl_inode *oi)
{
        pthread_mutex_lock(&c->lock);
        if (oi->in_icache) {
                for (struct ovl_inode **pp = bucket_of(c, oi->icache_key); *pp;
                     pp = &(*pp)->icache_next)
                        if (*pp == oi) {
                                *pp = oi->icache_next;
                                break;
                        }
                oi->in_icache = false;
        }
        pthread_mutex_unlock(&c->lock);
}
