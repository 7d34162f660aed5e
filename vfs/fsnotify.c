/* fsnotify: marks on inodes and the hooks that report events to them
 * (Linux's fs/notify/fsnotify.c and mark.c, for inotify's needs). */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "file.h"
#include "fsnotify.h"
#include "vfs.h"

/* One per sentry process, which is one sandbox. A leaf below sb->lock. */
static pthread_mutex_t fsn_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint fsn_cookie;

/* Events a directory's marks hear about its children (FS_EVENTS_POSS_ON_CHILD). */
#define EVENTS_ON_CHILD (IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | \
                         IN_OPEN)

void fsnotify_lock(void)
{
        pthread_mutex_lock(&fsn_lock);
}

void fsnotify_unlock(void)
{
        pthread_mutex_unlock(&fsn_lock);
}

uint32_t fsnotify_get_cookie(void)
{
        return atomic_fetch_add(&fsn_cookie, 1) + 1;
}

struct fsnotify_mark *fsnotify_find_mark(struct fsnotify_group *g, const struct inode *inode)
{
        for (struct fsnotify_mark *m = g->marks; m; m = m->g_next)
                if (m->inode == inode)
                        return m;
        return NULL;
}

struct fsnotify_mark *fsnotify_find_wd(struct fsnotify_group *g, int wd)
{
        for (struct fsnotify_mark *m = g->marks; m; m = m->g_next)
                if (m->wd == wd)
                        return m;
        return NULL;
}

void fsnotify_attach_mark(struct fsnotify_mark *m)
{
        m->i_next = m->inode->fsn_marks;
        m->inode->fsn_marks = m;
        m->g_next = m->group->marks;
        m->group->marks = m;
        m->group->nmarks++;
        atomic_fetch_add(&m->inode->sb->fsn_marks, 1);
}

void fsnotify_detach_mark(struct fsnotify_mark *m, bool notify, struct fsnotify_mark **freelist)
{
        struct fsnotify_mark **pp;

        for (pp = &m->inode->fsn_marks; *pp && *pp != m; pp = &(*pp)->i_next)
                ;
        if (*pp)
                *pp = m->i_next;
        for (pp = &m->group->marks; *pp && *pp != m; pp = &(*pp)->g_next)
                ;
        if (*pp)
                *pp = m->g_next;
        m->group->nmarks--;
        atomic_fetch_sub(&m->inode->sb->fsn_marks, 1);
        if (notify)
                m->group->ops->freeing_mark(m->group, m);
        m->g_next = *freelist;
        *freelist = m;
}

void fsnotify_free_marks(struct fsnotify_mark *list)
{
        while (list) {
                struct fsnotify_mark *next = list->g_next;

                dentry_unref(list->dentry);
                inode_unref(list->inode);
                free(list);
                list = next;
        }
}

unsigned fsnotify_group_clear(struct fsnotify_group *g)
{
        struct fsnotify_mark *freelist = NULL;
        unsigned n = 0;

        fsnotify_lock();
        for (; g->marks; n++)
                fsnotify_detach_mark(g->marks, false, &freelist);
        fsnotify_unlock();
        fsnotify_free_marks(freelist);
        return n;
}

static bool sb_watched(const struct inode *inode)
{
        return atomic_load_explicit(&inode->sb->fsn_marks, memory_order_relaxed) != 0;
}

/* Hand mask to every interested mark of inode (Linux's send_to_group and
 * inotify_handle_inode_event). on_child: the event is about the entry name
 * of directory inode; unlinked: the event came through a file whose name is
 * gone. Lock held. */
static void send_locked(struct inode *inode, uint32_t mask, uint32_t cookie, const char *name,
                        bool unlinked, struct fsnotify_mark **freelist)
{
        struct fsnotify_mark *m, *next;
        uint32_t ev = mask & ~(uint32_t)IN_ISDIR;

        for (m = inode->fsn_marks; m; m = next) {
                uint32_t out = mask;

                next = m->i_next;
                if (!(m->mask & ev))
                        continue;
                if (unlinked && (m->mask & IN_EXCL_UNLINK))
                        continue;
                /* inotify never reported IN_ISDIR with these. */
                if (mask & (IN_MOVE_SELF | IN_DELETE_SELF))
                        out &= ~(uint32_t)IN_ISDIR;
                m->group->ops->handle_event(m->group, m, out, cookie, name);
                if (m->mask & IN_ONESHOT)
                        fsnotify_detach_mark(m, true, freelist);
        }
}

static void send(struct inode *inode, uint32_t mask, uint32_t cookie, const char *name)
{
        struct fsnotify_mark *freelist = NULL;

        if (!inode || !sb_watched(inode))
                return;
        fsnotify_lock();
        if (inode->fsn_marks)
                send_locked(inode, mask, cookie, name, false, &freelist);
        fsnotify_unlock();
        fsnotify_free_marks(freelist);
}

static uint32_t isdir_bit(const struct inode *inode)
{
        return S_ISDIR(inode->mode) ? IN_ISDIR : 0;
}

void fsnotify_dentry(struct dentry *d, uint32_t mask, bool from_file)
{
        struct fsnotify_mark *freelist = NULL;
        struct super_block *sb = d->sb;
        struct dentry *parent = NULL;
        struct inode *inode = d->inode;
        char *name = NULL;
        bool unlinked;

        if (!inode || !sb_watched(inode))
                return;
        mask |= isdir_bit(inode);
        pthread_mutex_lock(&sb->lock);
        unlinked = !d->hashed;
        if (d->parent && (mask & EVENTS_ON_CHILD)) {
                parent = dentry_ref(d->parent);
                name = strdup(d->name);
        }
        pthread_mutex_unlock(&sb->lock);
        unlinked = unlinked && from_file;
        fsnotify_lock();
        /* The parent's marks first, then the inode's own (Linux's
         * fsnotify_handle_event()). */
        if (parent && name && parent->inode)
                send_locked(parent->inode, mask, 0, name, unlinked, &freelist);
        send_locked(inode, mask, 0, NULL, unlinked, &freelist);
        fsnotify_unlock();
        fsnotify_free_marks(freelist);
        free(name);
        dentry_unref(parent);
}

void fsnotify_file(struct file *f, uint32_t mask)
{
        if (f->path.dentry && !(f->flags & O_PATH))
                fsnotify_dentry(f->path.dentry, mask, true);
}

void fsnotify_open(struct file *f)
{
        if (!f->path.dentry || (f->flags & O_PATH))
                return;
        atomic_fetch_add(&f->path.dentry->inode->fsn_opens, 1);
        f->fsn_counted = true;
        fsnotify_file(f, IN_OPEN);
}

static void inode_removed(struct inode *inode);
static bool inode_gone(struct inode *inode);

void fsnotify_close(struct file *f)
{
        struct inode *inode = file_inode(f);

        fsnotify_file(f, file_writable(f) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
        /* The last open file of a removed inode: now it is gone (Linux's
         * last dput() of the dentry). */
        if (f->fsn_counted && atomic_fetch_sub(&inode->fsn_opens, 1) == 1 &&
            sb_watched(inode) && inode_gone(inode))
                inode_removed(inode);
}

/* Linux's fsnotify_change(). */
void fsnotify_change(struct dentry *d, unsigned ia_valid)
{
        uint32_t mask = 0;

        if (ia_valid & (ATTR_UID | ATTR_GID | ATTR_MODE))
                mask |= IN_ATTRIB;
        if (ia_valid & ATTR_SIZE)
                mask |= IN_MODIFY;
        if ((ia_valid & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
                mask |= IN_ATTRIB;
        else if (ia_valid & ATTR_ATIME)
                mask |= IN_ACCESS;
        else if (ia_valid & ATTR_MTIME)
                mask |= IN_MODIFY;
        if (mask)
                fsnotify_dentry(d, mask, false);
}

void fsnotify_inode(struct inode *inode, uint32_t mask)
{
        if (inode)
                send(inode, mask | isdir_bit(inode), 0, NULL);
}

void fsnotify_create(struct inode *dir, const char *name, bool isdir)
{
        send(dir, IN_CREATE | (isdir ? IN_ISDIR : 0), 0, name);
}

void fsnotify_link(struct inode *dir, struct inode *inode, const char *name)
{
        fsnotify_inode(inode, IN_ATTRIB);
        send(dir, IN_CREATE, 0, name);
}

/* The inode lost its last name and no file is open on it: IN_DELETE_SELF,
 * then its marks go (IN_IGNORED). Linux does this when the last dentry
 * reference goes: at the unlink, or at the last close of a file open on
 * it (fsnotify_close()); a cwd or an O_PATH file do not delay it here. */
static void inode_removed(struct inode *inode)
{
        struct fsnotify_mark *freelist = NULL;

        if (!sb_watched(inode))
                return;
        fsnotify_lock();
        send_locked(inode, IN_DELETE_SELF, 0, NULL, false, &freelist);
        while (inode->fsn_marks)
                fsnotify_detach_mark(inode->fsn_marks, true, &freelist);
        fsnotify_unlock();
        fsnotify_free_marks(freelist);
}

/* No name left (file systems set a removed directory's nlink to 0). */
static bool inode_gone(struct inode *inode)
{
        bool gone;

        pthread_mutex_lock(&inode->lock);
        gone = inode->nlink == 0;
        pthread_mutex_unlock(&inode->lock);
        return gone;
}

void fsnotify_delete(struct inode *dir, struct inode *victim, const char *name)
{
        bool isdir = S_ISDIR(victim->mode);

        if (!sb_watched(victim))
                return;
        if (!isdir)
                fsnotify_inode(victim, IN_ATTRIB);
        if (inode_gone(victim) && atomic_load(&victim->fsn_opens) == 0)
                inode_removed(victim);
        send(dir, IN_DELETE | (isdir ? IN_ISDIR : 0), 0, name);
}

void fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
                   struct inode *moved, struct inode *target)
{
        uint32_t isdir = isdir_bit(moved), cookie;

        if (!sb_watched(moved))
                return;
        cookie = fsnotify_get_cookie();
        send(odir, IN_MOVED_FROM | isdir, cookie, oname);
        send(ndir, IN_MOVED_TO | isdir, cookie, nname);
        if (target && !S_ISDIR(target->mode))
                fsnotify_inode(target, IN_ATTRIB);
        send(moved, IN_MOVE_SELF, 0, NULL);
        if (target && inode_gone(target) && atomic_load(&target->fsn_opens) == 0)
                inode_removed(target);
}
