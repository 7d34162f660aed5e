/* libFuzzer target: any bytes as a gofer request, through
 * gofer_decode_request(). The input is copied into a buffer of exactly its
 * size so that ASan sees any read past the message. */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gofer/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const struct gofer_name *n, const uint8_t *buf, size_t size, bool target)
{
        assert((const uint8_t *)n->ptr >= buf);
        assert((const uint8_t *)n->ptr + n->len <= buf + size);
        if (target)
                assert(gofer_target_check(n->ptr, n->len) == 0);
        else
                assert(gofer_name_check(n->ptr, n->len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct gofer_request req;
        uint8_t *buf = malloc(size ? size : 1);

        assert(buf);
        memcpy(buf, data, size);
        int r = gofer_decode_request(buf, size, &req);
        assert(r == 0 || r == -EINVAL || r == -ENAMETOOLONG || r == -EMSGSIZE);
        if (r == 0) {
                /* What the server relies on. */
                assert(req.op > 0 && req.op < _GOFER_OP_MAX);
                assert(req.nnames <= GOFER_WALK_MAX);
                assert(req.op != GOFER_WALK || req.nnames >= 1);
                for (unsigned i = 0; i < req.nnames; i++)
                        check_name(&req.names[i], buf, size, false);
                if (req.name.len)
                        check_name(&req.name, buf, size, false);
                if (req.name2.len)
                        check_name(&req.name2, buf, size, req.op == GOFER_SYMLINK);
                if (req.op == GOFER_CLUNK) {
                        assert(req.nnodes >= 1 && req.nnodes <= GOFER_CLUNK_MAX);
                        assert(req.nodes + (size_t)req.nnodes * 4 == buf + size);
                        for (unsigned i = 0; i < req.nnodes; i++)
                                (void)gofer_request_clunk_node(&req, i);
                }
                assert((req.attr.mask & ~GOFER_SETATTR_ALL) == 0);
        }
        free(buf);
        return 0;
}
