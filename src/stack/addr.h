/* The public address types (struct synack_ip, struct synack_sockaddr) against the IP
 * layer's own: IPv4 addresses inside the stack are host-order integers. */
#ifndef SK_ADDR_H
#define SK_ADDR_H

#include <stdint.h>

#include <synack/synack.h>

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
