/* Socket addresses: text forms of struct synack_ip, and conversions between the public
 * address types and the IP layer's host-order IPv4 integers. */
#include "stack/addr.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/siphash.h"
#include "wire/checksum.h"
#include "wire/ipv4.h"
#include "wire/ipv6.h"

struct synack_ip sk_ip_from4(uint32_t addr)
{
	return synack_ip4((uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8), (uint8_t)addr);
}

struct synack_sockaddr sk_sa_from4(uint32_t addr, uint16_t port)
{
	struct synack_sockaddr sa = {sk_ip_from4(addr), port, 0};
	return sa;
}

int sk_ip_to4(const struct synack_ip *ip, uint32_t *addr)
{
	if (ip->family != SYNACK_AF_INET)
		return -EAFNOSUPPORT;
	const uint8_t *b = ip->bytes;
	*addr = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return 0;
}

uint32_t sk_sa_addr4(const struct synack_sockaddr *sa)
{
	uint32_t a = 0;
	sk_ip_to4(&sa->ip, &a);
	return a;
}

int sk_sa_to4(const struct synack_sockaddr *sa, uint32_t *addr, uint16_t *port)
{
	int r = sk_ip_to4(&sa->ip, addr);
	if (r == 0)
		*port = sa->port;
	return r;
}

int synack_ip_parse(const char *text, struct synack_ip *out)
{
	if (!text || !out)
		return -EINVAL;
	uint32_t a4;
	if (sk_ipv4_aton(text, &a4) == 0) {
		*out = sk_ip_from4(a4);
		return 0;
	}
	struct synack_ip a6 = {SYNACK_AF_INET6, {0}};
	if (sk_ipv6_pton(text, a6.bytes) == 0) {
		*out = a6;
		return 0;
	}
	return -EINVAL;
}

int synack_ip_parse_prefix(const char *text, struct synack_ip *out, uint8_t *prefix)
{
	if (!text || !out || !prefix)
		return -EINVAL;
	const char *slash = strchr(text, '/');
	char buf[SYNACK_IP_STRLEN];
	if (!slash || (size_t)(slash - text) >= sizeof(buf) || !slash[1] || strlen(slash + 1) > 3)
		return -EINVAL;
	unsigned v = 0;
	for (const char *p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*p - '0');
	}
	memcpy(buf, text, (size_t)(slash - text));
	buf[slash - text] = 0;
	struct synack_ip ip;
	if (synack_ip_parse(buf, &ip) < 0 || v > (ip.family == SYNACK_AF_INET ? 32u : 128u))
		return -EINVAL;
	*out = ip;
	*prefix = (uint8_t)v;
	return 0;
}

const char *synack_ip_format(const struct synack_ip *ip, char *buf, size_t len)
{
	if (!ip || !buf)
		return NULL;
	char tmp[SYNACK_IP_STRLEN];
	uint32_t a4;
	if (sk_ip_to4(ip, &a4) == 0)
		sk_ipv4_ntoa(a4, tmp);
	else if (ip->family == SYNACK_AF_INET6)
		sk_ipv6_ntop(ip->bytes, tmp);
	else
		return NULL;
	if (strlen(tmp) >= len)
		return NULL;
	return strcpy(buf, tmp);
}

const char *synack_sa_format(const struct synack_sockaddr *a, char *buf, size_t len)
{
	char ip[SYNACK_IP_STRLEN];
	if (!a || !buf || !synack_ip_format(&a->ip, ip, sizeof(ip)))
		return NULL;
	int n = snprintf(buf, len, a->ip.family == SYNACK_AF_INET6 ? "[%s]:%u" : "%s:%u", ip, a->port);
	return n >= 0 && (size_t)n < len ? buf : NULL;
}

int synack_ip_equal(const struct synack_ip *a, const struct synack_ip *b)
{
	if (a->family != b->family)
		return 0;
	size_t n = a->family == SYNACK_AF_INET ? 4 : a->family == SYNACK_AF_INET6 ? 16 : 0;
	return memcmp(a->bytes, b->bytes, n) == 0;
}

int sk_ip_is_any(const struct synack_ip *ip)
{
	static const uint8_t zero[16];
	return memcmp(ip->bytes, zero, sizeof(zero)) == 0;
}

int sk_add_addr4(synack_stack *st, uint32_t addr, uint8_t prefix_len, uint32_t mtu, synack_output_fn out,
		 void *ctx)
{
	struct synack_ip ip = sk_ip_from4(addr);
	return synack_add_addr(st, &ip, prefix_len, mtu, out, ctx);
}

struct sk_ends sk_ends6(const uint8_t local[16], const uint8_t remote[16])
{
	struct sk_ends e = {.v6 = 1};
	memcpy(e.l6, local, 16);
	memcpy(e.r6, remote, 16);
	return e;
}

struct sk_ends sk_ends_at(const struct synack_ip *ip)
{
	struct sk_ends e = {.v6 = ip->family == SYNACK_AF_INET6};
	sk_ends_set_local(&e, ip);
	return e;
}

static struct synack_ip ip6_of(const uint8_t b[16])
{
	struct synack_ip ip = {SYNACK_AF_INET6, {0}};
	memcpy(ip.bytes, b, 16);
	return ip;
}

struct synack_ip sk_ends_local(const struct sk_ends *e)
{
	return e->v6 ? ip6_of(e->l6) : sk_ip_from4(e->l4);
}

struct synack_ip sk_ends_remote(const struct sk_ends *e)
{
	return e->v6 ? ip6_of(e->r6) : sk_ip_from4(e->r4);
}

static int set_end(const struct sk_ends *e, const struct synack_ip *ip, uint32_t *a4, uint8_t *a6)
{
	struct synack_ip u = e->v6 ? *ip : sk_ip_unmap(ip);
	if (!e->v6)
		return sk_ip_to4(&u, a4);
	if (u.family != SYNACK_AF_INET6)
		return -EAFNOSUPPORT;
	memcpy(a6, u.bytes, 16);
	return 0;
}

int sk_ends_set_local(struct sk_ends *e, const struct synack_ip *ip)
{
	return set_end(e, ip, &e->l4, e->l6);
}

int sk_ends_set_remote(struct sk_ends *e, const struct synack_ip *ip)
{
	return set_end(e, ip, &e->r4, e->r6);
}

uint32_t sk_ends_csum(const struct sk_ends *e)
{
	if (!e->v6)
		return (e->l4 >> 16) + (e->l4 & 0xffff) + (e->r4 >> 16) + (e->r4 & 0xffff);
	_Static_assert(offsetof(struct sk_ends, r6) == offsetof(struct sk_ends, l6) + 16, "l6, r6 adjacent");
	return sk_csum_add(0, e->l6, 32);
}

uint64_t sk_ends_hash(const struct sk_siphash_key *key, const struct sk_ends *e, uint32_t w2, uint32_t w3)
{
	if (!e->v6)
		return sk_siphash_4u32(key, e->l4, e->r4, w2, w3);
	uint8_t b[40];
	memcpy(b, e->l6, 16);
	memcpy(b + 16, e->r6, 16);
	memcpy(b + 32, &w2, 4);
	memcpy(b + 36, &w3, 4);
	return sk_siphash(key, b, sizeof(b));
}

int sk_ends_local_any(const struct sk_ends *e)
{
	static const uint8_t zero[16];
	return e->v6 ? memcmp(e->l6, zero, 16) == 0 : e->l4 == 0;
}

static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

struct synack_ip sk_ip_unmap(const struct synack_ip *ip)
{
	if (ip->family != SYNACK_AF_INET6 || memcmp(ip->bytes, mapped_prefix, 12) != 0)
		return *ip;
	return synack_ip4(ip->bytes[12], ip->bytes[13], ip->bytes[14], ip->bytes[15]);
}

struct synack_ip sk_ip_map6(uint32_t addr)
{
	struct synack_ip ip = {SYNACK_AF_INET6, {0}};
	memcpy(ip.bytes, mapped_prefix, 12);
	ip.bytes[12] = (uint8_t)(addr >> 24);
	ip.bytes[13] = (uint8_t)(addr >> 16);
	ip.bytes[14] = (uint8_t)(addr >> 8);
	ip.bytes[15] = (uint8_t)addr;
	return ip;
}

int sk_sock_addr(enum sk_takes k, const struct synack_ip *a, struct synack_ip *out)
{
	if (k == SK_TAKES_4)
		return a->family == SYNACK_AF_INET ? (*out = *a, 0) : -EAFNOSUPPORT;
	if (a->family != SYNACK_AF_INET6)
		return -EAFNOSUPPORT;
	*out = sk_ip_unmap(a);
	return out->family == SYNACK_AF_INET && k == SK_TAKES_6 ? -EINVAL : 0;
}

struct synack_ip sk_sock_name(enum sk_takes k, const struct synack_ip *ip)
{
	uint32_t a4;
	if (k != SK_TAKES_4 && sk_ip_to4(ip, &a4) == 0)
		return sk_ip_map6(a4);
	return *ip;
}

int sk_ends_takes(const struct sk_ends *le, enum sk_takes lk, const struct sk_ends *e)
{
	int any = sk_ends_local_any(le);
	if (le->v6 != e->v6) /* an IPv6 socket's wildcard for IPv4 */
		return !e->v6 && any && lk == SK_TAKES_DUAL ? 1 : 0;
	if (any)
		return 1;
	return (e->v6 ? memcmp(le->l6, e->l6, 16) == 0 : le->l4 == e->l4) ? 2 : 0;
}

int sk_ends_overlap(const struct sk_ends *a, enum sk_takes ak, const struct sk_ends *b, enum sk_takes bk)
{
	return sk_ends_takes(a, ak, b) || sk_ends_takes(b, bk, a);
}

int sk_ends_aim(struct sk_ends *e, const struct synack_ip *ip)
{
	int v6 = ip->family == SYNACK_AF_INET6;
	if (e->v6 != v6) {
		if (!sk_ends_local_any(e))
			return -ENETUNREACH;
		*e = (struct sk_ends){.v6 = (uint8_t)v6};
	}
	return sk_ends_set_remote(e, ip) < 0 ? -ENETUNREACH : 0;
}
