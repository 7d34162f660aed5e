/* What a futex word is, for matching waiters with wakers across processes. */
#include <errno.h>

#include "sentry/mm/internal.h"

int mm_futex_key(struct mm *mm, guest_ptr_t addr, bool private, struct mm_futex_key *ret)
{
        struct vma *v;
        struct pma *p;
        int r = 0;

        if (addr & 3)
                return -EINVAL;
        /* Linux's access_ok(): above the user range is EFAULT at once;
         * below it, a private key is only the address. */
        if (addr > MM_TASK_SIZE - sizeof(uint32_t))
                return -EFAULT;
        if (private) {
                *ret = (struct mm_futex_key){ .shared = false, .mm = mm, .addr = addr };
                return 0;
        }
        pthread_rwlock_rdlock(&mm->lock);
        v = vma_lookup(&mm->vmas, addr);
        if (!v) {
                r = -EFAULT;
        } else if (!(v->flags & VMA_SHARED)) {
                /* Private memory: only this address space can see the word. */
                *ret = (struct mm_futex_key){ .shared = false, .mm = mm, .addr = addr,
                                              .mmshared = true };
        } else {
                pthread_mutex_lock(&mm->pma_lock);
                p = pma_lookup(&mm->pmas, addr);
                if (p)
                        *ret = (struct mm_futex_key){ .shared = true, .off = pma_off_of(p, addr) };
                else
                        r = -EFAULT;
                pthread_mutex_unlock(&mm->pma_lock);
        }
        pthread_rwlock_unlock(&mm->lock);
        return r;
}
