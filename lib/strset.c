/* A set of strings (strset.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strset.h"

static uint64_t hash(const char *s, size_t len)
{
        uint64_t h = 1469598103934665603ULL;

        for (size_t i = 0; i < len; i++)
                h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
        return h;
}

static size_t find(const struct strset *s, const char *str, size_t len)
{
        size_t i = hash(str, len) & (s->cap - 1);

        while (s->slots[i] && (strncmp(s->slots[i], str, len) != 0 || s->slots[i][len]))
                i = (i + 1) & (s->cap - 1);
        return i;
}

const char *strset_get(const struct strset *s, const char *str)
{
        return s->cap ? s->slots[find(s, str, strlen(str))] : NULL;
}

bool strset_has(const struct strset *s, const char *str)
{
        return strset_get(s, str) != NULL;
}

static int grow(struct strset *s)
{
        size_t cap = s->cap ? 2 * s->cap : 16;
        char **old = s->slots, **slots = calloc(cap, sizeof(*slots));
        size_t oldcap = s->cap;

        if (!slots)
                return -ENOMEM;
        s->slots = slots;
        s->cap = cap;
        for (size_t i = 0; i < oldcap; i++)
                if (old[i])
                        s->slots[find(s, old[i], strlen(old[i]))] = old[i];
        free(old);
        return 0;
}

int strset_add(struct strset *s, const char *str, size_t len)
{
        size_t i;

        if (2 * (s->n + 1) > s->cap && grow(s) < 0)
                return -ENOMEM;
        i = find(s, str, len);
        if (s->slots[i])
                return 0;
        s->slots[i] = strndup(str, len);
        if (!s->slots[i])
                return -ENOMEM;
        s->n++;
        return 1;
}

const char *strset_next(const struct strset *s, size_t *pos)
{
        while (*pos < s->cap) {
                const char *str = s->slots[(*pos)++];

                if (str)
                        return str;
        }
        return NULL;
}

void strset_free(struct strset *s)
{
        for (size_t i = 0; i < s->cap; i++)
                free(s->slots[i]);
        free(s->slots);
        *s = (struct strset){ 0 };
}
