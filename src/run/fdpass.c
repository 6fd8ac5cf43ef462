/* Descriptors passed over AF_UNIX sockets (fdpass.h). */
#include "run/fdpass.h"

#include <string.h>
#include <sys/socket.h>

union fd_cmsg {
	char b[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

ssize_t sk_fd_send(int sock, const void *buf, size_t len, int fd, int flags)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	union fd_cmsg u;
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.b;
		m.msg_controllen = sizeof(u.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, flags | MSG_NOSIGNAL);
}

ssize_t sk_fd_recv(int sock, void *buf, size_t len, int *fd, int flags, ssize_t (*rcv)(int, struct msghdr *, int))
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	union fd_cmsg u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	*fd = -1;
	ssize_t n = (rcv ? rcv : recvmsg)(sock, &m, flags);
	struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&m) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}
