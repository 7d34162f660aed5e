/*
 * FP/vector state: the XSAVE image the kernel put in the signal frame on the
 * thread's signal stack, which is in the data memfd, so the sentry reads and
 * writes it in place while the thread is stopped. The frame's fpstate
 * pointer comes from the stub: it must lie in the thread's own signal stack,
 * and the size the image claims must fit there too. What the sentry writes
 * is sanitised enough for the kernel's sigreturn checks; an image they still
 * refuse becomes a SIGSEGV of the guest, never a sentry error.
 */
#include <errno.h>
#include <string.h>

#include "lib/macro.h"
#include "internal.h"

#define FXSAVE_SIZE 512
#define XSAVE_HDR_SIZE 64
#define SW_BYTES 464                    /* struct _fpx_sw_bytes in the legacy area */
#define SW_MAGIC1 0x46505853U
#define OFF_FCW 0
#define OFF_MXCSR 24
#define OFF_XSTATE_BV 512
#define OFF_XCOMP_BV 520

struct fpx_sw_bytes {
        uint32_t magic1;
        uint32_t extended_size;
        uint64_t xfeatures;
        uint32_t xstate_size;
        uint32_t padding[7];
};

int systrap_fpstate(struct systrap_ctx *ctx, uint8_t **ret, size_t *ret_size)
{
        struct systrap_as *as = container_of(ctx->base.as, struct systrap_as, base);
        struct systrap_platform *sp =
                container_of(as->base.platform, struct systrap_platform, base);
        uint64_t slot = sp->region + SYSTRAP_SLOTS_OFF + (uint64_t)ctx->slot * SYSTRAP_SLOT_SIZE;
        uint64_t lo = slot + SYSTRAP_STACK_OFF, hi = slot + SYSTRAP_SLOT_SIZE;
        uint64_t fp = ctx->fpstate;
        struct fpx_sw_bytes sw;
        uint8_t *p;

        if (ctx->dead)
                return -ESRCH;
        if (!ctx->stopped)
                return -EBUSY;
        if (fp < lo || fp > hi - FXSAVE_SIZE || fp % 64)
                return -EIO;            /* the stub lied about its frame */
        p = as->data + SYSTRAP_HDR_SIZE + (size_t)ctx->slot * SYSTRAP_SLOT_SIZE + (fp - slot);
        memcpy(&sw, p + SW_BYTES, sizeof(sw));
        *ret = p;
        *ret_size = FXSAVE_SIZE;
        if (sw.magic1 == SW_MAGIC1 && sw.xstate_size >= FXSAVE_SIZE + XSAVE_HDR_SIZE &&
            sw.xstate_size <= PLATFORM_XSTATE_MAX && sw.xstate_size <= hi - fp)
                *ret_size = sw.xstate_size;
        return 0;
}

int systrap_xstate_get(struct platform_ctx *c, struct cpu_xstate *ret)
{
        struct systrap_ctx *ctx = container_of(c, struct systrap_ctx, base);
        size_t size;
        uint8_t *p;
        int r;

        r = systrap_fpstate(ctx, &p, &size);
        if (r < 0)
                return r;
        memcpy(ret->buf, p, size);
        ret->size = (uint32_t)size;
        return 0;
}

/* The header's feature bits limited to what the frame declares, and the
 * fields a standard-format image must have zero. */
static void header_sanitize(uint8_t *p)
{
        struct fpx_sw_bytes sw;
        uint64_t bv;

        memcpy(&sw, p + SW_BYTES, sizeof(sw));
        memcpy(&bv, p + OFF_XSTATE_BV, sizeof(bv));
        bv &= sw.xfeatures;
        memcpy(p + OFF_XSTATE_BV, &bv, sizeof(bv));
        memset(p + OFF_XCOMP_BV, 0, XSAVE_HDR_SIZE - 8);
}

/* XSTATE_BV bits 0 and 1: x87 and SSE come from the legacy area. */
static void legacy_mark_used(uint8_t *p)
{
        uint64_t bv;

        memcpy(&bv, p + OFF_XSTATE_BV, sizeof(bv));
        bv |= 3;
        memcpy(p + OFF_XSTATE_BV, &bv, sizeof(bv));
}

int systrap_xstate_set(struct platform_ctx *c, const struct cpu_xstate *xs)
{
        struct systrap_ctx *ctx = container_of(c, struct systrap_ctx, base);
        size_t size;
        uint8_t *p;
        int r;

        r = systrap_fpstate(ctx, &p, &size);
        if (r < 0)
                return r;
        if (xs->size < FXSAVE_SIZE || xs->size > size ||
            (xs->size > FXSAVE_SIZE && xs->size < FXSAVE_SIZE + XSAVE_HDR_SIZE))
                return -EINVAL;
        /* The kernel's software bytes stay: they describe this frame. */
        memcpy(p, xs->buf, SW_BYTES);
        if (xs->size > FXSAVE_SIZE)
                memcpy(p + FXSAVE_SIZE, xs->buf + FXSAVE_SIZE, xs->size - FXSAVE_SIZE);
        else if (size > FXSAVE_SIZE)
                legacy_mark_used(p);    /* else XRSTOR would load init state instead */
        if (size > FXSAVE_SIZE)
                header_sanitize(p);
        return 0;
}

/* A fresh thread starts with the FP state Linux gives a new program, not the
 * sentry's registers it inherited through fork and clone. */
int systrap_xstate_reset(struct systrap_ctx *ctx)
{
        uint16_t fcw = 0x37f;
        uint32_t mxcsr = 0x1f80;
        size_t size;
        uint8_t *p;
        int r;

        r = systrap_fpstate(ctx, &p, &size);
        if (r < 0)
                return r;
        memset(p, 0, OFF_MXCSR);
        memset(p + OFF_MXCSR + 8, 0, SW_BYTES - OFF_MXCSR - 8);   /* keep mxcsr_mask */
        memcpy(p + OFF_FCW, &fcw, sizeof(fcw));
        memcpy(p + OFF_MXCSR, &mxcsr, sizeof(mxcsr));
        if (size > FXSAVE_SIZE) {
                /* Everything else in its init state; x87 and SSE as above. */
                memset(p + FXSAVE_SIZE, 0, size - FXSAVE_SIZE);
                legacy_mark_used(p);
                header_sanitize(p);
        }
        return 0;
}

int systrap_ctx_exec(struct platform_ctx *c)
{
        struct systrap_ctx *ctx = container_of(c, struct systrap_ctx, base);

        return ctx->stopped ? systrap_xstate_reset(ctx) : -EBUSY;
}
