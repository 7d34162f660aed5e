/* Finding the program to run on the host, before the sandbox starts. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"
#include "runtime.h"

static int program_try(const char *path, char **ret_path)
{
        struct stat st;
        int fd;

        if (access(path, X_OK) < 0)
                return -errno;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return -EACCES;
        }
        *ret_path = strdup(path);
        if (!*ret_path) {
                close(fd);
                return -ENOMEM;
        }
        return fd;
}

int program_open(const char *name, char **ret_path)
{
        const char *path = getenv("PATH");
        _cleanup_free_ char *dirs = NULL;
        bool denied = false;
        char *dir, *save = NULL;

        if (!*name)
                return -ENOENT;
        if (strchr(name, '/'))
                return program_try(name, ret_path);
        dirs = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
        if (!dirs)
                return -ENOMEM;
        for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *full = NULL;
                int fd;

                if (asprintf(&full, "%s/%s", *dir ? dir : ".", name) < 0)
                        return -ENOMEM;
                fd = program_try(full, ret_path);
                if (fd >= 0)
                        return fd;
                if (fd == -EACCES)
                        denied = true;
        }
        return denied ? -EACCES : -ENOENT;
}
