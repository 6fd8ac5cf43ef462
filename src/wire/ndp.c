/* Neighbor Discovery messages and options (RFC 4861 4): parse with validation, and emit. */
#include "wire/ndp.h"

#include <string.h>

#define OPT(t) (1u << (t))
/* Per message, RS to redirect: the fixed part after the ICMPv6 header, and the options
 * defined for it (4.1-4.5); any other option is ignored (6.1.1, 6.1.2, 7.1.1, ...). */
static const struct {
	size_t fixed;
	unsigned opts;
} layout[5] = {
	{0, OPT(SK_ND_OPT_SRC_LLADDR)},
	{8, OPT(SK_ND_OPT_SRC_LLADDR) | OPT(SK_ND_OPT_MTU) | OPT(SK_ND_OPT_PREFIX)},
	{16, OPT(SK_ND_OPT_SRC_LLADDR)},
	{16, OPT(SK_ND_OPT_TGT_LLADDR)},
	{32, OPT(SK_ND_OPT_TGT_LLADDR) | OPT(SK_ND_OPT_REDIRECTED)},
};

static int nd_index(uint8_t type)
{
	return type >= SK_ICMP6_ND_RS && type <= SK_ICMP6_ND_REDIRECT ? type - SK_ICMP6_ND_RS : -1;
}

size_t sk_nd_opts_offset(uint8_t type)
{
	int i = nd_index(type);
	return i < 0 ? 0 : SK_ICMP6_HLEN + layout[i].fixed;
}

int sk_nd_opt_next(const uint8_t *opts, size_t len, size_t *pos, struct sk_nd_opt *o)
{
	size_t i = *pos;
	if (i >= len)
		return 0;
	if (len - i < 2)
		return -SK_WIRE6_ND_OPT_TRUNC;
	uint8_t units = opts[i + 1];
	if (units == 0) /* 4.6: the whole message is dropped */
		return -SK_WIRE6_ND_OPT_LEN0;
	if ((size_t)units * 8 > len - i)
		return -SK_WIRE6_ND_OPT_TRUNC;
	o->type = opts[i];
	o->units = units;
	o->p = opts + i;
	o->len = (size_t)units * 8;
	*pos = i + o->len;
	return 1;
}

/* 4.6.2: type, length 4, prefix length, L|A|reserved, valid and preferred lifetimes,
 * reserved, prefix. */
int sk_nd_prefix_parse(const struct sk_nd_opt *o, struct sk_nd_prefix *pi)
{
	if (o->len < 32)
		return -SK_WIRE6_ND_OPT_SHORT;
	pi->prefix_len = o->p[2];
	pi->flags = o->p[3];
	pi->valid = sk_get32(o->p + 4);
	pi->preferred = sk_get32(o->p + 8);
	memcpy(pi->prefix, o->p + 16, 16);
	return 0;
}

/* The fixed part of each message (4.1-4.5); 'rest' holds the first 4 bytes after the
 * checksum. */
static void read_fixed(const struct sk_icmp6 *m, struct sk_nd *nd)
{
	const uint8_t *d = m->data;
	switch (m->type) {
	case SK_ICMP6_ND_RA:
		nd->cur_hop_limit = (uint8_t)(m->rest >> 24);
		nd->flags = (uint8_t)(m->rest >> 16);
		nd->router_lifetime = (uint16_t)m->rest;
		nd->reachable_time = sk_get32(d);
		nd->retrans_timer = sk_get32(d + 4);
		break;
	case SK_ICMP6_ND_NA:
		nd->flags = (uint8_t)(m->rest >> 24);
		memcpy(nd->target, d, 16);
		break;
	case SK_ICMP6_ND_NS:
		memcpy(nd->target, d, 16);
		break;
	case SK_ICMP6_ND_REDIRECT:
		memcpy(nd->target, d, 16);
		memcpy(nd->dest, d + 16, 16);
		break;
	}
}

/* Keeps the first option of each kind; prefix options are counted. */
static void keep_option(struct sk_nd *nd, const struct sk_nd_opt *o)
{
	switch (o->type) {
	case SK_ND_OPT_SRC_LLADDR:
		if (!nd->src_ll) {
			nd->src_ll = o->p + 2;
			nd->src_ll_len = o->len - 2;
		}
		break;
	case SK_ND_OPT_TGT_LLADDR:
		if (!nd->tgt_ll) {
			nd->tgt_ll = o->p + 2;
			nd->tgt_ll_len = o->len - 2;
		}
		break;
	case SK_ND_OPT_MTU: /* 4.6.4: type, length 1, reserved, MTU */
		if (!nd->has_mtu) {
			nd->has_mtu = 1;
			nd->mtu = sk_get32(o->p + 4);
		}
		break;
	case SK_ND_OPT_REDIRECTED: /* 4.6.3: type, length, 6 reserved bytes, IP header + data */
		if (!nd->redir) {
			nd->redir = o->p + 8;
			nd->redir_len = o->len - 8;
		}
		break;
	case SK_ND_OPT_PREFIX:
		nd->n_prefix++;
		break;
	}
}

/* The validity checks on addresses of 6.1.1 (RS), 6.1.2 (RA), 7.1.1 (NS), 7.1.2 (NA)
 * and 8.1 (redirect). */
static int check_addresses(const struct sk_nd *nd, const struct sk_ipv6 *ip)
{
	int unspec = sk_ipv6_is_unspecified(ip->src);
	switch (nd->type) {
	case SK_ICMP6_ND_RS:
		return unspec && nd->src_ll ? -SK_WIRE6_ND_DAD_SLLA : 0;
	case SK_ICMP6_ND_RA:
		return sk_ipv6_is_linklocal(ip->src) ? 0 : -SK_WIRE6_ND_SRC_NOT_LL;
	case SK_ICMP6_ND_NS:
		if (sk_ipv6_is_multicast(nd->target))
			return -SK_WIRE6_ND_TARGET_MCAST;
		if (unspec && !sk_ipv6_is_solicited_node(ip->dst))
			return -SK_WIRE6_ND_DAD_DST;
		return unspec && nd->src_ll ? -SK_WIRE6_ND_DAD_SLLA : 0;
	case SK_ICMP6_ND_NA:
		if (sk_ipv6_is_multicast(nd->target))
			return -SK_WIRE6_ND_TARGET_MCAST;
		if (sk_ipv6_is_multicast(ip->dst) && (nd->flags & SK_ND_NA_SOLICITED))
			return -SK_WIRE6_ND_NA_SOLICITED;
		return 0;
	default: /* redirect */
		if (!sk_ipv6_is_linklocal(ip->src))
			return -SK_WIRE6_ND_SRC_NOT_LL;
		if (sk_ipv6_is_multicast(nd->dest))
			return -SK_WIRE6_ND_TARGET_MCAST;
		if (!sk_ipv6_is_linklocal(nd->target) && memcmp(nd->target, nd->dest, 16) != 0)
			return -SK_WIRE6_ND_REDIR_TARGET;
		return 0;
	}
}

int sk_nd_parse(const struct sk_icmp6 *m, const struct sk_ipv6 *ip, struct sk_nd *nd)
{
	int i = nd_index(m->type);
	if (i < 0)
		return -SK_WIRE6_ND_NOT_ND;
	/* Hop limit 255 proves the message was not forwarded by a router (RFC 4861 3.1). */
	if (ip->hop_limit != 255)
		return -SK_WIRE6_ND_HOPLIMIT;
	if (m->code != 0)
		return -SK_WIRE6_ND_CODE;
	if (m->data_len < layout[i].fixed)
		return -SK_WIRE_TRUNCATED;
	memset(nd, 0, sizeof(*nd));
	nd->type = m->type;
	read_fixed(m, nd);
	nd->opts = m->data + layout[i].fixed;
	nd->opts_len = m->data_len - layout[i].fixed;
	size_t pos = 0;
	struct sk_nd_opt o;
	int r;
	while ((r = sk_nd_opt_next(nd->opts, nd->opts_len, &pos, &o)) > 0)
		if (o.type < 32 && (layout[i].opts & OPT(o.type)))
			keep_option(nd, &o);
	if (r < 0)
		return r;
	return check_addresses(nd, ip);
}

int sk_nd_emit(uint8_t *p, size_t cap, const uint8_t src[16], const uint8_t dst[16],
	       const struct sk_nd *nd)
{
	int i = nd_index(nd->type);
	if (i < 0)
		return -SK_WIRE_INVALID;
	size_t fixed = layout[i].fixed, len = SK_ICMP6_HLEN + fixed + nd->opts_len;
	if (len > 0xffff)
		return -SK_WIRE_INVALID;
	if (cap < len)
		return -SK_WIRE_NOSPACE;
	uint8_t *d = p + SK_ICMP6_HLEN;
	if (nd->opts_len)
		memmove(d + fixed, nd->opts, nd->opts_len);
	uint32_t rest = 0; /* reserved fields are sent as 0 */
	switch (nd->type) {
	case SK_ICMP6_ND_RA:
		rest = (uint32_t)nd->cur_hop_limit << 24 | (uint32_t)nd->flags << 16 |
		       nd->router_lifetime;
		sk_put32(d, nd->reachable_time);
		sk_put32(d + 4, nd->retrans_timer);
		break;
	case SK_ICMP6_ND_NA:
		rest = (uint32_t)nd->flags << 24;
		memcpy(d, nd->target, 16);
		break;
	case SK_ICMP6_ND_NS:
		memcpy(d, nd->target, 16);
		break;
	case SK_ICMP6_ND_REDIRECT:
		memcpy(d, nd->target, 16);
		memcpy(d + 16, nd->dest, 16);
		break;
	}
	struct sk_icmp6 m = {
		.type = nd->type, .rest = rest, .data = d, .data_len = fixed + nd->opts_len};
	return sk_icmp6_emit(p, cap, src, dst, &m);
}

int sk_nd_opt_lladdr_emit(uint8_t *p, size_t cap, uint8_t type, const uint8_t *addr, size_t alen)
{
	size_t len = (2 + alen + 7) & ~(size_t)7;
	if (alen == 0 || len > 255 * 8)
		return -SK_WIRE_INVALID;
	if (cap < len)
		return -SK_WIRE_NOSPACE;
	p[0] = type;
	p[1] = (uint8_t)(len / 8);
	memmove(p + 2, addr, alen);
	memset(p + 2 + alen, 0, len - 2 - alen);
	return (int)len;
}

int sk_nd_opt_prefix_emit(uint8_t *p, size_t cap, const struct sk_nd_prefix *pi)
{
	if (pi->prefix_len > 128)
		return -SK_WIRE_INVALID;
	if (cap < 32)
		return -SK_WIRE_NOSPACE;
	p[0] = SK_ND_OPT_PREFIX;
	p[1] = 4;
	p[2] = pi->prefix_len;
	p[3] = pi->flags;
	sk_put32(p + 4, pi->valid);
	sk_put32(p + 8, pi->preferred);
	sk_put32(p + 12, 0);
	memcpy(p + 16, pi->prefix, 16);
	return 32;
}

int sk_nd_opt_mtu_emit(uint8_t *p, size_t cap, uint32_t mtu)
{
	if (cap < 8)
		return -SK_WIRE_NOSPACE;
	p[0] = SK_ND_OPT_MTU;
	p[1] = 1;
	sk_put16(p + 2, 0);
	sk_put32(p + 4, mtu);
	return 8;
}

int sk_nd_opt_redirected_emit(uint8_t *p, size_t cap, const uint8_t *pkt, size_t len)
{
	if (cap < 8)
		return -SK_WIRE_NOSPACE;
	size_t room = ((cap < 255 * 8 ? cap : 255 * 8) - 8) & ~(size_t)7;
	size_t n = len < room ? len : room;
	size_t total = 8 + ((n + 7) & ~(size_t)7);
	memmove(p + 8, pkt, n);
	memset(p + 8 + n, 0, total - 8 - n);
	p[0] = SK_ND_OPT_REDIRECTED;
	p[1] = (uint8_t)(total / 8);
	memset(p + 2, 0, 6);
	return (int)total;
}
