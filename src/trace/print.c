/* The tcpdump-format packet printer: exactly what `tcpdump -n -S [-v] [-X]` prints for a frame. */
#include "trace/print.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "trace/print_int.h"
#include "wire/checksum.h"
#include "wire/decode.h"
#include "wire/ipv6.h"
#include "wire/wire.h"

#define MAX_SNAPLEN 262144u /* tcpdump's MAXIMUM_SNAPLEN */

enum {
	TH_FIN = 0x01,
	TH_SYN = 0x02,
	TH_RST = 0x04,
	TH_PUSH = 0x08,
	TH_ACK = 0x10,
	TH_URG = 0x20,
};

void sk_pr_out(struct pr *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(p->out, fmt, ap);
	va_end(ap);
}

_Noreturn void sk_pr_abort(struct pr *p)
{
	longjmp(p->abort, 1);
}

/* Reads a 4-byte address (aborting if it is not there) and formats it. */
static const char *fmt_ipaddr(struct pr *p, size_t off, char buf[16])
{
	uint32_t a = pr_get32(p, off);
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

/* Reads a 16-byte address (aborting if it is not there) and formats it as tcpdump does
 * (RFC 5952, as inet_ntop). */
static const char *fmt_ip6addr(struct pr *p, size_t off, char buf[SK_IPV6_ADDRSTRLEN])
{
	if (!pr_avail(p, off, 16))
		sk_pr_abort(p);
	return sk_ipv6_ntop(p->pkt + off, buf);
}

static const char *fmt_mac(const uint8_t *a, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
	return buf;
}

/* ---- hex dumps ---------------------------------------------------------------------- */

/* -X and the default dump of unknown payloads: 16 bytes a line, hex by pairs, then ASCII. */
void sk_pr_hex_ascii(struct pr *p, const char *ident, size_t off, size_t length)
{
	int truncated = 0;
	size_t cap = bytes_after(p, off);
	if (length > cap) {
		length = cap;
		truncated = 1;
	}
	for (size_t line = 0; line < length; line += 16) {
		size_t n = length - line < 16 ? length - line : 16;
		char hex[41], asc[17];
		size_t h = 0;
		for (size_t i = 0; i < n; i++) {
			uint8_t c = p->pkt[off + line + i];
			h += (size_t)snprintf(hex + h, sizeof(hex) - h, i % 2 ? "%02x" : " %02x",
					      c);
			asc[i] = c > 0x20 && c < 0x7f ? (char)c : '.';
		}
		asc[n] = '\0';
		sk_pr_out(p, "%s0x%04zx: %-40s  %s", ident, line, hex, asc);
	}
	if (truncated)
		sk_pr_abort(p);
}

/* tcpdump's hex_print(): hex only, 8 pairs a line. */
static void print_hex(struct pr *p, const char *ident, size_t off, size_t length)
{
	int truncated = 0;
	size_t cap = bytes_after(p, off);
	if (length > cap) {
		length = cap;
		truncated = 1;
	}
	size_t i = 0, oset = 0, pos = 0;
	for (size_t n = length / 2; n; n--) {
		if (i++ % 8 == 0) {
			sk_pr_out(p, "%s0x%04zx: ", ident, oset);
			oset += 16;
		}
		sk_pr_out(p, " %02x%02x", p->pkt[off + pos], p->pkt[off + pos + 1]);
		pos += 2;
	}
	if (length & 1) {
		if (i % 8 == 0)
			sk_pr_out(p, "%s0x%04zx: ", ident, oset);
		sk_pr_out(p, " %02x", p->pkt[off + pos]);
	}
	if (truncated)
		sk_pr_abort(p);
}

void sk_pr_unknown_data(struct pr *p, size_t off, const char *ident, size_t len)
{
	if (off > p->snap) {
		sk_pr_out(p,
			  "%sDissector error: print_unknown_data called with pointer past end of "
			  "packet",
			  ident);
		return;
	}
	if (bytes_after(p, off) < len)
		len = bytes_after(p, off);
	print_hex(p, ident, off, len);
}

/* tcpdump's fn_print_char(): meta and control characters made visible. */
void sk_pr_char(struct pr *p, uint8_t c)
{
	if (c & 0x80) {
		c &= 0x7f;
		sk_pr_out(p, "M-");
	}
	if (c < 0x20 || c == 0x7f) {
		c ^= 0x40;
		sk_pr_out(p, "^");
	}
	sk_pr_out(p, "%c", c);
}

/* ---- names -------------------------------------------------------------------------- */

/* The names below are the ones tcpdump 4.99 prints, so they must not be "improved". */

const struct tok sk_pr_ethertype_names[] = {
	{0x0800, "IPv4"},
	{0x8847, "MPLS unicast"},
	{0x8848, "MPLS multicast"},
	{0x86dd, "IPv6"},
	{0x8100, "802.1Q"},
	{0x9100, "802.1Q-9100"},
	{0x88a8, "802.1Q-QinQ"},
	{0x9200, "802.1Q-9200"},
	{0x88e5, "802.1AE MACsec"},
	{0x0200, "PUP"},
	{0x0806, "ARP"},
	{0x8035, "Reverse ARP"},
	{0x0600, "NS"},
	{0x0500, "Sprite"},
	{0x1000, "Trail"},
	{0x6001, "MOP DL"},
	{0x6002, "MOP RC"},
	{0x6003, "DN"},
	{0x6004, "LAT"},
	{0x6007, "SCA"},
	{0x6558, "TEB"},
	{0x8038, "Lanbridge"},
	{0x803c, "DEC DNS"},
	{0x803e, "DEC DTS"},
	{0x805b, "VEXP"},
	{0x805c, "VPROD"},
	{0x809b, "Appletalk"},
	{0x80f3, "Appletalk ARP"},
	{0x8137, "IPX"},
	{0x880b, "PPP"},
	{0x8808, "MPCP"},
	{0x8809, "Slow Protocols"},
	{0x8863, "PPPoE D"},
	{0x8864, "PPPoE S"},
	{0x888e, "EAPOL"},
	{0x8899, "Realtek protocols"},
	{0x886f, "MS NLB heartbeat"},
	{0x8870, "Jumbo"},
	{0x894f, "NSH"},
	{0x9000, "Loopback"},
	{0xfefe, "OSI"},
	{0x00fe, "GRE-OSI"},
	{0xabcd, "CFM (old)"},
	{0x8902, "CFM"},
	{0x893a, "IEEE1905.1"},
	{0x88cc, "LLDP"},
	{0x88ca, "TIPC"},
	{0x0707, "GeoNet (old)"},
	{0x8947, "GeoNet"},
	{0x1111, "CALM FAST"},
	{0x88a2, "AoE"},
	{0x88f7, "PTP"},
	{0xd28b, "Arista Vendor Specific Protocol"},
	{0, NULL},
};

const struct tok sk_pr_ipproto_names[] = {
	{0, "Options"},
	{1, "ICMP"},
	{2, "IGMP"},
	{4, "IPIP"},
	{6, "TCP"},
	{8, "EGP"},
	{9, "IGRP"},
	{17, "UDP"},
	{33, "DCCP"},
	{41, "IPv6"},
	{43, "Routing"},
	{44, "Fragment"},
	{46, "RSVP"},
	{47, "GRE"},
	{50, "ESP"},
	{51, "AH"},
	{55, "Mobile IP"},
	{58, "ICMPv6"},
	{62, "Mobile IP (old)"},
	{88, "EIGRP"},
	{89, "OSPF"},
	{103, "PIM"},
	{108, "Compressed IP"},
	{112, "VRRP"},
	{113, "PGM"},
	{132, "SCTP"},
	{135, "Mobility"},
	{143, "Ethernet"},
	{0, NULL},
};

/* ---- ARP ---------------------------------------------------------------------------- */

static const struct tok arpop_names[] = {
	{1, "Request"},		{2, "Reply"},	      {3, "Reverse Request"}, {4, "Reverse Reply"},
	{8, "Inverse Request"}, {9, "Inverse Reply"}, {10, "NACK Reply"},     {0, NULL},
};

static const struct tok arphrd_names[] = {
	{1, "Ethernet"},   {6, "TokenRing"}, {7, "ArcNet"},	 {15, "FrameRelay"}, {23, "Strip"},
	{24, "IEEE 1394"}, {19, "ATM"},	     {32, "InfiniBand"}, {0, NULL},
};

/* A hardware address of any length: Ethernet style for 6 bytes, colon-separated hex else.
 * The caller has checked the bytes are there. */
static void print_linkaddr(struct pr *p, size_t off, unsigned len)
{
	if (len == 0) {
		sk_pr_out(p, "<empty>");
		return;
	}
	for (unsigned i = 0; i < len; i++)
		sk_pr_out(p, i ? ":%02x" : "%02x", p->pkt[off + i]);
}

static void print_arp_paddr(struct pr *p, size_t off, uint16_t pro, unsigned pln)
{
	char a[16];
	if (pro != SK_ETHERTYPE_IPV4 && pro != 0x1000)
		sk_pr_out(p, "<wrong proto type>");
	else if (pln != 4)
		sk_pr_out(p, "<wrong len>");
	else
		sk_pr_out(p, "%s", fmt_ipaddr(p, off, a));
}

static void print_arp(struct pr *p, size_t ap, uint32_t length, uint32_t caplen)
{
	p->proto = "arp";
	if (!pr_avail(p, ap, 8))
		sk_pr_abort(p);
	uint16_t hrd = sk_get16(p->pkt + ap), pro = sk_get16(p->pkt + ap + 2);
	unsigned hln = p->pkt[ap + 4], pln = p->pkt[ap + 5];
	uint16_t op = sk_get16(p->pkt + ap + 6);
	size_t sha = ap + 8, spa = sha + hln, tha = spa + pln, tpa = tha + hln;
	char buf[64];

	if (!pr_avail(p, tpa, pln))
		sk_pr_abort(p);
	sk_pr_out(p, "ARP, ");
	if ((pro != SK_ETHERTYPE_IPV4 && pro != 0x1000) || pln != 4 || hln == 0 || p->verbose) {
		char pbuf[64];
		sk_pr_out(p, "%s (len %u), %s (len %u)",
			  tok_str(arphrd_names, "Unknown Hardware (%u)", hrd, buf, sizeof(buf)),
			  hln,
			  tok_str(sk_pr_ethertype_names, "Unknown Protocol (0x%04x)", pro, pbuf,
				  sizeof(pbuf)),
			  pln);
		if (!p->verbose) {
			sk_pr_out(p, ", length %u", length);
			return;
		}
	}
	sk_pr_out(p, "%s%s ", p->verbose ? ", " : "",
		  tok_str(arpop_names, "Unknown (%u)", op, buf, sizeof(buf)));
	switch (op) {
	case 1:
		sk_pr_out(p, "who-has ");
		print_arp_paddr(p, tpa, pro, pln);
		for (unsigned i = 0; i < hln; i++) {
			if (p->pkt[tha + i]) {
				sk_pr_out(p, " (");
				print_linkaddr(p, tha, hln);
				sk_pr_out(p, ")");
				break;
			}
		}
		sk_pr_out(p, " tell ");
		print_arp_paddr(p, spa, pro, pln);
		break;
	case 2:
		print_arp_paddr(p, spa, pro, pln);
		sk_pr_out(p, " is-at ");
		print_linkaddr(p, sha, hln);
		break;
	case 3:
	case 8:
		sk_pr_out(p, "who-is ");
		print_linkaddr(p, tha, hln);
		sk_pr_out(p, " tell ");
		print_linkaddr(p, sha, hln);
		break;
	case 4:
		print_linkaddr(p, tha, hln);
		sk_pr_out(p, " at ");
		print_arp_paddr(p, tpa, pro, pln);
		break;
	case 9:
		print_linkaddr(p, sha, hln);
		sk_pr_out(p, " at ");
		print_arp_paddr(p, spa, pro, pln);
		break;
	default:
		/* tcpdump dumps unknown operations even under -X, where its other default
		 * dumps are suppressed. */
		sk_pr_hex_ascii(p, "\n\t", ap, caplen);
		return;
	}
	sk_pr_out(p, ", length %u", length);
}

/* ---- TCP ---------------------------------------------------------------------------- */

static const struct tok tcpopt_names[] = {
	{0, "eol"},	{1, "nop"},    {2, "mss"},	 {3, "wscale"}, {4, "sackOK"},
	{5, "sack"},	{6, "echo"},   {7, "echoreply"}, {8, "TS"},	{11, "cc"},
	{12, "ccnew"},	{13, ""},      {19, "md5"},	 {20, "scps"},	{28, "uto"},
	{29, "tcp-ao"}, {30, "mptcp"}, {34, "tfo"},	 {254, "exp"},	{0, NULL},
};

static void print_tfo(struct pr *p, size_t cp, unsigned datalen, int exp)
{
	if (exp)
		sk_pr_out(p, "tfo");
	if (datalen == 0) {
		sk_pr_out(p, " cookiereq");
	} else if (datalen % 2 != 0 || datalen < 4 || datalen > 16) {
		print_invalid(p);
	} else {
		sk_pr_out(p, " cookie ");
		for (unsigned i = 0; i < datalen; i++)
			sk_pr_out(p, "%02x", pr_get8(p, cp + i));
	}
}

/* RFC 8684 option bodies; returns 0 when the option does not parse (tcpdump: [bad opt]). */

/* One MPTCP DSS number (the data ack or the data sequence number), 8 bytes when wide, else
 * 4, printed after its label; returns 0 if the option is too short for it. */
static int print_dss_number(struct pr *p, const char *label, int wide, size_t *o, unsigned *left)
{
	unsigned n = wide ? 8 : 4;
	sk_pr_out(p, "%s", label);
	if (*left < n)
		return 0;
	if (wide)
		sk_pr_out(p, "%" PRIu64, pr_get64(p, *o));
	else
		sk_pr_out(p, "%u", pr_get32(p, *o));
	*o += n;
	*left -= n;
	return 1;
}

static int print_mptcp(struct pr *p, size_t opt, unsigned len, uint8_t flags)
{
	static const char *const names[] = {"capable", "join", "dss",	     "add-addr", "rem-addr",
					    "prio",    "fail", "fast-close", "unknown"};
	char a[SK_IPV6_ADDRSTRLEN];

	p->proto = "mptcp";
	if (len < 3)
		return 0;
	unsigned sub = pr_get8(p, opt + 2) >> 4;
	if (sub > 8)
		sub = 8;
	sk_pr_out(p, " %u %s", len, names[sub]);

	switch (sub) {
	case 0: { /* MP_CAPABLE */
		int syn = (flags & TH_SYN) != 0;
		if (!((len == 12 || len == 4) && syn) &&
		    !((len == 20 || len == 22) && (flags & (TH_SYN | TH_ACK)) == TH_ACK))
			return 0;
		unsigned version = pr_get8(p, opt + 2) & 0xf;
		if (version > 1) {
			sk_pr_out(p, " Unknown Version (%u)", version);
			return 1;
		}
		sk_pr_out(p, " v%u", version);
		if (pr_get8(p, opt + 3) & 0x80)
			sk_pr_out(p, " csum");
		if (len == 12 || len >= 20) {
			sk_pr_out(p, " {0x%" PRIx64, pr_get64(p, opt + 4));
			if (len >= 20)
				sk_pr_out(p, ",0x%" PRIx64, pr_get64(p, opt + 12));
			sk_pr_out(p, "}");
		}
		return 1;
	}
	case 1: /* MP_JOIN */
		if (!(len == 12 && (flags & TH_SYN)) &&
		    !(len == 16 && (flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) &&
		    !(len == 24 && (flags & TH_ACK)))
			return 0;
		if (len != 24) {
			if (pr_get8(p, opt + 2) & 1)
				sk_pr_out(p, " backup");
			sk_pr_out(p, " id %u", pr_get8(p, opt + 3));
		}
		if (len == 12) {
			uint32_t token = pr_get32(p, opt + 4), nonce = pr_get32(p, opt + 8);
			sk_pr_out(p, " token 0x%x nonce 0x%x", token, nonce);
		} else if (len == 16) {
			uint64_t mac = pr_get64(p, opt + 4);
			uint32_t nonce = pr_get32(p, opt + 12);
			sk_pr_out(p, " hmac 0x%" PRIx64 " nonce 0x%x", mac, nonce);
		} else {
			sk_pr_out(p, " hmac 0x");
			for (unsigned i = 0; i < 20; i++)
				sk_pr_out(p, "%02x", pr_get8(p, opt + 4 + i));
		}
		return 1;
	case 2: { /* DSS */
		if (len < 4 || (flags & TH_SYN))
			return 0;
		uint8_t f = pr_get8(p, opt + 3);
		if (f & 0x10)
			sk_pr_out(p, " fin");
		size_t o = opt + 4;
		unsigned left = len - 4;
		if ((f & 0x01) && !print_dss_number(p, " ack ", f & 0x02, &o, &left))
			return 0;
		if (f & 0x04) {
			if (!print_dss_number(p, " seq ", f & 0x08, &o, &left))
				return 0;
			if (left < 4)
				return 0;
			sk_pr_out(p, " subseq %u", pr_get32(p, o));
			o += 4;
			left -= 4;
			if (left < 2)
				return 0;
			sk_pr_out(p, " len %u", pr_get16(p, o));
			o += 2;
			left -= 2;
			if (left >= 2) {
				sk_pr_out(p, " csum 0x%x", pr_get16(p, o));
				left -= 2;
			}
		}
		return left == 0;
	}
	case 3: { /* ADD_ADDR */
		static const struct tok echo[] = {
			{0x6, "v0-ip6"}, {0x4, "v0-ip4"}, {0x1, "v1-echo"}, {0x0, "v1"}, {0, NULL}};
		if (!(len == 8 || len == 10 || len == 16 || len == 18 || len == 20 || len == 22 ||
		      len == 28 || len == 30))
			return 0;
		const char *e = tok_name(echo, pr_get8(p, opt + 2) & 0xf);
		sk_pr_out(p, " %s", e ? e : "[bad version/echo]");
		sk_pr_out(p, " id %u", pr_get8(p, opt + 3));
		if (len == 8 || len == 10 || len == 16 || len == 18) {
			sk_pr_out(p, " %s", fmt_ipaddr(p, opt + 4, a));
			if (len == 10 || len == 18)
				sk_pr_out(p, ":%u", pr_get16(p, opt + 8));
			if (len == 16)
				sk_pr_out(p, " hmac 0x%" PRIx64, pr_get64(p, opt + 8));
			if (len == 18)
				sk_pr_out(p, " hmac 0x%" PRIx64, pr_get64(p, opt + 10));
		} else {
			sk_pr_out(p, " %s", fmt_ip6addr(p, opt + 4, a));
			if (len == 22 || len == 30)
				sk_pr_out(p, ":%u", pr_get16(p, opt + 20));
			if (len == 28)
				sk_pr_out(p, " hmac 0x%" PRIx64, pr_get64(p, opt + 20));
			if (len == 30)
				sk_pr_out(p, " hmac 0x%" PRIx64, pr_get64(p, opt + 22));
		}
		return 1;
	}
	case 4: /* REMOVE_ADDR */
		if (len < 4)
			return 0;
		sk_pr_out(p, " id");
		for (unsigned i = 0; i < len - 3; i++)
			sk_pr_out(p, " %u", pr_get8(p, opt + 3 + i));
		return 1;
	case 5: /* MP_PRIO */
		if (len != 3 && len != 4)
			return 0;
		sk_pr_out(p, (pr_get8(p, opt + 2) & 1) ? " backup" : " non-backup");
		if (len == 4)
			sk_pr_out(p, " id %u", pr_get8(p, opt + 3));
		return 1;
	case 6: /* MP_FAIL */
		if (len != 12)
			return 0;
		sk_pr_out(p, " seq %" PRIu64, pr_get64(p, opt + 4));
		return 1;
	case 7: /* MP_FASTCLOSE */
		if (len != 12)
			return 0;
		sk_pr_out(p, " key 0x%" PRIx64, pr_get64(p, opt + 4));
		return 1;
	default:
		return 1;
	}
}

struct tcp_seg {
	size_t tp;	  /* TCP header */
	unsigned hlen;	  /* header length from the data offset */
	uint32_t datalen; /* payload length (IP length minus headers) */
	uint8_t flags;
};

/* Returns 0 when the option list ended the line ([bad opt] or a truncation), 1 to go on. */
static int print_tcp_options(struct pr *p, const struct tcp_seg *s)
{
	size_t cp = s->tp + 20;
	unsigned left = s->hlen - 20;
	char ch = '\0';
	char buf[32];

	sk_pr_out(p, ", options [");
	while (left > 0) {
		unsigned opt, len, datalen = 0;
		if (ch)
			sk_pr_out(p, "%c", ch);
		opt = pr_get8(p, cp++);
		if (opt == 0 || opt == 1) {
			len = 1;
		} else {
			len = pr_get8(p, cp++);
			if (len < 2 || len > left)
				goto bad;
			--left;
		}
		--left;
		sk_pr_out(p, "%s", tok_str(tcpopt_names, "unknown-%u", opt, buf, sizeof(buf)));

/* tcpdump's LENCHECK: l more bytes must be inside the option area and captured. */
#define NEED(l)                                                                                    \
	do {                                                                                       \
		if ((l) > left)                                                                    \
			goto bad;                                                                  \
		if (!pr_avail(p, cp, (l)))                                                         \
			goto trunc;                                                                \
	} while (0)

		switch (opt) {
		case 2:
			datalen = 2;
			NEED(datalen);
			sk_pr_out(p, " %u", pr_get16(p, cp));
			break;
		case 3:
			datalen = 1;
			NEED(datalen);
			sk_pr_out(p, " %u", pr_get8(p, cp));
			break;
		case 5:
			datalen = len - 2;
			if (datalen % 8 != 0) {
				sk_pr_out(p, " invalid sack");
			} else {
				sk_pr_out(p, " %u ", datalen / 8);
				for (unsigned i = 0; i < datalen; i += 8) {
					NEED(i + 4);
					uint32_t l = pr_get32(p, cp + i);
					NEED(i + 8);
					uint32_t r = pr_get32(p, cp + i + 4);
					sk_pr_out(p, "{%u:%u}", l, r);
				}
			}
			break;
		case 6:
		case 7:
		case 11:
		case 12:
		case 13:
			datalen = 4;
			NEED(datalen);
			sk_pr_out(p, " %u", pr_get32(p, cp));
			break;
		case 8:
			datalen = 8;
			NEED(datalen);
			sk_pr_out(p, " val %u ecr %u", pr_get32(p, cp), pr_get32(p, cp + 4));
			break;
		case 19:
			datalen = 16;
			NEED(datalen);
			/* tcpdump (with libcrypto) cannot check without a secret: it says why. */
			if (!pr_avail(p, s->tp + s->hlen, s->datalen))
				sk_pr_out(p, " snaplen too short, ");
			else
				sk_pr_out(p, " shared secret not supplied with -M, ");
			sk_pr_out(p, "can't check - ");
			for (unsigned i = 0; i < 16; i++)
				sk_pr_out(p, "%02x", pr_get8(p, cp + i));
			break;
		case 20:
			datalen = 2;
			NEED(datalen);
			sk_pr_out(p, " cap %02x id %u", pr_get8(p, cp), pr_get8(p, cp + 1));
			break;
		case 29:
			datalen = len - 2;
			if (datalen < 2) {
				print_invalid(p);
			} else {
				NEED(1);
				sk_pr_out(p, " keyid %u", pr_get8(p, cp));
				NEED(2);
				sk_pr_out(p, " rnextkeyid %u", pr_get8(p, cp + 1));
				if (datalen > 2) {
					sk_pr_out(p, " mac 0x");
					for (unsigned i = 2; i < datalen; i++) {
						NEED(i + 1);
						sk_pr_out(p, "%02x", pr_get8(p, cp + i));
					}
				}
			}
			break;
		case 0:
		case 1:
		case 4:
			break;
		case 28: {
			datalen = 2;
			NEED(datalen);
			unsigned v = pr_get16(p, cp);
			sk_pr_out(p, " 0x%x", v);
			v = (v & 1) ? (v >> 1) * 60 : v >> 1;
			sk_pr_out(p, " %u", v);
			break;
		}
		case 30: {
			datalen = len - 2;
			NEED(datalen);
			size_t saved = push_snap(p, cp - 2 + len);
			int ok = print_mptcp(p, cp - 2, len, s->flags);
			p->snap = saved;
			if (!ok)
				goto bad;
			break;
		}
		case 34:
			datalen = len - 2;
			NEED(datalen);
			sk_pr_out(p, " ");
			print_tfo(p, cp, datalen, 0);
			break;
		case 254:
			datalen = len - 2;
			NEED(datalen);
			if (datalen < 2)
				goto bad;
			sk_pr_out(p, "-");
			if (pr_get16(p, cp) == 0xf989)
				print_tfo(p, cp + 2, datalen - 2, 1);
			else
				sk_pr_out(p, "%04x", pr_get16(p, cp));
			break;
		default:
			datalen = len - 2;
			if (datalen)
				sk_pr_out(p, " 0x");
			for (unsigned i = 0; i < datalen; i++) {
				NEED(i + 1);
				sk_pr_out(p, "%02x", pr_get8(p, cp + i));
			}
			break;
		}
#undef NEED
		/* Like tcpdump, step over what was printed, not over the stated length: a
		 * wrong length shows as [len N] and the walk goes on from there. */
		cp += datalen;
		left -= datalen;
		datalen += (opt == 0 || opt == 1) ? 1 : 2;
		if (datalen != len)
			sk_pr_out(p, "[len %u]", len);
		ch = ',';
		if (opt == 0)
			break;
	}
	sk_pr_out(p, "]");
	return 1;
bad:
	sk_pr_out(p, "[bad opt]");
	if (ch)
		sk_pr_out(p, "]");
	return 0;
trunc:
	/* tcpdump 4.99 ends a list the capture cut short with '>', not ']'. */
	print_trunc(p);
	if (ch)
		sk_pr_out(p, ">");
	return 0;
}

/* The pseudo-header destination: the last hop of a source route if the header has one. */
static uint32_t ip_final_dst(struct pr *p, size_t ip)
{
	unsigned hlen = (pr_get8(p, ip) & 0xf) * 4u;
	size_t cp = ip + 20;
	unsigned left = hlen > 20 ? hlen - 20 : 0, len;

	for (; left != 0; cp += len, left -= len) {
		unsigned tt = pr_get8(p, cp);
		if (tt == 0)
			break;
		if (tt == 1) {
			len = 1;
		} else {
			len = pr_get8(p, cp + 1);
			if (len < 2)
				break;
		}
		if (left < len || !pr_avail(p, cp, len))
			break;
		if ((tt == 131 || tt == 137) && len >= 7)
			return pr_get32(p, cp + len - 4);
	}
	return pr_get32(p, ip + 16);
}

uint16_t sk_pr_l4_csum(struct pr *p, size_t ip, size_t l4, uint32_t len, uint8_t proto)
{
	uint32_t sum;
	if (pr_get8(p, ip) >> 4 == 6) {
		/* The IPv6 pseudo-header's destination is the final one of a routing header. */
		size_t dst = sk_pr_ip6_final_dst(p, ip);
		sum = sk_csum_pseudo6(p->pkt + ip + 8, p->pkt + dst, proto, len);
	} else {
		uint32_t src = pr_get32(p, ip + 12);
		uint32_t dst =
			(pr_get8(p, ip) & 0xf) == 5 ? pr_get32(p, ip + 16) : ip_final_dst(p, ip);
		sum = sk_csum_pseudo4(src, dst, proto, (uint16_t)len);
	}
	return sk_csum_fold(sk_csum_add(sum, p->pkt + l4, len));
}

/* The addresses of the IPv4 or IPv6 header at ip, read (or the packet aborted) before
 * anything is printed, as tcpdump evaluates them. */
static void ip_addr_strs(struct pr *p, size_t ip, char src[SK_IPV6_ADDRSTRLEN],
			 char dst[SK_IPV6_ADDRSTRLEN])
{
	if (pr_get8(p, ip) >> 4 == 6) {
		fmt_ip6addr(p, ip + 8, src);
		fmt_ip6addr(p, ip + 24, dst);
	} else {
		fmt_ipaddr(p, ip + 12, src);
		fmt_ipaddr(p, ip + 16, dst);
	}
}

void sk_pr_addrs(struct pr *p, size_t ip, int sport, int dport)
{
	char src[SK_IPV6_ADDRSTRLEN], dst[SK_IPV6_ADDRSTRLEN];
	ip_addr_strs(p, ip, src, dst);
	if (sport < 0)
		sk_pr_out(p, "%s > %s: ", src, dst);
	else
		sk_pr_out(p, "%s.%d > %s.%d: ", src, sport, dst, dport);
}

/* The protocol field of the IP header itself: IPv4's, or the next header of IPv6's fixed
 * header (which names an extension header when there is one). */
static uint8_t ip_own_proto(struct pr *p, size_t ip)
{
	return pr_get8(p, ip) >> 4 == 6 ? pr_get8(p, ip + 6) : pr_get8(p, ip + 9);
}

/* What tcpdump prints before a TCP or UDP header: with the addresses when the IP header
 * names the transport itself, only the ports after IPv6 extension headers (which the IPv6
 * printer has shown after the addresses). sport < 0 when the ports were not captured: the
 * addresses or nothing. */
static void print_l4_addrs(struct pr *p, size_t ip, uint8_t proto, int sport, int dport)
{
	if (ip_own_proto(p, ip) == proto)
		sk_pr_addrs(p, ip, sport, dport);
	else if (sport >= 0)
		sk_pr_out(p, "%d > %d: ", sport, dport);
}

static void print_rst_data(struct pr *p, size_t data, uint32_t length)
{
	sk_pr_out(p, pr_avail(p, data, length) ? " [RST" : " [!RST");
	if (length > 30) {
		length = 30;
		sk_pr_out(p, "+");
	}
	sk_pr_out(p, " ");
	for (; length && data < p->snap; length--)
		sk_pr_char(p, pr_get8(p, data++));
	sk_pr_out(p, "]");
}

void sk_pr_tcp(struct pr *p, size_t tp, uint32_t length, size_t ip, int fragmented)
{
	static const char flag_letters[] = "FSRP.UEW";

	p->proto = "tcp";
	if (!pr_avail(p, tp + 2, 2)) {
		char src[SK_IPV6_ADDRSTRLEN], dst[SK_IPV6_ADDRSTRLEN];
		ip_addr_strs(p, ip, src, dst);
		sk_pr_out(p, "%s > %s:", src, dst);
		print_trunc(p);
		return;
	}
	uint16_t sport = pr_get16(p, tp), dport = pr_get16(p, tp + 2);
	print_l4_addrs(p, ip, SK_IPPROTO_TCP, sport, dport);

	if (!pr_avail(p, tp, 20)) {
		print_trunc(p);
		return;
	}
	unsigned hlen = (p->pkt[tp + 12] >> 4) * 4u;
	if (hlen < 20) {
		/* length - hlen wraps for tiny segments, in tcpdump too */
		sk_pr_out(p, " tcp %u [bad hdr length %u - too short, < 20]", length - hlen, hlen);
		return;
	}
	uint32_t seq = pr_get32(p, tp + 4), ack = pr_get32(p, tp + 8);
	uint16_t win = pr_get16(p, tp + 14), urp = pr_get16(p, tp + 18);
	uint8_t flags = p->pkt[tp + 13];

	/* One letter per bit from the lowest up; the reserved bits above the eight flags
	 * (AE included) are never shown, and a bare ACK is "[.]" whatever else was meant. */
	char fl[9];
	size_t n = 0;
	for (int i = 0; i < 8; i++)
		if (flags & (1u << i))
			fl[n++] = flag_letters[i];
	fl[n] = '\0';
	sk_pr_out(p, "Flags [%s]", n ? fl : "none");

	if (hlen > length) {
		sk_pr_out(p, " [bad hdr length %u - too long, > %u]", hlen, length);
		return;
	}
	if (p->verbose && !fragmented && pr_avail(p, tp, length)) {
		uint16_t sum = sk_pr_l4_csum(p, ip, tp, length, SK_IPPROTO_TCP);
		uint16_t field = pr_get16(p, tp + 16);
		sk_pr_out(p, ", cksum 0x%04x", field);
		if (sum != 0)
			sk_pr_out(p, " (incorrect -> 0x%04x)", csum_shouldbe(field, sum));
		else
			sk_pr_out(p, " (correct)");
	}

	length -= hlen;
	if (length > 0 || (flags & (TH_SYN | TH_FIN | TH_RST))) {
		sk_pr_out(p, ", seq %u", seq);
		if (length > 0)
			sk_pr_out(p, ":%u", seq + length);
	}
	if (flags & TH_ACK)
		sk_pr_out(p, ", ack %u", ack);
	sk_pr_out(p, ", win %u", win);
	if (flags & TH_URG)
		sk_pr_out(p, ", urg %u", urp);
	if (hlen > 20) {
		struct tcp_seg s = {.tp = tp, .hlen = hlen, .datalen = length, .flags = flags};
		if (!print_tcp_options(p, &s))
			return;
	}
	sk_pr_out(p, ", length %u", length);
	if (length == 0)
		return;
	if (!pr_avail(p, tp, hlen)) {
		sk_pr_out(p, " [remaining caplen(%zu) < header length(%u)]", bytes_after(p, tp),
			  hlen);
		sk_pr_abort(p);
	}
	/* Payloads are not decoded; only tcpdump -v's RST text is shown. */
	if ((flags & TH_RST) && p->verbose)
		print_rst_data(p, tp + hlen, length);
}

/* ---- UDP ---------------------------------------------------------------------------- */

void sk_pr_udp(struct pr *p, size_t up, uint32_t length, size_t ip, int fragmented)
{
	p->proto = "udp";
	if (!pr_avail(p, up + 2, 2)) {
		print_l4_addrs(p, ip, SK_IPPROTO_UDP, -1, -1);
		print_trunc(p);
		return;
	}
	uint16_t sport = pr_get16(p, up), dport = pr_get16(p, up + 2);
	if (length < 8) {
		print_l4_addrs(p, ip, SK_IPPROTO_UDP, sport, dport);
		sk_pr_out(p, "truncated-udp %u", length);
		return;
	}
	if (!pr_avail(p, up + 4, 2)) {
		print_l4_addrs(p, ip, SK_IPPROTO_UDP, sport, dport);
		print_trunc(p);
		return;
	}
	uint32_t ulen = pr_get16(p, up + 4);
	if (ulen == 0 && length > 65535) /* an IPv6 jumbogram (RFC 2675) */
		ulen = length;
	if (ulen < 8) {
		print_l4_addrs(p, ip, SK_IPPROTO_UDP, sport, dport);
		sk_pr_out(p, "truncated-udplength %u", ulen);
		return;
	}
	ulen -= 8;
	length -= 8;
	if (ulen < length)
		length = ulen;
	print_l4_addrs(p, ip, SK_IPPROTO_UDP, sport, dport);
	if (up + 8 > p->snap) {
		print_trunc(p);
		return;
	}
	/* tcpdump verifies the checksum with -v over IPv6 only (over IPv4 with -vv). */
	if (p->verbose && !fragmented && pr_get8(p, ip) >> 4 == 6 && pr_avail(p, up + 8, length)) {
		uint16_t sum = sk_pr_l4_csum(p, ip, up, length + 8, SK_IPPROTO_UDP);
		uint16_t field = pr_get16(p, up + 6);
		if (sum != 0)
			sk_pr_out(p, "[bad udp cksum 0x%04x -> 0x%04x!] ", field,
				  csum_shouldbe(field, sum));
		else
			sk_pr_out(p, "[udp sum ok] ");
	}
	/* Payloads are not decoded (tcpdump would for its well-known ports). */
	if (ulen > length && !fragmented)
		sk_pr_out(p, "UDP, bad length %u > %u", ulen, length);
	else
		sk_pr_out(p, "UDP, length %u", ulen);
}

/* ---- ICMP --------------------------------------------------------------------------- */

/* tcpdump formats the ICMP summary into a buffer of MAXHOSTNAMELEN + 100 bytes first;
 * a long router advertisement is cut at that size. */
#define ICMP_BUF 164

struct sbuf {
	char s[ICMP_BUF];
	size_t n;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->n >= sizeof(b->s) - 1)
		return;
	va_start(ap, fmt);
	int r = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		b->n += (size_t)r < sizeof(b->s) - b->n ? (size_t)r : sizeof(b->s) - 1 - b->n;
}

static const char *fmt_icmp_ts(uint32_t t, char buf[32])
{
	unsigned ms = t % 1000, sec = t / 1000, min = sec / 60, hrs;
	sec -= min * 60;
	hrs = min / 60;
	min -= hrs * 60;
	snprintf(buf, 32, "%02u:%02u:%02u.%03u", hrs, min, sec, ms);
	return buf;
}

/* Fills b with the summary; returns 0 if a bounds test failed (tcpdump's goto trunc). */
static int icmp_summary(struct pr *p, size_t bp, uint8_t type, uint8_t code, struct sbuf *b)
{
	static const struct tok unreach[] = {
		{0, "net %s unreachable"},
		{1, "host %s unreachable"},
		{5, "%s unreachable - source route failed"},
		{6, "net %s unreachable - unknown"},
		{7, "host %s unreachable - unknown"},
		{8, "%s unreachable - source host isolated"},
		{9, "net %s unreachable - admin prohibited"},
		{10, "host %s unreachable - admin prohibited"},
		{11, "net %s unreachable - tos prohibited"},
		{12, "host %s unreachable - tos prohibited"},
		{13, "host %s unreachable - admin prohibited filter"},
		{14, "host %s unreachable - host precedence violation"},
		{15, "host %s unreachable - precedence cutoff"},
		{0, NULL},
	};
	static const struct tok redirect[] = {
		{0, "redirect %s to net %s"},
		{1, "redirect %s to host %s"},
		{2, "redirect-tos %s to net %s"},
		{3, "redirect-tos %s to host %s"},
		{0, NULL},
	};
	static const struct tok names[] = {
		{0, "echo reply"},
		{4, "source quench"},
		{8, "echo request"},
		{10, "router solicitation"},
		{13, "time stamp request"},
		{14, "time stamp reply"},
		{15, "information request"},
		{16, "information reply"},
		{17, "address mask request"},
		{0, NULL},
	};
	char a[16], g[16];

	switch (type) {
	case 0:
	case 8: {
		uint16_t id = pr_get16(p, bp + 4), seq = pr_get16(p, bp + 6);
		sb_add(b, "echo %s, id %u, seq %u", type == 8 ? "request" : "reply", id, seq);
		break;
	}
	case 3:
		if (code == 2) {
			fmt_ipaddr(p, bp + 24, a);
			sb_add(b, "%s protocol %u unreachable", a, pr_get8(p, bp + 17));
		} else if (code == 3) {
			if (!pr_avail(p, bp + 17, 1))
				return 0;
			unsigned hlen = (pr_get8(p, bp + 8) & 0xf) * 4u;
			uint16_t dport = pr_get16(p, bp + 8 + hlen + 2);
			uint8_t proto = pr_get8(p, bp + 17);
			fmt_ipaddr(p, bp + 24, a);
			if (proto == SK_IPPROTO_TCP)
				sb_add(b, "%s tcp port %u unreachable", a, dport);
			else if (proto == SK_IPPROTO_UDP)
				sb_add(b, "%s udp port %u unreachable", a, dport);
			else
				sb_add(b, "%s protocol %u port %u unreachable", a, proto, dport);
		} else if (code == 4) {
			uint16_t mtu = pr_get16(p, bp + 6);
			fmt_ipaddr(p, bp + 24, a);
			if (mtu)
				sb_add(b, "%s unreachable - need to frag (mtu %u)", a, mtu);
			else
				sb_add(b, "%s unreachable - need to frag", a);
		} else {
			const char *fmt = tok_name(unreach, code);
			fmt_ipaddr(p, bp + 24, a);
			if (fmt)
				sb_add(b, fmt, a);
			else
				sb_add(b, "%s unreachable - #%u", a, code);
		}
		break;
	case 5: {
		const char *fmt = tok_name(redirect, code);
		fmt_ipaddr(p, bp + 24, a);
		fmt_ipaddr(p, bp + 4, g);
		if (fmt)
			sb_add(b, fmt, a, g);
		else
			sb_add(b, "redirect-#%u %s to %s", code, a, g);
		break;
	}
	case 9: {
		sb_add(b, "router advertisement");
		if (!pr_avail(p, bp + 4, 4))
			return 0;
		sb_add(b, " lifetime ");
		unsigned life = pr_get16(p, bp + 6);
		if (life < 60)
			sb_add(b, "%u", life);
		else if (life < 3600)
			sb_add(b, "%u:%02u", life / 60, life % 60);
		else
			sb_add(b, "%u:%02u:%02u", life / 3600, (life % 3600) / 60, life % 60);
		unsigned num = pr_get8(p, bp + 4);
		sb_add(b, " %u:", num);
		unsigned size = pr_get8(p, bp + 5);
		if (size != 2) {
			sb_add(b, " [size %u]", size);
			break;
		}
		for (size_t e = bp + 8; num > 0; num--, e += 8) {
			if (!pr_avail(p, e, 8))
				return 0;
			fmt_ipaddr(p, e, a);
			sb_add(b, " {%s %u}", a, pr_get32(p, e + 4));
		}
		break;
	}
	case 11:
		if (!pr_avail(p, bp + 24, 4))
			return 0;
		if (code == 0)
			sb_add(b, "time exceeded in-transit");
		else if (code == 1)
			sb_add(b, "ip reassembly time exceeded");
		else
			sb_add(b, "time exceeded-#%u", code);
		break;
	case 12:
		if (code)
			sb_add(b, "parameter problem - code %u", code);
		else
			sb_add(b, "parameter problem - octet %u", pr_get8(p, bp + 4));
		break;
	case 18:
		sb_add(b, "address mask is 0x%08x", pr_get32(p, bp + 8));
		break;
	case 13: {
		uint16_t id = pr_get16(p, bp + 4), seq = pr_get16(p, bp + 6);
		sb_add(b, "time stamp query id %u seq %u", id, seq);
		break;
	}
	case 14: {
		char t1[32], t2[32], t3[32];
		if (!pr_avail(p, bp + 16, 4))
			return 0;
		uint16_t id = pr_get16(p, bp + 4), seq = pr_get16(p, bp + 6);
		fmt_icmp_ts(pr_get32(p, bp + 8), t1);
		fmt_icmp_ts(pr_get32(p, bp + 12), t2);
		fmt_icmp_ts(pr_get32(p, bp + 16), t3);
		sb_add(b, "time stamp reply id %u seq %u: org %s", id, seq, t1);
		sb_add(b, ", recv %s", t2);
		sb_add(b, ", xmit %s", t3);
		break;
	}
	default: {
		const char *s = tok_name(names, type);
		if (s)
			sb_add(b, "%s", s);
		else
			sb_add(b, "type-#%u", type);
		break;
	}
	}
	return 1;
}

/* RFC 4884 extension objects after the quoted datagram (tcpdump -v). */
static void print_icmp_ext(struct pr *p, size_t bp, uint32_t plen)
{
	size_t ext = bp + 136;
	if (!pr_avail(p, bp, 141)) {
		print_trunc(p);
		return;
	}
	if (p->pkt[bp + 5] == 0 && pr_avail(p, ext, plen - 136) &&
	    sk_csum(p->pkt + ext, plen - 136) != 0)
		return;
	unsigned version = p->pkt[ext] >> 4;
	sk_pr_out(p, "\n\tICMP Multi-Part extension v%u", version);
	if (version != 2) {
		sk_pr_out(p, " packet not supported");
		return;
	}
	uint32_t hlen = plen - 136;
	if (pr_avail(p, ext, hlen))
		sk_pr_out(p, ", checksum 0x%04x (%scorrect), length %u", pr_get16(p, ext + 2),
			  sk_csum(p->pkt + ext, hlen) ? "in" : "", hlen);
	hlen -= 4;
	size_t obj = ext + 4;
	while (hlen > 4) {
		static const struct tok classes[] = {
			{1, "MPLS Stack Entry"}, {2, "Interface Identification"}, {0, NULL}};
		if (!pr_avail(p, obj, 4)) {
			print_trunc(p);
			return;
		}
		unsigned tlen = pr_get16(p, obj), cls = pr_get8(p, obj + 2),
			 ctype = pr_get8(p, obj + 3);
		obj += 4;
		const char *name = tok_name(classes, cls);
		sk_pr_out(p, "\n\t  %s Object (%u), Class-Type: %u, length %u",
			  name ? name : "unknown", cls, ctype, tlen);
		hlen -= 4;
		if (cls == 0 || tlen < 4)
			return;
		tlen -= 4;
		if (cls == 1 && ctype == 1) {
			uint32_t raw = pr_get32(p, obj);
			sk_pr_out(p, "\n\t    label %u, tc %u", raw >> 12, (raw >> 9) & 7);
			if (raw & 0x100)
				sk_pr_out(p, ", [S]");
			sk_pr_out(p, ", ttl %u", raw & 0xff);
		} else {
			sk_pr_unknown_data(p, obj, "\n\t    ", tlen);
		}
		if (hlen < tlen)
			break;
		hlen -= tlen;
		obj += tlen;
	}
}

static void print_icmp(struct pr *p, size_t bp, uint32_t plen, int fragmented)
{
	struct sbuf b = {.n = 0};
	b.s[0] = '\0';

	p->proto = "icmp";
	uint8_t type = pr_get8(p, bp), code = pr_get8(p, bp + 1);
	if (!icmp_summary(p, bp, type, code, &b)) {
		print_trunc(p);
		return;
	}
	sk_pr_out(p, "ICMP %s, length %u", b.s, plen);
	if (p->verbose && !fragmented && pr_avail(p, bp, plen)) {
		uint16_t sum = sk_csum(p->pkt + bp, plen);
		if (sum != 0) {
			uint16_t field = pr_get16(p, bp + 2);
			sk_pr_out(p, " (wrong icmp cksum %x (->%x)!)", field,
				  csum_shouldbe(field, sum));
		}
	}
	int is_error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
	if (p->verbose && is_error) {
		size_t inner = bp + 8;
		sk_pr_out(p, "\n\t");
		uint16_t ilen = pr_get16(p, inner + 2);
		size_t saved = push_snap(p, inner + ilen);
		sk_pr_ip(p, inner, pr_get16(p, inner + 2));
		p->snap = saved;
	}
	p->proto = "icmp";
	if (p->verbose && plen > 136 && (type == 3 || type == 11 || type == 12))
		print_icmp_ext(p, bp, plen);
}

/* ---- IPv4 --------------------------------------------------------------------------- */

static const struct tok ipopt_names[] = {
	{0, "EOL"},    {1, "NOP"},    {68, "timestamp"}, {130, "security"},  {7, "RR"},
	{137, "SSRR"}, {131, "LSRR"}, {148, "RA"},	 {82, "traceroute"}, {0, NULL},
};

/* Record route and source routes; -1 if truncated. */
static int print_ipopt_route(struct pr *p, size_t cp, unsigned length)
{
	char a[16];
	if (length < 3) {
		sk_pr_out(p, " [bad length %u]", length);
		return 0;
	}
	if ((length + 1) & 3)
		sk_pr_out(p, " [bad length %u]", length);
	unsigned ptr = pr_get8(p, cp + 2) - 1u;
	if (ptr < 3 || ((ptr + 1) & 3) || ptr > length + 1)
		sk_pr_out(p, " [bad ptr %u]", pr_get8(p, cp + 2));
	for (unsigned len = 3; len < length; len += 4) {
		if (!pr_avail(p, cp + len, 4))
			return -1;
		sk_pr_out(p, " %s", fmt_ipaddr(p, cp + len, a));
		if (ptr > len)
			sk_pr_out(p, ",");
	}
	return 0;
}

static int print_ipopt_ts(struct pr *p, size_t cp, unsigned length)
{
	char a[16];
	if (length < 4) {
		sk_pr_out(p, "[bad length %u]", length);
		return 0;
	}
	sk_pr_out(p, " TS{");
	unsigned flg = pr_get8(p, cp + 3);
	unsigned hoplen = (flg & 0xf) != 0 ? 8 : 4;
	if ((length - 4) & (hoplen - 1))
		sk_pr_out(p, "[bad length %u]", length);
	unsigned ptr = pr_get8(p, cp + 2) - 1u, len = 0;
	if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) || ptr > length + 1)
		sk_pr_out(p, "[bad ptr %u]", pr_get8(p, cp + 2));
	switch (flg & 0xf) {
	case 0:
		sk_pr_out(p, "TSONLY");
		break;
	case 1:
		sk_pr_out(p, "TS+ADDR");
		break;
	case 3:
		sk_pr_out(p, "PRESPEC");
		break;
	default:
		sk_pr_out(p, "[bad ts type %u]", flg & 0xf);
		goto done;
	}
	const char *type = " ";
	for (len = 4; len < length; len += hoplen) {
		if (ptr == len)
			type = " ^ ";
		if (!pr_avail(p, cp + len, hoplen))
			return -1;
		uint32_t t = pr_get32(p, cp + len + hoplen - 4);
		if (hoplen == 8)
			sk_pr_out(p, "%s%u@%s", type, t, fmt_ipaddr(p, cp + len, a));
		else
			sk_pr_out(p, "%s%u@", type, t);
		type = " ";
	}
done:
	sk_pr_out(p, "%s", ptr == len ? " ^ " : "");
	if (flg >> 4)
		sk_pr_out(p, " [%u hops not recorded]} ", flg >> 4);
	else
		sk_pr_out(p, "}");
	return 0;
}

static int print_ip_options(struct pr *p, size_t cp, unsigned length)
{
	char buf[32];
	const char *sep = "";
	unsigned olen;
	for (; length > 0; cp += olen, length -= olen) {
		sk_pr_out(p, "%s", sep);
		sep = ",";
		unsigned code = pr_get8(p, cp);
		sk_pr_out(p, "%s", tok_str(ipopt_names, "unknown %u", code, buf, sizeof(buf)));
		if (code == 0 || code == 1) {
			olen = 1;
		} else {
			olen = pr_get8(p, cp + 1);
			if (olen < 2) {
				sk_pr_out(p, " [bad length %u]", olen);
				return 0;
			}
		}
		if (olen > length) {
			sk_pr_out(p, " [bad length %u]", olen);
			return 0;
		}
		if (!pr_avail(p, cp, olen))
			return -1;
		switch (code) {
		case 0:
			return 0;
		case 68:
			if (print_ipopt_ts(p, cp, olen) < 0)
				return -1;
			break;
		case 7:
		case 131:
		case 137:
			if (print_ipopt_route(p, cp, olen) < 0)
				return -1;
			break;
		case 148:
			if (olen < 4) {
				sk_pr_out(p, " [bad length %u]", olen);
				break;
			}
			if (pr_get16(p, cp + 2) != 0)
				sk_pr_out(p, " value %u", pr_get16(p, cp + 2));
			break;
		default:
			break;
		}
	}
	return 0;
}

static size_t print_ether(struct pr *p, size_t base, uint32_t len, uint32_t caplen);

void sk_pr_ip_demux(struct pr *p, size_t l4, uint32_t len, unsigned ver, int fragmented, uint8_t nh,
		    size_t ip)
{
	char buf[32];
	switch (nh) {
	case SK_IPPROTO_TCP:
		sk_pr_tcp(p, l4, len, ip, fragmented);
		break;
	case SK_IPPROTO_UDP:
		sk_pr_udp(p, l4, len, ip, fragmented);
		break;
	case SK_IPPROTO_ICMP:
	case 2: /* IGMP */
		if (ver == 4 && nh == SK_IPPROTO_ICMP) {
			print_icmp(p, l4, len, fragmented);
		} else if (ver == 4) {
			sk_pr_out(p, " ip-proto-%u %u", nh, len); /* IGMP: not decoded */
		} else {
			sk_pr_out(p, "[%s requires IPv4]",
				  tok_str(sk_pr_ipproto_names, "unknown", nh, buf, sizeof(buf)));
			print_invalid(p);
		}
		break;
	case SK_IPPROTO_ICMPV6:
	case 143: /* Ethernet */
		if (ver == 6 && nh == SK_IPPROTO_ICMPV6) {
			sk_pr_icmp6(p, l4, len, ip, fragmented);
		} else if (ver == 6) {
			print_ether(p, l4, len, (uint32_t)bytes_after(p, l4));
		} else {
			sk_pr_out(p, "[%s requires IPv6]",
				  tok_str(sk_pr_ipproto_names, "unknown", nh, buf, sizeof(buf)));
			print_invalid(p);
		}
		break;
	case 4: /* IPv4 in IPv4 or IPv6 */
		sk_pr_ip(p, l4, len);
		break;
	case 41: /* IPv6 in IPv4 or IPv6 */
		sk_pr_ip6(p, l4, len);
		break;
	case 77:
		sk_pr_out(p, " nd %u", len);
		break;
	case SK_IPPROTO_NONE:
		sk_pr_out(p, "no next header");
		break;
	default:
		/* Also where tcpdump would decode the protocol (GRE, OSPF, SCTP, ...). */
		sk_pr_out(p, " ip-proto-%u %u", nh, len);
		break;
	}
}

void sk_pr_ip(struct pr *p, size_t ip, uint32_t length)
{
	char src[16], dst[16], buf[32];

	p->proto = "ip";
	uint8_t vhl = pr_get8(p, ip);
	if (vhl >> 4 != 4) {
		if (vhl >> 4 == 6)
			sk_pr_out(p, "IP6, wrong link-layer encapsulation");
		else
			sk_pr_out(p, "IP%u", vhl >> 4);
		print_invalid(p);
		return;
	}
	sk_pr_out(p, "IP ");
	if (!pr_avail(p, ip, 20)) {
		print_trunc(p);
		return;
	}
	if (length < 20) {
		sk_pr_out(p, "truncated-ip %u", length);
		return;
	}
	unsigned hlen = (vhl & 0xf) * 4u;
	if (hlen < 20) {
		sk_pr_out(p, "bad-hlen %u", hlen);
		return;
	}
	uint32_t len = pr_get16(p, ip + 2);
	if (length < len)
		sk_pr_out(p, "truncated-ip - %u bytes missing! ", len - length);
	if (len < hlen) {
		sk_pr_out(p, "bad-len %u", len);
		return;
	}
	struct ip_push saved;
	ip_push(p, ip + len, &saved);
	len -= hlen;
	uint16_t off = pr_get16(p, ip + 6);
	uint8_t proto = pr_get8(p, ip + 9);

	if (p->verbose) {
		static const char *const ecn[] = {"", ",ECT(1)", ",ECT(0)", ",CE"};
		uint8_t tos = pr_get8(p, ip + 1), ttl = pr_get8(p, ip + 8);
		int truncated = 0;
		sk_pr_out(p, "(tos 0x%x%s", tos, ecn[tos & 3]);
		if (ttl >= 1)
			sk_pr_out(p, ", ttl %u", ttl);
		char fl[16] = "";
		if (off & 0x2000)
			strcat(fl, "+");
		if (off & 0x4000)
			strcat(fl, fl[0] ? ", DF" : "DF");
		if (off & 0x8000)
			strcat(fl, fl[0] ? ", rsvd" : "rsvd");
		sk_pr_out(p, ", id %u, offset %u, flags [%s], proto %s (%u)", pr_get16(p, ip + 4),
			  (off & 0x1fff) * 8u, fl[0] ? fl : "none",
			  tok_str(sk_pr_ipproto_names, "unknown", proto, buf, sizeof(buf)), proto);
		sk_pr_out(p, ", length %u", pr_get16(p, ip + 2));
		if (hlen > 20) {
			sk_pr_out(p, ", options (");
			if (print_ip_options(p, ip + 20, hlen - 20) < 0) {
				sk_pr_out(p, " [truncated-option]");
				truncated = 1;
			}
			sk_pr_out(p, ")");
		}
		if (pr_avail(p, ip, hlen)) {
			uint16_t sum = sk_csum(p->pkt + ip, hlen);
			if (sum != 0) {
				uint16_t field = pr_get16(p, ip + 10);
				sk_pr_out(p, ", bad cksum %x (->%x)!", field,
					  csum_shouldbe(field, sum));
			}
		}
		sk_pr_out(p, ")\n    ");
		if (truncated) {
			fmt_ipaddr(p, ip + 12, src);
			fmt_ipaddr(p, ip + 16, dst);
			sk_pr_out(p, "%s > %s: ", src, dst);
			print_trunc(p);
			ip_pop(p, &saved);
			return;
		}
	}

	if ((off & 0x1fff) == 0) {
		if (proto != SK_IPPROTO_TCP && proto != SK_IPPROTO_UDP && proto != 132 &&
		    proto != 33) {
			fmt_ipaddr(p, ip + 12, src);
			fmt_ipaddr(p, ip + 16, dst);
			sk_pr_out(p, "%s > %s: ", src, dst);
		}
		if (!pr_avail(p, ip, hlen)) {
			sk_pr_out(p, " [remaining caplen(%zu) < header length(%u)]",
				  bytes_after(p, ip), hlen);
			sk_pr_abort(p);
		}
		sk_pr_ip_demux(p, ip + hlen, len, 4, (off & 0x2000) != 0, proto, ip);
	} else {
		fmt_ipaddr(p, ip + 12, src);
		fmt_ipaddr(p, ip + 16, dst);
		sk_pr_out(p, "%s > %s: ip-proto-%u", src, dst, proto);
	}
	ip_pop(p, &saved);
}

/* ---- link layers -------------------------------------------------------------------- */

int sk_pr_ethertype(struct pr *p, uint16_t type, size_t off, uint32_t length, uint32_t caplen)
{
	switch (type) {
	case SK_ETHERTYPE_IPV4:
		sk_pr_ip(p, off, length);
		return 1;
	case SK_ETHERTYPE_IPV6:
		sk_pr_ip6(p, off, length);
		return 1;
	case SK_ETHERTYPE_ARP:
	case 0x8035:
		print_arp(p, off, length, caplen);
		return 1;
	default:
		/* Also the EtherTypes tcpdump would decode (LLDP, MPLS, PPPoE, ...). */
		return 0;
	}
}

/* An Ethernet frame at base (the whole frame, or one carried in IPv6); returns the
 * link-layer header length, as tcpdump's link printers do. */
static size_t print_ether(struct pr *p, size_t base, uint32_t len, uint32_t caplen)
{
	char smac[18], dmac[18], buf[32];

	p->proto = "ether";
	if (caplen < 14 || len < 14) {
		print_trunc(p);
		return caplen < len ? caplen : len;
	}
	size_t off = base + 14, hdr = 14;
	uint32_t length = len - 14, cap = caplen - 14;
	uint16_t type = pr_get16(p, base + 12);

	/* Without -e, tcpdump prints nothing for VLAN tags: it steps over them. */
	while (type == 0x8100 || type == 0x9100 || type == 0x9200 || type == 0x88a8) {
		if (cap < 4 || length < 4) {
			p->proto = "vlan";
			print_trunc(p);
			return hdr + (cap < length ? cap : length);
		}
		type = pr_get16(p, off + 2);
		off += 4;
		hdr += 4;
		length -= 4;
		cap -= 4;
	}

	if (type > 1500 && sk_pr_ethertype(p, type, off, length, cap))
		return hdr;
	/* What tcpdump prints for an EtherType it does not know; also used here for the
	 * ones it would decode (LLDP, ...) and for 802.3 length fields (LLC). */
	fmt_mac(p->pkt + base + 6, smac);
	fmt_mac(p->pkt + base, dmac);
	if (type <= 1500)
		sk_pr_out(p, "%s > %s, 802.3, length %u: ", smac, dmac, len);
	else
		sk_pr_out(p, "%s > %s, ethertype %s (0x%04x), length %u: ", smac, dmac,
			  tok_str(sk_pr_ethertype_names, "Unknown", type, buf, sizeof(buf)), type,
			  len);
	if (!p->hex)
		sk_pr_hex_ascii(p, "\n\t", off, cap);
	return hdr;
}

/* Raw IP: the version nibble chooses the printer. */
static size_t print_raw_ip(struct pr *p, uint32_t len)
{
	p->proto = "ipn";
	if (len < 1) {
		sk_pr_out(p, "truncated-ip %u", len);
		return 0;
	}
	uint8_t v = pr_get8(p, 0) & 0xf0;
	if (v == 0x40)
		sk_pr_ip(p, 0, len);
	else if (v == 0x60)
		sk_pr_ip6(p, 0, len);
	else
		sk_pr_out(p, "unknown ip %u", v >> 4);
	return 0;
}

/* tcpdump 4.99.3 refuses any time whose bit 31 is set (a negative 32-bit time_t, or one at
 * or past 2^31 s, 2038-01-19T03:14:08Z; from 2^32 s on, only when bit 31 of the low 32
 * bits is set again), and prints no fraction then. */
static void print_ts(FILE *f, const struct sk_pkt_meta *m, enum sk_ts_style ts)
{
	if (ts == SK_TS_NONE)
		return;
	time_t t = (time_t)m->sec;
	struct tm tm;
	struct tm *r = NULL;
	if (!((uint64_t)m->sec & 0x80000000u))
		r = ts == SK_TS_UTC ? gmtime_r(&t, &tm) : localtime_r(&t, &tm);
	char buf[32];
	if (!r || strftime(buf, sizeof(buf), "%H:%M:%S", r) == 0) {
		fputs("[Error converting time] ", f);
		return;
	}
	fprintf(f, "%s.%06u ", buf, (unsigned)m->usec);
}

/* tcpdump's sanity checks on the capture header, printed instead of the packet. */
static int print_bad_header(FILE *f, const struct sk_pkt_meta *m)
{
	int bad = 0;
	if (m->caplen == 0) {
		bad = 1;
		fputs("[Invalid header: caplen==0", f);
	}
	if (m->len == 0) {
		fputs(bad ? "," : "[Invalid header:", f);
		bad = 1;
		fputs(" len==0", f);
	} else if (m->len < m->caplen) {
		fputs(bad ? "," : "[Invalid header:", f);
		bad = 1;
		fprintf(f, " len(%u) < caplen(%u)", m->len, m->caplen);
	}
	if (m->caplen > MAX_SNAPLEN) {
		fputs(bad ? "," : "[Invalid header:", f);
		bad = 1;
		fprintf(f, " caplen(%u) > %u", m->caplen, MAX_SNAPLEN);
	}
	if (m->len > MAX_SNAPLEN) {
		fputs(bad ? "," : "[Invalid header:", f);
		bad = 1;
		fprintf(f, " len(%u) > %u", m->len, MAX_SNAPLEN);
	}
	if (bad)
		fputs("]\n", f);
	return bad;
}

static void print_link(struct pr *p, const struct sk_pkt_meta *m)
{
	switch (m->linktype) {
	case SK_LINK_ETHERNET:
		p->ll_hdr = print_ether(p, 0, m->len, m->caplen);
		break;
	case SK_LINK_RAW:
	case SK_LINK_RAW_DLT:
	case SK_LINK_RAW_OPENBSD:
	case SK_LINK_IPV4:
	case SK_LINK_IPV6:
		p->proto = "raw";
		p->ll_hdr = print_raw_ip(p, m->len);
		break;
	case SK_LINK_NULL:
	case SK_LINK_LOOP:
		p->ll_hdr = sk_pr_null(p, m->len, m->caplen);
		break;
	case SK_LINK_SLL:
		p->ll_hdr = sk_pr_sll(p, m->len, m->caplen);
		break;
	case SK_LINK_SLL2:
		p->ll_hdr = sk_pr_sll2(p, m->len, m->caplen);
		break;
	default:
		sk_pr_out(p, "[link type %d not decoded]", m->linktype);
		p->ll_hdr = 0;
		break;
	}
}

/* Runs the link printer; a read past the capture ends here, as in tcpdump. */
static void print_frame(struct pr *p, const struct sk_pkt_meta *m)
{
	if (setjmp(p->abort) == 0) {
		print_link(p, m);
	} else {
		print_trunc(p);
		p->ll_hdr = 0;
	}
}

void sk_print_packet(FILE *f, const struct sk_pkt_meta *m, const uint8_t *data, unsigned flags,
		     enum sk_ts_style ts)
{
	if (print_bad_header(f, m))
		return;
	print_ts(f, m, ts);

	struct pr p = {
		.out = f,
		.pkt = data,
		.snap = m->caplen,
		.proto = "",
		.verbose = (flags & SK_PRINT_VERBOSE) != 0,
		.hex = (flags & SK_PRINT_HEX) != 0,
	};
	print_frame(&p, m);

	if (p.hex && m->caplen > p.ll_hdr) {
		/* The whole capture is readable again, so the dump cannot run past it; the
		 * setjmp only keeps the jump target valid should that ever change. */
		p.snap = m->caplen;
		if (setjmp(p.abort) == 0)
			sk_pr_hex_ascii(&p, "\n\t", p.ll_hdr, m->caplen - p.ll_hdr);
	}
	fputc('\n', f);
}
