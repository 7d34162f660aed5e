/* SPDX-License-Identifier: Apache-2.0 */
/* Dies of SIGSEGV by reading address 0: for exit-status.sh (expects 128 + 11). */
#include <stdint.h>

int main(void)
{
        volatile int *p = (volatile int *)(uintptr_t)0;

        return *p;
}
