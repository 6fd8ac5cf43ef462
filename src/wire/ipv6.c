/* IPv6 fixed header and fragment header parse/emit, and the extension-header walk (RFC 8200). */
#include "wire/ipv6.h"

#include <string.h>

int sk_ipv6_parse(const uint8_t *p, size_t len, struct sk_ipv6 *h)
{
	if (len < SK_IPV6_HLEN)
		return -SK_WIRE_TRUNCATED;
	if (p[0] >> 4 != 6)
		return -SK_WIRE_BAD_VERSION;
	/* RFC 8200 3: version 4 bits, traffic class 8, flow label 20. */
	uint32_t vtf = sk_get32(p);
	h->tclass = (uint8_t)(vtf >> 20);
	h->flow = vtf & 0xfffff;
	h->payload_len = sk_get16(p + 4);
	/* Bytes past the payload are link padding; fewer than it says are an error. */
	if (SK_IPV6_HLEN + (size_t)h->payload_len > len)
		return -SK_WIRE_TRUNCATED;
	h->next = p[6];
	h->hop_limit = p[7];
	memcpy(h->src, p + 8, 16);
	memcpy(h->dst, p + 24, 16);
	return SK_IPV6_HLEN;
}

int sk_ipv6_emit(uint8_t *p, size_t cap, const struct sk_ipv6 *h)
{
	if (h->flow > 0xfffff)
		return -SK_WIRE_INVALID;
	if (cap < SK_IPV6_HLEN)
		return -SK_WIRE_NOSPACE;
	sk_put32(p, 6u << 28 | (uint32_t)h->tclass << 20 | h->flow);
	sk_put16(p + 4, h->payload_len);
	p[6] = h->next;
	p[7] = h->hop_limit;
	memmove(p + 8, h->src, 16);
	memmove(p + 24, h->dst, 16);
	return SK_IPV6_HLEN;
}

/* RFC 8200 4.5: next header, reserved, 13-bit offset in 8-byte units + 2 reserved bits +
 * M, 32-bit identification. The offset field shifted into place is the offset in bytes. */
int sk_ipv6_frag_parse(const uint8_t *p, size_t len, struct sk_ipv6_frag *f)
{
	if (len < SK_IPV6_FRAG_HLEN)
		return -SK_WIRE_TRUNCATED;
	f->next = p[0];
	f->offset = sk_get16(p + 2) & 0xfff8;
	f->more = p[3] & 1;
	f->id = sk_get32(p + 4);
	return SK_IPV6_FRAG_HLEN;
}

int sk_ipv6_frag_emit(uint8_t *p, size_t cap, const struct sk_ipv6_frag *f)
{
	if (f->offset % 8 != 0)
		return -SK_WIRE_INVALID;
	if (cap < SK_IPV6_FRAG_HLEN)
		return -SK_WIRE_NOSPACE;
	p[0] = f->next;
	p[1] = 0;
	sk_put16(p + 2, (uint16_t)(f->offset | (f->more ? 1 : 0)));
	sk_put32(p + 4, f->id);
	return SK_IPV6_FRAG_HLEN;
}

int sk_ipv6_opt_next(const uint8_t *hdr, size_t hlen, size_t *pos, struct sk_ipv6_opt *o)
{
	size_t i = *pos < 2 ? 2 : *pos;
	if (i >= hlen)
		return 0;
	o->off = i;
	o->type = hdr[i];
	if (o->type == SK_IPV6_OPT_PAD1) { /* the one option without a length byte */
		o->len = 0;
		o->data = NULL;
		*pos = i + 1;
		return 1;
	}
	if (hlen - i < 2 || hlen - i - 2 < hdr[i + 1]) {
		*pos = i;
		return -SK_WIRE6_OPT_MALFORMED;
	}
	o->len = hdr[i + 1];
	o->data = hdr + i + 2;
	*pos = i + 2 + o->len;
	return 1;
}

size_t sk_ipv6_ext_len(uint8_t nh, const uint8_t *p, size_t avail)
{
	if (!sk_ipv6_is_ext(nh) || avail < 2)
		return 0;
	if (nh == SK_IPPROTO_FRAGMENT)
		return SK_IPV6_FRAG_HLEN;
	return ((size_t)p[1] + 1) * 8; /* Hdr Ext Len: 8-byte units past the first 8 */
}

static int fail(struct sk_ipv6_walk *w, int reason, int icmp, uint8_t code, size_t pointer)
{
	w->icmp = (uint8_t)icmp;
	w->code = code;
	w->pointer = (uint32_t)pointer;
	return -reason;
}

/* The options of a hop-by-hop or destination options header at pkt[off, off + hlen):
 * Pad1 and PadN are skipped, as is every other option whose type says "skip"; for the
 * rest the type's two high bits say what to do (RFC 8200 4.2). The ICMP points at the
 * option type. */
static int walk_options(const uint8_t *pkt, size_t off, size_t hlen, int mcast,
			struct sk_ipv6_walk *w)
{
	size_t pos = 0;
	struct sk_ipv6_opt o;
	int r;
	while ((r = sk_ipv6_opt_next(pkt + off, hlen, &pos, &o)) > 0) {
		size_t at = off + o.off;
		if (o.type == SK_IPV6_OPT_PAD1 || o.type == SK_IPV6_OPT_PADN)
			continue;
		switch (sk_ipv6_opt_action(o.type)) {
		case SK_IPV6_OPT_SKIP:
			break;
		case SK_IPV6_OPT_DROP:
			return fail(w, SK_WIRE6_OPT_DISCARD, 0, 2, at);
		case SK_IPV6_OPT_DROP_ICMP:
			return fail(w, SK_WIRE6_OPT_ICMP, 1, 2, at);
		default: /* not to a multicast destination (RFC 8200 4.2, RFC 4443 2.4(e.3)) */
			return fail(w, SK_WIRE6_OPT_ICMP_UCAST, !mcast, 2, at);
		}
	}
	return r < 0 ? fail(w, SK_WIRE6_OPT_MALFORMED, 0, 0, off + pos) : 0;
}

/* RFC 8200 4.4: a routing header with segments left 0 is ignored; with segments left !=
 * 0 a host that does not process its type (synack processes none; type 0 is deprecated,
 * RFC 5095) answers code 0 pointing at the routing type. */
static int walk_routing(const uint8_t *pkt, size_t off, struct sk_ipv6_walk *w)
{
	if (pkt[off + 3] != 0)
		return fail(w, SK_WIRE6_RH_UNKNOWN, 1, 0, off + 2);
	return 0;
}

/* How much of an upper-layer header a first fragment must hold, as Linux asks: TCP 20
 * bytes, UDP and ICMPv6 8, any other 1, none after No Next Header. */
static size_t upper_min_len(uint8_t nh)
{
	switch (nh) {
	case SK_IPPROTO_TCP:
		return 20;
	case SK_IPPROTO_UDP:
	case SK_IPPROTO_ICMPV6:
		return 8;
	case SK_IPPROTO_NONE:
		return 0;
	default:
		return 1;
	}
}

/* RFC 8200 4.5 (RFC 7112): the first fragment holds the whole header chain through the
 * upper-layer header. */
static int chain_complete(const uint8_t *pkt, size_t off, size_t end, uint8_t nh)
{
	if (sk_ipv6_skip_ext(pkt, end, &nh, &off) < 0)
		return 0;
	return end - off >= upper_min_len(nh);
}

/* RFC 8200 4.5: an atomic fragment is processed as a whole packet (RFC 6946); any other
 * ends the walk. A first fragment must hold the header chain (code 3, pointer 0); the
 * length must be a multiple of 8 unless it is the last (code 0 at the payload length),
 * and the reassembled payload must fit in 65535 bytes (code 0 at the fragment offset). */
static int walk_fragment(const uint8_t *pkt, size_t off, size_t end, struct sk_ipv6_walk *w)
{
	sk_ipv6_frag_parse(pkt + off, SK_IPV6_FRAG_HLEN, &w->frag);
	w->has_frag = 1;
	w->frag_off = (uint32_t)off;
	if (sk_ipv6_frag_atomic(&w->frag))
		return 0;
	size_t flen = end - off - SK_IPV6_FRAG_HLEN;
	if (w->frag.offset == 0 && !chain_complete(pkt, off + SK_IPV6_FRAG_HLEN, end, w->frag.next))
		return fail(w, SK_WIRE6_FRAG_INCOMPLETE, 1, 3, 0);
	if (w->frag.more && flen % 8 != 0)
		return fail(w, SK_WIRE6_FRAG_BAD_LEN, 1, 0, 4);
	if (off - SK_IPV6_HLEN + w->frag.offset + flen > 0xffff)
		return fail(w, SK_WIRE6_FRAG_TOO_BIG, 1, 0, off + 2);
	w->fragment = 1;
	return 0;
}

static uint8_t seen_bit(uint8_t nh)
{
	switch (nh) {
	case SK_IPPROTO_HOPOPTS:
		return SK_IPV6_SEEN_HOPOPTS;
	case SK_IPPROTO_ROUTING:
		return SK_IPV6_SEEN_ROUTING;
	case SK_IPPROTO_FRAGMENT:
		return SK_IPV6_SEEN_FRAGMENT;
	default:
		return SK_IPV6_SEEN_DSTOPTS;
	}
}

/* The upper layers synack's IPv6 delivers to; No Next Header ends a packet (RFC 8200 4.7). */
static int is_upper(uint8_t nh)
{
	return nh == SK_IPPROTO_TCP || nh == SK_IPPROTO_UDP || nh == SK_IPPROTO_ICMPV6 ||
	       nh == SK_IPPROTO_NONE;
}

static int walk_one(const uint8_t *pkt, uint8_t nh, size_t off, size_t hlen, size_t end, int mcast,
		    struct sk_ipv6_walk *w)
{
	switch (nh) {
	case SK_IPPROTO_ROUTING:
		return walk_routing(pkt, off, w);
	case SK_IPPROTO_FRAGMENT:
		return walk_fragment(pkt, off, end, w);
	default:
		return walk_options(pkt, off, hlen, mcast, w);
	}
}

int sk_ipv6_walk(const uint8_t *pkt, const struct sk_ipv6 *h, struct sk_ipv6_walk *w)
{
	memset(w, 0, sizeof(*w));
	size_t end = SK_IPV6_HLEN + (size_t)h->payload_len, off = SK_IPV6_HLEN, nh_off = 6;
	uint8_t nh = h->next;
	int mcast = sk_ipv6_is_multicast(h->dst);
	w->end = (uint32_t)end;
	while (sk_ipv6_is_ext(nh) && !w->fragment) {
		/* RFC 8200 4.1: hop-by-hop only right after the fixed header; elsewhere it is
		 * an unrecognized next header (code 1) at the field that named it. */
		if (nh == SK_IPPROTO_HOPOPTS && nh_off != 6)
			return fail(w, SK_WIRE6_HBH_NOT_FIRST, 1, 1, nh_off);
		size_t hlen = sk_ipv6_ext_len(nh, pkt + off, end - off);
		if (hlen == 0 || hlen > end - off)
			return fail(w, SK_WIRE6_EXT_TRUNCATED, 0, 0, off);
		int r = walk_one(pkt, nh, off, hlen, end, mcast, w);
		if (r < 0)
			return r;
		w->seen |= seen_bit(nh);
		if (nh == SK_IPPROTO_FRAGMENT)
			w->frag_nh_off = (uint32_t)nh_off;
		nh_off = off;
		nh = pkt[off]; /* every extension header starts with its next header */
		off += hlen;
	}
	/* RFC 8200 4: an unrecognized next header is code 1, pointing at that field. */
	if (!w->fragment && !is_upper(nh))
		return fail(w, SK_WIRE6_UNKNOWN_NEXT, 1, 1, nh_off);
	w->proto = nh;
	w->off = (uint32_t)off;
	w->nh_off = (uint32_t)nh_off;
	return 0;
}

int sk_ipv6_skip_ext(const uint8_t *p, size_t len, uint8_t *nh, size_t *off)
{
	while (sk_ipv6_is_ext(*nh)) {
		size_t hlen = *off <= len ? sk_ipv6_ext_len(*nh, p + *off, len - *off) : 0;
		if (hlen == 0 || hlen > len - *off)
			return -SK_WIRE6_EXT_TRUNCATED;
		if (*nh == SK_IPPROTO_FRAGMENT && (sk_get16(p + *off + 2) & 0xfff8) != 0)
			return 0; /* not the first fragment: no upper-layer header follows */
		*nh = p[*off];
		*off += hlen;
	}
	return 0;
}
