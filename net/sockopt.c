/* SOL_SOCKET options every family shares (Linux's sk_setsockopt() and
 * sk_getsockopt()); the rest go to the family. */
#include <errno.h>
#include <string.h>
#include <sys/time.h>

#include "lib/macro.h"
#include "socket.h"

/* Plain on/off options kept as bits and otherwise ignored (unix sockets
 * have no routes, keepalives or broadcasts; SO_PASSCRED is read by the
 * unix family). */
static bool is_bool_opt(int name)
{
        switch (name) {
        case SO_DEBUG:
        case SO_REUSEADDR:
        case SO_REUSEPORT:
        case SO_KEEPALIVE:
        case SO_DONTROUTE:
        case SO_BROADCAST:
        case SO_OOBINLINE:
        case SO_PASSCRED:
        case SO_PASSSEC:
        case SO_TIMESTAMP_OLD:
        case SO_TIMESTAMPNS_OLD:
                return true;
        default:
                return false;
        }
}

/* Linux's sock_set_timeout(): a struct timeval; zero is "forever". */
static int set_timeout(_Atomic int64_t *slot, const void *val, size_t len)
{
        struct timeval tv;

        if (len < sizeof(tv))
                return -EINVAL;
        memcpy(&tv, val, sizeof(tv));
        if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
                return -EDOM;
        if (tv.tv_sec < 0) {
                atomic_store(slot, 1);          /* no waiting at all */
                return 0;
        }
        if (tv.tv_sec > INT64_MAX / 1000000000 - 1)
                atomic_store(slot, 0);
        else
                atomic_store(slot, (int64_t)tv.tv_sec * 1000000000 + tv.tv_usec * 1000);
        return 0;
}

static void get_timeout(_Atomic int64_t *slot, struct timeval *tv)
{
        int64_t ns = atomic_load(slot);

        tv->tv_sec = ns / 1000000000;
        tv->tv_usec = (ns % 1000000000) / 1000;
}

int sock_setsockopt(struct sock *sk, int level, int name, const void *val, size_t len)
{
        int v;

        if (level != SOL_SOCKET) {
                if (!sk->ops->setsockopt)
                        return -EOPNOTSUPP;
                return sk->ops->setsockopt(sk, level, name, val, len);
        }
        if (len < sizeof(int))
                return -EINVAL;
        memcpy(&v, val, sizeof(v));
        if (is_bool_opt(name)) {
                if (v)
                        atomic_fetch_or(&sk->bool_opts, 1u << name);
                else
                        atomic_fetch_and(&sk->bool_opts, ~(1u << name));
                return 0;
        }
        switch (name) {
        case SO_SNDBUF:
        case SO_SNDBUFFORCE:
                /* Doubled for the bookkeeping overhead, as Linux does. */
                v = (int)MIN((unsigned)v, (unsigned)SOCK_WMEM_MAX);
                atomic_store(&sk->sndbuf, MAX(v * 2, SOCK_MIN_SNDBUF));
                waitqueue_notify(&sk->wq, EPOLLOUT | EPOLLWRNORM);
                return 0;
        case SO_RCVBUF:
        case SO_RCVBUFFORCE:
                v = (int)MIN((unsigned)v, (unsigned)SOCK_RMEM_MAX);
                atomic_store(&sk->rcvbuf, MAX(v * 2, SOCK_MIN_RCVBUF));
                return 0;
        case SO_RCVTIMEO_OLD:
                return set_timeout(&sk->rcvtimeo_ns, val, len);
        case SO_SNDTIMEO_OLD:
                return set_timeout(&sk->sndtimeo_ns, val, len);
        case SO_LINGER: {
                struct linger l;

                if (len < sizeof(l))
                        return -EINVAL;
                memcpy(&l, val, sizeof(l));
                atomic_store(&sk->linger_onoff, l.l_onoff ? 1 : 0);
                atomic_store(&sk->linger_secs, l.l_linger);
                return 0;
        }
        default:
                if (!sk->ops->setsockopt)
                        return -ENOPROTOOPT;
                return sk->ops->setsockopt(sk, level, name, val, len);
        }
}

int sock_getsockopt(struct sock *sk, int level, int name, void *val, size_t *len)
{
        int v;

        if (level != SOL_SOCKET) {
                if (!sk->ops->getsockopt)
                        return -EOPNOTSUPP;
                return sk->ops->getsockopt(sk, level, name, val, len);
        }
        if (is_bool_opt(name)) {
                v = (atomic_load(&sk->bool_opts) >> name) & 1;
                goto out_int;
        }
        switch (name) {
        case SO_TYPE:
                v = sk->type;
                goto out_int;
        case SO_DOMAIN:
                v = sk->family;
                goto out_int;
        case SO_PROTOCOL:
                v = sk->protocol;
                goto out_int;
        case SO_SNDBUF:
                v = atomic_load(&sk->sndbuf);
                goto out_int;
        case SO_RCVBUF:
                v = atomic_load(&sk->rcvbuf);
                goto out_int;
        case SO_RCVTIMEO_OLD:
        case SO_SNDTIMEO_OLD: {
                struct timeval tv;

                get_timeout(name == SO_RCVTIMEO_OLD ? &sk->rcvtimeo_ns : &sk->sndtimeo_ns, &tv);
                memcpy(val, &tv, sizeof(tv));
                *len = sizeof(tv);
                return 0;
        }
        case SO_LINGER: {
                struct linger l = { .l_onoff = atomic_load(&sk->linger_onoff),
                                    .l_linger = atomic_load(&sk->linger_secs) };

                memcpy(val, &l, sizeof(l));
                *len = sizeof(l);
                return 0;
        }
        default:
                if (!sk->ops->getsockopt)
                        return -ENOPROTOOPT;
                return sk->ops->getsockopt(sk, level, name, val, len);
        }
out_int:
        memcpy(val, &v, sizeof(v));
        *len = sizeof(v);
        return 0;
}
