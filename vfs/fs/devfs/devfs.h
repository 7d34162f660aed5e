/* devfs inside: character devices with Linux's numbers and file ops. */
#ifndef CONTERNEL_VFS_DEVFS_H
#define CONTERNEL_VFS_DEVFS_H

#include <sys/types.h>

#include "vfs/file.h"

struct chrdev {
        const char *name;               /* under /dev */
        unsigned major, minor;
        mode_t mode;                    /* permission bits */
        /* Open a file on the device: -ENXIO for one with nothing behind it. */
        int (*open)(const struct chrdev *dev, unsigned flags, struct file **ret);
};

/* The memory devices (mem.c): null, zero, full, random, urandom. */
extern const struct chrdev devfs_mem_devices[];
extern const size_t devfs_nr_mem_devices;
/* /dev/tty (tty.c). */
extern const struct chrdev devfs_tty_device;

#endif
