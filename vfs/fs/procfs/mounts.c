/* /proc/PID/mounts and mountinfo: the process's mount namespace, oldest
 * mount first, mount points named from the process's root. */
#include <errno.h>
#include <stdlib.h>
#include <sys/sysmacros.h>

#include "internal.h"
#include "vfs/namei.h"

struct mnt_snap {
        struct mount *m;                /* a reference */
        struct path at;                 /* where it is mounted (references); empty for the root */
        int parent_id;
};

/* The namespace's mounts, oldest first, with references, taken under
 * ns->lock so that the path names can be computed without it. */
static int snapshot(struct mnt_namespace *ns, struct mnt_snap **ret, size_t *ret_n)
{
        struct mnt_snap *v;
        size_t n = 1, i;

        pthread_rwlock_rdlock(&ns->lock);
        for (struct mount *m = ns->mounts; m; m = m->next_sibling)
                n++;
        v = calloc(n, sizeof(*v));
        if (!v) {
                pthread_rwlock_unlock(&ns->lock);
                return -ENOMEM;
        }
        v[0].m = mount_ref(ns->root);
        v[0].parent_id = ns->root->id;
        /* The list is newest first: fill from the end. */
        i = n;
        for (struct mount *m = ns->mounts; m; m = m->next_sibling) {
                struct mnt_snap *s = &v[--i];

                s->m = mount_ref(m);
                s->at = (struct path){ mount_ref(m->parent), dentry_ref(m->mountpoint) };
                s->parent_id = m->parent->id;
        }
        pthread_rwlock_unlock(&ns->lock);
        *ret = v;
        *ret_n = n;
        return 0;
}

static void snapshot_free(struct mnt_snap *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                mount_unref(v[i].m);
                if (v[i].at.mnt)
                        path_put(&v[i].at);
        }
        free(v);
}

/* Linux escapes space, tab, newline and backslash in mount paths as octal. */
static void put_escaped(struct seqbuf *b, const char *s)
{
        for (; *s; s++) {
                if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
                        seqbuf_printf(b, "\\%03o", (unsigned char)*s);
                else
                        seqbuf_putc(b, *s);
        }
}

static int show(const struct proc_ctx *c, struct seqbuf *b, bool info)
{
        struct fs_context *fs;
        struct mnt_snap *v;
        char *buf;
        size_t n;
        int r;

        r = proc_src(c)->ops->fs(proc_src(c), c->tgid, &fs);
        if (r < 0)
                return r;
        buf = malloc(VFS_PATH_MAX);
        r = buf ? snapshot(fs->ns, &v, &n) : -ENOMEM;
        if (r < 0) {
                free(buf);
                fs_context_unref(fs);
                return r;
        }
        for (size_t i = 0; i < n; i++) {
                struct mount *m = v[i].m;
                const char *type = m->sb->type->name;
                struct path root_path = { m, m->root };
                const struct path *p = v[i].at.mnt ? &root_path : NULL;

                /* A mount's root names where it is mounted. */
                if (p && vfs_d_path(fs, p, buf, VFS_PATH_MAX) < 0)
                        continue;
                if (!p)
                        buf[0] = '/', buf[1] = '\0';
                if (info) {
                        seqbuf_printf(b, "%d %d %u:%u / ", m->id, v[i].parent_id,
                                      major(m->sb->dev), minor(m->sb->dev));
                        put_escaped(b, buf);
                        seqbuf_printf(b, " rw,relatime - %s %s rw\n", type, type);
                } else {
                        seqbuf_printf(b, "%s ", type);
                        put_escaped(b, buf);
                        seqbuf_printf(b, " %s rw,relatime 0 0\n", type);
                }
        }
        snapshot_free(v, n);
        free(buf);
        fs_context_unref(fs);
        return 0;
}

int proc_show_mounts(const struct proc_ctx *c, struct seqbuf *b)
{
        return show(c, b, false);
}

int proc_show_mountinfo(const struct proc_ctx *c, struct seqbuf *b)
{
        return show(c, b, true);
}
