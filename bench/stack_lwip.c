/* stack_lwip: lwIP (Debian's liblwip, as built) as a server on a TUN device, one thread,
 * for bench/real.sh. The same command line and protocol as stack_synack.
 *
 *   stack_lwip [--tun NAME] [--host A.B.C.D] [--addr A.B.C.D] [--prefix N] [--port P] [--mtu M]
 *
 * lwIP is driven the NO_SYS way although Debian builds it with NO_SYS=0: lwip_init() (no
 * tcpip thread is ever started, so no core lock is needed), the raw TCP API, one netif
 * whose output writes each packet to the TUN fd and whose input is ip_input, and
 * sys_check_timeouts() for the timers. Each packet is read straight into a PBUF_RAM pbuf
 * (no copy; Debian's PBUF_POOL buffers are smaller than its headers say). TCP_WND,
 * TCP_MSS and TCP_SND_BUF are lwIP compile-time options: Debian's are used as they are
 * and printed at start. Prints "ready" on stdout once listening; on SIGTERM or SIGINT
 * prints a few counters on stderr and exits 0. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "lwip/init.h"
#include "lwip/ip.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"

#include "link/tun.h"
#include "tunsrv.h"

#define BATCH 64

enum { M_NONE = 0, M_SINK, M_SOURCE, M_ECHO };

struct conn {
	int mode;
};

static int tun_fd = -1;
static uint8_t source_data[65535];
static uint64_t out_packets, out_errors, in_packets, in_dropped, conns_accepted;


/* ---- the netif: packets out to the TUN ---- */

static err_t tun_output(struct netif *nif, struct pbuf *p, const ip4_addr_t *dst)
{
	(void)nif;
	(void)dst;
	ssize_t w;
	if (!p->next) {
		w = write(tun_fd, p->payload, p->len);
	} else {
		struct iovec iov[16];
		int n = 0;
		for (struct pbuf *q = p; q && n < 16; q = q->next)
			iov[n++] = (struct iovec){q->payload, q->len};
		w = writev(tun_fd, iov, n);
	}
	if (w < 0 && errno != EAGAIN)
		out_errors++;
	out_packets++;
	return ERR_OK; /* a full device queue drops, as a NIC would */
}

#if LWIP_IPV6
static err_t tun_output6(struct netif *nif, struct pbuf *p, const ip6_addr_t *dst)
{
	(void)nif;
	(void)p;
	(void)dst;
	return ERR_OK; /* IPv6 is off in the benchmark's namespaces */
}
#endif

static uint16_t nif_mtu = 1500;

static err_t tun_netif_init(struct netif *nif)
{
	nif->name[0] = 't';
	nif->name[1] = 'n';
	nif->output = tun_output;
#if LWIP_IPV6
	nif->output_ip6 = tun_output6;
#endif
	nif->mtu = nif_mtu;
	nif->flags = NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

/* ---- the server ---- */

static void conn_forget(struct tcp_pcb *pcb, struct conn *c)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	free(c);
}

/* Closes the connection (our FIN after any queued data); returns what a callback returns. */
static err_t conn_close(struct tcp_pcb *pcb, struct conn *c)
{
	conn_forget(pcb, c);
	if (tcp_close(pcb) != ERR_OK) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	return ERR_OK;
}

/* Source: queue as much as the send buffer and queue length allow, then send. */
static void fill(struct tcp_pcb *pcb)
{
	for (;;) {
		uint32_t room = tcp_sndbuf(pcb);
		if (room < TCP_MSS)
			break;
		if (tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN - 4)
			break;
		u16_t n = (u16_t)(room > 65535 ? 65535 : room);
		if (tcp_write(pcb, source_data, n, 0) != ERR_OK)
			break;
	}
	tcp_output(pcb);
}

/* Echo: send back what arrived; refuse it (lwIP keeps it and offers it again) when the
 * send buffer cannot take it all. */
static err_t echo(struct tcp_pcb *pcb, struct pbuf *p)
{
	if (tcp_sndbuf(pcb) < p->tot_len || tcp_sndqueuelen(pcb) + 4 >= TCP_SND_QUEUELEN)
		return ERR_MEM;
	for (struct pbuf *q = p; q; q = q->next)
		if (q->len && tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY) != ERR_OK)
			return ERR_MEM; /* cannot happen after the check above */
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	tcp_output(pcb);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)len;
	struct conn *c = arg;
	if (c && c->mode == M_SOURCE)
		fill(pcb);
	return ERR_OK;
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	return on_sent(arg, pcb, 0);
}

static void on_err(void *arg, err_t err)
{
	(void)err;
	free(arg); /* the pcb is gone already */
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct conn *c = arg;
	if (!c) {
		if (p) {
			tcp_recved(pcb, p->tot_len);
			pbuf_free(p);
		}
		return ERR_OK;
	}
	if (!p || err != ERR_OK) { /* end of stream */
		if (p)
			pbuf_free(p);
		return conn_close(pcb, c);
	}
	if (c->mode == M_NONE) {
		uint8_t m = pbuf_get_at(p, 0);
		c->mode = m == 'S' || m == 'C' ? M_SINK : m == 'R' ? M_SOURCE : m == 'E' ? M_ECHO : -1;
		if (c->mode < 0) {
			fprintf(stderr, "stack_lwip: unknown mode byte 0x%02x\n", m);
			pbuf_free(p);
			conn_forget(pcb, c);
			tcp_abort(pcb);
			return ERR_ABRT;
		}
		tcp_recved(pcb, 1);
		if (p->tot_len == 1) {
			pbuf_free(p);
			p = NULL;
		} else if (p->len > 1) {
			pbuf_remove_header(p, 1);
		} else { /* a 1-byte first pbuf in a chain: drop it */
			struct pbuf *rest = p->next;
			pbuf_ref(rest);
			pbuf_free(p);
			p = rest;
		}
		if (c->mode == M_SOURCE)
			fill(pcb);
		if (!p)
			return ERR_OK;
	}
	if (c->mode == M_ECHO)
		return echo(pcb, p);
	tcp_recved(pcb, p->tot_len); /* sink; and a source ignores what the client sends */
	pbuf_free(p);
	return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	struct conn *c = calloc(1, sizeof(*c));
	if (!c) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	conns_accepted++;
	tcp_arg(pcb, c);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
	tcp_poll(pcb, on_poll, 2);
	tcp_nagle_disable(pcb);
	return ERR_OK;
}

int main(int argc, char **argv)
{
	struct tunsrv_opts o;
	if (tunsrv_parse(&o, argc, argv, "stack_lwip", 0) < 0)
		return 2;
	if (o.v6) {
		fprintf(stderr, "stack_lwip: IPv4 only (the lwIP rows of bench/real.sh are IPv4)\n");
		return 2;
	}
	struct sk_dev *dev = tunsrv_open(&o, "stack_lwip");
	if (!dev)
		return 1;
	const char *tun = o.tun;
	uint32_t host = o.host, addr = o.addr, mtu = o.mtu;
	int prefix = o.prefix, port = o.port;
	tun_fd = sk_dev_fd(dev);
	nif_mtu = (uint16_t)mtu;

	lwip_init();
	struct netif nif;
	ip4_addr_t ip, mask, gw;
	ip4_addr_set_u32(&ip, htonl(addr));
	ip4_addr_set_u32(&mask, htonl(prefix ? ~0u << (32 - prefix) : 0));
	ip4_addr_set_u32(&gw, htonl(host));
	if (!netif_add(&nif, &ip, &mask, &gw, NULL, tun_netif_init, ip_input)) {
		fprintf(stderr, "stack_lwip: netif_add failed\n");
		return 1;
	}
	netif_set_default(&nif);
	netif_set_up(&nif);
	netif_set_link_up(&nif);

	struct tcp_pcb *l = tcp_new_ip_type(IPADDR_TYPE_V4);
	if (!l) {
		fprintf(stderr, "stack_lwip: tcp_new failed\n");
		return 1;
	}
	fprintf(stderr,
		"stack_lwip: lwIP %s as built by Debian: TCP_MSS %d, TCP_WND %d (window scale %d), TCP_SND_BUF %d, "
		"TCP_SND_QUEUELEN %d; a new pcb has rcv_wnd %u, snd_buf %u\n",
		LWIP_VERSION_STRING, TCP_MSS, TCP_WND, TCP_RCV_SCALE, TCP_SND_BUF, TCP_SND_QUEUELEN,
		(unsigned)l->rcv_wnd, (unsigned)l->snd_buf);
	ip_set_option(l, SOF_REUSEADDR);
	if (tcp_bind(l, IP4_ADDR_ANY, (u16_t)port) != ERR_OK) {
		fprintf(stderr, "stack_lwip: cannot bind port %d\n", port);
		return 1;
	}
	struct tcp_pcb *lp = tcp_listen_with_backlog(l, 255);
	if (!lp) {
		fprintf(stderr, "stack_lwip: tcp_listen failed\n");
		return 1;
	}
	tcp_accept(lp, on_accept);

	tunsrv_signals();

	/* Each packet is read straight into a pbuf, which lwIP then owns. */
	u16_t cap = (u16_t)((mtu + 63) & ~63u);
	struct pbuf *spare = NULL;
	uint64_t batches = 0, polls = 0, idle_us = 0, t_start = now_us();
	struct tunsrv_spin spin;
	tunsrv_spin_init(&spin, o.busy_poll);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		int n = 0;
		for (; n < BATCH; n++) {
			if (!spare && !(spare = pbuf_alloc(PBUF_RAW, cap, PBUF_RAM))) {
				fprintf(stderr, "stack_lwip: out of memory\n");
				return 1;
			}
			ssize_t r = read(tun_fd, spare->payload, cap);
			if (r <= 0) {
				if (r < 0 && errno != EAGAIN && errno != EINTR) {
					fprintf(stderr, "stack_lwip: read %s: %s\n", tun, strerror(errno));
					return 1;
				}
				break;
			}
			struct pbuf *p = spare;
			spare = NULL;
			pbuf_realloc(p, (u16_t)r);
			if (nif.input(p, &nif) != ERR_OK) {
				pbuf_free(p);
				in_dropped++;
			}
		}
		in_packets += (uint64_t)n;
		batches += n > 0;
		sys_check_timeouts();
		if (!tunsrv_spinning(&spin, n, now_us())) {
			u32_t ms = sys_timeouts_sleeptime();
			struct pollfd p = {.fd = tun_fd, .events = POLLIN};
			polls++;
			uint64_t t_poll = now_us();
			int pr = poll(&p, 1, ms > 1000 ? 1000 : (int)ms);
			uint64_t slept = now_us() - t_poll;
			idle_us += slept;
			tunsrv_slept(&spin, slept);
			if (pr < 0 && errno != EINTR) {
				perror("stack_lwip: poll");
				return 1;
			}
		}
	}
	fprintf(stderr,
		"stack_lwip: %.1f s, %.1f s of it waiting in poll; packets in %llu in %llu batches, %llu polls, %llu refused by ip_input; packets out %llu, "
		"%llu write errors; %llu connections accepted\n",
		(double)(now_us() - t_start) * 1e-6, (double)idle_us * 1e-6, (unsigned long long)in_packets,
		(unsigned long long)batches, (unsigned long long)polls,
		(unsigned long long)in_dropped, (unsigned long long)out_packets, (unsigned long long)out_errors,
		(unsigned long long)conns_accepted);
	if (spare)
		pbuf_free(spare);
	sk_dev_close(dev);
	return 0;
}
