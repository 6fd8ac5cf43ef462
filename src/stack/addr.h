/* The public address types (struct synack_ip, struct synack_sockaddr) against the IP
 * layer's own: IPv4 addresses inside the stack are host-order integers. */
#ifndef SK_ADDR_H
#define SK_ADDR_H

#include <stdint.h>
#include <string.h>

#include <synack/synack.h>

struct sk_siphash_key;

/* Both ends of a flow seen from this stack, of one family: TCP and UDP carry them from a
 * packet's arrival to the answer and from a socket to each packet it sends. IPv4 addresses
 * are the IP layer's host-order integers, IPv6 ones 16 bytes in network order. */
struct sk_ends {
	uint8_t v6;
	uint32_t l4, r4;
	uint8_t l6[16], r6[16];
};

static inline struct sk_ends sk_ends4(uint32_t local, uint32_t remote)
{
	struct sk_ends e = {.v6 = 0, .l4 = local, .r4 = remote};
	return e;
}
/* An IPv6 address folded to 32 bits (its four words xored): a quick filter and a cheap
 * input to a keyed hash where collisions cost nothing, never a table's whole key. */
static inline uint32_t sk_ip6_fold(const uint8_t a[16])
{
	uint32_t w[4];
	memcpy(w, a, 16);
	return w[0] ^ w[1] ^ w[2] ^ w[3];
}
/* The ends of an IPv6 packet that arrived from src for dst. */
struct sk_ends sk_ends6(const uint8_t local[16], const uint8_t remote[16]);
/* The ends of a socket whose local address is ip (of either family; 0.0.0.0 or :: for a
 * wildcard) and which has no remote end yet. */
struct sk_ends sk_ends_at(const struct synack_ip *ip);
/* Each end in the public form. */
struct synack_ip sk_ends_local(const struct sk_ends *e);
struct synack_ip sk_ends_remote(const struct sk_ends *e);
/* Sets the local or the remote end from a public address of e's family (an IPv4-mapped
 * IPv6 address counts as IPv4 when e is IPv4): 0 or -EAFNOSUPPORT. */
int sk_ends_set_local(struct sk_ends *e, const struct synack_ip *ip);
int sk_ends_set_remote(struct sk_ends *e, const struct synack_ip *ip);
/* The one's-complement sum of both addresses: the pseudo-header's address part for
 * sk_tcp_parse_sum / sk_tcp_emit_sum. */
uint32_t sk_ends_csum(const struct sk_ends *e);
/* A keyed hash of both addresses and two more words (ports, a purpose): for IPv4 exactly
 * sk_siphash_4u32(key, l4, r4, w2, w3), so IPv4 ISNs, cookies and buckets are as before. */
uint64_t sk_ends_hash(const struct sk_siphash_key *key, const struct sk_ends *e, uint32_t w2, uint32_t w3);
/* 1 when the local end is unset (0.0.0.0 or ::). */
int sk_ends_local_any(const struct sk_ends *e);

/* What addresses a socket takes (RFC 3493 3.7, 5.3): an AF_INET one IPv4 alone; an
 * AF_INET6 one IPv6 and, unless IPV6_V6ONLY (SK_TAKES_6), IPv4 written IPv4-mapped
 * (SK_TAKES_DUAL). TCP and UDP sockets keep it in their own flags. */
enum sk_takes { SK_TAKES_4, SK_TAKES_DUAL, SK_TAKES_6 };
static inline enum sk_takes sk_takes_of(int sock6, int v6only)
{
	return !sock6 ? SK_TAKES_4 : v6only ? SK_TAKES_6 : SK_TAKES_DUAL;
}
/* The address a of a call on such a socket as the stack holds it (an IPv4-mapped one as
 * IPv4): 0, -EAFNOSUPPORT (not the socket's family), -EINVAL (IPv4-mapped on an
 * IPV6_V6ONLY socket; Linux says so for bind, ENETUNREACH for connect and sendto). */
int sk_sock_addr(enum sk_takes k, const struct synack_ip *a, struct synack_ip *out);
/* An address as such a socket names it: IPv4 IPv4-mapped on an AF_INET6 socket. */
struct synack_ip sk_sock_name(enum sk_takes k, const struct synack_ip *ip);
/* How a socket whose local end is le (its kind k) takes a packet to e's local address: 2
 * its exact address, 1 a wildcard (of e's family, or the IPv6 one of a dual-stack socket
 * for IPv4), 0 not. */
int sk_ends_takes(const struct sk_ends *le, enum sk_takes lk, const struct sk_ends *e);
/* Whether two sockets' local ends overlap as Linux's inet_rcv_saddr_equal has it (what
 * makes a bind or a listen EADDRINUSE): either takes the other's address. */
int sk_ends_overlap(const struct sk_ends *a, enum sk_takes ak, const struct sk_ends *b, enum sk_takes bk);
/* Points e at the remote address ip: an end of the other family is taken only from a
 * wildcard local end, which becomes that family's wildcard. 0, or -ENETUNREACH. */
int sk_ends_aim(struct sk_ends *e, const struct synack_ip *ip);

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 2.5.5.2) as the IPv4 address it
 * maps, any other address unchanged: how dual-stack sockets see IPv4 peers. */
struct synack_ip sk_ip_unmap(const struct synack_ip *ip);
/* The IPv4-mapped IPv6 form of an IPv4 address. */
struct synack_ip sk_ip_map6(uint32_t addr);

/* The public form of a host-order IPv4 address, and of it with a port. */
struct synack_ip sk_ip_from4(uint32_t addr);
struct synack_sockaddr sk_sa_from4(uint32_t addr, uint16_t port);

/* The host-order IPv4 address of sa; 0 when it holds none. */
uint32_t sk_sa_addr4(const struct synack_sockaddr *sa);

/* The host-order IPv4 address in ip: 0, -EAFNOSUPPORT for another family. */
int sk_ip_to4(const struct synack_ip *ip, uint32_t *addr);
/* The same for a socket address, with its port. */
int sk_sa_to4(const struct synack_sockaddr *sa, uint32_t *addr, uint16_t *port);

/* synack_add_addr for a host-order IPv4 address. */
int sk_add_addr4(synack_stack *st, uint32_t addr, uint8_t prefix_len, uint32_t mtu, synack_output_fn out,
		 void *ctx);

/* 1 when ip is no address or the family's any address (all zeros). */
int sk_ip_is_any(const struct synack_ip *ip);

#endif
