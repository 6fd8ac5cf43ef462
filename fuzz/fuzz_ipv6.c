/* Fuzzes IPv6: fixed header, extension walk, ICMPv6 and NDP parsers, error quotes, address text. */
#include <arpa/inet.h>
#include <string.h>

#include "fuzz.h"
#include "wire/checksum.h"
#include "wire/ndp.h"

/* The input as a string and its first 16 bytes as an address: glibc agrees. */
static void check_text(const uint8_t *data, size_t size)
{
	char s[64];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	memcpy(s, data, n);
	s[n] = '\0';
	uint8_t a[16], b[16];
	int mine = sk_ipv6_pton(s, a), libc = inet_pton(AF_INET6, s, b);
	FUZZ_CHECK((mine == 0) == (libc == 1));
	FUZZ_CHECK(mine != 0 || memcmp(a, b, 16) == 0);
	if (size < 16)
		return;
	char x[SK_IPV6_ADDRSTRLEN], y[INET6_ADDRSTRLEN];
	sk_ipv6_ntop(data, x);
	FUZZ_CHECK(inet_ntop(AF_INET6, data, y, sizeof(y)) && strcmp(x, y) == 0);
	FUZZ_CHECK(sk_ipv6_pton(x, a) == 0 && memcmp(a, data, 16) == 0);
}

static int is_upper(uint8_t nh)
{
	return nh == SK_IPPROTO_TCP || nh == SK_IPPROTO_UDP || nh == SK_IPPROTO_ICMPV6 ||
	       nh == SK_IPPROTO_NONE;
}

static void check_walk_result(const uint8_t *p, const struct sk_ipv6 *h, int r,
			      const struct sk_ipv6_walk *w)
{
	FUZZ_CHECK(w->end == SK_IPV6_HLEN + (uint32_t)h->payload_len);
	if (r == 0) {
		FUZZ_CHECK(w->off >= SK_IPV6_HLEN && w->off <= w->end);
		FUZZ_CHECK(w->nh_off < w->off && p[w->nh_off] == w->proto);
		FUZZ_CHECK(w->fragment || is_upper(w->proto));
		FUZZ_CHECK(!w->fragment || w->has_frag);
		FUZZ_CHECK(!w->has_frag ||
			   (w->frag_off >= SK_IPV6_HLEN && w->frag_off + 8 <= w->off));
		return;
	}
	FUZZ_CHECK(-r >= SK_WIRE6_EXT_TRUNCATED && -r <= SK_WIRE6_FRAG_INCOMPLETE);
	FUZZ_CHECK(w->code <= 3 && w->pointer <= w->end);
	/* Only a truncated header may start at the very end. */
	FUZZ_CHECK(w->pointer < w->end || -r == SK_WIRE6_EXT_TRUNCATED);
	FUZZ_CHECK(w->icmp == 0 || w->pointer < w->end);
	if (w->icmp && w->code == SK_ICMP6_PARAMPROB_OPTION)
		FUZZ_CHECK(sk_ipv6_opt_action(p[w->pointer]) >= SK_IPV6_OPT_DROP_ICMP);
	if (w->code == SK_ICMP6_PARAMPROB_NEXTHEADER)
		FUZZ_CHECK(w->pointer == 6 || w->pointer >= SK_IPV6_HLEN);
}

/* An error message quoting the input: at most 1280 bytes with its header, verifies, and
 * its quote reads back inside the message. */
static void check_error(const uint8_t *p, size_t len, const struct sk_ipv6 *h)
{
	static uint8_t out[SK_IPV6_MIN_MTU];
	int n = sk_icmp6_emit_error(out, sizeof(out), h->dst, h->src, SK_ICMP6_PARAM_PROB, 0, 6, p,
				    len);
	FUZZ_CHECK(n >= 8 && SK_IPV6_HLEN + (size_t)n <= SK_IPV6_MIN_MTU);
	FUZZ_CHECK((size_t)n == 8 + (len < SK_ICMP6_ERR_QUOTE_MAX ? len : SK_ICMP6_ERR_QUOTE_MAX));
	struct sk_icmp6 m;
	FUZZ_CHECK(sk_icmp6_parse(out, (size_t)n, h->dst, h->src, &m, SK_ICMP6_VERIFY_CSUM) == 8);
	struct sk_icmp6_quote q;
	if (sk_icmp6_parse_quote(&m, &q) == 0) {
		FUZZ_CHECK(q.l4_off >= SK_IPV6_HLEN && q.l4_off + q.l4_len <= m.data_len);
		FUZZ_CHECK(q.l4 == m.data + q.l4_off);
	}
	(void)sk_icmp6_error_allowed(p, len, SK_ICMP6_PARAM_PROB, 2, (uint32_t)len / 2, 0);
}

static void check_nd(const struct sk_icmp6 *m, const struct sk_ipv6 *h)
{
	struct sk_nd nd, again;
	if (sk_nd_parse(m, h, &nd) != 0)
		return;
	const uint8_t *end = m->data + m->data_len;
	FUZZ_CHECK(nd.opts >= m->data && nd.opts + nd.opts_len == end);
	FUZZ_CHECK(!nd.src_ll || nd.src_ll + nd.src_ll_len <= end);
	FUZZ_CHECK(!nd.tgt_ll || nd.tgt_ll + nd.tgt_ll_len <= end);
	FUZZ_CHECK(!nd.redir || nd.redir + nd.redir_len <= end);
	/* Emitted again it verifies and parses to the same message. */
	static uint8_t out[70000];
	int n = sk_nd_emit(out, sizeof(out), h->src, h->dst, &nd);
	FUZZ_CHECK(n == (int)(SK_ICMP6_HLEN + m->data_len));
	struct sk_icmp6 m2;
	FUZZ_CHECK(sk_icmp6_parse(out, (size_t)n, h->src, h->dst, &m2, SK_ICMP6_VERIFY_CSUM) == 8);
	FUZZ_CHECK(sk_nd_parse(&m2, h, &again) == 0);
	FUZZ_CHECK(again.type == nd.type && again.flags == nd.flags && again.mtu == nd.mtu);
	FUZZ_CHECK(memcmp(again.target, nd.target, 16) == 0 &&
		   memcmp(again.dest, nd.dest, 16) == 0);
	FUZZ_CHECK(again.opts_len == nd.opts_len && memcmp(again.opts, nd.opts, nd.opts_len) == 0);
	size_t pos = 0;
	struct sk_nd_opt o;
	struct sk_nd_prefix pi;
	while (sk_nd_opt_next(nd.opts, nd.opts_len, &pos, &o) > 0)
		if (o.type == SK_ND_OPT_PREFIX)
			(void)sk_nd_prefix_parse(&o, &pi);
}

static void check_icmp6(const uint8_t *p, size_t len, const struct sk_ipv6 *h)
{
	struct sk_icmp6 m;
	if (sk_icmp6_parse(p, len, h->src, h->dst, &m, SK_ICMP6_VERIFY_CSUM) < 0 &&
	    sk_icmp6_parse(p, len, h->src, h->dst, &m, 0) < 0)
		return;
	FUZZ_CHECK(m.data == p + 8 && m.data_len == len - 8);
	struct sk_icmp6_quote q;
	if (sk_icmp6_parse_quote(&m, &q) == 0)
		FUZZ_CHECK(q.l4_off >= SK_IPV6_HLEN && q.l4_off + q.l4_len <= m.data_len);
	check_nd(&m, h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_text(data, size);
	struct sk_ipv6 h;
	if (sk_ipv6_parse(data, size, &h) != SK_IPV6_HLEN)
		return 0;
	uint8_t hdr[SK_IPV6_HLEN];
	FUZZ_CHECK(sk_ipv6_emit(hdr, sizeof(hdr), &h) == SK_IPV6_HLEN &&
		   memcmp(hdr, data, SK_IPV6_HLEN) == 0);
	struct sk_ipv6_walk w;
	int r = sk_ipv6_walk(data, &h, &w);
	check_walk_result(data, &h, r, &w);
	uint8_t nh = h.next;
	size_t off = SK_IPV6_HLEN;
	if (sk_ipv6_skip_ext(data, w.end, &nh, &off) == 0)
		FUZZ_CHECK(off <= w.end);
	check_error(data, w.end, &h);
	if (r == 0 && !w.fragment && w.proto == SK_IPPROTO_ICMPV6)
		check_icmp6(data + w.off, w.end - w.off, &h);
	return 0;
}
