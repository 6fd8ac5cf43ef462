/* Scenario registry, runner, and the helpers scenario code is written with. */
#include "sim/scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "wire/ipv4.h"
#include "wire/tcp.h"

/* Each area's scenarios live in their own file, as a NULL-terminated array. */
extern const struct sk_scenario sk_scn_hs[], sk_scn_lq[], sk_scn_cl[], sk_scn_tw[], sk_scn_rst[], sk_scn_conn[],
	sk_scn_rel[], sk_scn_flow[], sk_scn_cc[];

static const struct sk_scenario *const groups[] = {sk_scn_conn, sk_scn_hs, sk_scn_lq, sk_scn_cl, sk_scn_tw,
						   sk_scn_rst, sk_scn_rel, sk_scn_flow, sk_scn_cc};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

size_t sk_scenario_count(void)
{
	size_t n = 0;
	for (size_t g = 0; g < NGROUPS; g++)
		for (const struct sk_scenario *sc = groups[g]; sc->name; sc++)
			n++;
	return n;
}

const struct sk_scenario *sk_scenario_get(size_t i)
{
	for (size_t g = 0; g < NGROUPS; g++)
		for (const struct sk_scenario *sc = groups[g]; sc->name; sc++)
			if (i-- == 0)
				return sc;
	return NULL;
}

const struct sk_scenario *sk_scenario_find(const char *name)
{
	const struct sk_scenario *sc;
	for (size_t i = 0; (sc = sk_scenario_get(i)); i++)
		if (!strcmp(sc->name, name))
			return sc;
	return NULL;
}

/* Every frame the scenario put on the wire was of the world's family: one that runs over
 * IPv6 leaves no IPv4 behind (and the other way round). */
static void family_check(struct sk_scn *s)
{
	size_t n = sk_world_nrecs(s->w), other = 0;
	int v6 = sk_world_is_ipv6(s->w);
	for (size_t i = 0; i < n; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type == SK_REC_SEG && (v6 ? r->d.has_ip : r->d.has_ip6))
			other++;
	}
	if (other)
		sk_expect(s, 0, "%zu frames were IPv%d in a scenario run over IPv%d", other, v6 ? 4 : 6, v6 ? 6 : 4);
}

int sk_scenario_run(const struct sk_scenario *sc, const struct sk_world_opts *o, FILE *report)
{
	struct sk_scn s;
	memset(&s, 0, sizeof(s));
	if (o)
		s.opts = *o;
	if (s.opts.link.delay_us == 0 && s.opts.link.jitter_us == 0 && s.opts.link.rate_bps == 0)
		s.opts.link.delay_us = SK_MS(10);
	s.report = report ? report : stderr;
	s.client = s.server = -1;
	int err = 0;
	s.w = sk_world_new(&s.opts, &err);
	if (!s.w)
		return err;
	sc->run(&s);
	family_check(&s);
	if (s.opts.on_end)
		s.opts.on_end(s.w, s.opts.on_end_arg);
	sk_world_free(s.w);
	if (s.checks == 0) {
		fprintf(s.report, "FAIL %s: the scenario checked nothing\n", sc->name);
		return 1;
	}
	return s.failures;
}

int sk_expect(struct sk_scn *s, int cond, const char *fmt, ...)
{
	s->checks++;
	if (cond)
		return 1;
	s->failures++;
	va_list ap;
	va_start(ap, fmt);
	fprintf(s->report, "FAIL at %.6f s: ", (double)sk_world_now(s->w) / 1e6);
	vfprintf(s->report, fmt, ap);
	fputc('\n', s->report);
	va_end(ap);
	return 0;
}

struct synack_config sk_scn_textbook(void)
{
	struct synack_config c;
	synack_config_defaults(&c);
	c.tcp_quickack_max = 0;
	c.tcp_recovery = 0;
	c.tcp_early_retrans = 0;
	c.tcp_rto_var_floor = 0;
	c.tcp_nagle_minshall = 0;
	c.tcp_ack_read_wait = 0;
	return c;
}

void sk_scn_pair(struct sk_scn *s, const struct synack_config *ccfg, const struct synack_config *scfg)
{
	s->client = sk_world_add_host(s->w, "client", SK_CLIENT_ADDR, ccfg);
	s->server = sk_world_add_host(s->w, "server", SK_SERVER_ADDR, scfg);
}

static void print_result(struct sk_scn *s, int host, const char *call, long r)
{
	if (r < 0)
		sk_world_note(s->w, host, "%s = -1 %s", call, sk_errno_name((int)r));
	else
		sk_world_note(s->w, host, "%s = %ld", call, r);
}

int sk_scn_socket(struct sk_scn *s, int host)
{
	return synack_socket(sk_world_stack(s->w, host), sk_world_af(s->w), SYNACK_SOCK_STREAM);
}

struct synack_sockaddr sk_scn_sa(struct sk_scn *s, uint32_t addr, uint16_t port)
{
	return sk_world_sa(s->w, addr, port);
}

int sk_scn_is_addr(struct sk_scn *s, const struct synack_sockaddr *a, uint32_t addr)
{
	struct synack_ip want = sk_world_ip(s->w, addr);
	if (!addr)
		return a->ip.family == want.family && sk_ip_is_any(&a->ip);
	return synack_ip_equal(&a->ip, &want);
}

uint32_t sk_scn_mss(struct sk_scn *s)
{
	return 1500 - sk_world_ip_hlen(s->w) - SK_TCP_MIN_HLEN;
}

/* "10.0.0.2:6378", or "[2001:db8::a00:2]:6378" over IPv6. */
static void fmt_sa(char *b, size_t n, const struct synack_sockaddr *a)
{
	if (!synack_sa_format(a, b, n))
		snprintf(b, n, "?");
}

int sk_scn_listen(struct sk_scn *s, int host, uint16_t port, int backlog)
{
	synack_stack *st = sk_world_stack(s->w, host);
	int l = sk_scn_socket(s, host);
	struct synack_sockaddr a = sk_scn_sa(s, 0, port);
	int r = l < 0 ? l : synack_bind(st, l, &a);
	if (r >= 0)
		r = synack_listen(st, l, backlog);
	char call[64];
	snprintf(call, sizeof(call), "listen(:%u, %d)", port, backlog);
	print_result(s, host, call, r < 0 ? r : 0);
	return r < 0 ? r : l;
}

int sk_scn_connect(struct sk_scn *s, int host, uint32_t addr, uint16_t port)
{
	synack_stack *st = sk_world_stack(s->w, host);
	int k = sk_scn_socket(s, host);
	if (k < 0)
		return k;
	struct synack_sockaddr a = sk_scn_sa(s, addr, port);
	int r = synack_connect(st, k, &a);
	char call[96], sa[64];
	fmt_sa(sa, sizeof(sa), &a);
	snprintf(call, sizeof(call), "connect(%s)", sa);
	print_result(s, host, call, r);
	return r == -EINPROGRESS ? k : r;
}

int sk_scn_accept(struct sk_scn *s, int host, int lsock)
{
	int r = synack_accept(sk_world_stack(s->w, host), lsock, NULL);
	print_result(s, host, "accept()", r);
	return r;
}

long sk_scn_send(struct sk_scn *s, int host, int sock, const void *buf, size_t len)
{
	long r = synack_send(sk_world_stack(s->w, host), sock, buf, len, 0);
	char call[48];
	snprintf(call, sizeof(call), "send(%zu bytes)", len);
	print_result(s, host, call, r);
	return r;
}

long sk_scn_recv(struct sk_scn *s, int host, int sock, void *buf, size_t len)
{
	long r = synack_recv(sk_world_stack(s->w, host), sock, buf, len, 0);
	print_result(s, host, "recv()", r);
	return r;
}

int sk_scn_close(struct sk_scn *s, int host, int sock)
{
	int r = synack_close(sk_world_stack(s->w, host), sock);
	print_result(s, host, "close()", r);
	return r;
}

int sk_scn_shutdown(struct sk_scn *s, int host, int sock, int how)
{
	int r = synack_shutdown(sk_world_stack(s->w, host), sock, how);
	print_result(s, host, how == SYNACK_SHUT_WR ? "shutdown(SHUT_WR)" : how == SYNACK_SHUT_RD ? "shutdown(SHUT_RD)" : "shutdown(SHUT_RDWR)", r);
	return r;
}

int sk_scn_setsockopt_int(struct sk_scn *s, int host, int sock, int level, int name, int v)
{
	int r = synack_setsockopt(sk_world_stack(s->w, host), sock, level, name, &v, sizeof(v));
	char call[64];
	snprintf(call, sizeof(call), "setsockopt(%d, %d, %d)", level, name, v);
	print_result(s, host, call, r);
	return r;
}

struct ev_wait {
	synack_stack *st;
	int sock, mask;
};

static int events_hold(struct sk_world *w, void *arg)
{
	(void)w;
	struct ev_wait *e = arg;
	int ev = synack_events(e->st, e->sock);
	return ev < 0 || (ev & e->mask);
}

uint64_t sk_scn_wait_events(struct sk_scn *s, int host, int sock, int mask, uint64_t limit)
{
	struct ev_wait e = {sk_world_stack(s->w, host), sock, mask};
	return sk_world_run_cond(s->w, limit, events_hold, &e);
}

int sk_scn_wait_connect(struct sk_scn *s, int host, int sock, uint64_t limit, uint64_t *when)
{
	uint64_t t = sk_scn_wait_events(s, host, sock, SYNACK_EV_OUT | SYNACK_EV_ERR | SYNACK_EV_HUP, limit);
	if (when)
		*when = t;
	if (t == UINT64_MAX) {
		sk_world_note(s->w, host, "connect() still in progress");
		return -EINPROGRESS;
	}
	int err = 0;
	size_t len = sizeof(err);
	synack_getsockopt(sk_world_stack(s->w, host), sock, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &err, &len);
	print_result(s, host, "connect()", -err);
	return -err;
}

int sk_scn_wait_accept(struct sk_scn *s, int host, int lsock, uint64_t limit, uint64_t *when)
{
	uint64_t t = sk_scn_wait_events(s, host, lsock, SYNACK_EV_IN, limit);
	if (when)
		*when = t;
	if (t == UINT64_MAX)
		return -EAGAIN;
	return sk_scn_accept(s, host, lsock);
}

int sk_scn_open(struct sk_scn *s, int l, int cs, int *ss)
{
	uint64_t limit = sk_world_now(s->w) + SK_S(5);
	if (cs < 0 || sk_scn_wait_connect(s, s->client, cs, limit, NULL) != 0)
		return 0;
	*ss = sk_scn_wait_accept(s, s->server, l, limit, NULL);
	return *ss >= 0;
}

void sk_scn_close_both(struct sk_scn *s, int a, int as, uint64_t t1, int b, int bs, uint64_t t2)
{
	sk_world_run_until(s->w, t1);
	sk_scn_close(s, a, as);
	sk_world_run_until(s->w, t2);
	char buf[4];
	sk_expect(s, sk_scn_recv(s, b, bs, buf, sizeof(buf)) == 0, "%s reads EOF",
		  sk_world_name(s->w, b));
	sk_scn_close(s, b, bs);
}

int sk_scn_rule(struct sk_scn *s, int from, int to, uint16_t mask, uint16_t value, uint32_t first, uint32_t last,
		enum sk_simnet_action action, uint64_t delay_us)
{
	struct sk_simnet_rule r = {
		.from = from >= 0 ? sk_world_dev(s->w, from) : NULL,
		.to = to >= 0 ? sk_world_dev(s->w, to) : NULL,
		.l4 = SK_L4_TCP, .flags_mask = mask, .flags_value = value,
		.first = first, .last = last, .action = action, .delay_us = delay_us,
	};
	return sk_simnet_add_rule(sk_world_net(s->w), &r);
}

const struct sk_rec *sk_scn_seg(struct sk_scn *s, int host, uint16_t mask, uint16_t value, int n)
{
	return sk_scn_seg_ports(s, host, 0, 0, mask, value, n);
}

int sk_scn_count(struct sk_scn *s, int host, uint16_t mask, uint16_t value)
{
	int n = 0;
	while (sk_scn_seg(s, host, mask, value, n + 1))
		n++;
	return n;
}

uint64_t sk_scn_state_time(struct sk_scn *s, int host, int from, int to)
{
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type == SK_REC_STATE && r->host == host && r->ev.new_state == to && (from < 0 || r->ev.old_state == from))
			return r->t;
	}
	return UINT64_MAX;
}

int sk_scn_seg_is(const struct sk_rec *r, uint16_t flags, uint32_t seq, uint32_t ack)
{
	if (!r || r->d.l4 != SK_L4_TCP)
		return 0;
	const struct sk_tcp *t = &r->d.tcp;
	if (t->flags != flags || t->seq != seq)
		return 0;
	return !(flags & SK_TCP_ACK) || t->ack == ack;
}

int sk_scn_isns(struct sk_scn *s, uint16_t port, uint32_t *x, uint32_t *y)
{
	const struct sk_rec *syn = sk_scn_seg_ports(s, s->client, port, SK_PORT, ALL, S, 1);
	const struct sk_rec *synack = sk_scn_seg_ports(s, s->server, SK_PORT, port, ALL, S | A, 1);
	if (!syn || !synack)
		return 0;
	*x = syn->d.tcp.seq;
	*y = synack->d.tcp.seq;
	return 1;
}

int sk_scn_state(struct sk_scn *s, int host, int sock)
{
	struct synack_tcp_info i;
	return sk_scn_tcp_info(s, host, sock, &i) < 0 ? -1 : i.state;
}

int sk_scn_connect_sock(struct sk_scn *s, int host, int sock, uint32_t addr, uint16_t port)
{
	struct synack_sockaddr a = sk_scn_sa(s, addr, port);
	int r = synack_connect(sk_world_stack(s->w, host), sock, &a);
	char call[96], sa[64];
	fmt_sa(sa, sizeof(sa), &a);
	snprintf(call, sizeof(call), "connect(%s)", sa);
	print_result(s, host, call, r);
	return r;
}

/* r is a TCP segment host sent from sport to dport (0 = any) with (flags & mask) == value. */
static int seg_ports_match(const struct sk_rec *r, int host, uint16_t sport, uint16_t dport,
			   uint16_t mask, uint16_t value)
{
	if (r->type != SK_REC_SEG || r->host != host || r->d.l4 != SK_L4_TCP)
		return 0;
	if ((sport && r->d.tcp.sport != sport) || (dport && r->d.tcp.dport != dport))
		return 0;
	return (r->d.tcp.flags & mask) == value;
}

const struct sk_rec *sk_scn_seg_ports(struct sk_scn *s, int host, uint16_t sport, uint16_t dport,
				      uint16_t mask, uint16_t value, int n)
{
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (seg_ports_match(r, host, sport, dport, mask, value) && --n == 0)
			return r;
	}
	return NULL;
}

int sk_scn_count_ports(struct sk_scn *s, int host, uint16_t sport, uint16_t dport, uint16_t mask,
		       uint16_t value)
{
	int n = 0;
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++)
		n += seg_ports_match(sk_world_rec(s->w, i), host, sport, dport, mask, value);
	return n;
}

uint64_t sk_scn_state_time_ports(struct sk_scn *s, int host, uint16_t lport, uint16_t rport,
				 int from, int to)
{
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type != SK_REC_STATE || r->host != host || r->ev.new_state != to ||
		    (from >= 0 && r->ev.old_state != from))
			continue;
		if ((lport && r->ev.local.port != lport) || (rport && r->ev.remote.port != rport))
			continue;
		return r->t;
	}
	return UINT64_MAX;
}

int sk_scn_tcp_info(struct sk_scn *s, int host, int sock, struct synack_tcp_info *info)
{
	memset(info, 0, sizeof(*info));
	size_t len = sizeof(*info);
	return synack_getsockopt(sk_world_stack(s->w, host), sock, SYNACK_IPPROTO_TCP,
				 SYNACK_TCP_INFO, info, &len);
}

struct synack_stats sk_scn_stats(struct sk_scn *s, int host)
{
	struct synack_stats st;
	synack_get_stats(sk_world_stack(s->w, host), &st);
	return st;
}

int sk_scn_peer_send_from(struct sk_scn *s, int peer, uint32_t src, uint32_t dst,
			  const struct sk_tcp *seg)
{
	if (seg->payload_len > 1500)
		return -EINVAL;
	return sk_world_peer_send_from(s->w, peer, src, dst, seg);
}

int sk_scn_peer_seg(struct sk_scn *s, const struct sk_scn_peer_conn *c, uint16_t flags,
		    uint32_t seq, uint32_t ack, uint16_t win, const struct sk_tcp_opts *opt,
		    const void *data, size_t len)
{
	struct sk_tcp seg = {.sport = c->lport,
			     .dport = c->rport,
			     .seq = seq,
			     .ack = ack,
			     .flags = flags,
			     .win = win,
			     .payload = data,
			     .payload_len = len};
	if (opt)
		seg.opt = *opt;
	return sk_world_peer_send(s->w, c->peer, c->raddr, &seg);
}

struct peer_wait {
	int peer;
	struct sk_tcp *seg;
};

/* Takes frames as they arrive (non-TCP ones are skipped) until a TCP segment is there. */
static int peer_got_tcp(struct sk_world *w, void *arg)
{
	struct peer_wait *pw = arg;
	struct sk_decoded d;
	while (sk_world_peer_recv(w, pw->peer, &d)) {
		if (d.l4 == SK_L4_TCP) {
			*pw->seg = d.tcp;
			return 1;
		}
	}
	return 0;
}

int sk_scn_peer_wait(struct sk_scn *s, int peer, uint64_t limit, struct sk_tcp *seg)
{
	struct peer_wait pw = {peer, seg};
	return sk_world_run_cond(s->w, limit, peer_got_tcp, &pw) != UINT64_MAX;
}

int sk_scn_peer_connect(struct sk_scn *s, struct sk_scn_peer_conn *c, const struct sk_tcp_opts *opt,
			uint64_t limit)
{
	sk_scn_peer_seg(s, c, SK_TCP_SYN, c->iss, 0, 65535, opt, NULL, 0);
	struct sk_tcp seg;
	while (sk_scn_peer_wait(s, c->peer, limit, &seg)) {
		if (seg.sport != c->rport || seg.dport != c->lport ||
		    (seg.flags & (SK_TCP_SYN | SK_TCP_ACK | SK_TCP_RST)) !=
			    (SK_TCP_SYN | SK_TCP_ACK))
			continue;
		c->irs = seg.seq;
		sk_scn_peer_seg(s, c, SK_TCP_ACK, c->iss + 1, c->irs + 1, 65535, NULL, NULL, 0);
		return 0;
	}
	return -1;
}

int sk_scn_count_between(struct sk_scn *s, int host, uint64_t t0, uint64_t t1)
{
	int n = 0;
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->type == SK_REC_SEG && r->host == host && r->d.l4 == SK_L4_TCP &&
		    r->t >= t0 && r->t <= t1)
			n++;
	}
	return n;
}

int sk_scn_rule_data(struct sk_scn *s, int from, int to, uint32_t first, uint32_t last,
		     enum sk_simnet_action action, uint64_t delay_us)
{
	struct sk_simnet_rule r = {
		.from = from >= 0 ? sk_world_dev(s->w, from) : NULL,
		.to = to >= 0 ? sk_world_dev(s->w, to) : NULL,
		.l4 = SK_L4_TCP,
		.min_payload = 1,
		.first = first,
		.last = last,
		.action = action,
		.delay_us = delay_us,
	};
	return sk_simnet_add_rule(sk_world_net(s->w), &r);
}

int sk_scn_path(struct sk_scn *s, int from, int to, const struct sk_simnet_params *p)
{
	return sk_simnet_set_path(sk_world_net(s->w), sk_world_dev(s->w, from),
				  sk_world_dev(s->w, to), p);
}

uint8_t sk_scn_pattern(uint64_t off)
{
	/* Changes every byte and differs between blocks, so a misplaced segment shows. */
	return (uint8_t)((off * 7u) ^ (off >> 8) ^ (off >> 16) ^ 0x5a);
}

int sk_scn_set_cc(struct sk_scn *s, int host, int sock, const char *name)
{
	int r = synack_setsockopt(sk_world_stack(s->w, host), sock, SYNACK_IPPROTO_TCP,
				  SYNACK_TCP_CONGESTION, name, strlen(name) + 1);
	char call[64];
	snprintf(call, sizeof(call), "setsockopt(TCP_CONGESTION, \"%s\")", name);
	print_result(s, host, call, r);
	return r;
}

static void stream_write(struct sk_scn *s, struct sk_scn_stream *v)
{
	uint8_t buf[65536]; /* as an application writing in big chunks */
	synack_stack *st = sk_world_stack(s->w, v->tx);
	while (v->written < v->total) {
		uint64_t left = v->total - v->written;
		size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = sk_scn_pattern(v->written + i);
		long r = synack_send(st, v->tx_sock, buf, n, 0);
		if (r <= 0)
			return;
		v->written += (uint64_t)r;
	}
}

static void stream_read(struct sk_scn *s, struct sk_scn_stream *v)
{
	uint64_t now = sk_world_now(s->w);
	if (v->rx_sock < 0 || now < v->read_from)
		return;
	if (v->read_every) {
		if (v->next_read < v->read_from)
			v->next_read = v->read_from;
		if (now < v->next_read)
			return;
		v->next_read = now + v->read_every;
	}
	uint8_t buf[65536]; /* as an application reading in big chunks: one window update */
	synack_stack *st = sk_world_stack(s->w, v->rx);
	uint64_t want = v->read_chunk ? v->read_chunk : UINT64_MAX;
	while (want) {
		size_t n = want < sizeof(buf) ? (size_t)want : sizeof(buf);
		long r = synack_recv(st, v->rx_sock, buf, n, 0);
		if (r <= 0)
			return;
		for (long i = 0; i < r; i++)
			if (buf[i] != sk_scn_pattern(v->read + (uint64_t)i))
				v->corrupt = 1;
		v->read += (uint64_t)r;
		want -= (uint64_t)r;
	}
}

static void streams_pump(struct sk_scn *s, struct sk_scn_stream *v, int n)
{
	for (int i = 0; i < n; i++)
		stream_write(s, &v[i]);
	for (int i = 0; i < n; i++)
		stream_read(s, &v[i]);
}

void sk_scn_streams_run(struct sk_scn *s, struct sk_scn_stream *v, int n, uint64_t until,
			sk_scn_tick_fn tick, void *arg)
{
	streams_pump(s, v, n);
	if (tick)
		tick(s, arg);
	while (sk_world_now(s->w) < until) {
		/* The next paced read is an event of its own, even with nothing on the wire. */
		uint64_t limit = until;
		for (int i = 0; i < n; i++) {
			if (v[i].rx_sock < 0)
				continue;
			/* Reading starts at read_from whatever happens on the wire then. */
			uint64_t due = v[i].read_every && v[i].next_read > v[i].read_from
					       ? v[i].next_read
					       : v[i].read_from;
			if (due > sk_world_now(s->w) && due < limit)
				limit = due;
		}
		if (sk_world_step(s->w, limit) == UINT64_MAX)
			sk_world_run_until(s->w, limit);
		streams_pump(s, v, n);
		if (tick)
			tick(s, arg);
	}
}

void sk_scn_view_at(struct sk_scn *s, struct sk_scn_view *v, uint64_t t)
{
	size_t count = sk_world_nrecs(s->w);
	for (; v->pos < count; v->pos++) {
		const struct sk_rec *r = sk_world_rec(s->w, v->pos);
		if (r->t + v->delay > t)
			break; /* the log is in time order: nothing later has arrived either */
		if (r->type != SK_REC_SEG || r->host != v->peer || r->d.l4 != SK_L4_TCP ||
		    r->dropped || r->d.tcp.sport != v->peer_port || r->d.tcp.dport != v->port ||
		    !(r->d.tcp.flags & SK_TCP_ACK) || (r->d.tcp.flags & SK_TCP_RST))
			continue;
		const struct sk_tcp *g = &r->d.tcp;
		uint32_t wnd = (uint32_t)g->win << ((g->flags & SK_TCP_SYN) ? 0 : v->shift);
		if (!v->seen || (int32_t)(g->ack - v->una) > 0)
			v->una = g->ack;
		v->wnd = wnd;
		v->right = g->ack + wnd;
		v->at = r->t + v->delay;
		v->seen++;
	}
}

int sk_scn_data_at(struct sk_scn *s, int host, uint16_t sport, uint64_t t,
		   const struct sk_rec **first)
{
	int n = 0;
	if (first)
		*first = NULL;
	size_t count = sk_world_nrecs(s->w);
	for (size_t i = 0; i < count; i++) {
		const struct sk_rec *r = sk_world_rec(s->w, i);
		if (r->t > t)
			break;
		if (r->t != t || r->type != SK_REC_SEG || r->host != host || r->d.l4 != SK_L4_TCP ||
		    r->d.tcp.sport != sport || !r->d.tcp.payload_len)
			continue;
		if (first && !n)
			*first = r;
		n++;
	}
	return n;
}

uint16_t sk_scn_port(struct sk_scn *s, int host, int sock)
{
	struct synack_sockaddr a = sk_scn_sa(s, 0, 0);
	synack_getsockname(sk_world_stack(s->w, host), sock, &a);
	return a.port;
}
