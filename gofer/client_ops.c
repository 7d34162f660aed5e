/* One function per gofer op: encode the request, check and decode the reply
 * (client_internal.h has the round trip). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "gofer/client_internal.h"
#include "lib/macro.h"

static int check_name(const char *name)
{
        if (!name)
                return -EINVAL;
        return gofer_name_check(name, strnlen(name, GOFER_NAME_MAX + 1));
}

static void put_name(struct gofer_wbuf *w, const char *name)
{
        gofer_put_str(w, name, strlen(name));
}

static bool stat_valid(const struct gofer_stat *st)
{
        switch (st->mode & S_IFMT) {
        case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFIFO:
        case S_IFSOCK: case S_IFCHR: case S_IFBLK:
                return st->atime.nsec < 1000000000u && st->mtime.nsec < 1000000000u &&
                       st->ctime.nsec < 1000000000u;
        default:
                return false;
        }
}

static bool get_stat(struct gofer_rbuf *r, struct gofer_stat *st)
{
        gofer_get_stat(r, st);
        return !r->err && stat_valid(st);
}

/* u32 node + stat, as every creation answers. */
static bool get_entry(struct gofer_rbuf *r, struct gofer_entry *e)
{
        e->node = gofer_get_u32(r);
        return get_stat(r, &e->stat) && e->node != GOFER_NODE_NONE;
}

/* A donated fd must be a regular file opened with the access mode asked. */
static bool donated_fd_valid(int fd, int flags)
{
        struct stat st;

        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return false;
        int fl = fcntl(fd, F_GETFL);
        return fl >= 0 && !(fl & O_PATH) && (fl & O_ACCMODE) == (flags & O_ACCMODE);
}

int gofer_attach(struct gofer_client *c, struct gofer_entry *ret)
{
        struct gofer_call call;

        gofer_call_begin(c, &call, GOFER_ATTACH);
        int r = gofer_call_do(c, &call, false);
        if (r == 0 && (!get_entry(&call.r, ret) || !S_ISDIR(ret->stat.mode)))
                r = gofer_call_violation(c, &call);
        return gofer_call_end(c, &call, r);
}

int gofer_walk(struct gofer_client *c, uint32_t node, const char *const *names, unsigned n,
               struct gofer_walk_result *ret)
{
        struct gofer_call call;
        int r;

        if (n == 0 || n > GOFER_WALK_MAX)
                return -EINVAL;
        for (unsigned i = 0; i < n; i++) {
                r = check_name(names[i]);
                if (r < 0)
                        return r;
        }
        gofer_call_begin(c, &call, GOFER_WALK);
        gofer_put_u32(&call.w, node);
        gofer_put_u16(&call.w, (uint16_t)n);
        for (unsigned i = 0; i < n; i++)
                put_name(&call.w, names[i]);
        r = gofer_call_do(c, &call, false);
        if (r < 0)
                return gofer_call_end(c, &call, r);

        int32_t stop = (int32_t)gofer_get_u32(&call.r);
        unsigned m = gofer_get_u16(&call.r);
        /* All walked and no error, or fewer with the reason. */
        if (call.r.err || m == 0 || m > n || stop > 0 || stop < -4095 || (m == n) != (stop == 0))
                return gofer_call_end(c, &call, gofer_call_violation(c, &call));
        for (unsigned i = 0; i < m; i++) {
                if (!get_entry(&call.r, &ret->nodes[i]) ||
                    (i + 1 < m && !S_ISDIR(ret->nodes[i].stat.mode)))
                        return gofer_call_end(c, &call, gofer_call_violation(c, &call));
        }
        ret->n = m;
        ret->error = stop;
        return gofer_call_end(c, &call, 0);
}

int gofer_stat(struct gofer_client *c, uint32_t node, struct gofer_stat *ret)
{
        struct gofer_call call;

        gofer_call_begin(c, &call, GOFER_STAT);
        gofer_put_u32(&call.w, node);
        int r = gofer_call_do(c, &call, false);
        if (r == 0 && !get_stat(&call.r, ret))
                r = gofer_call_violation(c, &call);
        return gofer_call_end(c, &call, r);
}

int gofer_open(struct gofer_client *c, uint32_t node, int flags, int *ret_fd)
{
        struct gofer_call call;

        if ((unsigned)flags & ~(unsigned)GOFER_OPEN_FLAGS_ALLOWED)
                return -EINVAL;
        gofer_call_begin(c, &call, GOFER_OPEN);
        gofer_put_u32(&call.w, node);
        gofer_put_u32(&call.w, (uint32_t)flags);
        int r = gofer_call_do(c, &call, true);
        if (r == 0) {
                uint32_t has_fd = gofer_get_u32(&call.r);
                if (call.r.err || has_fd > 1 || (has_fd == 1) != (call.fd >= 0) ||
                    (call.fd >= 0 && !donated_fd_valid(call.fd, flags)))
                        r = gofer_call_violation(c, &call);
                else
                        *ret_fd = TAKE_FD(call.fd);
        }
        return gofer_call_end(c, &call, r);
}

int gofer_create(struct gofer_client *c, uint32_t dir, const char *name, int flags, mode_t mode,
                 uid_t uid, gid_t gid, struct gofer_entry *ret, int *ret_fd)
{
        struct gofer_call call;

        int r = check_name(name);
        if (r < 0)
                return r;
        if (((unsigned)flags & ~(unsigned)GOFER_OPEN_FLAGS_ALLOWED) || (flags & O_DIRECTORY) ||
            (mode & ~07777u))
                return -EINVAL;
        gofer_call_begin(c, &call, GOFER_CREATE);
        gofer_put_u32(&call.w, dir);
        gofer_put_u32(&call.w, (uint32_t)flags);
        gofer_put_u32(&call.w, mode);
        gofer_put_u32(&call.w, uid);
        gofer_put_u32(&call.w, gid);
        put_name(&call.w, name);
        r = gofer_call_do(c, &call, true);
        if (r == 0) {
                if (!get_entry(&call.r, ret) || !S_ISREG(ret->stat.mode) || call.fd < 0 ||
                    !donated_fd_valid(call.fd, flags))
                        r = gofer_call_violation(c, &call);
                else
                        *ret_fd = TAKE_FD(call.fd);
        }
        return gofer_call_end(c, &call, r);
}

/* MKDIR and MKNOD: dir, mode, uid, gid, name -> entry of type want. */
static int make_node(struct gofer_client *c, uint16_t op, uint32_t dir, const char *name,
                     mode_t mode, uid_t uid, gid_t gid, mode_t want, struct gofer_entry *ret)
{
        struct gofer_call call;

        int r = check_name(name);
        if (r < 0)
                return r;
        gofer_call_begin(c, &call, op);
        gofer_put_u32(&call.w, dir);
        gofer_put_u32(&call.w, mode);
        gofer_put_u32(&call.w, uid);
        gofer_put_u32(&call.w, gid);
        put_name(&call.w, name);
        r = gofer_call_do(c, &call, false);
        if (r == 0 && (!get_entry(&call.r, ret) || (ret->stat.mode & S_IFMT) != want))
                r = gofer_call_violation(c, &call);
        return gofer_call_end(c, &call, r);
}

int gofer_mkdir(struct gofer_client *c, uint32_t dir, const char *name, mode_t mode,
                uid_t uid, gid_t gid, struct gofer_entry *ret)
{
        if (mode & ~07777u)
                return -EINVAL;
        return make_node(c, GOFER_MKDIR, dir, name, mode, uid, gid, S_IFDIR, ret);
}

int gofer_mknod(struct gofer_client *c, uint32_t dir, const char *name, mode_t mode,
                uid_t uid, gid_t gid, struct gofer_entry *ret)
{
        mode_t type = (mode & S_IFMT) ? (mode & S_IFMT) : S_IFREG;

        if (type == S_IFCHR || type == S_IFBLK)
                return -EPERM;
        if (mode & ~(07777u | S_IFMT))
                return -EINVAL;
        return make_node(c, GOFER_MKNOD, dir, name, mode, uid, gid, type, ret);
}

int gofer_symlink(struct gofer_client *c, uint32_t dir, const char *name, const char *target,
                  uid_t uid, gid_t gid, struct gofer_entry *ret)
{
        struct gofer_call call;

        int r = check_name(name);
        if (r < 0)
                return r;
        if (!target)
                return -EINVAL;
        size_t tlen = strnlen(target, GOFER_TARGET_MAX + 1);
        r = gofer_target_check(target, tlen);
        if (r < 0)
                return tlen == 0 ? -ENOENT : r;         /* symlink(""): ENOENT */
        gofer_call_begin(c, &call, GOFER_SYMLINK);
        gofer_put_u32(&call.w, dir);
        gofer_put_u32(&call.w, uid);
        gofer_put_u32(&call.w, gid);
        put_name(&call.w, name);
        gofer_put_str(&call.w, target, tlen);
        r = gofer_call_do(c, &call, false);
        if (r == 0 && (!get_entry(&call.r, ret) || !S_ISLNK(ret->stat.mode)))
                r = gofer_call_violation(c, &call);
        return gofer_call_end(c, &call, r);
}

int gofer_link(struct gofer_client *c, uint32_t dir, const char *name, uint32_t target,
               struct gofer_entry *ret)
{
        struct gofer_call call;

        int r = check_name(name);
        if (r < 0)
                return r;
        gofer_call_begin(c, &call, GOFER_LINK);
        gofer_put_u32(&call.w, dir);
        gofer_put_u32(&call.w, target);
        put_name(&call.w, name);
        r = gofer_call_do(c, &call, false);
        if (r == 0 && (!get_entry(&call.r, ret) || S_ISDIR(ret->stat.mode)))
                r = gofer_call_violation(c, &call);
        return gofer_call_end(c, &call, r);
}

int gofer_unlink(struct gofer_client *c, uint32_t dir, const char *name, int flags)
{
        struct gofer_call call;

        int r = check_name(name);
        if (r < 0)
                return r;
        if (flags & ~AT_REMOVEDIR)
                return -EINVAL;
        gofer_call_begin(c, &call, GOFER_UNLINK);
        gofer_put_u32(&call.w, dir);
        gofer_put_u32(&call.w, (uint32_t)flags);
        put_name(&call.w, name);
        r = gofer_call_do(c, &call, false);
        return gofer_call_end(c, &call, r);
}

int gofer_rename(struct gofer_client *c, uint32_t olddir, const char *oldname, uint32_t newdir,
                 const char *newname, unsigned flags)
{
        struct gofer_call call;

        int r = check_name(oldname);
        if (r < 0)
                return r;
        r = check_name(newname);
        if (r < 0)
                return r;
        if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
                return -EINVAL;
        gofer_call_begin(c, &call, GOFER_RENAME);
        gofer_put_u32(&call.w, olddir);
        gofer_put_u32(&call.w, newdir);
        gofer_put_u32(&call.w, flags);
        put_name(&call.w, oldname);
        put_name(&call.w, newname);
        r = gofer_call_do(c, &call, false);
        return gofer_call_end(c, &call, r);
}

int gofer_readlink(struct gofer_client *c, uint32_t node, char **ret_target)
{
        struct gofer_call call;
        struct gofer_name t;

        gofer_call_begin(c, &call, GOFER_READLINK);
        gofer_put_u32(&call.w, node);
        int r = gofer_call_do(c, &call, false);
        if (r == 0) {
                gofer_get_target(&call.r, &t);
                if (call.r.err) {
                        r = gofer_call_violation(c, &call);
                } else {
                        char *s = strndup(t.ptr, t.len);
                        if (s)
                                *ret_target = s;
                        else
                                r = -ENOMEM;
                }
        }
        return gofer_call_end(c, &call, r);
}

int gofer_getdents(struct gofer_client *c, uint32_t node, uint64_t offset, size_t count,
                   struct gofer_dirents **ret)
{
        struct gofer_call call;

        if (count == 0 || count > GOFER_MSG_MAX)
                count = GOFER_MSG_MAX;
        gofer_call_begin(c, &call, GOFER_GETDENTS);
        gofer_put_u32(&call.w, node);
        gofer_put_u64(&call.w, offset);
        gofer_put_u32(&call.w, (uint32_t)count);
        int r = gofer_call_do(c, &call, false);
        if (r < 0)
                return gofer_call_end(c, &call, r);

        /* Each entry takes at least 20 bytes of reply; names fit in what is left. */
        unsigned n = gofer_get_u16(&call.r);
        if (call.r.err || (size_t)n * 20 > call.r.left)
                return gofer_call_end(c, &call, gofer_call_violation(c, &call));
        size_t names_size = call.r.left;        /* upper bound, NULs included */
        struct gofer_dirents *d = malloc(sizeof(*d) + n * sizeof(d->ents[0]) + names_size);
        if (!d)
                return gofer_call_end(c, &call, -ENOMEM);
        char *names = (char *)&d->ents[n];
        d->n = n;
        for (unsigned i = 0; i < n; i++) {
                struct gofer_dirent *e = &d->ents[i];
                struct gofer_name nm;
                e->ino = gofer_get_u64(&call.r);
                e->next_offset = gofer_get_u64(&call.r);
                e->type = gofer_get_u8(&call.r);
                gofer_get_name(&call.r, &nm);
                if (call.r.err) {
                        free(d);
                        return gofer_call_end(c, &call, gofer_call_violation(c, &call));
                }
                memcpy(names, nm.ptr, nm.len);
                names[nm.len] = '\0';
                e->name = names;
                e->namelen = nm.len;
                names += nm.len + 1;
        }
        r = gofer_call_end(c, &call, 0);
        if (r < 0) {
                free(d);
                return r;
        }
        *ret = d;
        return 0;
}

int gofer_setattr(struct gofer_client *c, uint32_t node, const struct gofer_setattr *a,
                  struct gofer_stat *ret)
{
        struct gofer_call call;
        struct gofer_stat st;

        if (a->mask & ~GOFER_SETATTR_ALL)
                return -EINVAL;
        gofer_call_begin(c, &call, GOFER_SETATTR);
        gofer_put_u32(&call.w, node);
        gofer_put_u32(&call.w, a->mask);
        gofer_put_u32(&call.w, a->mode);
        gofer_put_u32(&call.w, a->uid);
        gofer_put_u32(&call.w, a->gid);
        gofer_put_u64(&call.w, a->size);
        gofer_put_u64(&call.w, (uint64_t)a->atime.sec);
        gofer_put_u32(&call.w, a->atime.nsec);
        gofer_put_u64(&call.w, (uint64_t)a->mtime.sec);
        gofer_put_u32(&call.w, a->mtime.nsec);
        int r = gofer_call_do(c, &call, false);
        if (r == 0 && !get_stat(&call.r, &st))
                r = gofer_call_violation(c, &call);
        if (r == 0 && ret)
                *ret = st;
        return gofer_call_end(c, &call, r);
}

int gofer_statfs(struct gofer_client *c, uint32_t node, struct gofer_statfs *ret)
{
        struct gofer_call call;

        gofer_call_begin(c, &call, GOFER_STATFS);
        gofer_put_u32(&call.w, node);
        int r = gofer_call_do(c, &call, false);
        if (r == 0) {
                gofer_get_statfs(&call.r, ret);
                if (call.r.err)
                        r = gofer_call_violation(c, &call);
        }
        return gofer_call_end(c, &call, r);
}

int gofer_fsync(struct gofer_client *c, uint32_t node, bool datasync)
{
        struct gofer_call call;

        gofer_call_begin(c, &call, GOFER_FSYNC);
        gofer_put_u32(&call.w, node);
        gofer_put_u32(&call.w, datasync ? GOFER_FSYNC_DATASYNC : 0);
        int r = gofer_call_do(c, &call, false);
        return gofer_call_end(c, &call, r);
}

int gofer_clunk(struct gofer_client *c, const uint32_t *nodes, unsigned n)
{
        struct gofer_call call;

        if (n == 0 || n > GOFER_CLUNK_MAX)
                return -EINVAL;
        gofer_call_begin(c, &call, GOFER_CLUNK);
        gofer_put_u16(&call.w, (uint16_t)n);
        for (unsigned i = 0; i < n; i++)
                gofer_put_u32(&call.w, nodes[i]);
        int r = gofer_call_do(c, &call, false);
        return gofer_call_end(c, &call, r);
}
