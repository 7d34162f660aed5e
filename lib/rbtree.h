/*
 * A small intrusive red-black tree in Linux's style (include/linux/rbtree.h):
 * embed a struct rb_node in your object, search with your own comparison, then
 * rb_link_node() + rb_insert_color() to insert and rb_erase() to remove.
 * The tree never allocates and knows nothing about keys. Not thread safe: the
 * owner's lock protects it.
 *
 *      struct rb_node **link = &root->rb_node, *parent = NULL;
 *      while (*link) {
 *              parent = *link;
 *              link = key < rb_entry(parent, struct x, node)->key ?
 *                      &parent->rb_left : &parent->rb_right;
 *      }
 *      rb_link_node(&x->node, parent, link);
 *      rb_insert_color(&x->node, root);
 */
#ifndef CONTERNEL_LIB_RBTREE_H
#define CONTERNEL_LIB_RBTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/macro.h"

struct rb_node {
        struct rb_node *rb_parent;
        struct rb_node *rb_left;
        struct rb_node *rb_right;
        bool rb_red;
};

struct rb_root {
        struct rb_node *rb_node;
};

#define RB_ROOT ((struct rb_root){ NULL })
#define rb_entry(ptr, type, member) container_of(ptr, type, member)
#define rb_entry_safe(ptr, type, member) \
        ({ __typeof__(ptr) _ptr = (ptr); _ptr ? rb_entry(_ptr, type, member) : NULL; })

static inline bool rb_empty(const struct rb_root *root)
{
        return root->rb_node == NULL;
}

/* Attach node as a red leaf at *link (a child slot of parent, or the root slot). */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
                                struct rb_node **link)
{
        node->rb_parent = parent;
        node->rb_left = node->rb_right = NULL;
        node->rb_red = true;
        *link = node;
}

/* Rebalance after rb_link_node(). */
void rb_insert_color(struct rb_node *node, struct rb_root *root);
/* Unlink node from the tree; the node's own fields are left stale. */
void rb_erase(struct rb_node *node, struct rb_root *root);

/* In-order traversal; NULL at either end. O(log n) worst, O(1) amortised. */
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

#endif
