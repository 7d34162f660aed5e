/* inotify: an fsnotify group as a file — the queue of events read(2)
 * returns, and the watches (Linux's fs/notify/inotify/inotify_user.c and
 * inotify_fsnotify.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

#include "file.h"
#include "fsnotify.h"
#include "inotify.h"
#include "lib/macro.h"

/* Bits a watch may ask for (Linux's ALL_INOTIFY_BITS is checked by the
 * syscall layer); what a mark keeps of them. */
#define MARK_BITS (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)
/* What read(2) shows of an event's mask (inotify_mask_to_arg()). */
#define EVENT_BITS (IN_ALL_EVENTS | IN_ISDIR | IN_UNMOUNT | IN_IGNORED | IN_Q_OVERFLOW)

static atomic_int instances;
static atomic_int watches;

struct inotify_event_node {
        struct inotify_event_node *next;
        int wd;
        uint32_t mask, cookie;
        uint32_t name_len;              /* without the NUL; 0: no name */
        char name[];
};

struct inotify {
        struct file base;
        struct fsnotify_group group;    /* marks: under the fsnotify lock */
        int next_wd;                    /* protected by the fsnotify lock */
        pthread_mutex_t lock;           /* the queue */
        struct inotify_event_node *head, *tail;
        unsigned q_len;                 /* events queued, the overflow one included */
        bool overflowed;                /* the overflow event is queued */
        struct waitqueue wq;
};

static struct inotify *to_in(struct file *f)
{
        return container_of(f, struct inotify, base);
}

static struct inotify *group_to_in(struct fsnotify_group *g)
{
        return container_of(g, struct inotify, group);
}

/* Bytes the event takes in a read: the header and the name padded with
 * NULs to a multiple of the header's size (round_event_name_len()). */
static size_t event_name_room(const struct inotify_event_node *e)
{
        size_t h = sizeof(struct inotify_event);

        return e->name_len ? (e->name_len + 1 + h - 1) / h * h : 0;
}

static size_t event_size(const struct inotify_event_node *e)
{
        return sizeof(struct inotify_event) + event_name_room(e);
}

/* inotify_merge(): the same event as the last one queued adds nothing. */
static bool same_as_tail(const struct inotify *in, const struct inotify_event_node *e)
{
        const struct inotify_event_node *t = in->tail;

        return t && t->wd == e->wd && t->mask == e->mask && t->cookie == e->cookie &&
               t->name_len == e->name_len && memcmp(t->name, e->name, e->name_len) == 0;
}

/* Queue an event (fsnotify_insert_event()): past the limit, one
 * IN_Q_OVERFLOW instead. Takes in->lock. */
static void queue_event(struct inotify *in, int wd, uint32_t mask, uint32_t cookie,
                        const char *name)
{
        size_t len = name ? strlen(name) : 0;
        struct inotify_event_node *e = malloc(sizeof(*e) + len + 1);
        bool overflow = !e;

        pthread_mutex_lock(&in->lock);
        if (in->q_len >= INOTIFY_MAX_QUEUED_EVENTS)
                overflow = true;
        if (overflow) {
                free(e);
                e = NULL;
                if (!in->overflowed)
                        e = calloc(1, sizeof(*e) + 1);
                if (!e) {
                        pthread_mutex_unlock(&in->lock);
                        return;
                }
                e->wd = -1;
                e->mask = IN_Q_OVERFLOW;
                in->overflowed = true;
        } else {
                e->wd = wd;
                e->mask = mask & EVENT_BITS;
                e->cookie = cookie;
                e->name_len = (uint32_t)len;
                memcpy(e->name, name ? name : "", len + 1);
                if (same_as_tail(in, e)) {
                        pthread_mutex_unlock(&in->lock);
                        free(e);
                        return;
                }
        }
        e->next = NULL;
        if (in->tail)
                in->tail->next = e;
        else
                in->head = e;
        in->tail = e;
        in->q_len++;
        pthread_mutex_unlock(&in->lock);
        waitqueue_notify(&in->wq, EPOLLIN | EPOLLRDNORM);
}

static void in_handle_event(struct fsnotify_group *g, struct fsnotify_mark *m, uint32_t mask,
                            uint32_t cookie, const char *name)
{
        queue_event(group_to_in(g), m->wd, mask, cookie, name);
}

static void in_freeing_mark(struct fsnotify_group *g, struct fsnotify_mark *m)
{
        queue_event(group_to_in(g), m->wd, IN_IGNORED, 0, NULL);
        atomic_fetch_sub(&watches, 1);
}

static const struct fsnotify_ops inotify_fsnotify_ops = {
        .handle_event = in_handle_event,
        .freeing_mark = in_freeing_mark,
};

/* Copy whole events while they fit; -EINVAL if the first does not. */
static ssize_t in_read(struct file *f, const struct iov_iter *dst, int64_t *pos)
{
        struct inotify *in = to_in(f);
        struct iov_cursor c;
        size_t done = 0;

        (void)pos;
        iov_cursor_init(&c, dst);
        pthread_mutex_lock(&in->lock);
        if (!in->head) {
                pthread_mutex_unlock(&in->lock);
                return -EAGAIN;
        }
        while (in->head) {
                struct inotify_event_node *e = in->head;
                size_t room = event_name_room(e);
                struct inotify_event h = {
                        .wd = e->wd, .mask = e->mask, .cookie = e->cookie, .len = (uint32_t)room,
                };

                if (event_size(e) > dst->count - done)
                        break;
                iov_cursor_copy_to(&c, &h, sizeof(h));
                if (room) {
                        iov_cursor_copy_to(&c, e->name, e->name_len);
                        iov_cursor_zero(&c, room - e->name_len);
                }
                done += event_size(e);
                in->head = e->next;
                if (!in->head)
                        in->tail = NULL;
                in->q_len--;
                if (e->mask == IN_Q_OVERFLOW && e->wd == -1)
                        in->overflowed = false;
                free(e);
        }
        pthread_mutex_unlock(&in->lock);
        return done ? (ssize_t)done : -EINVAL;
}

static unsigned in_poll(struct file *f)
{
        struct inotify *in = to_in(f);
        unsigned r;

        pthread_mutex_lock(&in->lock);
        r = in->head ? EPOLLIN | EPOLLRDNORM : 0;
        pthread_mutex_unlock(&in->lock);
        return r;
}

static int in_ioctl(struct file *f, unsigned cmd, void *arg)
{
        struct inotify *in = to_in(f);
        size_t total = 0;
        int n;

        if (cmd != FIONREAD)
                return -ENOTTY;
        pthread_mutex_lock(&in->lock);
        for (struct inotify_event_node *e = in->head; e; e = e->next)
                total += event_size(e);
        pthread_mutex_unlock(&in->lock);
        n = (int)total;
        memcpy(arg, &n, sizeof(n));
        return 0;
}

static void in_release(struct file *f)
{
        struct inotify *in = to_in(f);
        atomic_fetch_sub(&watches, (int)fsnotify_group_clear(&in->group));
        while (in->head) {
                struct inotify_event_node *e = in->head;

                in->head = e->next;
                free(e);
        }
        waitqueue_destroy(&in->wq);
        pthread_mutex_destroy(&in->lock);
        atomic_fetch_sub(&instances, 1);
        free(in);
}

static const struct file_ops inotify_ops = {
        .read = in_read,
        .stat = vfs_anon_stat,
        .ioctl = in_ioctl,
        .poll = in_poll,
        .release = in_release,
};

bool file_is_inotify(const struct file *f)
{
        return f->ops == &inotify_ops;
}

int inotify_create_file(unsigned flags, struct file **ret)
{
        struct inotify *in;

        if (atomic_fetch_add(&instances, 1) >= INOTIFY_MAX_USER_INSTANCES) {
                atomic_fetch_sub(&instances, 1);
                return -EMFILE;
        }
        in = calloc(1, sizeof(*in));
        if (!in) {
                atomic_fetch_sub(&instances, 1);
                return -ENOMEM;
        }
        in->group.ops = &inotify_fsnotify_ops;
        in->next_wd = 1;
        pthread_mutex_init(&in->lock, NULL);
        waitqueue_init(&in->wq);
        file_init(&in->base, &inotify_ops, O_RDONLY | (flags & O_NONBLOCK), true);
        in->base.wq = &in->wq;
        *ret = &in->base;
        return 0;
}

/* The next free wd, cyclically from 1 (idr_alloc_cyclic()). Lock held. */
static int alloc_wd(struct inotify *in)
{
        for (int tries = 0; tries < INOTIFY_MAX_USER_WATCHES + 1; tries++) {
                int wd = in->next_wd;

                in->next_wd = wd == INT_MAX ? 1 : wd + 1;
                if (!fsnotify_find_wd(&in->group, wd))
                        return wd;
        }
        return -ENOSPC;
}

int inotify_add_watch_file(struct file *f, const struct path *p, uint32_t mask)
{
        struct inotify *in = to_in(f);
        struct inode *inode = p->dentry->inode;
        struct fsnotify_mark *m;
        int r;

        fsnotify_lock();
        m = fsnotify_find_mark(&in->group, inode);
        if (m) {
                /* inotify_update_existing_watch(). */
                if (mask & IN_MASK_CREATE) {
                        r = -EEXIST;
                } else {
                        if (!(mask & IN_MASK_ADD))
                                m->mask = 0;
                        m->mask |= mask & MARK_BITS;
                        r = m->wd;
                }
                fsnotify_unlock();
                return r;
        }
        m = calloc(1, sizeof(*m));
        if (!m) {
                r = -ENOMEM;
                goto out;
        }
        r = alloc_wd(in);
        if (r < 0)
                goto out;
        if (atomic_fetch_add(&watches, 1) >= INOTIFY_MAX_USER_WATCHES) {
                atomic_fetch_sub(&watches, 1);
                r = -ENOSPC;
                goto out;
        }
        m->group = &in->group;
        m->dentry = dentry_ref(p->dentry);
        m->inode = inode_ref(inode);
        m->wd = r;
        m->mask = mask & MARK_BITS;
        fsnotify_attach_mark(TAKE_PTR(m));
out:
        fsnotify_unlock();
        free(m);
        return r;
}

int inotify_rm_watch_file(struct file *f, int wd)
{
        struct inotify *in = to_in(f);
        struct fsnotify_mark *m, *freelist = NULL;

        fsnotify_lock();
        m = fsnotify_find_wd(&in->group, wd);
        if (m)
                fsnotify_detach_mark(m, true, &freelist);
        fsnotify_unlock();
        fsnotify_free_marks(freelist);
        return m ? 0 : -EINVAL;
}
