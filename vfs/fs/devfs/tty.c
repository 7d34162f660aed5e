/* /dev/tty: the controlling terminal. The sandbox has no terminals yet, so
 * no process has one, and Linux answers ENXIO then (tty_open_current_tty). */
#include <errno.h>

#include "devfs.h"

static int tty_open(const struct chrdev *dev, unsigned flags, struct file **ret)
{
        (void)dev, (void)flags, (void)ret;
        return -ENXIO;
}

const struct chrdev devfs_tty_device = { "tty", 5, 0, 0666, tty_open };
