/* The first thread of a process exits (pthread_exit from main) while another
 * thread goes on: the process lives until that one ends it. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "test.h"

static void *survivor(void *arg)
{
        (void)arg;
        usleep(50000);                  /* well after main is gone */
        exit(5);
}

int main(void)
{
        pid_t child;
        int status;

        child = EXPECT_OK(fork());
        if (child == 0) {
                pthread_t t;

                if (pthread_create(&t, NULL, survivor, NULL) != 0)
                        _exit(1);
                pthread_exit(NULL);
        }
        EXPECT_RET(waitpid(child, &status, 0), child);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5, "status %#x", status);
        return 0;
}
