/* sendmmsg and recvmmsg on an AF_UNIX datagram pair: several messages per
 * call, each entry's msg_len filled in; MSG_WAITFORONE returns what is
 * there after the first; MSG_CMSG_COMPAT is EINVAL; ENOTSOCK on a pipe. */
#include <sys/socket.h>

#include "test.h"

int main(void)
{
        char out[3][8] = { "a", "bb", "ccc" }, in[4][8];
        struct iovec oiov[3], iiov[4];
        struct mmsghdr om[3], im[4];
        int sv[2], p[2];

        EXPECT_OK(syscall(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, sv));
        memset(om, 0, sizeof(om));
        memset(im, 0, sizeof(im));
        for (int i = 0; i < 3; i++) {
                oiov[i] = (struct iovec){ out[i], strlen(out[i]) };
                om[i].msg_hdr.msg_iov = &oiov[i];
                om[i].msg_hdr.msg_iovlen = 1;
        }
        for (int i = 0; i < 4; i++) {
                iiov[i] = (struct iovec){ in[i], sizeof(in[i]) };
                im[i].msg_hdr.msg_iov = &iiov[i];
                im[i].msg_hdr.msg_iovlen = 1;
        }
        EXPECT_EQ(syscall(SYS_sendmmsg, sv[0], om, 3, 0), 3);
        EXPECT_EQ(om[0].msg_len, 1);
        EXPECT_EQ(om[2].msg_len, 3);
        EXPECT_ERRNO(syscall(SYS_recvmmsg, sv[1], im, 4, 0x80000000u, NULL), EINVAL);
        EXPECT_EQ(syscall(SYS_recvmmsg, sv[1], im, 4, MSG_WAITFORONE, NULL), 3);
        EXPECT_EQ(im[0].msg_len, 1);
        EXPECT_EQ(im[1].msg_len, 2);
        EXPECT_EQ(im[2].msg_len, 3);
        CHECK(memcmp(in[2], "ccc", 3) == 0, "third message");
        /* Nothing there: the first error is the result. */
        EXPECT_ERRNO(syscall(SYS_recvmmsg, sv[1], im, 4, MSG_DONTWAIT, NULL), EAGAIN);
        /* vlen 0 sends nothing. */
        EXPECT_EQ(syscall(SYS_sendmmsg, sv[0], om, 0, 0), 0);
        EXPECT_OK(pipe(p));
        EXPECT_ERRNO(syscall(SYS_sendmmsg, p[1], om, 1, 0), ENOTSOCK);
        close(p[0]);
        close(p[1]);
        close(sv[0]);
        close(sv[1]);
        return 0;
}
