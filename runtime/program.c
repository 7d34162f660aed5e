/* Finding the program to run inside the sandbox, as execvp(3) would: through
 * the launcher's PATH unless the name has a '/', resolved in the sandbox's
 * own file system. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/macro.h"
#include "runtime.h"
#include "vfs/namei.h"
#include "vfs/vfs.h"

static int program_try(struct fs_context *fs, const char *path)
{
        const struct vfs_cred root = { 0 };
        struct vfs_at at = { .fs = fs, .cred = &root };
        struct path p;
        int r;

        r = vfs_lookup(&at, path, LOOKUP_FOLLOW, &p);
        if (r < 0)
                return r;
        r = S_ISREG(p.dentry->inode->mode) ? vfs_access(&p, &root, X_OK) : -EACCES;
        path_put(&p);
        return r;
}

int program_find(struct fs_context *fs, const char *name, char **ret_path)
{
        const char *path = getenv("PATH");
        _cleanup_free_ char *dirs = NULL;
        bool denied = false;
        char *dir, *save = NULL;
        int r;

        if (!*name)
                return -ENOENT;
        if (strchr(name, '/')) {
                r = program_try(fs, name);
                if (r == 0 && !(*ret_path = strdup(name)))
                        return -ENOMEM;
                return r;
        }
        dirs = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
        if (!dirs)
                return -ENOMEM;
        for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *full = NULL;

                if (asprintf(&full, "%s/%s", *dir ? dir : ".", name) < 0)
                        return -ENOMEM;
                r = program_try(fs, full);
                if (r == 0) {
                        *ret_path = full;
                        return 0;
                }
                free(full);
                if (r == -EACCES)
                        denied = true;
        }
        return denied ? -EACCES : -ENOENT;
}
