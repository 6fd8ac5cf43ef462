/* The packet printer's Linux cooked (SLL, SLL2) and BSD loopback (NULL, LOOP) links. */
#include <net/if.h>
#include <string.h>

#include "trace/print_int.h"

enum { SLL_HDRLEN = 16, SLL2_HDRLEN = 20, NULL_HDRLEN = 4 };

/* The packet type of a cooked capture, as tcpdump names it. */
static const struct tok sll_pkttypes[] = {
	{0, "In"}, {1, "B"}, {2, "M"}, {3, "P"}, {4, "Out"}, {0, NULL},
};

/* What tcpdump prints for a cooked frame whose protocol it does not know (its header, as
 * -e would show it), then the payload in hex unless -X dumps it anyway. */
static void print_sll_unknown(struct pr *p, size_t off, uint32_t caplen)
{
	if (!p->hex)
		sk_pr_hex_ascii(p, "\n\t", off, caplen);
}

static void print_sll_protocol(struct pr *p, uint16_t proto, uint32_t length)
{
	char buf[32];
	if (proto <= 1500) {
		if (proto == 1)
			sk_pr_out(p, "802.3");
		else if (proto == 4)
			sk_pr_out(p, "802.2");
		else
			sk_pr_out(p, "ethertype Unknown (0x%04x)", proto);
	} else {
		sk_pr_out(p, "ethertype %s (0x%04x)",
			  tok_str(sk_pr_ethertype_names, "Unknown", proto, buf, sizeof(buf)),
			  proto);
	}
	sk_pr_out(p, ", length %u: ", length);
}

/* The payload of either cooked header (hdr bytes of it at the frame's start): the
 * protocol field decides, with one 802.1Q tag looked into. Returns the header length. */
static size_t print_cooked(struct pr *p, size_t hdr, uint16_t proto, uint32_t len, uint32_t caplen,
			   int v2)
{
	char buf[32];
	uint16_t outer = proto; /* what the header says, before any 802.1Q tag */
	size_t off = hdr;
	uint32_t length = len - (uint32_t)hdr, cap = caplen - (uint32_t)hdr;

	for (;;) {
		if (proto <= 1500) {
			/* Novell 802.3 (1) and 802.2 LLC (4) are decoded by tcpdump, not
			 * here; anything else is dumped. */
			print_sll_unknown(p, off, cap);
			return off;
		}
		if (proto != 0x8100)
			break;
		if (cap < 4) {
			p->proto = "vlan";
			print_trunc(p);
			return off + cap;
		}
		proto = pr_get16(p, off + 2);
		if (proto <= 1500)
			proto = 4; /* LLC */
		sk_pr_out(p, "ethertype %s, ",
			  tok_str(sk_pr_ethertype_names, "Unknown", proto, buf, sizeof(buf)));
		off += 4;
		length -= 4;
		cap -= 4;
	}
	if (!sk_pr_ethertype(p, proto, off, length, cap)) {
		/* The header as -e shows it: SLL's packet type and address; SLL2's interface
		 * index and address. */
		if (v2) {
			sk_pr_out(p, "ifindex %u ", sk_get32(p->pkt + 4));
			if (p->pkt[11] == 6)
				sk_pr_out(p, "%02x:%02x:%02x:%02x:%02x:%02x ", p->pkt[12],
					  p->pkt[13], p->pkt[14], p->pkt[15], p->pkt[16],
					  p->pkt[17]);
		} else {
			sk_pr_out(p, "%3s ",
				  tok_str(sll_pkttypes, "?", sk_get16(p->pkt), buf, sizeof(buf)));
			if (sk_get16(p->pkt + 4) == 6)
				sk_pr_out(p, "%02x:%02x:%02x:%02x:%02x:%02x ", p->pkt[6], p->pkt[7],
					  p->pkt[8], p->pkt[9], p->pkt[10], p->pkt[11]);
		}
		print_sll_protocol(p, outer, length + (uint32_t)hdr);
		print_sll_unknown(p, off, cap);
	}
	return off;
}

/* LINUX_SLL: packet type, ARPHRD type, address length and address (8 bytes), protocol. */
size_t sk_pr_sll(struct pr *p, uint32_t len, uint32_t caplen)
{
	p->proto = "sll";
	if (caplen < SLL_HDRLEN) {
		print_trunc(p);
		return 0;
	}
	return print_cooked(p, SLL_HDRLEN, sk_get16(p->pkt + 14), len, caplen, 0);
}

/* LINUX_SLL2: protocol, reserved, interface index, ARPHRD type, packet type, address
 * length and address. tcpdump names the interface on the machine it runs on. */
size_t sk_pr_sll2(struct pr *p, uint32_t len, uint32_t caplen)
{
	char name[IF_NAMESIZE], buf[32];
	p->proto = "sll2";
	if (caplen < SLL2_HDRLEN) {
		print_trunc(p);
		return 0;
	}
	if (!if_indextoname(sk_get32(p->pkt + 4), name))
		strcpy(name, "?");
	sk_pr_out(p, "%-5s ", name);
	sk_pr_out(p, "%-3s ", tok_str(sll_pkttypes, "?", p->pkt[10], buf, sizeof(buf)));
	return print_cooked(p, SLL2_HDRLEN, sk_get16(p->pkt), len, caplen, 1);
}

/* DLT_NULL and DLT_LOOP: a 32-bit address family, in whichever byte order makes it
 * small (tcpdump swaps it when its upper 16 bits are set). */
size_t sk_pr_null(struct pr *p, uint32_t len, uint32_t caplen)
{
	static const struct tok families[] = {
		{2, "IPv4"},  {6, "NS"},    {7, "ISO"},	  {16, "Appletalk"}, {23, "IPX"},
		{24, "IPv6"}, {28, "IPv6"}, {30, "IPv6"}, {0, NULL},
	};
	char buf[32];
	p->proto = "null";
	if (caplen < NULL_HDRLEN) {
		print_trunc(p);
		return 0;
	}
	uint32_t family;
	memcpy(&family, p->pkt, 4); /* the writer's byte order, compared with ours */
	if (family & 0xffff0000u)
		family = __builtin_bswap32(family);
	switch (family) {
	case 2:
		sk_pr_ip(p, NULL_HDRLEN, len - NULL_HDRLEN);
		break;
	case 24: /* AF_INET6 on NetBSD and OpenBSD, FreeBSD, macOS */
	case 28:
	case 30:
		sk_pr_ip6(p, NULL_HDRLEN, len - NULL_HDRLEN);
		break;
	default:
		/* Also ISO, AppleTalk and IPX, which tcpdump decodes. */
		sk_pr_out(p, "AF %s (%u), length %u: ",
			  tok_str(families, "Unknown", family, buf, sizeof(buf)), family, len);
		if (!p->hex)
			sk_pr_hex_ascii(p, "\n\t", NULL_HDRLEN, caplen - NULL_HDRLEN);
		break;
	}
	return NULL_HDRLEN;
}
