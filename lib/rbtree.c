/*
 * Red-black tree rebalancing, after Linux's classic lib/rbtree.c (2.6 era):
 * parent pointers, NULL leaves counted black, at most three rotations per
 * insert or erase.
 *
 * Invariants: the root is black; a red node has no red child; every path from
 * a node down to a NULL leaf crosses the same number of black nodes.
 */
#include "lib/rbtree.h"

static bool is_red(const struct rb_node *n)
{
        return n && n->rb_red;
}

/* Replace old by new in old's parent (or the root slot). */
static void change_child(struct rb_node *old, struct rb_node *new,
                         struct rb_node *parent, struct rb_root *root)
{
        if (!parent)
                root->rb_node = new;
        else if (parent->rb_left == old)
                parent->rb_left = new;
        else
                parent->rb_right = new;
}

static void rotate_left(struct rb_node *node, struct rb_root *root)
{
        struct rb_node *right = node->rb_right;
        struct rb_node *parent = node->rb_parent;

        node->rb_right = right->rb_left;
        if (right->rb_left)
                right->rb_left->rb_parent = node;
        right->rb_left = node;
        right->rb_parent = parent;
        change_child(node, right, parent, root);
        node->rb_parent = right;
}

static void rotate_right(struct rb_node *node, struct rb_root *root)
{
        struct rb_node *left = node->rb_left;
        struct rb_node *parent = node->rb_parent;

        node->rb_left = left->rb_right;
        if (left->rb_right)
                left->rb_right->rb_parent = node;
        left->rb_right = node;
        left->rb_parent = parent;
        change_child(node, left, parent, root);
        node->rb_parent = left;
}

void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
        struct rb_node *parent, *gparent, *uncle;

        while ((parent = node->rb_parent) && parent->rb_red) {
                /* parent is red, so it is not the root: gparent exists. */
                gparent = parent->rb_parent;

                if (parent == gparent->rb_left) {
                        uncle = gparent->rb_right;
                        if (is_red(uncle)) {
                                /* Recolour and continue from the grandparent. */
                                uncle->rb_red = false;
                                parent->rb_red = false;
                                gparent->rb_red = true;
                                node = gparent;
                                continue;
                        }
                        if (parent->rb_right == node) {
                                rotate_left(parent, root);
                                struct rb_node *tmp = parent;
                                parent = node;
                                node = tmp;
                        }
                        parent->rb_red = false;
                        gparent->rb_red = true;
                        rotate_right(gparent, root);
                } else {
                        uncle = gparent->rb_left;
                        if (is_red(uncle)) {
                                uncle->rb_red = false;
                                parent->rb_red = false;
                                gparent->rb_red = true;
                                node = gparent;
                                continue;
                        }
                        if (parent->rb_left == node) {
                                rotate_right(parent, root);
                                struct rb_node *tmp = parent;
                                parent = node;
                                node = tmp;
                        }
                        parent->rb_red = false;
                        gparent->rb_red = true;
                        rotate_left(gparent, root);
                }
        }
        root->rb_node->rb_red = false;
}

/* node (possibly NULL) under parent carries an extra black: push it up or
 * resolve it by rotation. */
static void erase_color(struct rb_node *node, struct rb_node *parent, struct rb_root *root)
{
        struct rb_node *other;

        while (!is_red(node) && node != root->rb_node) {
                if (parent->rb_left == node) {
                        other = parent->rb_right;
                        if (is_red(other)) {
                                other->rb_red = false;
                                parent->rb_red = true;
                                rotate_left(parent, root);
                                other = parent->rb_right;
                        }
                        if (!is_red(other->rb_left) && !is_red(other->rb_right)) {
                                other->rb_red = true;
                                node = parent;
                                parent = node->rb_parent;
                        } else {
                                if (!is_red(other->rb_right)) {
                                        other->rb_left->rb_red = false;
                                        other->rb_red = true;
                                        rotate_right(other, root);
                                        other = parent->rb_right;
                                }
                                other->rb_red = parent->rb_red;
                                parent->rb_red = false;
                                other->rb_right->rb_red = false;
                                rotate_left(parent, root);
                                node = root->rb_node;
                                break;
                        }
                } else {
                        other = parent->rb_left;
                        if (is_red(other)) {
                                other->rb_red = false;
                                parent->rb_red = true;
                                rotate_right(parent, root);
                                other = parent->rb_left;
                        }
                        if (!is_red(other->rb_left) && !is_red(other->rb_right)) {
                                other->rb_red = true;
                                node = parent;
                                parent = node->rb_parent;
                        } else {
                                if (!is_red(other->rb_left)) {
                                        other->rb_right->rb_red = false;
                                        other->rb_red = true;
                                        rotate_left(other, root);
                                        other = parent->rb_left;
                                }
                                other->rb_red = parent->rb_red;
                                parent->rb_red = false;
                                other->rb_left->rb_red = false;
                                rotate_right(parent, root);
                                node = root->rb_node;
                                break;
                        }
                }
        }
        if (node)
                node->rb_red = false;
}

void rb_erase(struct rb_node *node, struct rb_root *root)
{
        struct rb_node *child, *parent;
        bool red;

        if (node->rb_left && node->rb_right) {
                /* Two children: put the in-order successor in node's place. */
                struct rb_node *old = node, *left;

                node = node->rb_right;
                while ((left = node->rb_left))
                        node = left;

                change_child(old, node, old->rb_parent, root);

                child = node->rb_right;
                parent = node->rb_parent;
                red = node->rb_red;

                if (parent == old) {
                        parent = node;
                } else {
                        if (child)
                                child->rb_parent = parent;
                        parent->rb_left = child;
                        node->rb_right = old->rb_right;
                        old->rb_right->rb_parent = node;
                }

                node->rb_parent = old->rb_parent;
                node->rb_red = old->rb_red;
                node->rb_left = old->rb_left;
                old->rb_left->rb_parent = node;
        } else {
                child = node->rb_left ? node->rb_left : node->rb_right;
                parent = node->rb_parent;
                red = node->rb_red;
                if (child)
                        child->rb_parent = parent;
                change_child(node, child, parent, root);
        }

        if (!red)
                erase_color(child, parent, root);
}

struct rb_node *rb_first(const struct rb_root *root)
{
        struct rb_node *n = root->rb_node;

        if (!n)
                return NULL;
        while (n->rb_left)
                n = n->rb_left;
        return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
        struct rb_node *n = root->rb_node;

        if (!n)
                return NULL;
        while (n->rb_right)
                n = n->rb_right;
        return n;
}

struct rb_node *rb_next(const struct rb_node *node)
{
        struct rb_node *parent;

        if (node->rb_right) {
                node = node->rb_right;
                while (node->rb_left)
                        node = node->rb_left;
                return (struct rb_node *)node;
        }
        /* Up until we come from a left child. */
        while ((parent = node->rb_parent) && node == parent->rb_right)
                node = parent;
        return parent;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
        struct rb_node *parent;

        if (node->rb_left) {
                node = node->rb_left;
                while (node->rb_right)
                        node = node->rb_right;
                return (struct rb_node *)node;
        }
        while ((parent = node->rb_parent) && node == parent->rb_left)
                node = parent;
        return parent;
}
