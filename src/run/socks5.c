/* A SOCKS5 client without I/O: the greeting, RFC 1929's subnegotiation, the request and
 * its reply, gathered from any split of the proxy's bytes; and UDP relay headers. */
#include "run/socks5.h"

#include <errno.h>
#include <string.h>

#define VER        0x05
#define AUTH_VER   0x01
#define M_NONE     0x00
#define M_USERPASS 0x02
#define M_REFUSED  0xff
#define A_IPV4     0x01
#define A_NAME     0x03
#define A_IPV6     0x04

/* What the proxy's next bytes are. */
enum phase { P_FAILED, P_METHOD, P_AUTH, P_REPLY, P_DONE };

/* The reply codes of RFC 1928 section 6, 0x01 to 0x08, as a tunnelled client would see
 * them. */
static const struct {
	int err;
	const char *why;
} replies[] = {
	{-ECONNABORTED, "proxy: general failure"},
	{-EACCES, "proxy: connection not allowed by ruleset"},
	{-ENETUNREACH, "proxy: network unreachable"},
	{-EHOSTUNREACH, "proxy: host unreachable"},
	{-ECONNREFUSED, "proxy: connection refused"},
	{-ETIMEDOUT, "proxy: TTL expired"},
	{-EOPNOTSUPP, "proxy: command not supported"},
	{-EOPNOTSUPP, "proxy: address type not supported"},
};

/* Zeroes what held a password, in a way the compiler keeps. */
static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;
	while (n--)
		*v++ = 0;
}

static void fail(struct sk_socks5 *s, int err, const char *why)
{
	s->phase = P_FAILED;
	s->error = err;
	s->why = why;
	wipe(s->auth, sizeof(s->auth));
	wipe(s->out, sizeof(s->out));
	s->olen = s->osent = 0;
}

static void queue(struct sk_socks5 *s, const uint8_t *p, size_t n)
{
	memcpy(s->out + s->olen, p, n); /* fits: SK_SOCKS5_OUT_MAX holds all three */
	s->olen += n;
}

/* An address's length on the wire (4 or 16), 0 for a family SOCKS5 has no type for. */
static size_t ip_len(const struct synack_sockaddr *a)
{
	if (a->ip.family == SYNACK_AF_INET)
		return 4;
	return a->ip.family == SYNACK_AF_INET6 ? 16 : 0;
}

/* Writes ATYP, the address and the port; returns their length (ip_len(a) must not be 0). */
static size_t put_addr(uint8_t *p, const struct synack_sockaddr *a)
{
	size_t n = ip_len(a);
	p[0] = n == 4 ? A_IPV4 : A_IPV6;
	memcpy(p + 1, a->ip.bytes, n);
	p[1 + n] = (uint8_t)(a->port >> 8);
	p[2 + n] = (uint8_t)a->port;
	return 3 + n;
}

/* The length of the ATYP, address and port at p, of which have bytes are there: 0 while
 * it cannot be told yet, -1 for an unknown address type. */
static long addr_field_len(const uint8_t *p, size_t have)
{
	if (have < 1)
		return 0;
	switch (p[0]) {
	case A_IPV4:
		return 1 + 4 + 2;
	case A_IPV6:
		return 1 + 16 + 2;
	case A_NAME:
		return have < 2 ? 0 : 1 + 1 + p[1] + 2;
	}
	return -1;
}

/* Reads a whole ATYP, address and port field at p (a name: family SYNACK_AF_UNSPEC). */
static void get_addr(const uint8_t *p, struct synack_sockaddr *a)
{
	size_t n = p[0] == A_IPV4 ? 4 : p[0] == A_IPV6 ? 16 : 1u + p[1];
	memset(a, 0, sizeof(*a));
	if (p[0] != A_NAME) {
		a->ip.family = n == 4 ? SYNACK_AF_INET : SYNACK_AF_INET6;
		memcpy(a->ip.bytes, p + 1, n);
	}
	a->port = (uint16_t)(p[1 + n] << 8 | p[2 + n]);
}

/* The username/password request into s->auth: 0, or -1 for a length it cannot carry. */
static int build_auth(struct sk_socks5 *s, const char *user, const char *pass)
{
	size_t ul = strlen(user), pl = pass ? strlen(pass) : 0;
	if (ul < 1 || ul > 255 || pl > 255)
		return -1;
	uint8_t *p = s->auth;
	*p++ = AUTH_VER;
	*p++ = (uint8_t)ul;
	memcpy(p, user, ul);
	p += ul;
	*p++ = (uint8_t)pl;
	if (pl)
		memcpy(p, pass, pl);
	s->authlen = (uint16_t)(p + pl - s->auth);
	return 0;
}

int sk_socks5_start(struct sk_socks5 *s, int cmd, const struct synack_sockaddr *dst,
		    const char *user, const char *pass)
{
	struct synack_sockaddr any = synack_sa_any(SYNACK_AF_INET, 0);
	memset(s, 0, sizeof(*s));
	if (!dst && cmd == SK_SOCKS5_UDP)
		dst = &any;
	if ((cmd != SK_SOCKS5_CONNECT && cmd != SK_SOCKS5_UDP) || !dst || !ip_len(dst)) {
		fail(s, -EINVAL, "socks5: unknown command or address family");
		return -EINVAL;
	}
	if (user && build_auth(s, user, pass) < 0) {
		fail(s, -EINVAL, "socks5: username must be 1 to 255 bytes, password at most 255");
		return -EINVAL;
	}
	uint8_t hello[4] = {VER, 1, M_NONE, M_USERPASS};
	if (s->authlen)
		hello[1] = 2;
	queue(s, hello, 2u + hello[1]);
	s->req[0] = VER;
	s->req[1] = (uint8_t)cmd;
	s->req[2] = 0; /* RSV */
	s->reqlen = (uint8_t)(3 + put_addr(s->req + 3, dst));
	s->phase = P_METHOD;
	return 0;
}

size_t sk_socks5_output(const struct sk_socks5 *s, const uint8_t **p)
{
	*p = s->out + s->osent;
	return s->olen - s->osent;
}

void sk_socks5_sent(struct sk_socks5 *s, size_t n)
{
	if (n > s->olen - s->osent)
		n = s->olen - s->osent;
	s->osent += n;
	if (s->osent == s->olen) {
		wipe(s->out, s->olen); /* it may have held the password */
		s->olen = s->osent = 0;
	}
}

/* The method the proxy chose. */
static void on_method(struct sk_socks5 *s)
{
	if (s->in[0] != VER) {
		fail(s, -EPROTO, "proxy: not a SOCKS5 answer");
		return;
	}
	if (s->in[1] == M_REFUSED) {
		fail(s, -EACCES, s->authlen ? "proxy accepts none of the methods offered"
					    : "proxy requires authentication");
		return;
	}
	if (s->in[1] == M_USERPASS && s->authlen) {
		queue(s, s->auth, s->authlen);
		wipe(s->auth, sizeof(s->auth));
		s->phase = P_AUTH;
		return;
	}
	if (s->in[1] != M_NONE) {
		fail(s, -EPROTO, "proxy chose a method that was not offered");
		return;
	}
	queue(s, s->req, s->reqlen);
	s->phase = P_REPLY;
}

/* RFC 1929's status. Its version is 1; a few proxies answer 5 there, which costs nothing
 * to take. */
static void on_auth(struct sk_socks5 *s)
{
	if (s->in[0] != AUTH_VER && s->in[0] != VER) {
		fail(s, -EPROTO, "proxy: malformed authentication status");
		return;
	}
	if (s->in[1] != 0) {
		fail(s, -EACCES, "proxy rejected the username/password");
		return;
	}
	queue(s, s->req, s->reqlen);
	s->phase = P_REPLY;
}

/* The reply, in three steps: VER and REP (a failure needs no more: the proxy closes), the
 * address type with the first byte of the address (that tells the length), the rest. */
static void on_reply(struct sk_socks5 *s)
{
	if (s->ilen == 2) {
		uint8_t rep = s->in[1];
		if (s->in[0] != VER) {
			fail(s, -EPROTO, "proxy: not a SOCKS5 reply");
			return;
		}
		if (rep > sizeof(replies) / sizeof(replies[0])) {
			fail(s, -EPROTO, "proxy: unassigned reply code");
			return;
		}
		if (rep)
			fail(s, replies[rep - 1].err, replies[rep - 1].why);
		return;
	}
	if (addr_field_len(s->in + 3, s->ilen - 3) < 0) {
		fail(s, -EPROTO, "proxy: unknown address type in the reply");
		return;
	}
	if (s->ilen == 5)
		return;
	get_addr(s->in + 3, &s->bound);
	s->phase = P_DONE;
}

/* How many bytes the message being gathered has, as far as can be told from those in. */
static size_t wanted(const struct sk_socks5 *s)
{
	if (s->phase != P_REPLY || s->ilen < 2)
		return 2;
	if (s->ilen < 5)
		return 5; /* every reply has at least 10 */
	return 3 + (size_t)addr_field_len(s->in + 3, s->ilen - 3);
}

size_t sk_socks5_input(struct sk_socks5 *s, const uint8_t *p, size_t n)
{
	size_t used = 0;
	while (used < n && (s->phase == P_METHOD || s->phase == P_AUTH || s->phase == P_REPLY)) {
		size_t need = wanted(s), take = need - s->ilen;
		if (take > n - used)
			take = n - used;
		memcpy(s->in + s->ilen, p + used, take);
		s->ilen += take;
		used += take;
		if (s->ilen < need)
			break;
		enum phase was = s->phase;
		if (was == P_METHOD)
			on_method(s);
		else if (was == P_AUTH)
			on_auth(s);
		else
			on_reply(s);
		if (s->phase != was)
			s->ilen = 0;
	}
	return used;
}

int sk_socks5_status(const struct sk_socks5 *s, struct synack_sockaddr *bound)
{
	if (s->phase == P_FAILED)
		return s->error;
	if (s->phase != P_DONE)
		return 0;
	if (bound)
		*bound = s->bound;
	return 1;
}

const char *sk_socks5_why(const struct sk_socks5 *s)
{
	return s->phase == P_FAILED ? s->why : NULL;
}

ssize_t sk_socks5_udp_wrap(uint8_t *out, size_t cap, const struct synack_sockaddr *dst,
			   const void *payload, size_t len)
{
	size_t n = dst ? ip_len(dst) : 0;
	if (!n)
		return -EINVAL;
	size_t hdr = 3 + 3 + n; /* RSV, RSV, FRAG, then ATYP, the address, the port */
	if (len > cap || hdr > cap - len)
		return -EMSGSIZE;
	memmove(out + hdr, payload, len);
	out[0] = out[1] = 0; /* RSV */
	out[2] = 0;          /* FRAG: a whole datagram */
	put_addr(out + 3, dst);
	return (ssize_t)(hdr + len);
}

ssize_t sk_socks5_udp_unwrap(const uint8_t *dgram, size_t len, struct synack_sockaddr *src)
{
	if (len < 4 || dgram[2] != 0) /* RSV is not looked at; FRAG must be 0 */
		return -EPROTO;
	long field = addr_field_len(dgram + 3, len - 3);
	if (field <= 0 || (size_t)field > len - 3)
		return -EPROTO;
	get_addr(dgram + 3, src);
	return 3 + field;
}
