/* Internals shared by the packet printer's files (print.c, print_ip6.c, print_link.c). */
#ifndef SK_PRINT_INT_H
#define SK_PRINT_INT_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wire/wire.h"

/*
 * The decoders walk the bytes as tolerantly as tcpdump 4.99 does: they print what the bytes
 * say, however malformed, and stop where tcpdump stops.
 *
 * tcpdump reacts to missing bytes in two ways, and the difference shows in its output:
 * a printer may test for the bytes itself and print " [|proto]" where it stands, or it may
 * simply read them, in which case the read aborts the whole packet, the top level prints
 * " [|proto]" for whatever protocol was being decoded, and the -X dump then starts at the
 * link-layer header because the link printer never got to say how long its header was.
 * pr_get*() are the second kind (they longjmp to sk_print_packet); pr_avail() is the first.
 *
 * Positions are offsets from the start of the frame, never pointers, so that lengths taken
 * from the packet can be added without forming pointers outside the buffer.
 */
struct pr {
	FILE *out;
	const uint8_t *pkt;
	size_t snap;	   /* bytes a printer may read: the capture, cut to the IP datagram */
	const char *proto; /* what " [|proto]" names */
	int verbose;
	int hex;       /* -X: tcpdump then suppresses its default hex dump of unknown payloads */
	size_t ll_hdr; /* link-layer header length, known once the link printer returns */
	/* The limit before the innermost IP header cut the readable area to its datagram
	 * (valid when ip_depth > 0): tcpdump lets an IPv6 header inside it move the limit up
	 * to there again (a jumbogram, a payload length of 0). */
	size_t ip_saved;
	int ip_depth;
	jmp_buf abort; /* where a read past snap lands */
};

struct tok {
	unsigned v;
	const char *s;
};

void sk_pr_out(struct pr *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void sk_pr_abort(struct pr *p);

static inline int pr_avail(const struct pr *p, size_t off, size_t n)
{
	return off <= p->snap && n <= p->snap - off;
}

static inline size_t bytes_after(const struct pr *p, size_t off)
{
	return off < p->snap ? p->snap - off : 0;
}

static inline uint8_t pr_get8(struct pr *p, size_t off)
{
	if (!pr_avail(p, off, 1))
		sk_pr_abort(p);
	return p->pkt[off];
}

static inline uint16_t pr_get16(struct pr *p, size_t off)
{
	if (!pr_avail(p, off, 2))
		sk_pr_abort(p);
	return sk_get16(p->pkt + off);
}

static inline uint32_t pr_get32(struct pr *p, size_t off)
{
	if (!pr_avail(p, off, 4))
		sk_pr_abort(p);
	return sk_get32(p->pkt + off);
}

static inline uint64_t pr_get64(struct pr *p, size_t off)
{
	if (!pr_avail(p, off, 8))
		sk_pr_abort(p);
	return (uint64_t)sk_get32(p->pkt + off) << 32 | sk_get32(p->pkt + off + 4);
}

/* Cuts the readable area to end (never extends it); returns the old limit for restoring. */
static inline size_t push_snap(struct pr *p, size_t end)
{
	size_t old = p->snap;
	if (end < p->snap)
		p->snap = end;
	return old;
}

/* An IP printer's cut of the readable area to its datagram (tcpdump's nd_push_snapend),
 * undone by ip_pop (nd_pop_packet_info). */
struct ip_push {
	size_t snap, ip_saved;
	int ip_depth;
};

static inline void ip_push(struct pr *p, size_t end, struct ip_push *s)
{
	s->snap = push_snap(p, end);
	s->ip_saved = p->ip_saved;
	s->ip_depth = p->ip_depth;
	p->ip_saved = s->snap;
	p->ip_depth++;
}

static inline void ip_pop(struct pr *p, const struct ip_push *s)
{
	p->snap = s->snap;
	p->ip_saved = s->ip_saved;
	p->ip_depth = s->ip_depth;
}

static inline void print_trunc(struct pr *p)
{
	sk_pr_out(p, " [|%s]", p->proto);
}

static inline void print_invalid(struct pr *p)
{
	sk_pr_out(p, " (invalid)");
}

static inline const char *tok_name(const struct tok *t, unsigned v)
{
	for (; t->s; t++)
		if (t->v == v)
			return t->s;
	return NULL;
}

/* tok_name() with tcpdump's fallback format (which takes the value) for unknown values. */
static inline const char *tok_str(const struct tok *t, const char *fmt, unsigned v, char *buf,
				  size_t size)
{
	const char *s = tok_name(t, v);
	if (s)
		return s;
	snprintf(buf, size, fmt, v);
	return buf;
}

/* tcpdump's in_cksum_shouldbe(): the value the checksum field needed, given the field and
 * the checksum computed over the data including the field. */
static inline uint16_t csum_shouldbe(uint16_t field, uint16_t computed)
{
	uint32_t v = (uint32_t)field + computed;
	v = (v & 0xffff) + (v >> 16);
	v = (v & 0xffff) + (v >> 16);
	return (uint16_t)v;
}

/* Names tcpdump prints (print.c). */
extern const struct tok sk_pr_ethertype_names[];
extern const struct tok sk_pr_ipproto_names[];

/* Hex dumps (print.c): -X style (16 bytes a line with ASCII, aborting the packet where the
 * capture ends), tcpdump's print_unknown_data() (hex only), one character made visible. */
void sk_pr_hex_ascii(struct pr *p, const char *ident, size_t off, size_t length);
void sk_pr_unknown_data(struct pr *p, size_t off, const char *ident, size_t len);
void sk_pr_char(struct pr *p, uint8_t c);

/* The layer printers. ip is the offset of the IPv4 or IPv6 header a transport header came
 * in (its version nibble says which); length is what the IP header says is left. */
void sk_pr_ip(struct pr *p, size_t ip, uint32_t length);
void sk_pr_ip6(struct pr *p, size_t ip, uint32_t length);
void sk_pr_tcp(struct pr *p, size_t tp, uint32_t length, size_t ip, int fragmented);
void sk_pr_udp(struct pr *p, size_t up, uint32_t length, size_t ip, int fragmented);
void sk_pr_icmp6(struct pr *p, size_t bp, uint32_t length, size_t ip, int fragmented);
/* The protocol after an IP header (and IPv6 extension headers): TCP, UDP, ICMP, ICMPv6,
 * tunnels; version 4 or 6 decides what is valid. */
void sk_pr_ip_demux(struct pr *p, size_t l4, uint32_t len, unsigned ver, int fragmented, uint8_t nh,
		    size_t ip);

/* "src > dst" of the IP header at ip; with ports ("src.sport > dst.dport") when sport >= 0. */
void sk_pr_addrs(struct pr *p, size_t ip, int sport, int dport);
/* The checksum over the pseudo-header of the IP header at ip and len bytes at l4 (which
 * the caller made sure are captured); 0 when the data's checksum field is right. */
uint16_t sk_pr_l4_csum(struct pr *p, size_t ip, size_t l4, uint32_t len, uint8_t proto);
/* The offset of the destination address that goes in the pseudo-header of the IPv6 header
 * at ip: the final one of its routing header, as tcpdump finds it. */
size_t sk_pr_ip6_final_dst(struct pr *p, size_t ip);

/* An EtherType's payload at off (Ethernet, Linux cooked captures): returns 1 if printed,
 * 0 if tcpdump would print the frame as an unknown EtherType (nothing printed yet). */
int sk_pr_ethertype(struct pr *p, uint16_t type, size_t off, uint32_t length, uint32_t caplen);

/* The link printers of print_link.c; each returns its link-layer header length. */
size_t sk_pr_sll(struct pr *p, uint32_t len, uint32_t caplen);
size_t sk_pr_sll2(struct pr *p, uint32_t len, uint32_t caplen);
size_t sk_pr_null(struct pr *p, uint32_t len, uint32_t caplen);

#endif
