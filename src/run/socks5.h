/* A SOCKS5 client without I/O (RFC 1928, with RFC 1929's username and password): the
 * handshake that opens a CONNECT or a UDP ASSOCIATE through a proxy, and the header of the
 * datagrams a UDP relay carries. The caller owns the TCP connection to the proxy and moves
 * the bytes:
 *
 *	sk_socks5_start(&s, SK_SOCKS5_CONNECT, &dst, NULL, NULL);
 *	until sk_socks5_status(&s, &bound) != 0:
 *		len = sk_socks5_output(&s, &p); write up to len bytes of p; sk_socks5_sent(&s, n);
 *		read bytes; used = sk_socks5_input(&s, buf, got);
 *	the bytes of buf after used (if any) are already the relayed stream's.
 *
 * End of stream from the proxy while sk_socks5_status is still 0 is the caller's to report
 * (the proxy gave up without a reply). */
#ifndef SK_RUN_SOCKS5_H
#define SK_RUN_SOCKS5_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <synack/synack.h>

/* Commands, with their values on the wire. */
enum { SK_SOCKS5_CONNECT = 1, SK_SOCKS5_UDP = 3 };

/* The most bytes that can be waiting for the proxy (a greeting offering two methods, a
 * username/password request of 1 + 1 + 255 + 1 + 255, an IPv6 request of 22, should the
 * caller mark none sent), and the longest message from it (a reply whose bound address
 * is a domain name: 4 + 1 + 255 + 2). */
#define SK_SOCKS5_OUT_MAX (4 + 513 + 22)
#define SK_SOCKS5_IN_MAX  262
/* Longest header sk_socks5_udp_wrap puts before a payload (an IPv6 destination). */
#define SK_SOCKS5_UDP_HDR_MAX 22

/* One handshake. Plain data, no allocation: embed it, and drop it when done. */
struct sk_socks5 {
	uint8_t phase;      /* what is awaited from the proxy (socks5.c's enum phase) */
	uint8_t reqlen;     /* bytes in req */
	uint16_t authlen;   /* bytes in auth; 0: username/password not offered */
	int error;          /* the outcome once failed: a negative errno */
	const char *why;    /* that failure in words, for a one-line message */
	struct synack_sockaddr bound; /* the reply's BND.ADDR and BND.PORT once done */
	size_t olen, osent; /* out[osent..olen) is still to be sent */
	size_t ilen;        /* bytes of the proxy's message gathered in in */
	uint8_t out[SK_SOCKS5_OUT_MAX];
	uint8_t in[SK_SOCKS5_IN_MAX];
	uint8_t req[22];    /* the request, queued once the method (and authentication) is agreed */
	uint8_t auth[513];  /* the username/password request, queued if that method is chosen;
			     * wiped (and out with it) once no longer needed */
};

/* Starts a CONNECT (RFC 1928 section 4) to dst, or with SK_SOCKS5_UDP a UDP ASSOCIATE
 * whose dst is the address and port the datagrams will come from (NULL: 0.0.0.0 port 0,
 * not known yet). With user NULL only "no authentication" is offered; otherwise
 * username/password (RFC 1929) is offered as well, and the credentials are copied (user 1
 * to 255 bytes, pass 0 to 255; RFC 1929 asks for at least 1, but proxies take an empty
 * one and some users have it). 0, or -EINVAL for an unknown command, a destination that
 * is neither IPv4 nor IPv6, or a credential of a length that cannot be sent; then
 * sk_socks5_status answers that -EINVAL too. */
int sk_socks5_start(struct sk_socks5 *s, int cmd, const struct synack_sockaddr *dst,
		    const char *user, const char *pass);

/* The bytes to send to the proxy now: their count, and *p pointing at them (0: none now). */
size_t sk_socks5_output(const struct sk_socks5 *s, const uint8_t **p);
/* n of those bytes were sent (n at most what sk_socks5_output returned). */
void sk_socks5_sent(struct sk_socks5 *s, size_t n);

/* Bytes received from the proxy, in any pieces. Returns how many were used: never any
 * beyond the final reply (what follows it is the relayed stream's and stays the
 * caller's), and none once the handshake is over, either way. */
size_t sk_socks5_input(struct sk_socks5 *s, const uint8_t *p, size_t n);

/* 1 once the proxy granted the request (then *bound, if bound is not NULL, is its BND
 * address: for UDP, where to send the datagrams; an all-zero address there means the
 * proxy's own; a domain name comes back as family SYNACK_AF_UNSPEC), 0 while more is to
 * come, or a negative errno once it failed, chosen for mirroring to a tunnelled client:
 *   reply 0x01 general failure         -ECONNABORTED
 *         0x02 not allowed by ruleset  -EACCES
 *         0x03 network unreachable     -ENETUNREACH
 *         0x04 host unreachable        -EHOSTUNREACH
 *         0x05 connection refused      -ECONNREFUSED
 *         0x06 TTL expired             -ETIMEDOUT
 *         0x07, 0x08 not supported     -EOPNOTSUPP
 *   the proxy accepts none of the methods offered (0xFF), or rejected the
 *   username/password                  -EACCES
 *   anything malformed: another version, a method not offered, an unassigned reply code
 *   or address type                    -EPROTO */
int sk_socks5_status(const struct sk_socks5 *s, struct synack_sockaddr *bound);
/* The failure in a few words ("proxy: connection refused"), or NULL while none. */
const char *sk_socks5_why(const struct sk_socks5 *s);

/* UDP ASSOCIATE datagrams (RFC 1928 section 7). Wraps payload for dst into out: the
 * datagram's length, -EMSGSIZE when it does not fit in cap, -EINVAL for a dst neither IPv4
 * nor IPv6. payload may lie anywhere in out (building it in place at
 * out + SK_SOCKS5_UDP_HDR_MAX, or at the header's exact length, works). */
ssize_t sk_socks5_udp_wrap(uint8_t *out, size_t cap, const struct synack_sockaddr *dst,
			   const void *payload, size_t len);
/* Unwraps a datagram from the relay: its source into *src (a domain name: family
 * SYNACK_AF_UNSPEC) and the offset of its payload in dgram, or -EPROTO for one too short,
 * of an unknown address type, or a fragment (FRAG not 0: fragments are not reassembled,
 * so the caller drops it). */
ssize_t sk_socks5_udp_unwrap(const uint8_t *dgram, size_t len, struct synack_sockaddr *src);

#endif
