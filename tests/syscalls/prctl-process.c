/* prctl on the process and thread: PR_SET/GET_PDEATHSIG (not inherited),
 * PR_SET/GET_DUMPABLE (inherited), PR_SET/GET_KEEPCAPS, PR_CAPBSET_READ,
 * PR_SET/GET_NO_NEW_PRIVS (one way, inherited), PR_GET_CHILD_SUBREAPER (not
 * inherited), with Linux's EINVAL and EFAULT rules; unknown options are
 * EINVAL. */
#include <linux/prctl.h>
#include <signal.h>
#include <sys/wait.h>

#include "test.h"

static long pr(long option, long a2, long a3, long a4, long a5)
{
        return syscall(SYS_prctl, option, a2, a3, a4, a5);
}

/* Run fn in a child; its exit status is the step that failed (0: none). */
static void in_child(int (*fn)(void), const char *what)
{
        int status;
        pid_t c = EXPECT_OK(fork());

        if (c == 0)
                _exit(fn());
        EXPECT_RET(waitpid(c, &status, 0), c);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child failed at step %d", what,
              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static int child_inherits(void)
{
        int v = -1;

        if (pr(PR_GET_PDEATHSIG, (long)&v, 0, 0, 0) != 0 || v != 0)
                return 1;       /* a parent-death signal is not inherited */
        if (pr(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
                return 2;       /* dumpable is */
        if (pr(PR_GET_KEEPCAPS, 0, 0, 0, 0) != 1)
                return 3;       /* and so is keepcaps */
        if (pr(PR_GET_CHILD_SUBREAPER, (long)&v, 0, 0, 0) != 0 || v != 0)
                return 4;       /* the subreaper flag is not */
        return 0;
}

static int child_no_new_privs(void)
{
        if (pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
                return 1;
        if (pr(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) != -1 || errno != EINVAL)
                return 2;
        if (pr(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0) != -1 || errno != EINVAL)
                return 3;
        if (pr(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
                return 4;
        if (pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
                return 5;
        if (pr(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0) != -1 || errno != EINVAL)
                return 6;
        if (pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 1) != -1 || errno != EINVAL)
                return 7;
        /* It sticks, and children inherit it. */
        pid_t c = fork();
        int status;

        if (c == 0)
                _exit(pr(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 1);
        if (c < 0 || waitpid(c, &status, 0) != c || status != 0)
                return 8;
        return 0;
}

int main(void)
{
        int v;

        /* PR_SET_PDEATHSIG: any valid signal number, 0 to clear. */
        EXPECT_RET(pr(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0), 0);
        v = -1;
        EXPECT_RET(pr(PR_GET_PDEATHSIG, (long)&v, 0, 0, 0), 0);
        EXPECT_EQ(v, SIGUSR1);
        EXPECT_ERRNO(pr(PR_SET_PDEATHSIG, 65, 0, 0, 0), EINVAL);
        EXPECT_ERRNO(pr(PR_SET_PDEATHSIG, -1, 0, 0, 0), EINVAL);
        EXPECT_ERRNO(pr(PR_GET_PDEATHSIG, (long)LOW_ADDR, 0, 0, 0), EFAULT);
        EXPECT_RET(pr(PR_SET_PDEATHSIG, 64, 0, 0, 0), 0);
        EXPECT_RET(pr(PR_GET_PDEATHSIG, (long)&v, 0, 0, 0), 0);
        EXPECT_EQ(v, 64);

        /* PR_SET_DUMPABLE: 0 or 1 only (2, "suidsafe", is for the kernel). */
        EXPECT_RET(pr(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
        EXPECT_ERRNO(pr(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
        EXPECT_ERRNO(pr(PR_SET_DUMPABLE, -1, 0, 0, 0), EINVAL);
        EXPECT_RET(pr(PR_SET_DUMPABLE, 0, 0, 0, 0), 0);
        EXPECT_RET(pr(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);

        /* PR_SET_KEEPCAPS: 0 or 1. */
        EXPECT_RET(pr(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
        EXPECT_ERRNO(pr(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
        EXPECT_RET(pr(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
        EXPECT_RET(pr(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);

        /* PR_GET_CHILD_SUBREAPER: an int; the flag is set by any non-zero. */
        v = -1;
        EXPECT_RET(pr(PR_GET_CHILD_SUBREAPER, (long)&v, 0, 0, 0), 0);
        EXPECT_EQ(v, 0);
        EXPECT_RET(pr(PR_SET_CHILD_SUBREAPER, 42, 0, 0, 0), 0);
        EXPECT_RET(pr(PR_GET_CHILD_SUBREAPER, (long)&v, 0, 0, 0), 0);
        EXPECT_EQ(v, 1);
        EXPECT_ERRNO(pr(PR_GET_CHILD_SUBREAPER, (long)LOW_ADDR, 0, 0, 0), EFAULT);

        in_child(child_inherits, "fork");
        EXPECT_RET(pr(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
        EXPECT_RET(pr(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
        EXPECT_RET(pr(PR_SET_KEEPCAPS, 0, 0, 0, 0), 0);
        EXPECT_RET(pr(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
        EXPECT_RET(pr(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
        EXPECT_RET(pr(PR_SET_PDEATHSIG, 0, 0, 0, 0), 0);

        in_child(child_no_new_privs, "no_new_privs");

        /* PR_CAPBSET_READ: 0 or 1 for a valid capability, else EINVAL. */
        long r = pr(PR_CAPBSET_READ, 0, 0, 0, 0);
        CHECK(r == 0 || r == 1, "PR_CAPBSET_READ(CAP_CHOWN) = %ld", r);
        r = pr(PR_CAPBSET_READ, 40, 0, 0, 0);
        CHECK(r == 0 || r == 1, "PR_CAPBSET_READ(40) = %ld", r);
        EXPECT_ERRNO(pr(PR_CAPBSET_READ, 41, 0, 0, 0), EINVAL);
        EXPECT_ERRNO(pr(PR_CAPBSET_READ, -1, 0, 0, 0), EINVAL);

        /* Unknown options. */
        EXPECT_ERRNO(pr(0x7fff1234, 0, 0, 0, 0), EINVAL);
        EXPECT_ERRNO(pr(-1, 0, 0, 0, 0), EINVAL);
        return 0;
}
