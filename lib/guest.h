/* Guest addresses. A guest address is a number in the guest's address space,
 * never something the sentry may dereference: copy through sentry/mm. */
#ifndef CONTERNEL_LIB_GUEST_H
#define CONTERNEL_LIB_GUEST_H

#include <stdint.h>

typedef uint64_t guest_ptr_t;

/* The top of the guest address space: 16 MiB below the x86_64 user limit
 * (Linux TASK_SIZE 0x7ffffffff000); the platform keeps its stub code above it,
 * out of the guest's reach. */
#define GUEST_ADDR_MAX 0x00007fffff000000ULL

#endif
