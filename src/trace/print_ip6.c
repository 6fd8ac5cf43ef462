/* The packet printer's IPv6: headers, fragments, ICMPv6, NDP and MLD, as tcpdump 4.99.3. */
#include <inttypes.h>
#include <string.h>

#include "trace/print_int.h"
#include "wire/checksum.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"
#include "wire/ndp.h"

/* Hop-by-hop and destination options tcpdump names (RFC 2711, 2675, 6275). */
enum { OPT_ROUTER_ALERT = 0x05, OPT_JUMBO = 0xc2, OPT_HOME_ADDRESS = 0xc9 };

/* Reads a 16-byte address (aborting if it is not there) and formats it. */
static const char *addr6(struct pr *p, size_t off, char buf[SK_IPV6_ADDRSTRLEN])
{
	if (!pr_avail(p, off, 16))
		sk_pr_abort(p);
	return sk_ipv6_ntop(p->pkt + off, buf);
}

/* ---- extension headers -------------------------------------------------------------- */

/* The sub-options of a home address option: len bytes at b, all captured. Returns -1
 * where tcpdump gives up on them. */
static int print_subopts(struct pr *p, const uint8_t *b, unsigned len)
{
	unsigned optlen;
	for (unsigned i = 0; i < len; i += optlen) {
		if (b[i] == SK_IPV6_OPT_PAD1)
			optlen = 1;
		else if (i + 1 < len)
			optlen = b[i + 1] + 2u;
		else
			return -1;
		if (i + optlen > len)
			return -1;
		switch (b[i]) {
		case SK_IPV6_OPT_PAD1:
			sk_pr_out(p, ", pad1");
			break;
		case SK_IPV6_OPT_PADN:
			sk_pr_out(p, ", padn");
			break;
		default:
			sk_pr_out(p, ", sopt_type 0x%02x: len=%u", b[i], b[i + 1]);
			break;
		}
	}
	return 0;
}

/* The options of a hop-by-hop (payload_len not NULL) or destination options header of
 * hlen bytes at off, all captured. A valid jumbo payload option replaces *payload_len.
 * Returns -1 where tcpdump stops (then " [|hbhopt]" or " [|dstopt]"). */
static int print_opts(struct pr *p, size_t off, unsigned hlen, int *found_jumbop,
		      uint32_t *payload_len)
{
	const uint8_t *h = p->pkt + off;
	struct sk_ipv6_opt o;
	size_t pos = 0;
	int r, found_jumbo = 0;
	char a[SK_IPV6_ADDRSTRLEN];

	while ((r = sk_ipv6_opt_next(h, hlen, &pos, &o)) == 1) {
		unsigned left = hlen - (unsigned)o.off; /* from the option to the header's end */
		switch (o.type) {
		case SK_IPV6_OPT_PAD1:
			if (p->verbose)
				sk_pr_out(p, "(pad1)");
			break;
		case SK_IPV6_OPT_PADN:
			if (p->verbose)
				sk_pr_out(p, "(padn)");
			break;
		case OPT_ROUTER_ALERT:
			if (left < 4) {
				sk_pr_out(p, "(rtalert: trunc)");
				return -1;
			}
			if (o.len != 2) {
				sk_pr_out(p, "(rtalert: invalid len %u)", o.len);
				return -1;
			}
			if (p->verbose)
				sk_pr_out(p, "(rtalert: 0x%04x) ", sk_get16(o.data));
			break;
		case OPT_JUMBO: {
			if (left < 6) {
				sk_pr_out(p, "(jumbo: trunc)");
				return -1;
			}
			if (o.len != 4) {
				sk_pr_out(p, "(jumbo: invalid len %u)", o.len);
				return -1;
			}
			uint32_t jumbolen = sk_get32(o.data);
			const char *why = "";
			if (found_jumbo) {
				why = " - already seen";
			} else {
				found_jumbo = 1;
				if (!payload_len) {
					why = " - not a hop-by-hop option";
				} else if (*payload_len != 0) {
					why = " - payload len != 0";
				} else if (jumbolen < 65536) {
					why = " - < 65536";
				} else {
					*found_jumbop = 1;
					*payload_len = jumbolen;
				}
			}
			if (p->verbose)
				sk_pr_out(p, "(jumbo: %u%s) ", jumbolen, why);
			break;
		}
		case OPT_HOME_ADDRESS:
			if (left < 18) {
				sk_pr_out(p, "(homeaddr: trunc)");
				return -1;
			}
			if (o.len < 16) {
				sk_pr_out(p, "(homeaddr: invalid len %u)", o.len);
				return -1;
			}
			if (p->verbose) {
				sk_pr_out(p, "(homeaddr: %s", sk_ipv6_ntop(o.data, a));
				if (o.len > 16 && print_subopts(p, o.data + 16, o.len - 16u) < 0)
					return -1;
				sk_pr_out(p, ")");
			}
			break;
		default:
			if (p->verbose)
				sk_pr_out(p, "(opt_type 0x%02x: len=%u)", o.type, o.len);
			break;
		}
	}
	if (r < 0)
		return -1;
	if (p->verbose)
		sk_pr_out(p, " ");
	return 0;
}

/* Hop-by-hop (hbh) or destination options header at cp; returns its length, or -1 after
 * printing where it stopped. */
static int print_opts_header(struct pr *p, size_t cp, int hbh, int *found_jumbo,
			     uint32_t *payload_len)
{
	p->proto = hbh ? "hbhopt" : "dstopt";
	unsigned hlen = (pr_get8(p, cp + 1) + 1u) << 3;
	if (!pr_avail(p, cp, hlen)) {
		print_trunc(p);
		return -1;
	}
	sk_pr_out(p, hbh ? "HBH " : "DSTOPT ");
	/* tcpdump walks hop-by-hop options always (saying what is wrong with them even
	 * without -v), destination options with -v only. */
	if ((hbh || p->verbose) &&
	    print_opts(p, cp, hlen, found_jumbo, hbh ? payload_len : NULL) < 0) {
		print_trunc(p);
		return -1;
	}
	return (int)hlen;
}

/* The fragment header at cp of the IPv6 header at ip; returns 8 for a first fragment (the
 * headers after it are printed), -1 for a later one. */
static int print_frag6(struct pr *p, size_t cp, size_t ip)
{
	p->proto = "frag6";
	uint16_t offlg = pr_get16(p, cp + 2);
	/* What tcpdump says is left after the fragment header, in its unsigned arithmetic:
	 * a payload length too short for the headers wraps around. */
	size_t left = (size_t)40 + pr_get16(p, ip + 4) - (cp - ip) - 8;
	if (p->verbose) {
		uint32_t id = pr_get32(p, cp + 4);
		sk_pr_out(p, "frag (0x%08x:%u|%zu)", id, offlg & 0xfff8u, left);
	} else {
		sk_pr_out(p, "frag (%u|%zu)", offlg & 0xfff8u, left);
	}
	if (offlg & 0xfff8)
		return -1;
	sk_pr_out(p, " ");
	return 8;
}

/* The routing header at cp; returns its length, or -1 after " (invalid)". */
static int print_rt6(struct pr *p, size_t cp)
{
	char a[SK_IPV6_ADDRSTRLEN];
	p->proto = "rt6";
	sk_pr_out(p, "RT6");
	unsigned len = pr_get8(p, cp + 1);
	sk_pr_out(p, " (len=%u", len);
	unsigned type = pr_get8(p, cp + 2);
	sk_pr_out(p, ", type=%u", type);
	if (type == 0)
		sk_pr_out(p, " [Deprecated]");
	sk_pr_out(p, ", segleft=%u", pr_get8(p, cp + 3));

	if (type == 0 || type == 2) {
		uint32_t rsv = pr_get32(p, cp + 4);
		if (rsv || p->verbose)
			sk_pr_out(p, ", rsv=0x%x", rsv);
	} else if (type == 4) { /* segment routing (RFC 8754) */
		sk_pr_out(p, ", last-entry=%u", pr_get8(p, cp + 4));
		uint8_t flags = pr_get8(p, cp + 5);
		if (flags || p->verbose)
			sk_pr_out(p, ", flags=0x%x", flags);
		sk_pr_out(p, ", tag=%x", pr_get16(p, cp + 6));
	} else {
		sk_pr_out(p, " (unknown type)");
		print_invalid(p);
		return -1;
	}
	if (len % 2 == 1) {
		sk_pr_out(p, " (invalid length %u)", len);
		print_invalid(p);
		return -1;
	}
	for (unsigned i = 0; i < len / 2; i++)
		sk_pr_out(p, ", [%u]%s", i, addr6(p, cp + 8 + 16 * (size_t)i, a));
	sk_pr_out(p, ") ");
	return (int)((len + 1) << 3);
}

size_t sk_pr_ip6_final_dst(struct pr *p, size_t ip)
{
	size_t dst = ip + 24, cp = ip, advance = 40;
	uint8_t nh = pr_get8(p, ip + 6);
	if (nh != SK_IPPROTO_HOPOPTS && nh != SK_IPPROTO_DSTOPTS && nh != 62 && nh != 135 &&
	    nh != SK_IPPROTO_FRAGMENT && nh != SK_IPPROTO_ROUTING)
		return dst;
	while (cp < p->snap) {
		cp += advance;
		switch (nh) {
		case SK_IPPROTO_HOPOPTS:
		case SK_IPPROTO_DSTOPTS:
		case 62:  /* mobility (old) */
		case 135: /* mobility */
			advance = (pr_get8(p, cp + 1) + 1u) << 3;
			nh = pr_get8(p, cp);
			break;
		case SK_IPPROTO_FRAGMENT:
			advance = 8;
			nh = pr_get8(p, cp);
			break;
		case SK_IPPROTO_ROUTING: {
			/* Only the first routing header counts; a damaged one leaves what was
			 * found so far. */
			if (!pr_avail(p, cp, 4))
				return dst;
			unsigned len = p->pkt[cp + 1], type = p->pkt[cp + 2];
			if ((type != 0 && type != 2 && type != 4) || len % 2 == 1)
				return dst;
			/* segment routing: the first segment, whatever the length says */
			unsigned n = type == 4 ? 1 : len / 2;
			for (unsigned i = 0; i < n; i++) {
				if (!pr_avail(p, cp + 8 + 16 * (size_t)i, 16))
					return dst;
				dst = cp + 8 + 16 * (size_t)i;
			}
			return dst;
		}
		default:
			return dst;
		}
	}
	return dst;
}

void sk_pr_ip6(struct pr *p, size_t ip, uint32_t length)
{
	char src[SK_IPV6_ADDRSTRLEN], dst[SK_IPV6_ADDRSTRLEN], buf[32];

	p->proto = "ip6";
	if (!pr_avail(p, ip, SK_IPV6_HLEN)) {
		print_trunc(p);
		return;
	}
	if (length < SK_IPV6_HLEN) {
		sk_pr_out(p, "truncated-ip6 %u", length);
		return;
	}
	sk_pr_out(p, "IP6 ");
	unsigned ver = p->pkt[ip] >> 4;
	if (ver != 6) {
		sk_pr_out(p, "version error: %u != 6", ver);
		return;
	}
	uint32_t payload_len = sk_get16(p->pkt + ip + 4), len;
	if (payload_len != 0) {
		len = payload_len + SK_IPV6_HLEN;
		if (length < len)
			sk_pr_out(p, "truncated-ip6 - %u bytes missing!", len - length);
	} else {
		/* Possibly a jumbogram: walk the headers within what was captured. */
		len = length + SK_IPV6_HLEN;
	}
	uint8_t nh = p->pkt[ip + 6];
	if (p->verbose) {
		uint32_t flow = sk_get32(p->pkt + ip);
		sk_pr_out(p, "(");
		if (flow & 0x0ff00000)
			sk_pr_out(p, "class 0x%02x, ", (flow & 0x0ff00000) >> 20);
		if (flow & 0x000fffff)
			sk_pr_out(p, "flowlabel 0x%05x, ", flow & 0x000fffff);
		sk_pr_out(p, "hlim %u, next-header %s (%u) payload length: %u) ", p->pkt[ip + 7],
			  tok_str(sk_pr_ipproto_names, "unknown", nh, buf, sizeof(buf)), nh,
			  payload_len);
	}

	/* The limit a jumbogram may move the readable area up to (nd_change_snapend). */
	size_t enclosing = p->ip_depth > 0 ? p->ip_saved : 0;
	int has_enclosing = p->ip_depth > 0;
	struct ip_push saved;
	ip_push(p, ip + (size_t)len, &saved);

	size_t cp = ip;
	int advance = SK_IPV6_HLEN, found_ext = 0, found_jumbo = 0, found_hbh = 0, fragmented = 0;
	uint32_t total = 0;
	while (cp < p->snap && advance > 0) {
		if (len < (uint32_t)advance) {
			print_trunc(p);
			goto done;
		}
		cp += (size_t)advance;
		len -= (uint32_t)advance;
		total += (uint32_t)advance;
		if (cp == ip + SK_IPV6_HLEN && nh != SK_IPPROTO_TCP && nh != SK_IPPROTO_UDP &&
		    nh != 33 && nh != 132)
			sk_pr_out(p, "%s > %s: ", sk_ipv6_ntop(p->pkt + ip + 8, src),
				  sk_ipv6_ntop(p->pkt + ip + 24, dst));

		switch (nh) {
		case SK_IPPROTO_HOPOPTS:
			/* RFC 8200 4.1: only right after the fixed header, and once */
			if (found_hbh || total != SK_IPV6_HLEN) {
				sk_pr_out(
					p,
					found_hbh
						? "[The Hop-by-Hop Options header was already "
						  "found]"
						: "[The Hop-by-Hop Options header don't follow the "
						  "IPv6 header]");
				print_invalid(p);
				goto done;
			}
			advance = print_opts_header(p, cp, 1, &found_jumbo, &payload_len);
			/* a payload length of 0 needs a jumbo payload option here */
			if (payload_len == 0 && !found_jumbo) {
				sk_pr_out(p, "[No valid Jumbo Payload Hop-by-Hop option found]");
				print_invalid(p);
				goto done;
			}
			if (advance < 0)
				goto done;
			found_hbh = 1;
			found_ext = 1;
			nh = pr_get8(p, cp);
			break;
		case SK_IPPROTO_DSTOPTS:
			advance = print_opts_header(p, cp, 0, &found_jumbo, &payload_len);
			if (advance < 0)
				goto done;
			found_ext = 1;
			nh = pr_get8(p, cp);
			break;
		case SK_IPPROTO_FRAGMENT:
			advance = print_frag6(p, cp, ip);
			if (advance < 0 || p->snap <= cp + (size_t)advance)
				goto done;
			found_ext = 1;
			nh = pr_get8(p, cp);
			fragmented = 1;
			break;
		case SK_IPPROTO_ROUTING:
			if (!pr_avail(p, cp, 1)) {
				print_trunc(p);
				goto done;
			}
			advance = print_rt6(p, cp);
			if (advance < 0)
				goto done;
			found_ext = 1;
			nh = pr_get8(p, cp);
			break;
		case 62:  /* the mobility header (old) */
		case 135: /* and the new: tcpdump decodes them, this printer does not */
			sk_pr_out(p, " ip-proto-%u %u", nh, len);
			goto done;
		default: {
			/* The upper layer. A payload length of 0 means a jumbogram if a valid
			 * jumbo payload option was seen, else no payload at all. */
			size_t end = SIZE_MAX;
			if (found_jumbo) {
				len = payload_len + SK_IPV6_HLEN;
				if (len < total) {
					print_trunc(p);
					goto done;
				}
				if (length < len)
					sk_pr_out(p, "truncated-ip6 - %u bytes missing!",
						  len - length);
				end = ip + (size_t)len;
				len -= total;
			} else if (payload_len == 0) {
				if (found_ext) {
					print_trunc(p);
					goto done;
				}
				len = SK_IPV6_HLEN;
				end = ip + SK_IPV6_HLEN;
				len -= total;
			}
			if (end != SIZE_MAX) {
				if (has_enclosing ? end <= enclosing : end < p->snap)
					p->snap = end;
			}
			sk_pr_ip_demux(p, cp, len, 6, fragmented, nh, ip);
			goto done;
		}
		}
		p->proto = "ip6";
	}
done:
	ip_pop(p, &saved);
}

/* ---- ICMPv6 ------------------------------------------------------------------------- */

static const struct tok icmp6_types[] = {
	{1, "destination unreachable"},
	{2, "packet too big"},
	{3, "time exceeded in-transit"},
	{4, "parameter problem"},
	{128, "echo request"},
	{129, "echo reply"},
	{130, "multicast listener query"},
	{131, "multicast listener report"},
	{132, "multicast listener done"},
	{133, "router solicitation"},
	{134, "router advertisement"},
	{135, "neighbor solicitation"},
	{136, "neighbor advertisement"},
	{137, "redirect"},
	{138, "router renumbering"},
	{141, "inverse neighbor solicitation"},
	{142, "inverse neighbor advertisement"},
	{143, "multicast listener report v2"},
	{144, "ha discovery request"},
	{145, "ha discovery reply"},
	{146, "mobile router solicitation"},
	{147, "mobile router advertisement"},
	{139, "who-are-you request"}, /* KAME's names win over "node information ..." */
	{140, "who-are-you reply"},
	{201, "mtrace message"},
	{200, "mtrace response"},
	{155, "RPL"},
	{0, NULL},
};

static const struct tok unreach_codes[] = {
	{0, "unreachable route"},   {1, " unreachable prohibited"}, {2, "beyond scope"},
	{3, "unreachable address"}, {4, "unreachable port"},	    {0, NULL},
};

static const struct tok nd_opt_names[] = {
	{SK_ND_OPT_SRC_LLADDR, "source link-address"},
	{SK_ND_OPT_TGT_LLADDR, "destination link-address"},
	{SK_ND_OPT_PREFIX, "prefix info"},
	{SK_ND_OPT_REDIRECTED, "redirected header"},
	{SK_ND_OPT_MTU, "mtu"},
	{25, "rdnss"},
	{31, "dnssl"},
	{7, "advertisement interval"},
	{8, "homeagent information"},
	{24, "route info"},
	{0, NULL},
};

/* tcpdump's bittok2str(): the names of the bits set, ", "-separated, or "none". */
static const char *bit_names(const struct tok *t, uint32_t v, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (; t->s; t++)
		if (t->v && (v & t->v) == t->v)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", t->s);
	return n ? buf : "none";
}

static const char *rtpref(unsigned v)
{
	static const char *const names[] = {"medium", "high", "rsv", "low"};
	return names[(v & 0x18) >> 3];
}

static const char *lifetime(uint32_t v, char buf[16])
{
	if (v == 0xffffffffu)
		return "infinity";
	snprintf(buf, 16, "%us", v);
	return buf;
}

/* The length of the label at c as tcpdump's labellen() gives it (a pointer's first byte
 * itself); -1 when it is not captured or after saying why it cannot be used. */
static int label_len(struct pr *p, size_t c, unsigned *len)
{
	if (!pr_avail(p, c, 1))
		return -1;
	unsigned b = p->pkt[c];
	if ((b & 0xc0) == 0x40) { /* EDNS0 extended label: only bit labels */
		if ((b & 0x3f) != 1) {
			sk_pr_out(p, "<ELT %d>", (int)(b & 0x3f));
			return -1;
		}
		if (!pr_avail(p, c + 1, 1))
			return -1;
		unsigned bits = p->pkt[c + 1] ? p->pkt[c + 1] : 256;
		*len = (bits + 7) / 8 + 1;
	} else if ((b & 0xc0) == 0x80) {
		sk_pr_out(p, "<BAD LABEL TYPE>");
		return -1;
	} else {
		*len = b;
	}
	return 0;
}

/* An EDNS0 bit label (RFC 2673) whose bit count is at cp, as "\[xHEX/BITS]"; -1 if its
 * count is not captured. */
static int print_bit_label(struct pr *p, size_t cp)
{
	if (!pr_avail(p, cp, 1))
		return -1;
	unsigned bitlen = p->pkt[cp] ? p->pkt[cp] : 256, b;
	size_t bp = cp + 1, lim = cp + 1 + (bitlen + 3) / 4;
	sk_pr_out(p, "\\[x");
	for (b = bitlen; bp < lim && b > 7; b -= 8, bp++)
		sk_pr_out(p, "%02x", pr_get8(p, bp));
	if (b > 4)
		sk_pr_out(p, "%02x", pr_get8(p, bp) & (0xff << (8 - b)) & 0xff);
	else if (b > 0)
		sk_pr_out(p, "%1x", ((pr_get8(p, bp) >> 4) & 0x0f) & (0x0f << (4 - b)));
	sk_pr_out(p, "/%u]", bitlen);
	return 0;
}

/* A domain name of a DNSSL option at cp (compression pointers count from base, the start
 * of the options), printed as tcpdump's fqdn_print does. Returns the offset after the name,
 * or 0 where tcpdump gives up. */
static size_t print_fqdn(struct pr *p, size_t cp, size_t base)
{
	enum { MAXCDNAME = 255 };
	unsigned name_chars = 0, max_offset = (unsigned)(cp - base), compress = 0;
	size_t rp = 0;

	unsigned l;
	if (label_len(p, cp, &l) < 0)
		return 0;
	unsigned i = p->pkt[cp++];
	if ((i & 0xc0) != 0xc0)
		rp = cp + l;
	if (i == 0) {
		sk_pr_out(p, ".");
		return rp;
	}
	while (i && cp < p->snap) {
		switch (i & 0xc0) {
		case 0xc0: { /* a pointer, which must point backwards */
			if (!compress) {
				rp = cp + 1;
				compress = 1;
			}
			if (!pr_avail(p, cp, 1))
				return 0;
			unsigned offset = ((i << 8) | p->pkt[cp]) & 0x3fff;
			if (offset >= max_offset) {
				sk_pr_out(p, "<BAD PTR>");
				return 0;
			}
			max_offset = offset;
			cp = base + offset;
			if (!pr_avail(p, cp, 1))
				return 0;
			i = p->pkt[cp];
			if (label_len(p, cp, &l) < 0)
				return 0;
			cp++;
			continue;
		}
		case 0x40: /* an EDNS0 bit label */
			if (print_bit_label(p, cp) < 0)
				return 0;
			break;
		default: { /* a label */
			unsigned n = l;
			if (name_chars + l > MAXCDNAME)
				n = name_chars < MAXCDNAME ? MAXCDNAME - name_chars : 0;
			size_t c = cp;
			for (; n > 0 && c < p->snap; n--)
				sk_pr_char(p, p->pkt[c++]);
			if (n > 0)
				return 0;
			name_chars += l;
			break;
		}
		}
		cp += l;
		if (name_chars <= MAXCDNAME)
			sk_pr_out(p, ".");
		name_chars++;
		if (!pr_avail(p, cp, 1))
			return 0;
		i = p->pkt[cp];
		if (label_len(p, cp, &l) < 0)
			return 0;
		cp++;
		if (!compress)
			rp += l + 1;
	}
	if (name_chars > MAXCDNAME)
		sk_pr_out(p, "<DOMAIN NAME TOO LONG>");
	return rp;
}

/* What tcpdump's int holds for the bytes of a message of length after its fixed part:
 * negative for a message shorter than that, or one of 2 GiB or more (a jumbogram). */
static int64_t nd_resid(uint32_t length, uint32_t fixed)
{
	uint32_t v = length - fixed;
	return v > INT32_MAX ? (int64_t)v - 4294967296 : (int64_t)v;
}

/* The options of an NDP message from bp to its end (resid bytes by its length), as
 * tcpdump -v shows them. Returns -1 where tcpdump gives up (" [|icmp6]"). */
static int print_nd_opts(struct pr *p, size_t bp, int64_t resid)
{
	static const struct tok pi_flags[] = {
		{0x80, "onlink"}, {0x40, "auto"}, {0x20, "router"}, {0, NULL}};
	char a[SK_IPV6_ADDRSTRLEN], buf[64], l1[16], l2[16];
	size_t cp = bp;

	while (cp < p->snap) {
		if (!pr_avail(p, cp + 1, 1))
			return -1;
		if (resid <= 0)
			return 0;
		unsigned type = p->pkt[cp], units = p->pkt[cp + 1];
		size_t olen = (size_t)units << 3;
		if (units == 0 || cp + olen > p->snap)
			return -1;
		sk_pr_out(p, "\n\t  %s option (%u), length %zu (%u): ",
			  tok_str(nd_opt_names, "unknown", type, buf, sizeof(buf)), type, olen,
			  units);
		switch (type) {
		case SK_ND_OPT_SRC_LLADDR:
		case SK_ND_OPT_TGT_LLADDR:
			for (size_t i = 2; i < olen; i++)
				sk_pr_out(p, i > 2 ? ":%02x" : "%02x", p->pkt[cp + i]);
			break;
		case SK_ND_OPT_PREFIX: {
			const char *prefix = addr6(p, cp + 16, a);
			unsigned plen = pr_get8(p, cp + 2), fl = pr_get8(p, cp + 3);
			uint32_t valid = pr_get32(p, cp + 4);
			sk_pr_out(p, "%s/%u%s, Flags [%s], valid time %s", prefix, plen,
				  units != 4 ? "badlen" : "",
				  bit_names(pi_flags, fl, buf, sizeof(buf)), lifetime(valid, l1));
			sk_pr_out(p, ", pref. time %s", lifetime(pr_get32(p, cp + 8), l2));
			break;
		}
		case SK_ND_OPT_REDIRECTED:
			/* tcpdump dumps from the first option, not from this one */
			sk_pr_unknown_data(p, bp, "\n\t    ", olen);
			break;
		case SK_ND_OPT_MTU: {
			uint32_t mtu = pr_get32(p, cp + 4);
			sk_pr_out(p, " %u%s", mtu, units != 1 ? "bad option length" : "");
			break;
		}
		case 25: /* RDNSS (RFC 8106) */
			sk_pr_out(p, " lifetime %us,", pr_get32(p, cp + 4));
			for (unsigned i = 0; i < (units - 1u) / 2; i++)
				sk_pr_out(p, " addr: %s", addr6(p, cp + 8 + 16 * (size_t)i, a));
			break;
		case 31: { /* DNSSL (RFC 8106) */
			sk_pr_out(p, " lifetime %us, domain(s):", pr_get32(p, cp + 4));
			size_t d = cp + 8;
			while (d < cp + olen && pr_get8(p, d) != 0) {
				sk_pr_out(p, " ");
				if ((d = print_fqdn(p, d, bp)) == 0)
					return -1;
			}
			break;
		}
		case 7: /* advertisement interval (RFC 6275) */
			sk_pr_out(p, " %ums", pr_get32(p, cp + 4));
			break;
		case 8: { /* home agent information (RFC 6275) */
			unsigned pref = pr_get16(p, cp + 4), life = pr_get16(p, cp + 6);
			sk_pr_out(p, " preference %u, lifetime %u", pref, life);
			break;
		}
		case 24: { /* route information (RFC 4191) */
			uint8_t prefix[16] = {0};
			if (!pr_avail(p, cp + 4, 4))
				return -1;
			if (units == 2 || units == 3) {
				if (!pr_avail(p, cp + 8, units == 2 ? 8 : 16))
					sk_pr_abort(p);
				memcpy(prefix, p->pkt + cp + 8, units == 2 ? 8 : 16);
			} else if (units != 1) {
				return -1;
			}
			sk_pr_out(p, " %s/%u", sk_ipv6_ntop(prefix, a), pr_get8(p, cp + 2));
			sk_pr_out(p, ", pref=%s", rtpref(pr_get8(p, cp + 3)));
			sk_pr_out(p, ", lifetime=%s", lifetime(pr_get32(p, cp + 4), l1));
			break;
		}
		default:
			/* the first unknown option ends the list */
			sk_pr_unknown_data(p, cp + 2, "\n\t  ", olen - 2);
			return 0;
		}
		cp += olen;
		resid -= (int64_t)olen;
	}
	return 0;
}

/* MLDv1 query, report and done (RFC 2710): nothing if the message is cut short. */
static void print_mld(struct pr *p, size_t bp)
{
	char a[SK_IPV6_ADDRSTRLEN];
	if (!pr_avail(p, bp, 24))
		return;
	sk_pr_out(p, "max resp delay: %u ", pr_get16(p, bp + 4));
	sk_pr_out(p, "addr: %s", addr6(p, bp + 8, a));
}

/* MLDv2 report (RFC 3810 5.2): the group records with -v. */
static void print_mldv2_report(struct pr *p, size_t bp, uint32_t len)
{
	static const struct tok kinds[] = {{1, "is_in"}, {2, "is_ex"}, {3, "to_in"}, {4, "to_ex"},
					   {5, "allow"}, {6, "block"}, {0, NULL}};
	char a[SK_IPV6_ADDRSTRLEN], buf[32];
	if (len < 8) {
		sk_pr_out(p, " [invalid len %u]", len);
		return;
	}
	unsigned ngroups = pr_get16(p, bp + 6);
	sk_pr_out(p, ", %u group record(s)", ngroups);
	if (!p->verbose)
		return;
	uint64_t group = 8;
	for (unsigned i = 0; i < ngroups; i++) {
		if (len < group + 20) {
			sk_pr_out(p, " [invalid number of groups]");
			return;
		}
		sk_pr_out(p, " [gaddr %s", addr6(p, bp + group + 4, a));
		sk_pr_out(p, " %s",
			  tok_str(kinds, " [v2-report-#%u]", pr_get8(p, bp + group), buf,
				  sizeof(buf)));
		unsigned nsrcs = pr_get16(p, bp + group + 2);
		if (len < group + 20 + nsrcs * 16u) {
			sk_pr_out(p, " [invalid number of sources %u]", nsrcs);
			return;
		}
		sk_pr_out(p, ", %u source(s)", nsrcs);
		group += 20 + nsrcs * 16u;
		sk_pr_out(p, "]");
	}
}

/* MLDv2 query (RFC 3810 5.1). */
static void print_mldv2_query(struct pr *p, size_t bp, uint32_t len)
{
	char a[SK_IPV6_ADDRSTRLEN];
	if (len < 28) {
		sk_pr_out(p, " [invalid len %u]", len);
		return;
	}
	unsigned mrc = pr_get16(p, bp + 4), mrt;
	mrt = mrc < 32768 ? mrc : ((mrc & 0x0fff) | 0x1000) << (((mrc & 0x7000) >> 12) + 3);
	if (p->verbose)
		sk_pr_out(p, " [max resp delay=%u]", mrt);
	sk_pr_out(p, " [gaddr %s", addr6(p, bp + 8, a));
	if (p->verbose) {
		unsigned s = pr_get8(p, bp + 24);
		if (s & 0x08)
			sk_pr_out(p, " sflag");
		if (s & 0x07)
			sk_pr_out(p, " robustness=%u", s & 0x07);
		unsigned q = pr_get8(p, bp + 25);
		unsigned qqi = q < 128 ? q : ((q & 0x0f) | 0x10) << (((q & 0x70) >> 4) + 3);
		sk_pr_out(p, " qqi=%u", qqi);
	}
	unsigned nsrcs = pr_get16(p, bp + 26);
	if (nsrcs > 0) {
		if (len < 28 + nsrcs * 16u)
			sk_pr_out(p, " [invalid number of sources]");
		else
			sk_pr_out(p, ", %u source(s)", nsrcs);
	}
	sk_pr_out(p, "]");
}

/* The upper-layer header of the packet quoted by an ICMPv6 error at oip, found as tcpdump
 * does; returns its offset with *proto set (TCP or UDP, both ports captured), else 0. */
static size_t quoted_l4(struct pr *p, size_t oip, uint8_t *proto)
{
	if (!pr_avail(p, oip + 6, 1))
		return 0;
	uint8_t nh = p->pkt[oip + 6];
	size_t bp = oip, hlen = 40;
	while (bp < p->snap) {
		bp += hlen;
		switch (nh) {
		case SK_IPPROTO_UDP:
		case SK_IPPROTO_TCP:
			if (!pr_avail(p, bp + 2, 2))
				return 0;
			*proto = nh;
			return bp;
		case SK_IPPROTO_HOPOPTS:
		case SK_IPPROTO_DSTOPTS:
		case SK_IPPROTO_ROUTING:
			if (!pr_avail(p, bp + 1, 1))
				return 0;
			nh = p->pkt[bp];
			hlen = ((size_t)p->pkt[bp + 1] + 1) << 3;
			break;
		case SK_IPPROTO_FRAGMENT:
			if (!pr_avail(p, bp + 2, 2))
				return 0;
			if (sk_get16(p->pkt + bp + 2) & 0xfff8)
				return 0;
			nh = p->pkt[bp];
			hlen = 8;
			break;
		case 51: /* AH */
			if (!pr_avail(p, bp + 1, 1))
				return 0;
			nh = p->pkt[bp];
			hlen = ((size_t)p->pkt[bp + 1] + 2) << 2;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

void sk_pr_icmp6(struct pr *p, size_t bp, uint32_t length, size_t ip, int fragmented)
{
	static const struct tok ra_flags[] = {{0x80, "managed"},
					      {0x40, "other stateful"},
					      {0x20, "home agent"},
					      {0x02, "ipv6 only"},
					      {0, NULL}};
	static const struct tok na_flags[] = {{0x80000000u, "router"},
					      {0x40000000u, "solicited"},
					      {0x20000000u, "override"},
					      {0, NULL}};
	char a[SK_IPV6_ADDRSTRLEN], b[SK_IPV6_ADDRSTRLEN], buf[64];
	size_t oip = bp + 8; /* the packet an error quotes */

	p->proto = "icmp6";
	if (length == 0) {
		sk_pr_out(p, "ICMP6, length 0");
		print_invalid(p);
		return;
	}
	if (p->verbose && !fragmented && pr_avail(p, bp, length)) {
		uint16_t field = pr_get16(p, bp + 2);
		uint16_t sum = sk_pr_l4_csum(p, ip, bp, length, SK_IPPROTO_ICMPV6);
		if (sum != 0)
			sk_pr_out(p, "[bad icmp6 cksum 0x%04x -> 0x%04x!] ", field,
				  csum_shouldbe(field, sum));
		else
			sk_pr_out(p, "[icmp6 sum ok] ");
	}
	uint8_t type = pr_get8(p, bp);
	sk_pr_out(p, "ICMP6, %s",
		  tok_str(icmp6_types, "unknown icmp6 type (%u)", type, buf, sizeof(buf)));
	if (p->verbose &&
	    (type == SK_ICMP6_ND_RS || type == SK_ICMP6_ND_RA || type == SK_ICMP6_ND_NA ||
	     type == SK_ICMP6_ND_NS || type == SK_ICMP6_ND_REDIRECT || type == 145 || type == 147))
		sk_pr_out(p, ", length %u", length);
	uint8_t code = pr_get8(p, bp + 1);

	switch (type) {
	case SK_ICMP6_UNREACH:
		sk_pr_out(p, ", %s",
			  tok_str(unreach_codes, "unknown unreach code (%u)", code, buf,
				  sizeof(buf)));
		switch (code) {
		case SK_ICMP6_UNREACH_NOROUTE:
		case SK_ICMP6_UNREACH_ADMIN:
		case SK_ICMP6_UNREACH_ADDR:
			sk_pr_out(p, " %s", addr6(p, oip + 24, a));
			break;
		case SK_ICMP6_UNREACH_BEYOND_SCOPE:
			addr6(p, oip + 24, a);
			addr6(p, oip + 8, b);
			sk_pr_out(p, " %s, source address %s", a, b);
			break;
		case SK_ICMP6_UNREACH_PORT: {
			uint8_t proto = 0;
			size_t l4 = quoted_l4(p, oip, &proto);
			if (l4 == 0)
				goto trunc;
			unsigned dport = pr_get16(p, l4 + 2);
			sk_pr_out(p, ", %s %s port %u", addr6(p, oip + 24, a),
				  proto == SK_IPPROTO_TCP ? "tcp" : "udp", dport);
			break;
		}
		default:
			sk_pr_unknown_data(p, bp, "\n\t", length);
			return;
		}
		break;
	case SK_ICMP6_PKT_TOO_BIG:
		sk_pr_out(p, ", mtu %u", pr_get32(p, bp + 4));
		break;
	case SK_ICMP6_TIME_EXCEEDED:
		if (code == SK_ICMP6_TIMXCEED_HOPLIMIT)
			sk_pr_out(p, " for %s", addr6(p, oip + 24, a));
		else if (code == SK_ICMP6_TIMXCEED_REASM)
			sk_pr_out(p, " (reassembly)");
		else
			sk_pr_out(p, ", unknown code (%u)", code);
		break;
	case SK_ICMP6_PARAM_PROB: {
		static const char *const what[] = {"erroneous", "next header", "option",
						   "incomplete header chain"};
		if (!pr_avail(p, oip + 24, 16))
			goto trunc;
		if (code < 4)
			sk_pr_out(p, ", %s - octet %u", what[code], pr_get32(p, bp + 4));
		else
			sk_pr_out(p, ", code-#%u", code);
		break;
	}
	case SK_ICMP6_ECHO_REQUEST:
	case SK_ICMP6_ECHO_REPLY: {
		unsigned id = pr_get16(p, bp + 4), seq = pr_get16(p, bp + 6);
		sk_pr_out(p, ", id %u, seq %u", id, seq);
		break;
	}
	case 130: /* MLD query: v1 is 24 bytes, v2 at least 28 */
		if (length == 24) {
			print_mld(p, bp);
		} else if (length >= 28) {
			sk_pr_out(p, " v2");
			print_mldv2_query(p, bp, length);
		} else {
			sk_pr_out(p, " unknown-version (len %u) ", length);
		}
		break;
	case 131:
	case 132:
		print_mld(p, bp);
		break;
	case SK_ICMP6_ND_RS:
		if (p->verbose && print_nd_opts(p, bp + 8, nd_resid(length, 8)) < 0)
			goto trunc;
		break;
	case SK_ICMP6_ND_RA:
		if (p->verbose) {
			unsigned hops = pr_get8(p, bp + 4), fl = pr_get8(p, bp + 5);
			unsigned life = pr_get16(p, bp + 6);
			uint32_t reach = pr_get32(p, bp + 8), retrans = pr_get32(p, bp + 12);
			sk_pr_out(p,
				  "\n\thop limit %u, Flags [%s], pref %s, router lifetime %us, "
				  "reachable time %ums, retrans timer %ums",
				  hops, bit_names(ra_flags, fl, buf, sizeof(buf)), rtpref(fl), life,
				  reach, retrans);
			if (print_nd_opts(p, bp + 16, nd_resid(length, 16)) < 0)
				goto trunc;
		}
		break;
	case SK_ICMP6_ND_NS:
		sk_pr_out(p, ", who has %s", addr6(p, bp + 8, a));
		if (p->verbose && print_nd_opts(p, bp + 24, nd_resid(length, 24)) < 0)
			goto trunc;
		break;
	case SK_ICMP6_ND_NA:
		sk_pr_out(p, ", tgt is %s", addr6(p, bp + 8, a));
		if (p->verbose) {
			sk_pr_out(p, ", Flags [%s]",
				  bit_names(na_flags, pr_get32(p, bp + 4), buf, sizeof(buf)));
			if (print_nd_opts(p, bp + 24, nd_resid(length, 24)) < 0)
				goto trunc;
		}
		break;
	case SK_ICMP6_ND_REDIRECT:
		sk_pr_out(p, ", %s", addr6(p, bp + 24, a));
		sk_pr_out(p, " to %s", addr6(p, bp + 8, a));
		if (p->verbose && print_nd_opts(p, bp + 40, nd_resid(length, 40)) < 0)
			goto trunc;
		break;
	case 141: /* inverse neighbor discovery: nothing more */
	case 142:
		break;
	case 143:
		print_mldv2_report(p, bp, length);
		break;
	case 144: /* home agent address discovery request */
	case 146: /* mobile prefix solicitation */
		sk_pr_out(p, ", id 0x%04x", pr_get16(p, bp + 4));
		break;
	case 145: /* home agent address discovery reply: the addresses */
		if (p->verbose) {
			sk_pr_out(p, ", id 0x%04x", pr_get16(p, bp + 4));
			for (size_t q = bp + 8; q < bp + length; q += 16)
				sk_pr_out(p, ", %s", addr6(p, q, a));
		}
		break;
	case 147: /* mobile prefix advertisement */
		if (p->verbose) {
			sk_pr_out(p, ", id 0x%04x", pr_get16(p, bp + 4));
			unsigned fl = pr_get16(p, bp + 6);
			if (fl & 0xc000)
				sk_pr_out(p, " ");
			if (fl & 0x8000)
				sk_pr_out(p, "M");
			if (fl & 0x4000)
				sk_pr_out(p, "O");
			if (print_nd_opts(p, bp + 8, nd_resid(length, 8)) < 0)
				goto trunc;
		}
		break;
	case 138: /* router renumbering, node information and RPL: tcpdump decodes them, */
	case 139: /* this printer gives only their name and length */
	case 140:
	case 155:
		break;
	default:
		sk_pr_out(p, ", length %u", length);
		sk_pr_unknown_data(p, bp, "\n\t", length);
		return;
	}
	if (!p->verbose)
		sk_pr_out(p, ", length %u", length);
	return;
trunc:
	print_trunc(p);
}
