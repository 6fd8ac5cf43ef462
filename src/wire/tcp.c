/* TCP header and option parse/emit (RFC 9293 3.1, RFC 7323, RFC 2018). */
#include "wire/tcp.h"

#include <string.h>

#include "wire/checksum.h"

static void take_option(struct sk_tcp_opts *o, uint8_t kind, const uint8_t *v, unsigned olen)
{
	switch (kind) {
	case SK_TCPOPT_MSS:
		if (olen != 4)
			break;
		o->has_mss = 1;
		o->mss = sk_get16(v);
		return;
	case SK_TCPOPT_WS:
		if (olen != 3)
			break;
		o->has_ws = 1;
		o->ws = v[0];
		return;
	case SK_TCPOPT_SACK_PERM:
		if (olen != 2)
			break;
		o->sack_ok = 1;
		return;
	case SK_TCPOPT_TS:
		if (olen != 10)
			break;
		o->has_ts = 1;
		o->tsval = sk_get32(v);
		o->tsecr = sk_get32(v + 4);
		return;
	case SK_TCPOPT_SACK:
		if (olen < 10 || (olen - 2) % 8 != 0 || (olen - 2) / 8 > SK_TCP_MAX_SACK)
			break;
		o->nsack = (uint8_t)((olen - 2) / 8);
		for (unsigned i = 0; i < o->nsack; i++) {
			o->sack[i].left = sk_get32(v + 8 * i);
			o->sack[i].right = sk_get32(v + 8 * i + 4);
		}
		return;
	default:
		o->nunknown++;
		return;
	}
	/* A known kind with the wrong length is skipped, as Linux does: its length byte is
	 * sane, so the rest of the options can still be trusted. */
	o->nbad++;
}

int sk_tcp_parse_options(const uint8_t *p, size_t len, struct sk_tcp_opts *o)
{
	memset(o, 0, sizeof(*o));
	size_t i = 0;
	while (i < len) {
		uint8_t kind = p[i];
		if (kind == SK_TCPOPT_EOL)
			break;
		if (kind == SK_TCPOPT_NOP) {
			i++;
			continue;
		}
		/* FMT-3: every other kind has a length byte of at least 2 that stays within
		 * the header; anything else leaves the rest of the options unparseable. */
		if (i + 1 >= len)
			return -SK_WIRE_BAD_OPTION;
		unsigned olen = p[i + 1];
		if (olen < 2 || i + olen > len)
			return -SK_WIRE_BAD_OPTION;
		take_option(o, kind, p + i + 2, olen);
		i += olen;
	}
	return 0;
}

/* The checksum of a TCP segment whose pseudo-header addresses sum to asum. */
static uint16_t tcp_csum(uint32_t asum, const uint8_t *p, size_t len)
{
	return sk_csum_fold(sk_csum_add(asum + SK_IPPROTO_TCP + (uint32_t)len, p, len));
}

int sk_tcp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, struct sk_tcp *t, unsigned flags)
{
	return sk_tcp_parse_sum(p, len, (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff), t, flags);
}

int sk_tcp_parse_sum(const uint8_t *p, size_t len, uint32_t asum, struct sk_tcp *t, unsigned flags)
{
	if (len < SK_TCP_MIN_HLEN)
		return -SK_WIRE_TRUNCATED;
	unsigned hlen = (unsigned)(p[12] >> 4) * 4;
	if (hlen < SK_TCP_MIN_HLEN || hlen > len)
		return -SK_WIRE_BAD_HDRLEN;
	t->sport = sk_get16(p);
	t->dport = sk_get16(p + 2);
	t->seq = sk_get32(p + 4);
	t->ack = sk_get32(p + 8);
	t->hlen = (uint8_t)hlen;
	t->flags = (uint16_t)((p[12] & 0x0f) << 8 | p[13]);
	t->win = sk_get16(p + 14);
	t->cksum = sk_get16(p + 16);
	t->urp = sk_get16(p + 18);
	t->payload = p + hlen;
	t->payload_len = len - hlen;
	if ((flags & SK_TCP_VERIFY_CSUM) && tcp_csum(asum, p, len) != 0) {
		memset(&t->opt, 0, sizeof(t->opt));
		return -SK_WIRE_BAD_CHECKSUM;
	}
	int r = sk_tcp_parse_options(p + SK_TCP_MIN_HLEN, hlen - SK_TCP_MIN_HLEN, &t->opt);
	return r < 0 ? r : (int)hlen;
}

static uint8_t *put_nops(uint8_t *q, int n)
{
	while (n-- > 0)
		*q++ = SK_TCPOPT_NOP;
	return q;
}

int sk_tcp_emit_options(uint8_t *p, size_t cap, const struct sk_tcp_opts *o)
{
	uint8_t tmp[64], *q = tmp;
	if (o->nsack > SK_TCP_MAX_SACK || (o->has_ws && o->ws > SK_TCP_MAX_WSCALE))
		return -SK_WIRE_INVALID;
	if (o->has_mss) {
		*q++ = SK_TCPOPT_MSS;
		*q++ = 4;
		sk_put16(q, o->mss);
		q += 2;
	}
	/* Pairing sackOK with TS saves the two NOPs each would otherwise need for alignment. */
	if (o->has_ts) {
		if (o->sack_ok) {
			*q++ = SK_TCPOPT_SACK_PERM;
			*q++ = 2;
		} else {
			q = put_nops(q, 2);
		}
		*q++ = SK_TCPOPT_TS;
		*q++ = 10;
		sk_put32(q, o->tsval);
		sk_put32(q + 4, o->tsecr);
		q += 8;
	} else if (o->sack_ok) {
		q = put_nops(q, 2);
		*q++ = SK_TCPOPT_SACK_PERM;
		*q++ = 2;
	}
	if (o->has_ws) {
		q = put_nops(q, 1);
		*q++ = SK_TCPOPT_WS;
		*q++ = 3;
		*q++ = o->ws;
	}
	if (o->nsack) {
		q = put_nops(q, 2);
		*q++ = SK_TCPOPT_SACK;
		*q++ = (uint8_t)(2 + 8 * o->nsack);
		for (unsigned i = 0; i < o->nsack; i++, q += 8) {
			sk_put32(q, o->sack[i].left);
			sk_put32(q + 4, o->sack[i].right);
		}
	}
	size_t n = (size_t)(q - tmp);
	while (n % 4)
		tmp[n++] = SK_TCPOPT_EOL;
	if (n > SK_TCP_MAX_HLEN - SK_TCP_MIN_HLEN)
		return -SK_WIRE_INVALID;
	if (n > cap)
		return -SK_WIRE_NOSPACE;
	memcpy(p, tmp, n);
	return (int)n;
}

int sk_tcp_emit(uint8_t *p, size_t cap, uint32_t src, uint32_t dst, const struct sk_tcp *t)
{
	return sk_tcp_emit_sum(p, cap, (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff), t);
}

/* The segment, its checksum complete (partial 0) or only the pseudo-header's sum (1), or
 * that with the payload left where it is (2: not read, not moved, but counted against cap
 * as if it followed; the header's length returned). */
static int emit(uint8_t *p, size_t cap, uint32_t asum, const struct sk_tcp *t, int partial)
{
	uint8_t opts[40];
	int olen = sk_tcp_emit_options(opts, sizeof(opts), &t->opt);
	if (olen < 0)
		return olen;
	size_t hlen = SK_TCP_MIN_HLEN + (size_t)olen;
	size_t len = hlen + t->payload_len;
	if (len > 0xffff)
		return -SK_WIRE_INVALID;
	if (cap < len)
		return -SK_WIRE_NOSPACE;
	if (partial != 2 && t->payload_len && t->payload != p + hlen)
		memmove(p + hlen, t->payload, t->payload_len);
	sk_put16(p, t->sport);
	sk_put16(p + 2, t->dport);
	sk_put32(p + 4, t->seq);
	sk_put32(p + 8, t->ack);
	p[12] = (uint8_t)((hlen / 4) << 4 | ((t->flags >> 8) & 0x0f));
	p[13] = (uint8_t)t->flags;
	sk_put16(p + 14, t->win);
	sk_put16(p + 16, 0);
	sk_put16(p + 18, t->urp);
	memcpy(p + SK_TCP_MIN_HLEN, opts, (size_t)olen);
	if (partial) /* the pseudo-header's sum, not complemented: the link sums the rest */
		sk_put16(p + 16, (uint16_t)~sk_csum_fold(asum + SK_IPPROTO_TCP + (uint32_t)len));
	else
		sk_put16(p + 16, tcp_csum(asum, p, len));
	return (int)(partial == 2 ? hlen : len);
}

int sk_tcp_emit_sum(uint8_t *p, size_t cap, uint32_t asum, const struct sk_tcp *t)
{
	return emit(p, cap, asum, t, 0);
}

int sk_tcp_emit_partial(uint8_t *p, size_t cap, uint32_t asum, const struct sk_tcp *t)
{
	return emit(p, cap, asum, t, 1);
}

int sk_tcp_emit_header_partial(uint8_t *p, size_t cap, uint32_t asum, const struct sk_tcp *t)
{
	return emit(p, cap, asum, t, 2);
}
