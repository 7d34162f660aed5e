/* libFuzzer target: any bytes as an executable, through elf_read_info(). */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/loader/loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static int fd = -1;
        struct elf_info info;

        /* One memfd reused: truncate and refill it for every input. */
        if (fd < 0) {
                fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
                assert(fd >= 0);
        }
        if (ftruncate(fd, 0) < 0)
                return 0;
        for (size_t done = 0; done < size;) {
                ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
                if (n <= 0)
                        return 0;
                done += (size_t)n;
        }

        int r = elf_read_info_fd(fd, &info);
        assert(r == 0 || r == -ENOEXEC || r == -ENOMEM);
        if (r == 0) {
                /* What the loader relies on. */
                assert(info.nsegments >= 1 && info.nsegments <= ELF_MAX_SEGMENTS);
                assert(info.min_vaddr < info.max_vaddr && info.max_vaddr <= GUEST_ADDR_MAX);
                assert(PAGE_ALIGNED(info.min_vaddr) && PAGE_ALIGNED(info.max_vaddr));
                for (unsigned i = 0; i < info.nsegments; i++) {
                        const struct elf_segment *s = &info.segments[i];
                        assert(s->filesz <= s->memsz);
                        assert(s->offset + s->filesz >= s->offset);
                        assert(s->offset + s->filesz <= size);
                        assert(s->vaddr + s->memsz <= GUEST_ADDR_MAX);
                        assert(i == 0 || s->vaddr >= info.segments[i - 1].vaddr +
                                                      info.segments[i - 1].memsz);
                }
        }
        return 0;
}
