/* rename refuses with Linux's errnos. */
#include "fs-test.h"

int main(void)
{
        if (test_dir_enter() < 0)
                return 1;
        CHECK(write_file("f", "x") == 0);
        CHECK(mkdir("d", 0755) == 0);
        CHECK(mkdir("full", 0755) == 0 && write_file("full/x", "x") == 0);
        CHECK(mkdir("d/sub", 0755) == 0);

        FAILS(rename("missing", "x"), ENOENT);
        FAILS(rename("f", "missing/x"), ENOENT);
        FAILS(rename("", "x"), ENOENT);
        FAILS(rename("f", "d"), EISDIR);
        FAILS(rename("d", "f"), ENOTDIR);
        FAILS(rename("d", "full"), ENOTEMPTY);
        FAILS(rename("d", "d/sub/inside"), EINVAL);
        FAILS(rename("d", "d/new"), EINVAL);
        FAILS(rename("d/sub", "."), EBUSY);
        FAILS(rename(".", "x"), EBUSY);
        FAILS(rename("d/sub/..", "x"), EBUSY);
        FAILS(rename("f/", "g"), ENOTDIR);
        FAILS(rename("f", "g/"), ENOTDIR);
        FAILS(rename("f/x", "g"), ENOTDIR);
        CHECK(rename("d/", "e/") == 0);                 /* directories may end in '/' */
        return 0;
}
