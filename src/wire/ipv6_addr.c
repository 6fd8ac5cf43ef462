/* IPv6 address classes, derived multicast addresses, and text forms (RFC 4291, RFC 5952). */
#include "wire/ipv6.h"

#include <stdio.h>
#include <string.h>

static const uint8_t zero[16];

int sk_ipv6_is_unspecified(const uint8_t a[16])
{
	return memcmp(a, zero, 16) == 0;
}

int sk_ipv6_is_loopback(const uint8_t a[16])
{
	return memcmp(a, zero, 15) == 0 && a[15] == 1;
}

/* ::ffff:0:0/96 (RFC 4291 2.5.5.2) */
int sk_ipv6_is_v4mapped(const uint8_t a[16])
{
	return memcmp(a, zero, 10) == 0 && a[10] == 0xff && a[11] == 0xff;
}

static const uint8_t solicited_prefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};

int sk_ipv6_is_solicited_node(const uint8_t a[16])
{
	return memcmp(a, solicited_prefix, sizeof(solicited_prefix)) == 0;
}

void sk_ipv6_solicited_node(const uint8_t a[16], uint8_t out[16])
{
	uint8_t low[3] = {a[13], a[14], a[15]}; /* a and out may be the same array */
	memcpy(out, solicited_prefix, sizeof(solicited_prefix));
	memcpy(out + 13, low, 3);
}

void sk_ipv6_mcast_mac(const uint8_t group[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

/* The longest run of zero groups, the first if tied; *len < 2 means none to compress. */
static int longest_zero_run(const uint16_t w[8], int *len)
{
	int best = -1;
	*len = 0;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > *len) {
			best = i;
			*len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (*len < 2) {
		*len = 0;
		return -1;
	}
	return best;
}

char *sk_ipv6_ntop(const uint8_t a[16], char *buf)
{
	uint16_t w[8];
	for (int i = 0; i < 8; i++)
		w[i] = sk_get16(a + 2 * i);
	int run;
	int best = longest_zero_run(w, &run);
	/* IPv4-mapped and IPv4-compatible: a dotted quad after "::ffff:" or "::", as inet_ntop
	 * writes them (RFC 5952 5 for the mapped form). */
	if (best == 0 && (run == 6 || (run == 5 && w[5] == 0xffff))) {
		snprintf(buf, SK_IPV6_ADDRSTRLEN, "%s%u.%u.%u.%u",
			 run == 6 ? "::" : "::ffff:", a[12], a[13], a[14], a[15]);
		return buf;
	}
	char *o = buf;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*o++ = ':';
			*o++ = ':';
			i += run - 1;
			continue;
		}
		if (i > 0 && i != best + run)
			*o++ = ':';
		o += snprintf(o, 5, "%x", w[i]);
	}
	*o = '\0';
	return buf;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A dotted quad as inet_pton(AF_INET) reads it: four decimal parts 0-255, no leading
 * zeros, nothing after. */
static int parse_quad(const char *s, uint8_t out[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;
		for (; *s >= '0' && *s <= '9'; s++, digits++) {
			if (digits > 0 && v == 0)
				return -1;
			v = v * 10 + (unsigned)(*s - '0');
			if (v > 255)
				return -1;
		}
		if (digits == 0)
			return -1;
		out[i] = (uint8_t)v;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	return *s ? -1 : 0;
}

/* Groups "h:h:...", each 1-4 hex digits, into a[*n ..]; "::" once, its position in *gap;
 * a dotted quad may take the place of the last two groups. s is not empty. */
static int parse_groups(const char *s, uint8_t a[16], size_t *n, int *gap)
{
	for (;;) {
		const char *tok = s;
		unsigned v = 0, digits = 0;
		for (int d; (d = hex_value(*s)) >= 0; s++) {
			if (++digits > 4)
				return -1;
			v = v << 4 | (unsigned)d;
		}
		if (*s == '.') {
			if (*n > 12 || parse_quad(tok, a + *n) < 0)
				return -1;
			*n += 4;
			return 0;
		}
		if (digits == 0 || *n > 14)
			return -1;
		a[(*n)++] = (uint8_t)(v >> 8);
		a[(*n)++] = (uint8_t)v;
		if (*s == '\0')
			return 0;
		if (*s++ != ':')
			return -1;
		if (*s == ':') {
			if (*gap >= 0)
				return -1;
			*gap = (int)*n;
			if (*++s == '\0')
				return 0;
		}
	}
}

int sk_ipv6_pton(const char *s, uint8_t out[16])
{
	uint8_t a[16] = {0};
	size_t n = 0;
	int gap = -1;
	if (s[0] == ':') { /* only as the start of a leading "::" */
		if (s[1] != ':')
			return -1;
		gap = 0;
		s += 2;
	}
	if (*s && parse_groups(s, a, &n, &gap) < 0)
		return -1;
	if (gap < 0 ? n != 16 : n == 16) /* "::" stands for at least one zero group */
		return -1;
	if (gap >= 0) {
		size_t tail = n - (size_t)gap;
		memmove(a + 16 - tail, a + gap, tail);
		memset(a + gap, 0, 16 - n);
	}
	memcpy(out, a, 16);
	return 0;
}
