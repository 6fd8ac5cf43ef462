/* UDP sockets (UDP-1, UDP-2): datagram queues, a port table, input demultiplexing, ICMP
 * errors for connected sockets. The socket calls in sock/socket.c hand datagram sockets
 * here. */
#ifndef SK_UDPSOCK_H
#define SK_UDPSOCK_H

#include <sys/types.h>

#include "stack/stack.h"
#include "wire/icmp.h"

struct sk_conn;

/* Creates a datagram socket record (v6: AF_INET6); its first member is the struct sk_conn head that the
 * handle table holds (kind SK_CONN_UDP). NULL when out of memory. */
struct sk_conn *sk_udp_new(struct synack_stack *st, int v6);
int sk_udp_bind(struct synack_stack *st, struct sk_conn *c, const struct synack_sockaddr *a);
int sk_udp_connect(struct synack_stack *st, struct sk_conn *c, const struct synack_sockaddr *a);
ssize_t sk_udp_sendto(struct synack_stack *st, struct sk_conn *c, const void *buf, size_t len,
		      const struct synack_sockaddr *to);
ssize_t sk_udp_recvfrom(struct synack_stack *st, struct sk_conn *c, void *buf, size_t len, int flags,
			struct synack_sockaddr *from);
int sk_udp_shutdown(struct synack_stack *st, struct sk_conn *c, int how);
/* Frees the socket and everything queued on it. */
void sk_udp_close(struct synack_stack *st, struct sk_conn *c);
int sk_udp_events(struct synack_stack *st, struct sk_conn *c);
int sk_udp_setsockopt(struct synack_stack *st, struct sk_conn *c, int level, int name, int v);
/* Integer options; -ENOPROTOOPT for others. */
int sk_udp_getsockopt(struct synack_stack *st, struct sk_conn *c, int level, int name, int *v);
/* The socket handle the socket layer gave c. */
void sk_udp_set_handle(struct sk_conn *c, int h);
void sk_udp_names(const struct sk_conn *c, struct synack_sockaddr *local, struct synack_sockaddr *peer,
		  int *connected);
/* Bytes queued for reading (ss's Recv-Q). */
uint32_t sk_udp_queued(const struct sk_conn *c);
/* The length of the next datagram a read would return (0 if none), as FIONREAD says. */
uint32_t sk_udp_next_len(const struct sk_conn *c);

/* A received datagram (IP payload p/len). Returns 0 if a socket took it (or it was bad and
 * counted), -1 if no socket has the port: the caller answers with port unreachable;
 * -EHOSTUNREACH for a tunnelled flow refused so: host unreachable. */
int sk_udp_input(struct synack_stack *st, uint32_t src, uint32_t dst, const uint8_t *p, size_t len);
/* A datagram of either IP version between ends e (local: its destination). Returns 1 when
 * no socket has the port (the caller answers with port unreachable), -EHOSTUNREACH as
 * above, else 0. */
struct sk_ends;
int sk_udp_input_ends(struct synack_stack *st, const struct sk_ends *e, const uint8_t *p, size_t len);
/* An ICMP error quoting a datagram we sent (RFC 1122 4.1.3.3: passed to the application;
 * as on Linux, only a connected socket hears of it). */
void sk_udp_icmp_error(struct synack_stack *st, const struct sk_icmp_quote *q, uint8_t type, uint8_t code);
/* The same for either family: the quoted datagram's ends (local: its source), its ports,
 * and the errno the error means. */
void sk_udp_icmp_report(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport, int err);

/* Tunnel mode's UDP flows (TNL-3, synack_tunnel_udp): the socket that takes them (NULL
 * when off); marking one so; whether c is a flow's socket; the next flow waiting on the
 * tunnel socket c (NULL with *err -EAGAIN, or -EOPNOTSUPP for another socket); a flow's
 * idle timer (the stack's timer of a record of kind SK_CONN_UDP). */
struct sk_conn *sk_udp_tunnel_socket(struct synack_stack *st);
void sk_udp_set_tunnel(struct sk_conn *c, int on);
int sk_udp_is_flow(const struct sk_conn *c);
struct sk_conn *sk_udp_take_flow(struct synack_stack *st, struct sk_conn *c, int *err);
void sk_udp_timer(struct synack_stack *st, struct sk_timer *t);
/* TNL-4: every live UDP flow to fn, with its last datagram's time and its memory; and
 * ending one as if idle (a flow not taken yet is freed). */
void sk_udp_flows(struct synack_stack *st, void (*fn)(void *ctx, struct sk_conn *c, uint64_t last, uint32_t mem),
		  void *ctx);
void sk_udp_flow_end(struct synack_stack *st, struct sk_conn *c);

#endif
