/* IPv6 header (RFC 8200 3) parse/emit, extension-header walk (RFC 8200 4), address text. */
#ifndef SK_IPV6_H
#define SK_IPV6_H

#include "wire/wire6.h"

#define SK_IPV6_HLEN	   40
#define SK_IPV6_MIN_MTU	   1280 /* RFC 8200 5 */
#define SK_IPV6_ADDRSTRLEN 46	/* as INET6_ADDRSTRLEN, with the NUL */

/* Next header values of the extension headers, ICMPv6 and "no next header". */
enum {
	SK_IPPROTO_HOPOPTS = 0,
	SK_IPPROTO_ROUTING = 43,
	SK_IPPROTO_FRAGMENT = 44,
	SK_IPPROTO_ICMPV6 = 58,
	SK_IPPROTO_NONE = 59,
	SK_IPPROTO_DSTOPTS = 60,
};

struct sk_ipv6 {
	uint8_t tclass;	      /* traffic class: DSCP << 2 | ECN */
	uint32_t flow;	      /* 20-bit flow label */
	uint16_t payload_len; /* bytes after the fixed header, extension headers included */
	uint8_t next;	      /* next header */
	uint8_t hop_limit;
	uint8_t src[16], dst[16]; /* network byte order */
};

/* Validates the version and the payload length against len (trailing link padding past
 * 40 + payload_len is allowed and ignored). Returns 40; the payload is p[40 .. 40 +
 * payload_len). A payload length of 0 is kept as is: jumbograms (RFC 2675) are not
 * supported, their hop-by-hop header then reads as truncated. */
int sk_ipv6_parse(const uint8_t *p, size_t len, struct sk_ipv6 *h);
/* Writes the 40-byte fixed header; payload_len is the caller's. Returns 40. */
int sk_ipv6_emit(uint8_t *p, size_t cap, const struct sk_ipv6 *h);

/* The fragment header (RFC 8200 4.5). */
#define SK_IPV6_FRAG_HLEN 8
struct sk_ipv6_frag {
	uint8_t next;	 /* next header of the fragmentable part */
	uint16_t offset; /* in bytes: the 13-bit field times 8 */
	uint8_t more;	 /* M flag */
	uint32_t id;	 /* identification */
};
/* An atomic fragment (offset 0, M 0) is processed on its own, never reassembled (RFC 6946). */
static inline int sk_ipv6_frag_atomic(const struct sk_ipv6_frag *f)
{
	return f->offset == 0 && !f->more;
}
/* Reads 8 bytes; returns 8 or -SK_WIRE_TRUNCATED. Reserved fields are ignored. */
int sk_ipv6_frag_parse(const uint8_t *p, size_t len, struct sk_ipv6_frag *f);
/* Writes 8 bytes (reserved fields 0); the offset must be a multiple of 8. Returns 8. */
int sk_ipv6_frag_emit(uint8_t *p, size_t cap, const struct sk_ipv6_frag *f);

/* One TLV option of a hop-by-hop or destination options header (RFC 8200 4.2). */
enum { SK_IPV6_OPT_PAD1 = 0, SK_IPV6_OPT_PADN = 1 };
struct sk_ipv6_opt {
	uint8_t type;
	uint8_t len; /* data length (0 for Pad1) */
	const uint8_t *data;
	size_t off; /* offset of the type byte within the header */
};
/* The action the two high bits of an unknown option's type ask for (RFC 8200 4.2). */
enum {
	SK_IPV6_OPT_SKIP = 0,
	SK_IPV6_OPT_DROP = 1,
	SK_IPV6_OPT_DROP_ICMP = 2,
	SK_IPV6_OPT_DROP_ICMP_UCAST = 3
};
static inline unsigned sk_ipv6_opt_action(uint8_t type)
{
	return type >> 6;
}
/* Iterates the options of the header hdr[0 .. hlen) (its first 2 bytes are next header and
 * length). Start with *pos = 0. Returns 1 with *o filled, 0 at the end, or
 * -SK_WIRE6_OPT_MALFORMED if an option runs past the header. */
int sk_ipv6_opt_next(const uint8_t *hdr, size_t hlen, size_t *pos, struct sk_ipv6_opt *o);

/* 1 for the next header values that name an extension header this file walks. */
static inline int sk_ipv6_is_ext(uint8_t nh)
{
	return nh == SK_IPPROTO_HOPOPTS || nh == SK_IPPROTO_ROUTING || nh == SK_IPPROTO_FRAGMENT ||
	       nh == SK_IPPROTO_DSTOPTS;
}
/* The length in bytes of the extension header of type nh at p, or 0 if its length
 * byte is not within avail or nh is not an extension header. */
size_t sk_ipv6_ext_len(uint8_t nh, const uint8_t *p, size_t avail);

/* What the extension-header walk found. Offsets count from the first byte of the IPv6
 * header, as ICMPv6 parameter problem pointers do (RFC 4443 3.4). */
enum {
	SK_IPV6_SEEN_HOPOPTS = 1,
	SK_IPV6_SEEN_ROUTING = 2,
	SK_IPV6_SEEN_FRAGMENT = 4,
	SK_IPV6_SEEN_DSTOPTS = 8
};
struct sk_ipv6_walk {
	/* On success: */
	uint8_t proto;	   /* TCP, UDP, ICMPv6 or No Next Header; for a fragment, frag.next */
	uint32_t off;	   /* where that header starts */
	uint32_t end;	   /* 40 + payload length: the end of the upper-layer data */
	uint32_t nh_off;   /* offset of the next header field that named proto */
	uint8_t seen;	   /* SK_IPV6_SEEN_* bits of the extension headers walked */
	uint8_t has_frag;  /* a fragment header was met: frag and frag_off are set */
	uint8_t fragment;  /* it is not atomic: the walk stopped after it, and [off, end) is a
			    * piece of the fragmentable part to reassemble first */
	uint32_t frag_off; /* offset of the fragment header: the unfragmentable part's length */
	uint32_t frag_nh_off; /* offset of the next header field that named the fragment header */
	struct sk_ipv6_frag frag;
	/* On failure, for every reason (code and pointer say where even when icmp is 0): */
	uint8_t icmp;	  /* 1: answer with ICMPv6 parameter problem (code, pointer) */
	uint8_t code;	  /* 0 header field, 1 next header, 2 option, 3 incomplete chain */
	uint32_t pointer; /* offset of the offending byte */
};
/* Walks the extension headers of pkt, whose fixed header h was read by sk_ipv6_parse from
 * the same bytes, in order (RFC 8200 4.1): hop-by-hop (only first), destination options
 * and their options (Pad1, PadN, the action bits of unknown ones), routing (a routing
 * header with segments left != 0 is an error for every type: a host processes none,
 * RFC 8200 4.4, RFC 5095), fragment (atomic: go on; else check the first fragment's
 * header chain, the length and the reach, RFC 8200 4.5, and stop), up to TCP, UDP,
 * ICMPv6 or No Next Header; any other next header is unrecognized. Returns 0 with the
 * upper-layer protocol in w, or -sk_wire6_err with w->icmp/code/pointer. */
int sk_ipv6_walk(const uint8_t *pkt, const struct sk_ipv6 *h, struct sk_ipv6_walk *w);

/* Skips extension headers by their lengths only, with no checks, as one must for the
 * truncated packet quoted by an ICMPv6 error or to print a capture. Starting at p[off]
 * with next header nh, stops at the first header that is not an extension header, or at
 * a fragment header whose offset is not 0 (then *nh = SK_IPPROTO_FRAGMENT, *off at it).
 * Returns 0 with *nh and *off (<= len) set, or -SK_WIRE6_EXT_TRUNCATED. */
int sk_ipv6_skip_ext(const uint8_t *p, size_t len, uint8_t *nh, size_t *off);

/* Addresses. */
static inline int sk_ipv6_is_multicast(const uint8_t a[16])
{
	return a[0] == 0xff;
}
static inline int sk_ipv6_is_linklocal(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}
int sk_ipv6_is_unspecified(const uint8_t a[16]);
int sk_ipv6_is_loopback(const uint8_t a[16]);
int sk_ipv6_is_v4mapped(const uint8_t a[16]);
/* 1 if a is in the solicited-node group range ff02::1:ff00:0/104 (RFC 4291 2.7.1). */
int sk_ipv6_is_solicited_node(const uint8_t a[16]);
/* The solicited-node multicast address of a: ff02::1:ff + its low 24 bits. */
void sk_ipv6_solicited_node(const uint8_t a[16], uint8_t out[16]);
/* The Ethernet multicast MAC of an IPv6 multicast group: 33:33 + its low 32 bits (RFC 2464 7). */
void sk_ipv6_mcast_mac(const uint8_t group[16], uint8_t mac[6]);

/* Text form (RFC 5952 4): lowercase hex, no leading zeros, the longest run of two or more
 * zero groups as "::" (the first if tied), and, as inet_ntop does, the last 32 bits as a
 * dotted quad for IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d, a.b.c.d
 * not 0.0.x.x) addresses. buf must hold SK_IPV6_ADDRSTRLEN bytes; returns buf. */
char *sk_ipv6_ntop(const uint8_t a[16], char *buf);
/* Parses what inet_pton(AF_INET6) accepts: 1-4 hex digits a group, at most one "::", an
 * optional dotted quad in the last 32 bits (decimal, no leading zeros). Returns 0 or -1. */
int sk_ipv6_pton(const char *s, uint8_t a[16]);

#endif
