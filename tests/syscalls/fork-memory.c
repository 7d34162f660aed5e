/* After fork each side has its own memory: heap, stack, mmap'd private
 * pages; a MAP_SHARED anonymous mapping stays shared. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "test.h"

int main(void)
{
        size_t big = 8 << 20;
        char *heap = malloc(big), stack[4096];
        char *priv = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        volatile int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        pid_t child;
        int status;

        CHECK(heap && priv != MAP_FAILED && shared != MAP_FAILED, "allocation failed");
        memset(heap, 'p', big);
        memset(stack, 's', sizeof(stack));
        memset(priv, 'm', 65536);
        *shared = 1;

        child = EXPECT_OK(fork());
        if (child == 0) {
                int bad = heap[big - 1] != 'p' || stack[100] != 's' || priv[65535] != 'm';

                memset(heap, 'c', big);
                memset(stack, 'c', sizeof(stack));
                memset(priv, 'c', 65536);
                *shared = 2;
                _exit(bad ? 1 : 0);
        }
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child saw wrong memory: %#x", status);
        EXPECT_EQ(heap[0], 'p');
        EXPECT_EQ(heap[big - 1], 'p');
        EXPECT_EQ(stack[4095], 's');
        EXPECT_EQ(priv[1000], 'm');
        printf("shared after child: %d\n", *shared);
        return 0;
}
