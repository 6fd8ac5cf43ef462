/* synack-tunnel's relay: tunnel mode (synack_tunnel, synack_tunnel_udp) on a runtime
 * without thread. Each TCP flow a program behind the link opens, to any destination, is
 * first connected upstream through this process's own sockets while the flow hook holds it
 * (SYNACK_FLOW_DEFER); the client then sees what the upstream did (the handshake, a RST
 * for a refusal, ICMP unreachable for anything else), and an accepted connection is joined
 * to its upstream socket (splice.h). Each UDP flow gets a connected upstream datagram
 * socket of its own until the stack ends the flow as idle. DNS to the link's DNS address
 * goes to the resolver named in the options. */
#ifndef SK_RUN_TUNNEL_H
#define SK_RUN_TUNNEL_H

#include <stddef.h>

#include <synack/rt.h>

struct sk_tnl_relay;

/* The address on the link where DNS (UDP and TCP port 53) is relayed to the resolver, as
 * slirp's 10.0.2.3; and its IPv6 twin. */
#define SK_TNL_DNS4 "10.0.2.3"
#define SK_TNL_DNS6 "2001:db8:2::3"

struct sk_tnl_opts {
	unsigned udp_idle_ms;      /* a UDP flow ends after this long without a datagram (0: 60 s) */
	struct synack_sockaddr dns; /* the resolver DNS to SK_TNL_DNS4/6 goes to (port 0: none:
				     * refused as a closed port) */
	struct synack_tunnel_limits limits; /* the flows' memory budget, flows per client */
	struct synack_sockaddr socks5; /* every flow through this SOCKS5 proxy (port 0: none):
					* TCP with CONNECT, the client's handshake answered once
					* the proxy granted it (refused: a RST; anything else: ICMP
					* unreachable), UDP with a UDP ASSOCIATE per flow */
};

/* A relay on rt (started with no_thread); o NULL for the defaults. NULL with a one-line
 * reason in why. */
struct sk_tnl_relay *sk_tnl_relay_new(synack_rt *rt, const struct sk_tnl_opts *o, char *why, size_t whylen);
/* Forwards this host's TCP port (IPv4 and IPv6) to address to behind the link: each
 * connection to it makes synack connect there, and the two are joined. 0, or -1 with a
 * one-line reason in why. */
int sk_tnl_relay_forward(struct sk_tnl_relay *r, uint16_t port, const struct synack_sockaddr *to, char *why,
			 size_t whylen);
/* Whether the SOCKS5 proxy at a takes connections (within 5 s): 0, or -1 with errno (the
 * tool's one-line error before it starts). */
int sk_tnl_proxy_reachable(const struct synack_sockaddr *a);
/* Adds the caller's descriptor fd (a signalfd) to what sk_tnl_relay_run waits on. 0, or -1
 * with errno. */
int sk_tnl_relay_watch(struct sk_tnl_relay *r, int fd);
/* Waits up to timeout_ms (0: not at all) for work or the watched descriptor, in one
 * epoll_wait, and does the work that is ready. SK_RUN_WORKED when there was any,
 * SK_RUN_WATCHED when the watched descriptor is readable (supervise.h), or -1 with errno when the runtime failed. */
int sk_tnl_relay_run(struct sk_tnl_relay *r, int timeout_ms);
/* TCP flows being connected upstream or relayed (UDP flows hold nothing: they end when
 * idle). */
size_t sk_tnl_relay_flows(const struct sk_tnl_relay *r);
/* Closes every flow and frees the relay; the runtime stays. */
void sk_tnl_relay_free(struct sk_tnl_relay *r);

#endif
