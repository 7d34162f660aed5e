/*
 * A set of strings: open addressing with linear probing over a power-of-two
 * table, FNV-1a hashes. The set owns its strings. Not thread-safe: the
 * owner's lock protects it.
 */
#ifndef CONTERNEL_LIB_STRSET_H
#define CONTERNEL_LIB_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
        char **slots;           /* NULL: free */
        size_t n, cap;          /* cap: 0 or a power of two, at most half full */
};

bool strset_has(const struct strset *s, const char *str);
/* Add a copy of str[0..len) (len bytes, no NUL needed). 1 if added, 0 if
 * it was there, -ENOMEM. */
int strset_add(struct strset *s, const char *str, size_t len);
/* The stored copy equal to str, or NULL. */
const char *strset_get(const struct strset *s, const char *str);
/* Every stored string, in no order: *pos from 0 until NULL. */
const char *strset_next(const struct strset *s, size_t *pos);
void strset_free(struct strset *s);

#endif
