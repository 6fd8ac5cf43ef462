/* TCP header and options (RFC 9293, 7323, 2018) parse/emit. */
#ifndef SK_TCP_WIRE_H
#define SK_TCP_WIRE_H

#include "wire/wire.h"

#define SK_TCP_MIN_HLEN 20
#define SK_TCP_MAX_HLEN 60

/* Flags as in the header's low 8 bits; the 4 reserved bits (AE is the lowest) above them. */
enum {
	SK_TCP_FIN = 0x01,
	SK_TCP_SYN = 0x02,
	SK_TCP_RST = 0x04,
	SK_TCP_PSH = 0x08,
	SK_TCP_ACK = 0x10,
	SK_TCP_URG = 0x20,
	SK_TCP_ECE = 0x40,
	SK_TCP_CWR = 0x80,
	SK_TCP_RESERVED = 0xf00,
};

enum {
	SK_TCPOPT_EOL = 0,
	SK_TCPOPT_NOP = 1,
	SK_TCPOPT_MSS = 2,
	SK_TCPOPT_WS = 3,
	SK_TCPOPT_SACK_PERM = 4,
	SK_TCPOPT_SACK = 5,
	SK_TCPOPT_TS = 8,
};

#define SK_TCP_MAX_SACK 4
#define SK_TCP_MAX_WSCALE 14

struct sk_tcp_sack_block {
	uint32_t left, right;
};

struct sk_tcp_opts {
	uint8_t has_mss : 1, has_ws : 1, sack_ok : 1, has_ts : 1;
	uint16_t mss;
	uint8_t ws;       /* as received (may exceed 14: the user clamps, RFC 7323 2.3) */
	uint32_t tsval, tsecr;
	uint8_t nsack;    /* SACK blocks present */
	struct sk_tcp_sack_block sack[SK_TCP_MAX_SACK];
	uint8_t nbad;     /* known kinds with a wrong length, skipped by their length */
	uint8_t nunknown; /* unknown kinds, skipped by their length */
};

struct sk_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t hlen;     /* data offset in bytes */
	uint16_t flags;   /* SK_TCP_* including reserved bits */
	uint16_t win;
	uint16_t cksum;   /* as found */
	uint16_t urp;
	struct sk_tcp_opts opt;
	const uint8_t *payload;
	size_t payload_len;
	uint8_t ecn;      /* the IP header's ECN codepoint (RFC 3168), set by the IP layer */
};

#define SK_TCP_VERIFY_CSUM 1u
/* p/len is exactly the TCP segment (IP total length minus IP header: FMT-1). src/dst in
 * host order for the pseudo-header checksum. Validates the data offset, the options
 * (FMT-3) and optionally the checksum. Returns the header length or -sk_wire_err. */
int sk_tcp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, struct sk_tcp *t, unsigned flags);
/* The same for either IP version: asum is the one's-complement sum of the pseudo-header's
 * two addresses (16-bit words of IPv4's, or of IPv6's 16-byte ones: RFC 8200 8.1); the
 * protocol and length parts are added here. */
int sk_tcp_parse_sum(const uint8_t *p, size_t len, uint32_t asum, struct sk_tcp *t, unsigned flags);

/* Parses only the options area; returns 0 or -SK_WIRE_BAD_OPTION. */
int sk_tcp_parse_options(const uint8_t *p, size_t len, struct sk_tcp_opts *o);

/* Encodes options in Linux's order (mss; sackOK+TS or nop,nop,TS or nop,nop,sackOK;
 * nop,wscale; nop,nop,sack blocks), padded to a multiple of 4. Returns bytes written
 * or -sk_wire_err when they do not fit in 40 bytes / cap. */
int sk_tcp_emit_options(uint8_t *p, size_t cap, const struct sk_tcp_opts *o);

/* Writes header + options + payload (the payload may already sit in place after the
 * header; it is moved only if t->payload points elsewhere) and the checksum.
 * t->hlen is computed from the options. Returns the segment length. */
int sk_tcp_emit(uint8_t *p, size_t cap, uint32_t src, uint32_t dst, const struct sk_tcp *t);
/* sk_tcp_emit with the pseudo-header's address sum (as sk_tcp_parse_sum). */
int sk_tcp_emit_sum(uint8_t *p, size_t cap, uint32_t asum, const struct sk_tcp *t);
/* sk_tcp_emit_sum for a link that completes the checksum: only the pseudo-header's sum,
 * folded, in the field (synack_set_csum_offload). */
int sk_tcp_emit_partial(uint8_t *p, size_t cap, uint32_t asum, const struct sk_tcp *t);
/* sk_tcp_emit_partial for a payload that stays elsewhere (scatter-gather output): writes
 * the header and options only, its checksum field counting t->payload_len bytes after
 * them, which it never reads (cap must still hold the whole segment, as if they followed).
 * Returns the header's length. */
int sk_tcp_emit_header_partial(uint8_t *p, size_t cap, uint32_t asum, const struct sk_tcp *t);

#endif
