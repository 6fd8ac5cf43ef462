/* synack-run's relay: control requests from preloaded processes, and the bytes, datagrams
 * and accepted connections that flow between each program-held socket pair and its synack
 * socket (proto.h describes the pairs). One thread, one kernel epoll set holding the
 * control socket, every control connection, every pair end and the runtime's descriptor. */
#include "run/relay.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "run/fdpass.h"
#include "run/proto.h"
#include "rt/rt_int.h"
#include "run/splice.h"
#include "run/supervise.h"

#define BUF_UDP (65536 + sizeof(struct sk_run_dgram))
#define SWEEP_US 1000000          /* how often closed-down sockets are checked for their end */

enum tag { T_CTL_LISTEN, T_CTL, T_RT, T_SOCK, T_WATCH };

struct rsock;

struct ctl {
	enum tag tag;
	int fd;
	struct rsock *waits; /* a request that waits for a connection's outcome */
	struct ctl *next;    /* every control connection */
	int dead;
};

/* A synack socket a program holds through a pair. */
struct rsock {
	enum tag tag;
	uint32_t id;
	struct sk_splice sp; /* the synack socket (sp.s), the relay's end of the pair (sp.fd),
			      * and for TCP the bytes between them; UDP uses its buffers too */
	int domain, type, protocol;
	int kind;          /* SK_RUN_TCP, SK_RUN_LISTENER, SK_RUN_UDP */
	int connecting;    /* a TCP connect is in progress */
	int connected;     /* TCP: data may move */
	int connect_done;  /* the next connect call answers 0: a non-blocking one completed */
	int app_gone;      /* the program's end is released */
	int zombie;        /* everything done; only names are answered until the end goes */
	int dead;          /* freed at the end of the round */
	uint32_t kev, nev; /* interest now in the kernel's and in synack's set (~0u: none) */
	struct ctl *waiter;
	uint32_t wait_op;
	uint8_t peer[28], local[28]; /* kept for a zombie */
	socklen_t peer_len, local_len;
	uint8_t dst[28];   /* a connect's address, for asking its outcome */
	socklen_t dst_len;
	/* A listener's accepted connection not yet handed over (its pair had no room). */
	struct rsock *pend;
	int pend_fd;
	struct rsock *next_dead;
};

struct sk_run_relay {
	synack_rt *rt;
	int ep;     /* kernel epoll set */
	int sep;    /* synack epoll set */
	int lfd;    /* control socket */
	enum tag rt_tag, lfd_tag, w_tag;
	char name[64];
	struct ctl *ctls;
	size_t nctl;
	struct rsock **slot;
	uint8_t *gen;
	uint32_t nslot, cap, nsock, nzombie;
	uint32_t *free_slots;
	uint32_t nfree;
	struct rsock *graveyard;
	uint64_t last_sweep;
};


/* ---- the socket table: ids are slot + 1 with a generation in the top byte ---- */

static struct rsock *sock_find(struct sk_run_relay *r, uint32_t id)
{
	uint32_t i = (id & 0xffffff) - 1;
	if (i >= r->nslot || !r->slot[i] || r->slot[i]->id != id || r->slot[i]->dead)
		return NULL;
	return r->slot[i];
}

static struct rsock *sock_new(struct sk_run_relay *r)
{
	uint32_t i;
	if (r->nfree) {
		i = r->free_slots[--r->nfree];
	} else {
		if (r->nslot == 0xfffffe)
			return NULL;
		if (r->nslot == r->cap) {
			uint32_t cap = r->cap ? r->cap * 2 : 64;
			struct rsock **s = realloc(r->slot, cap * sizeof(*s));
			if (!s)
				return NULL;
			r->slot = s;
			uint8_t *g = realloc(r->gen, cap);
			if (!g)
				return NULL;
			r->gen = g;
			uint32_t *f = realloc(r->free_slots, cap * sizeof(*f));
			if (!f)
				return NULL;
			r->free_slots = f;
			memset(r->gen + r->cap, 0, cap - r->cap);
			r->cap = cap;
		}
		i = r->nslot++;
	}
	struct rsock *x = calloc(1, sizeof(*x));
	if (!x) {
		r->free_slots[r->nfree++] = i;
		return NULL;
	}
	x->tag = T_SOCK;
	x->id = ((uint32_t)++r->gen[i] << 24) | (i + 1);
	x->sp.rt = r->rt;
	x->sp.s = -1;
	x->sp.fd = -1;
	x->pend_fd = -1;
	x->kev = x->nev = ~0u;
	r->slot[i] = x;
	r->nsock++;
	return x;
}

/* ---- registrations ---- */

static void kernel_interest(struct sk_run_relay *r, struct rsock *x, uint32_t ev)
{
	sk_watch_kernel(r->ep, x->sp.fd, &x->kev, ev, x);
}

static void net_interest(struct sk_run_relay *r, struct rsock *x, uint32_t ev)
{
	sk_watch_net(r->rt, r->sep, x->sp.s, &x->nev, ev, x);
}

/* What each side should report, from where the socket is. The kernel side stays
 * registered (for EPOLLHUP: the program released its end) until the socket is a zombie;
 * synack's only while something waits on it (its EPOLLHUP would repeat for ever after
 * the connection ends). */
static void update(struct sk_run_relay *r, struct rsock *x)
{
	uint32_t k = 0, n = 0;
	switch (x->kind) {
	case SK_RUN_LISTENER:
		k = x->pend ? EPOLLOUT : 0;
		n = x->pend ? 0 : EPOLLIN;
		break;
	case SK_RUN_UDP:
		k = (x->sp.ulen ? 0 : EPOLLIN) | (x->sp.dlen ? EPOLLOUT : 0);
		n = (x->sp.dlen ? 0 : EPOLLIN) | (x->sp.ulen ? EPOLLOUT : 0);
		break;
	default:
		if (x->connecting) {
			n = EPOLLOUT;
		} else if (x->connected) {
			sk_splice_interest(&x->sp, &k, &n);
		}
	}
	kernel_interest(r, x, x->zombie || x->app_gone ? ~0u : k);
	net_interest(r, x, n ? n : ~0u);
}

/* ---- ending sockets ---- */

static void close_net(struct sk_run_relay *r, struct rsock *x)
{
	if (x->sp.s < 0)
		return;
	net_interest(r, x, ~0u);
	synack_rt_close(r->rt, x->sp.s);
	x->sp.rt = r->rt;
	x->sp.s = -1;
}

static void close_pair(struct sk_run_relay *r, struct rsock *x)
{
	if (x->sp.fd < 0)
		return;
	kernel_interest(r, x, ~0u);
	close(x->sp.fd);
	x->sp.fd = -1;
}

static void reply_waiter(struct sk_run_relay *r, struct rsock *x, int32_t ret);

static void retire(struct sk_run_relay *r, struct rsock *x)
{
	if (x->dead)
		return;
	if (x->waiter)
		reply_waiter(r, x, -EBADF);
	if (x->pend) {
		retire(r, x->pend);
		close(x->pend_fd);
		x->pend = NULL;
	}
	close_net(r, x);
	close_pair(r, x);
	sk_splice_release(&x->sp);
	if (x->zombie)
		r->nzombie--;
	x->dead = 1;
	x->next_dead = r->graveyard;
	r->graveyard = x;
}

static void bury(struct sk_run_relay *r)
{
	while (r->graveyard) {
		struct rsock *x = r->graveyard;
		r->graveyard = x->next_dead;
		uint32_t i = (x->id & 0xffffff) - 1;
		r->slot[i] = NULL;
		r->free_slots[r->nfree++] = i;
		r->nsock--;
		free(x);
	}
	for (struct ctl **p = &r->ctls; *p;) {
		struct ctl *c = *p;
		if (c->dead) {
			*p = c->next;
			free(c);
		} else {
			p = &c->next;
		}
	}
}

/* Both directions are over but the program may still hold its end (it shut down both
 * ways, or shut down after the peer's FIN: the pair cannot tell that from a close).
 * Close the synack socket, keep the names, and let the sweep find when the end goes. */
static void become_zombie(struct sk_run_relay *r, struct rsock *x)
{
	x->peer_len = sizeof(x->peer);
	x->local_len = sizeof(x->local);
	if (synack_rt_getpeername(r->rt, x->sp.s, (struct sockaddr *)x->peer, &x->peer_len) < 0)
		x->peer_len = 0;
	if (synack_rt_getsockname(r->rt, x->sp.s, (struct sockaddr *)x->local, &x->local_len) < 0)
		x->local_len = 0;
	close_net(r, x);
	close_pair(r, x);
	x->zombie = 1;
	r->nzombie++;
}

/* After a pump: end the socket when both sides are done. */
static void settle(struct sk_run_relay *r, struct rsock *x)
{
	if (x->dead || x->kind != SK_RUN_TCP || !x->connected) {
		if (!x->dead)
			update(r, x);
		return;
	}
	if (x->app_gone && x->sp.up_eof && !x->sp.ulen) {
		retire(r, x); /* synack_rt_close: a FIN after what is queued, as close(2) */
		return;
	}
	if (!x->zombie && sk_splice_done(&x->sp)) {
		become_zombie(r, x);
		return;
	}
	update(r, x);
}

static int need_buf(uint8_t **b, size_t n)
{
	if (!*b)
		*b = malloc(n);
	return *b != NULL;
}

/* ---- UDP: one datagram per message, behind its address ---- */

static void pump_udp(struct sk_run_relay *r, struct rsock *x)
{
	const size_t h = sizeof(struct sk_run_dgram);
	for (int budget = 64; budget > 0 && x->sp.fd >= 0; budget--) {
		if (!x->sp.ulen) {
			if (!need_buf(&x->sp.up, BUF_UDP))
				break;
			ssize_t n = recv(x->sp.fd, x->sp.up, BUF_UDP, MSG_DONTWAIT);
			if (n < 0)
				break;
			if (n == 0) {
				x->app_gone = 1;
				break;
			}
			x->sp.ulen = (size_t)n;
		}
		struct sk_run_dgram d;
		if (x->sp.ulen < h) {
			x->sp.ulen = 0; /* not from the shim: dropped */
			continue;
		}
		memcpy(&d, x->sp.up, h);
		const struct sockaddr *to = d.len ? (const struct sockaddr *)d.addr : NULL;
		ssize_t m = synack_rt_sendto(r->rt, x->sp.s, x->sp.up + h, x->sp.ulen - h, MSG_DONTWAIT, to,
					     d.len <= sizeof(d.addr) ? d.len : 0);
		if (m < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
			break;
		x->sp.ulen = 0; /* sent, or refused as sendto would have: the program is not told */
	}
	for (int budget = 64; budget > 0 && x->sp.fd >= 0; budget--) {
		if (!x->sp.dlen) {
			if (!need_buf(&x->sp.down, BUF_UDP))
				break;
			struct sk_run_dgram d = {0};
			socklen_t fl = sizeof(d.addr);
			ssize_t m = synack_rt_recvfrom(r->rt, x->sp.s, x->sp.down + h, BUF_UDP - h, MSG_DONTWAIT,
						       (struct sockaddr *)d.addr, &fl);
			if (m < 0)
				break; /* EAGAIN, or an ICMP error on a connected socket: not relayed */
			d.len = fl;
			memcpy(x->sp.down, &d, h);
			x->sp.dlen = (size_t)m + h;
		}
		ssize_t n = send(x->sp.fd, x->sp.down, x->sp.dlen, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		x->sp.dlen = 0;
	}
	if (x->app_gone)
		retire(r, x);
}

/* ---- listeners: each accepted connection becomes a pair handed to the program ---- */

static int bind_name(struct sk_run_relay *r, int fd, uint32_t id, char kind)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "%s.%u.%c", r->name, id, kind);
	return bind(fd, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n));
}

/* A pair for x: the relay keeps sv[0] (non-blocking), returns the program's end. */
static int make_pair(struct sk_run_relay *r, struct rsock *x)
{
	int sv[2];
	int type = x->kind == SK_RUN_UDP ? SOCK_SEQPACKET : SOCK_STREAM;
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	if (bind_name(r, sv[1], x->id, x->kind == SK_RUN_UDP ? 'u' : 't') < 0 ||
	    fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		errno = e;
		return -1;
	}
	x->sp.fd = sv[0];
	return sv[1];
}

static void pump_accept(struct sk_run_relay *r, struct rsock *x)
{
	while (x->sp.fd >= 0) {
		if (x->pend) {
			struct sk_run_accept rec = {.id = x->pend->id, .peer_len = x->pend->peer_len};
			memcpy(rec.peer, x->pend->peer, sizeof(rec.peer));
			if (sk_fd_send(x->sp.fd, &rec, sizeof(rec), x->pend_fd, MSG_DONTWAIT) < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					break;
				retire(r, x->pend); /* the listener's end is gone */
			}
			close(x->pend_fd);
			x->pend = NULL;
			x->pend_fd = -1;
			continue;
		}
		struct sockaddr_in6 peer;
		socklen_t pl = sizeof(peer);
		int ns = synack_rt_accept4(r->rt, x->sp.s, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK);
		if (ns < 0)
			break;
		struct rsock *c = sock_new(r);
		if (!c) {
			synack_rt_close(r->rt, ns);
			break;
		}
		c->sp.s = ns;
		c->kind = SK_RUN_TCP;
		c->connected = 1;
		c->domain = x->domain;
		c->type = SOCK_STREAM;
		c->protocol = IPPROTO_TCP;
		c->peer_len = pl <= sizeof(c->peer) ? pl : 0;
		memcpy(c->peer, &peer, c->peer_len);
		int theirs = make_pair(r, c);
		if (theirs < 0) {
			retire(r, c);
			break;
		}
		x->pend = c;
		x->pend_fd = theirs;
		update(r, c);
	}
	update(r, x);
}

/* ---- events ---- */

static void finish_connect(struct sk_run_relay *r, struct rsock *x)
{
	if (synack_rt_connect(r->rt, x->sp.s, (struct sockaddr *)x->dst, x->dst_len) == 0 || errno == EISCONN) {
		x->connected = 1;
		x->sp.so_error = 0;
	} else if (errno == EALREADY || errno == EINPROGRESS) {
		return; /* still going */
	} else {
		x->sp.so_error = errno;
	}
	x->connecting = 0;
	x->connect_done = 1;
	if (x->waiter) {
		int e = x->sp.so_error;
		if (x->wait_op == SK_RUN_GETSOCKOPT) {
			x->sp.so_error = 0;
			reply_waiter(r, x, e);
		} else {
			x->sp.so_error = 0;
			x->connect_done = 0;
			reply_waiter(r, x, -e);
		}
	}
}

static void on_sock(struct sk_run_relay *r, struct rsock *x, uint32_t ev, int net)
{
	if (x->dead || x->zombie)
		return;
	if (!net && (ev & (EPOLLHUP | EPOLLERR))) {
		/* The program released its end, or (with ours shut) shut its own: either way
		 * nothing more comes from it after what is queued. */
		if (!x->sp.wr_shut)
			x->app_gone = 1;
	}
	switch (x->kind) {
	case SK_RUN_LISTENER:
		if (x->app_gone) {
			retire(r, x);
			return;
		}
		pump_accept(r, x);
		return;
	case SK_RUN_UDP:
		pump_udp(r, x);
		if (!x->dead)
			update(r, x);
		return;
	default:
		if (x->connecting && net)
			finish_connect(r, x);
		if (!x->connected) {
			if (x->app_gone)
				retire(r, x);
			else
				update(r, x);
			return;
		}
		x->sp.kernel_gone = (uint8_t)x->app_gone;
		sk_splice_pump(&x->sp);
		settle(r, x);
	}
}

/* ---- control requests ---- */

static void reply(struct sk_run_relay *r, struct ctl *c, struct sk_run_rep *p, int pass)
{
	if (sk_fd_send(c->fd, p, sizeof(*p), pass, MSG_DONTWAIT) < 0)
		c->dead = 1; /* the thread is gone; its socket closes below */
}

static void reply_waiter(struct sk_run_relay *r, struct rsock *x, int32_t ret)
{
	struct ctl *c = x->waiter;
	x->waiter = NULL;
	c->waits = NULL;
	struct sk_run_rep p = {.ret = ret, .id = x->id};
	if (x->wait_op == SK_RUN_GETSOCKOPT && ret >= 0) {
		int v = ret;
		p.ret = 0;
		p.len = sizeof(v);
		memcpy(p.data, &v, sizeof(v));
	}
	reply(r, c, &p, -1);
}

static int err(void)
{
	return -errno;
}

static int op_socket(struct sk_run_relay *r, const struct sk_run_req *q, struct sk_run_rep *p, int *pass)
{
	int s = synack_rt_socket(r->rt, q->a, q->b | SOCK_NONBLOCK, q->c);
	if (s < 0)
		return err();
	struct rsock *x = sock_new(r);
	if (!x) {
		synack_rt_close(r->rt, s);
		return -ENOMEM;
	}
	x->sp.s = s;
	x->domain = q->a;
	x->type = q->b;
	x->kind = q->b == SOCK_DGRAM ? SK_RUN_UDP : SK_RUN_TCP;
	x->protocol = q->c ? q->c : x->kind == SK_RUN_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	*pass = make_pair(r, x);
	if (*pass < 0) {
		int e = errno;
		retire(r, x);
		return -e;
	}
	update(r, x);
	p->id = x->id;
	return 0;
}

/* TCP_INFO as Linux's struct tcp_info, from synack's own. */
static int tcp_info_linux(struct sk_run_relay *r, struct rsock *x, struct sk_run_rep *p, uint32_t room)
{
	struct synack_tcp_info si;
	socklen_t sl = sizeof(si);
	if (synack_rt_getsockopt(r->rt, x->sp.s, IPPROTO_TCP, TCP_INFO, &si, &sl) < 0)
		return err();
	/* Linux's numbering of the states (include/net/tcp_states.h). */
	static const uint8_t linux_state[] = {
		[SYNACK_CLOSED] = 7, [SYNACK_LISTEN] = 10, [SYNACK_SYN_SENT] = 2, [SYNACK_SYN_RCVD] = 3,
		[SYNACK_ESTABLISHED] = 1, [SYNACK_FIN_WAIT_1] = 4, [SYNACK_FIN_WAIT_2] = 5,
		[SYNACK_CLOSE_WAIT] = 8, [SYNACK_CLOSING] = 11, [SYNACK_LAST_ACK] = 9,
		[SYNACK_TIME_WAIT] = 6,
	};
	struct tcp_info t;
	memset(&t, 0, sizeof(t));
	t.tcpi_state = si.state < sizeof(linux_state) ? linux_state[si.state] : 7;
	t.tcpi_options = si.options; /* the same bits: timestamps 1, SACK 2, window scaling 4 */
	t.tcpi_snd_wscale = si.snd_wscale & 15;
	t.tcpi_rcv_wscale = si.rcv_wscale & 15;
	t.tcpi_retransmits = (uint8_t)si.retransmits;
	t.tcpi_backoff = (uint8_t)si.backoff;
	t.tcpi_rto = si.rto_us;
	t.tcpi_snd_mss = si.snd_mss;
	t.tcpi_rcv_mss = si.rcv_mss;
	uint32_t mss = si.snd_mss ? si.snd_mss : 1;
	t.tcpi_unacked = (si.bytes_in_flight + mss - 1) / mss;
	t.tcpi_rtt = si.srtt_us;
	t.tcpi_rttvar = si.rttvar_us;
	t.tcpi_snd_ssthresh = si.snd_ssthresh / mss;
	t.tcpi_snd_cwnd = si.snd_cwnd / mss;
	t.tcpi_total_retrans = si.total_retrans;
	t.tcpi_rcv_space = si.rcv_wnd;
	uint32_t n = room < sizeof(t) ? room : (uint32_t)sizeof(t);
	if (n > SK_RUN_DATA)
		n = SK_RUN_DATA;
	memcpy(p->data, &t, n);
	p->len = n;
	return 0;
}

static int op_getsockopt(struct sk_run_relay *r, struct ctl *c, struct rsock *x, const struct sk_run_req *q,
			 struct sk_run_rep *p, int *deferred)
{
	int level = q->a, name = q->b, v;
	if (level == SOL_SOCKET && (name == SO_DOMAIN || name == SO_PROTOCOL || name == SO_ACCEPTCONN ||
				    name == SO_TYPE || name == SO_ERROR)) {
		v = name == SO_DOMAIN ? x->domain : name == SO_PROTOCOL ? x->protocol
			: name == SO_TYPE ? x->type : name == SO_ACCEPTCONN ? x->kind == SK_RUN_LISTENER : 0;
		if (name == SO_ERROR) {
			if (x->connecting) {
				/* The answer a caller polling for POLLOUT wants is the outcome, and the
				 * pair is writable at once: wait for it. */
				x->waiter = c;
				x->wait_op = SK_RUN_GETSOCKOPT;
				c->waits = x;
				*deferred = 1;
				return 0;
			}
			if (x->sp.so_error) {
				v = x->sp.so_error;
				x->sp.so_error = 0;
			} else if (x->sp.s >= 0) {
				socklen_t l = sizeof(v);
				if (synack_rt_getsockopt(r->rt, x->sp.s, level, name, &v, &l) < 0)
					v = 0;
			}
		}
		p->len = sizeof(v);
		memcpy(p->data, &v, sizeof(v));
		return 0;
	}
	if (x->sp.s < 0)
		return -ENOTCONN;
	if (level == IPPROTO_TCP && name == TCP_INFO)
		return tcp_info_linux(r, x, p, q->len);
	socklen_t l = q->len < SK_RUN_DATA ? q->len : SK_RUN_DATA;
	if (synack_rt_getsockopt(r->rt, x->sp.s, level, name, p->data, &l) < 0)
		return err();
	p->len = l;
	return 0;
}

static int op_connect(struct sk_run_relay *r, struct ctl *c, struct rsock *x, const struct sk_run_req *q,
		      int *deferred)
{
	if (x->sp.s < 0)
		return -EISCONN;
	if (x->kind == SK_RUN_UDP)
		return synack_rt_connect(r->rt, x->sp.s, (const struct sockaddr *)q->data, q->len) < 0 ? err() : 0;
	if (x->connect_done) {
		/* The first call after a non-blocking connect finished: its outcome. */
		x->connect_done = 0;
		int e = x->sp.so_error;
		x->sp.so_error = 0;
		return -e;
	}
	if (x->connecting)
		return -EALREADY;
	if (synack_rt_connect(r->rt, x->sp.s, (const struct sockaddr *)q->data, q->len) == 0) {
		x->connected = 1;
		update(r, x);
		return 0;
	}
	if (errno != EINPROGRESS)
		return err();
	x->connecting = 1;
	x->dst_len = q->len <= sizeof(x->dst) ? q->len : sizeof(x->dst);
	memcpy(x->dst, q->data, x->dst_len);
	update(r, x);
	if (q->a)
		return -EINPROGRESS;
	x->waiter = c;
	x->wait_op = SK_RUN_CONNECT;
	c->waits = x;
	*deferred = 1;
	return 0;
}

static int names(struct sk_run_relay *r, struct rsock *x, int peer, struct sk_run_rep *p)
{
	socklen_t l = SK_RUN_DATA;
	if (x->zombie) {
		if (!(peer ? x->peer_len : x->local_len))
			return -ENOTCONN;
		l = peer ? x->peer_len : x->local_len;
		memcpy(p->data, peer ? x->peer : x->local, l);
	} else if ((peer ? synack_rt_getpeername : synack_rt_getsockname)(r->rt, x->sp.s, (struct sockaddr *)p->data,
									   &l) < 0) {
		return err();
	}
	p->len = l;
	return 0;
}

static void on_request(struct sk_run_relay *r, struct ctl *c, const struct sk_run_req *q)
{
	struct sk_run_rep p = {0};
	int pass = -1, deferred = 0;
	struct rsock *x = NULL;
	if (q->op != SK_RUN_SOCKET) {
		x = sock_find(r, q->id);
		if (!x) {
			p.ret = -EBADF;
			reply(r, c, &p, -1);
			return;
		}
		p.id = x->id;
	}
	if (q->len > SK_RUN_DATA) {
		p.ret = -EINVAL;
		reply(r, c, &p, -1);
		return;
	}
	int zombie_op = q->op == SK_RUN_GETSOCKNAME || q->op == SK_RUN_GETPEERNAME || q->op == SK_RUN_DESCRIBE ||
			q->op == SK_RUN_GETSOCKOPT || q->op == SK_RUN_TAKE_ERROR;
	if (x && x->sp.s < 0 && !zombie_op) {
		p.ret = x->zombie ? -EINVAL : -EBADF;
		reply(r, c, &p, -1);
		return;
	}
	switch (q->op) {
	case SK_RUN_SOCKET:
		p.ret = op_socket(r, q, &p, &pass);
		break;
	case SK_RUN_BIND:
		p.ret = synack_rt_bind(r->rt, x->sp.s, (const struct sockaddr *)q->data, q->len) < 0 ? err() : 0;
		break;
	case SK_RUN_LISTEN:
		if (x->kind == SK_RUN_UDP) {
			p.ret = -EOPNOTSUPP;
		} else if (x->connecting || x->connected) {
			p.ret = -EINVAL;
		} else {
			p.ret = synack_rt_listen(r->rt, x->sp.s, q->a) < 0 ? err() : 0;
			if (p.ret == 0) {
				x->kind = SK_RUN_LISTENER;
				update(r, x);
			}
		}
		break;
	case SK_RUN_CONNECT:
		p.ret = x->kind == SK_RUN_LISTENER ? -EISCONN : op_connect(r, c, x, q, &deferred);
		break;
	case SK_RUN_GETSOCKNAME:
	case SK_RUN_GETPEERNAME:
		p.ret = names(r, x, q->op == SK_RUN_GETPEERNAME, &p);
		break;
	case SK_RUN_SETSOCKOPT:
		p.ret = synack_rt_setsockopt(r->rt, x->sp.s, q->a, q->b, q->data, q->len) < 0 ? err() : 0;
		break;
	case SK_RUN_GETSOCKOPT:
		p.ret = op_getsockopt(r, c, x, q, &p, &deferred);
		break;
	case SK_RUN_DESCRIBE:
		p.a = x->kind;
		break;
	case SK_RUN_TAKE_ERROR:
		p.ret = x->connecting ? 0 : x->sp.so_error;
		if (!x->connecting)
			x->sp.so_error = 0;
		break;
	default:
		p.ret = -EINVAL;
	}
	if (deferred)
		return;
	reply(r, c, &p, pass);
	if (pass >= 0)
		close(pass);
}

static void on_ctl(struct sk_run_relay *r, struct ctl *c)
{
	for (;;) {
		struct sk_run_req q;
		ssize_t n = recv(c->fd, &q, sizeof(q), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n <= 0) {
			c->dead = 1;
			break;
		}
		if ((size_t)n < offsetof(struct sk_run_req, data)) {
			c->dead = 1; /* not the shim */
			break;
		}
		on_request(r, c, &q);
		if (c->dead || c->waits)
			break;
	}
	if (c->dead) {
		if (c->waits) {
			c->waits->waiter = NULL;
			c->waits = NULL;
		}
		epoll_ctl(r->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
		r->nctl--;
	}
}

static void on_listen(struct sk_run_relay *r)
{
	for (;;) {
		int fd = accept4(r->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct ctl *c = calloc(1, sizeof(*c));
		struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
		if (!c || epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &e) < 0) {
			free(c);
			close(fd);
			continue;
		}
		c->tag = T_CTL;
		c->fd = fd;
		c->next = r->ctls;
		r->ctls = c;
		r->nctl++;
	}
}

/* Zombies whose program end has gone: their names no longer appear among the
 * machine's AF_UNIX sockets (/proc/net/unix lists the bound ones of this namespace). */
static void sweep(struct sk_run_relay *r)
{
	FILE *f = fopen("/proc/net/unix", "r");
	if (!f)
		return;
	uint8_t *seen = calloc(r->nslot ? r->nslot : 1, 1);
	if (!seen) {
		fclose(f);
		return;
	}
	char line[512], want[80];
	int wl = snprintf(want, sizeof(want), "@%s.", r->name);
	while (fgets(line, sizeof(line), f)) {
		char *at = strchr(line, '@');
		if (!at || strncmp(at, want, (size_t)wl) != 0)
			continue;
		uint32_t id = (uint32_t)strtoul(at + wl, NULL, 10);
		uint32_t i = (id & 0xffffff) - 1;
		if (i < r->nslot && r->slot[i] && r->slot[i]->id == id)
			seen[i] = 1;
	}
	fclose(f);
	for (uint32_t i = 0; i < r->nslot; i++)
		if (r->slot[i] && r->slot[i]->zombie && !seen[i])
			retire(r, r->slot[i]);
	free(seen);
}

static void on_net(void *ctx, void *ptr, uint32_t ev)
{
	on_sock(ctx, ptr, ev, 1);
}

int sk_run_relay_watch(struct sk_run_relay *r, int fd)
{
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = &r->w_tag};
	return epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &e);
}

int sk_run_relay_run(struct sk_run_relay *r, int timeout_ms)
{
	struct epoll_event ev[64];
	int n = epoll_wait(r->ep, ev, 64, timeout_ms);
	int rt_ready = 0, watched = 0;
	for (int i = 0; i < n; i++) {
		enum tag *t = ev[i].data.ptr;
		switch (*t) {
		case T_CTL_LISTEN:
			on_listen(r);
			break;
		case T_CTL:
			if (!((struct ctl *)t)->dead)
				on_ctl(r, (struct ctl *)t);
			break;
		case T_RT:
			rt_ready = 1;
			break;
		case T_SOCK:
			on_sock(r, (struct rsock *)t, ev[i].events, 0);
			break;
		case T_WATCH:
			watched = 1;
			break;
		}
	}
	if (sk_watch_net_round(r->rt, rt_ready, r->sep, on_net, r) < 0) {
		bury(r);
		return -1;
	}
	uint64_t now = sk_rt_now_us();
	if (r->nzombie && now - r->last_sweep >= SWEEP_US) {
		r->last_sweep = now;
		sweep(r);
	}
	bury(r);
	return (n > 0 ? SK_RUN_WORKED : 0) | (watched ? SK_RUN_WATCHED : 0);
}

struct sk_run_relay *sk_run_relay_new(synack_rt *rt, char *why, size_t whylen)
{
	struct sk_run_relay *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	r->rt = rt;
	r->rt_tag = T_RT;
	r->lfd_tag = T_CTL_LISTEN;
	r->w_tag = T_WATCH;
	r->ep = r->lfd = r->sep = -1;
	snprintf(r->name, sizeof(r->name), SK_RUN_NAME "%d", (int)getpid());
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "%s", r->name);
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	r->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	r->sep = synack_rt_epoll_create(rt);
	struct epoll_event el = {.events = EPOLLIN, .data.ptr = &r->lfd_tag};
	struct epoll_event er = {.events = EPOLLIN, .data.ptr = &r->rt_tag};
	if (r->ep < 0 || r->lfd < 0 || r->sep < 0) {
		snprintf(why, whylen, "relay: %s", strerror(errno));
	} else if (bind(r->lfd, (struct sockaddr *)&a,
			(socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n)) < 0 ||
		   listen(r->lfd, 128) < 0) {
		snprintf(why, whylen, "control socket @%s: %s", r->name, strerror(errno));
	} else if (epoll_ctl(r->ep, EPOLL_CTL_ADD, r->lfd, &el) < 0 ||
		   epoll_ctl(r->ep, EPOLL_CTL_ADD, synack_rt_fd(rt), &er) < 0) {
		snprintf(why, whylen, "relay: %s (is the runtime started with no_thread?)", strerror(errno));
	} else {
		r->last_sweep = sk_rt_now_us();
		return r;
	}
	sk_run_relay_free(r);
	return NULL;
}

const char *sk_run_relay_name(const struct sk_run_relay *r)
{
	return r->name;
}

size_t sk_run_relay_users(const struct sk_run_relay *r)
{
	return r->nctl + r->nsock;
}

void sk_run_relay_free(struct sk_run_relay *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->nslot; i++)
		if (r->slot[i] && !r->slot[i]->dead)
			retire(r, r->slot[i]);
	for (struct ctl *c = r->ctls; c; c = c->next) {
		if (c->fd >= 0)
			close(c->fd);
		c->dead = 1;
	}
	bury(r);
	if (r->sep >= 0)
		synack_rt_epoll_close(r->rt, r->sep);
	if (r->lfd >= 0)
		close(r->lfd);
	if (r->ep >= 0)
		close(r->ep);
	free(r->slot);
	free(r->gen);
	free(r->free_slots);
	free(r);
}
