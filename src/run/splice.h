/* One TCP connection on synack joined to a kernel stream descriptor (a socket pair's end
 * for synack-run, a TCP socket to the real destination for synack-tunnel): the kernel
 * side's bytes read straight into synack's send buffer (synack_send_fill), synack's written
 * to it straight from synack's receive buffer (synack_recv_drain), each side's end of stream passed on to the other
 * as a shutdown, and the synack side's reset or error kept for the owner, who decides when
 * and how the two are closed. */
#ifndef SK_RUN_SPLICE_H
#define SK_RUN_SPLICE_H

#include <stddef.h>
#include <stdint.h>

#include <synack/rt.h>

struct sk_splice {
	synack_rt *rt;
	int s;              /* the synack socket (non-blocking), -1 once closed */
	int fd;             /* the kernel descriptor (non-blocking), -1 once closed */
	uint8_t *up, *down; /* scratch for what a side no longer takes (read and dropped), while
			     * in use; an owner's own buffers otherwise (synack-run's datagram
			     * relay, with ulen and dlen: splice itself never leaves bytes there) */
	size_t ulen, dlen;
	uint8_t up_eof;      /* the kernel side ended (end of file or an error): no more to read */
	uint8_t net_wr_shut; /* synack's sending side is shut (its FIN queued) */
	uint8_t down_eof;    /* synack's receiving side ended (FIN, reset or timeout) */
	uint8_t net_dead;    /* the synack connection failed: reset or timed out */
	uint8_t wr_shut;     /* the kernel side takes no more: shut by us, or it refused */
	uint8_t kernel_gone; /* the owner's: the kernel side is released, write nothing to it */
	uint8_t net_full;    /* synack's send buffer had no room: reading waits for it */
	uint8_t kernel_full; /* the kernel side took no more: synack's bytes wait for room */
	/* An owner that watches both sides edge-triggered sets edge, and after each event of
	 * the kernel side clears kernel_dry (EPOLLIN, EPOLLRDHUP, EPOLLHUP, EPOLLERR) and
	 * kernel_full (EPOLLOUT, EPOLLHUP, EPOLLERR): a side known dry or full is then not
	 * tried again (a system call each) until it says it changed. */
	uint8_t edge;
	uint8_t kernel_dry;  /* edge: the kernel side's last read found nothing */
	int so_error;        /* the synack connection's error (ECONNRESET, ETIMEDOUT), for the owner */
	int kernel_error;    /* the error a read of the kernel side met (ECONNRESET, ...) */
};

/* Moves what can move, both ways, without blocking; passes each side's end on: the kernel
 * side's end of file becomes synack's FIN, synack's FIN the kernel side's shutdown(SHUT_WR)
 * (SHUT_RDWR after a reset). */
void sk_splice_pump(struct sk_splice *x);
/* The events each side should be watched for now (epoll bits; 0: none). */
void sk_splice_interest(const struct sk_splice *x, uint32_t *kernel, uint32_t *net);
/* Whether both directions are over: nothing more can move. */
int sk_splice_done(const struct sk_splice *x);
/* Frees the buffers (the owner closes the socket and the descriptor). */
void sk_splice_release(struct sk_splice *x);

/* Watching both sides: registers kernel descriptor fd in epoll set ep (synack socket s in
 * the runtime's set sep) for events ev with ptr as its data, changes the registration, or
 * with ev ~0u removes it; *cur holds the events registered now (~0u: not registered). */
void sk_watch_kernel(int ep, int fd, uint32_t *cur, uint32_t ev, void *ptr);
void sk_watch_net(synack_rt *rt, int sep, int s, uint32_t *cur, uint32_t ev, void *ptr);
/* The runtime's part of a relay's round: its own work when its descriptor was readable
 * (ready), then each event of the synack set sep to fn(ctx, its data, its events). 0, or -1
 * with errno when the runtime failed. */
int sk_watch_net_round(synack_rt *rt, int ready, int sep, void (*fn)(void *ctx, void *ptr, uint32_t ev), void *ctx);

#endif
