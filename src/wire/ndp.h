/* Neighbor Discovery (RFC 4861 4): its five ICMPv6 messages and their options, parse and emit. */
#ifndef SK_NDP_H
#define SK_NDP_H

#include "wire/icmp6.h"

/* Option types (RFC 4861 4.6). */
enum {
	SK_ND_OPT_SRC_LLADDR = 1,
	SK_ND_OPT_TGT_LLADDR = 2,
	SK_ND_OPT_PREFIX = 3,
	SK_ND_OPT_REDIRECTED = 4,
	SK_ND_OPT_MTU = 5,
};
/* Flag bits: RA (4.2), NA (4.4), prefix information (4.6.2). */
#define SK_ND_RA_MANAGED    0x80
#define SK_ND_RA_OTHER	    0x40
#define SK_ND_NA_ROUTER	    0x80
#define SK_ND_NA_SOLICITED  0x40
#define SK_ND_NA_OVERRIDE   0x20
#define SK_ND_PREFIX_ONLINK 0x80
#define SK_ND_PREFIX_AUTO   0x40

/* One option: type, length (in 8-byte units, never 0), the bytes of the whole option. */
struct sk_nd_opt {
	uint8_t type;
	uint8_t units;
	const uint8_t *p; /* the option from its type byte */
	size_t len;	  /* units * 8 */
};
/* Iterates the options at opts[0 .. len); start with *pos = 0. Returns 1 with *o set, 0
 * at the end, or -SK_WIRE6_ND_OPT_LEN0 / -SK_WIRE6_ND_OPT_TRUNC (the message must then
 * be dropped whole, 4.6). */
int sk_nd_opt_next(const uint8_t *opts, size_t len, size_t *pos, struct sk_nd_opt *o);

struct sk_nd_prefix {
	uint8_t prefix_len;
	uint8_t flags;		   /* SK_ND_PREFIX_ONLINK, SK_ND_PREFIX_AUTO */
	uint32_t valid, preferred; /* lifetimes in seconds; 0xffffffff is infinity */
	uint8_t prefix[16];
};
/* Reads a prefix information option (32 bytes; a longer one is read, a shorter one is
 * -SK_WIRE6_ND_OPT_SHORT and to be ignored alone). Returns 0 or the error. */
int sk_nd_prefix_parse(const struct sk_nd_opt *o, struct sk_nd_prefix *pi);

/* A parsed (or to be emitted) NDP message. */
struct sk_nd {
	uint8_t type;		  /* SK_ICMP6_ND_RS .. SK_ICMP6_ND_REDIRECT */
	uint8_t flags;		  /* RA: M, O (the whole byte); NA: R, S, O (the first byte) */
	uint8_t cur_hop_limit;	  /* RA */
	uint16_t router_lifetime; /* RA, seconds */
	uint32_t reachable_time;  /* RA, milliseconds */
	uint32_t retrans_timer;	  /* RA, milliseconds */
	uint8_t target[16];	  /* NS, NA, redirect */
	uint8_t dest[16];	  /* redirect */
	const uint8_t *opts;	  /* all the options, as bytes */
	size_t opts_len;
	/* Filled by parse from the options defined for the message type (others, and any
	 * repeat, are ignored); for a link-layer address, the bytes after type and length
	 * (on Ethernet, the MAC and 0 padding). */
	const uint8_t *src_ll, *tgt_ll;
	size_t src_ll_len, tgt_ll_len;
	uint8_t has_mtu;
	uint32_t mtu;	      /* RA */
	const uint8_t *redir; /* redirect: the redirected header's IP header + data */
	size_t redir_len;
	unsigned n_prefix; /* RA: prefix information options (iterate opts for them) */
};

/* Validates the ICMPv6 message m (parsed, its checksum verified) as an NDP message,
 * carried in the IPv6 packet whose header is ip (source, destination, hop limit): hop
 * limit 255, code 0, the message's minimum length, every option's length nonzero and in
 * bounds, and the address rules of RFC 4861 6.1.1, 6.1.2, 7.1.1, 7.1.2 and 8.1. Returns
 * 0 or -sk_wire6_err (every failure means: silently discard). */
int sk_nd_parse(const struct sk_icmp6 *m, const struct sk_ipv6 *ip, struct sk_nd *nd);

/* Writes the message (its fixed part from nd by type, then nd->opts, which may already sit
 * where they go) and the ICMPv6 checksum over src/dst; returns its length. */
int sk_nd_emit(uint8_t *p, size_t cap, const uint8_t src[16], const uint8_t dst[16],
	       const struct sk_nd *nd);
/* The offset of the options in a message of this type (8 + its fixed part), or 0. */
size_t sk_nd_opts_offset(uint8_t type);

/* Option writers; each returns the option's length (a multiple of 8) or -sk_wire_err. */
/* Source/target link-layer address (type 1 or 2), zero-padded. */
int sk_nd_opt_lladdr_emit(uint8_t *p, size_t cap, uint8_t type, const uint8_t *addr, size_t alen);
int sk_nd_opt_prefix_emit(uint8_t *p, size_t cap, const struct sk_nd_prefix *pi);
int sk_nd_opt_mtu_emit(uint8_t *p, size_t cap, uint32_t mtu);
/* Redirected header: as much of pkt as fits in cap (RFC 4861 4.6.3: the caller gives as
 * cap what keeps the redirect within 1280 bytes), zero-padded to 8. */
int sk_nd_opt_redirected_emit(uint8_t *p, size_t cap, const uint8_t *pkt, size_t len);

#endif
