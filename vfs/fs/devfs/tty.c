/* /dev/tty: the caller's controlling terminal (vfs/tty); ENXIO without one,
 * as Linux's tty_open_current_tty(). */
#include "devfs.h"
#include "vfs/tty/tty.h"

static int tty_open(const struct chrdev *dev, unsigned flags, struct file **ret)
{
        (void)dev;
        return tty_open_current(flags, ret);
}

const struct chrdev devfs_tty_device = { "tty", 5, 0, 0666, tty_open };
