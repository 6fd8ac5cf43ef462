/* Descriptors passed over AF_UNIX sockets (SCM_RIGHTS), one with each message. */
#ifndef SK_RUN_FDPASS_H
#define SK_RUN_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/* Sends buf with descriptor fd attached (fd -1: none); flags as sendmsg's (MSG_NOSIGNAL is
 * added). The bytes sent, or -1 with errno. */
ssize_t sk_fd_send(int sock, const void *buf, size_t len, int fd, int flags);
struct msghdr;
/* Receives one message into buf and the descriptor it carried in *fd (-1 if none); flags
 * as recvmsg's (MSG_CMSG_CLOEXEC for a close-on-exec one). rcv: the recvmsg to call (the
 * preload library passes libc's own, not its interposed one); NULL: recvmsg. The bytes,
 * or -1 with errno. */
ssize_t sk_fd_recv(int sock, void *buf, size_t len, int *fd, int flags,
		   ssize_t (*rcv)(int, struct msghdr *, int));

#endif
