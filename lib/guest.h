/* Guest addresses. A guest address is a number in the guest's address space,
 * never something the sentry may dereference: copy through sentry/mm. */
#ifndef CONTERNEL_LIB_GUEST_H
#define CONTERNEL_LIB_GUEST_H

#include <stdint.h>

typedef uint64_t guest_ptr_t;

/* The top of the x86_64 user address space (47-bit, like Linux's TASK_SIZE). */
#define GUEST_ADDR_MAX 0x00007ffffffff000ULL

#endif
