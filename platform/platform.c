#include "platform.h"

#include <string.h>

#include "lib/macro.h"

#define PLATFORMS_MAX 8

/* Written only by constructors, before main(); read-only afterwards. */
static const struct platform_ops *platforms[PLATFORMS_MAX];
static const char *names[PLATFORMS_MAX + 1];
static unsigned nplatforms;

void platform_register(const struct platform_ops *ops)
{
        if (nplatforms == PLATFORMS_MAX)
                abort();
        names[nplatforms] = ops->name;
        platforms[nplatforms++] = ops;
}

const struct platform_ops *platform_lookup(const char *name)
{
        for (unsigned i = 0; i < nplatforms; i++)
                if (strcmp(platforms[i]->name, name) == 0)
                        return platforms[i];
        return NULL;
}

const char *const *platform_names(void)
{
        return names;
}
