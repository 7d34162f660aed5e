#include "creds.h"

#include <stdlib.h>
#include <string.h>

void creds_init_root(struct creds *c)
{
        memset(c, 0, sizeof(*c));
}

void creds_release(struct creds *c)
{
        free(c->groups);
        c->groups = NULL;
        c->ngroups = 0;
}
