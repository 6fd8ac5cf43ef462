/* Bulk transfer between two stacks on the simulated network (see transfer.h). */
#include "sim/transfer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/world.h"
#include "stack/addr.h"

#define CHUNK 65536

/* The stream's byte at any offset, without state: 8 bytes per splitmix64 of the block. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void gen(uint64_t seed, uint64_t off, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint64_t blk = (off + i) / 8, v = mix(seed ^ (blk * 0x100000001b3ull));
		for (unsigned b = (unsigned)((off + i) % 8); b < 8 && i < n; b++, i++)
			buf[i] = (uint8_t)(v >> (8 * b));
	}
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

struct end {
	synack_stack *st;
	int sock;
	int shut;
};

static void pump_send(struct end *e, struct sk_transfer_dir *d, uint64_t total, uint64_t seed, uint8_t *buf)
{
	while (d->sent < total) {
		size_t n = total - d->sent < CHUNK ? (size_t)(total - d->sent) : CHUNK;
		gen(seed, d->sent, buf, n);
		long r = synack_send(e->st, e->sock, buf, n, 0);
		if (r <= 0)
			return;
		d->digest_sent = fnv(d->digest_sent, buf, (size_t)r);
		d->sent += (uint64_t)r;
	}
	if (!e->shut) {
		synack_shutdown(e->st, e->sock, SYNACK_SHUT_WR);
		e->shut = 1;
	}
}

static void pump_recv(struct end *e, struct sk_transfer_dir *d, uint64_t seed, uint8_t *buf, uint8_t *want)
{
	for (;;) {
		long r = synack_recv(e->st, e->sock, buf, CHUNK, 0);
		if (r == 0) {
			d->eof = 1;
			return;
		}
		if (r < 0)
			return;
		gen(seed, d->delivered, want, (size_t)r);
		if (d->first_bad == UINT64_MAX && memcmp(buf, want, (size_t)r) != 0) {
			for (long i = 0; i < r; i++)
				if (buf[i] != want[i]) {
					d->first_bad = d->delivered + (uint64_t)i;
					break;
				}
		}
		d->digest_rcvd = fnv(d->digest_rcvd, buf, (size_t)r);
		d->delivered += (uint64_t)r;
	}
}

int sk_transfer_run(const struct sk_transfer_opts *o, struct sk_transfer_result *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < 2; i++) {
		r->dir[i].first_bad = UINT64_MAX;
		r->dir[i].digest_sent = r->dir[i].digest_rcvd = 0xcbf29ce484222325ull;
	}
	struct sk_world_opts wo = {.seed = o->seed, .link = o->link, .trace = o->trace, .pcap_path = o->pcap_path,
				   .no_log = !o->on_end, .gso_max = o->gso_max, .cc_out = o->cc_out, .csv = o->csv,
				   .log_cc = o->on_end != NULL, .ipv6 = o->ipv6};
	int err = 0;
	struct sk_world *w = sk_world_new(&wo, &err);
	if (!w)
		return err;
	struct synack_config cfg;
	synack_config_defaults(&cfg);
	if (o->cc)
		snprintf(cfg.tcp_congestion_control, sizeof(cfg.tcp_congestion_control), "%s", o->cc);
	int ch = sk_world_add_host(w, "client", 0x0a000001u, &cfg);
	int sh = sk_world_add_host(w, "server", 0x0a000002u, &cfg);
	if (ch < 0 || sh < 0) {
		sk_world_free(w);
		return ch < 0 ? ch : sh;
	}
	struct end c = {sk_world_stack(w, ch), -1, 0}, s = {sk_world_stack(w, sh), -1, 0};
	int l = synack_socket(s.st, sk_world_af(w), SYNACK_SOCK_STREAM);
	struct synack_sockaddr a = sk_world_sa(w, 0, 5001);
	synack_bind(s.st, l, &a);
	synack_listen(s.st, l, 8);
	c.sock = synack_socket(c.st, sk_world_af(w), SYNACK_SOCK_STREAM);
	a = sk_world_sockaddr(w, sh, 5001);
	synack_connect(c.st, c.sock, &a);
	uint64_t limit = o->time_limit_us ? o->time_limit_us : 24ull * 3600 * 1000000;
	while ((s.sock = synack_accept(s.st, l, NULL)) < 0) {
		if (sk_world_step(w, limit) == UINT64_MAX)
			break;
	}
	uint8_t *buf = malloc(CHUNK), *want = malloc(CHUNK);
	if (s.sock < 0 || !buf || !want) {
		free(buf);
		free(want);
		sk_world_free(w);
		return s.sock < 0 ? -ETIMEDOUT : -ENOMEM;
	}
	r->start_us = sk_world_now(w);
	uint64_t want1 = o->both_ways ? o->bytes : 0;
	uint64_t next_progress =
		o->progress_us ? (r->start_us / o->progress_us + 1) * o->progress_us : UINT64_MAX;
	for (;;) {
		pump_send(&c, &r->dir[0], o->bytes, o->seed, buf);
		pump_send(&s, &r->dir[1], want1, o->seed + 1, buf);
		pump_recv(&s, &r->dir[0], o->seed, buf, want);
		pump_recv(&c, &r->dir[1], o->seed + 1, buf, want);
		if (r->dir[0].eof && r->dir[1].eof) {
			r->end_us = sk_world_now(w);
			break;
		}
		if (next_progress <= limit) {
			/* Nothing changes between events: the counts now are the counts at every
			 * progress time before the next event. */
			if (sk_world_step(w, next_progress) != UINT64_MAX)
				continue;
			uint64_t d[2] = {r->dir[0].delivered, r->dir[1].delivered};
			if (o->progress)
				o->progress(o->progress_arg, next_progress, d);
			next_progress += o->progress_us;
			continue;
		}
		if (sk_world_step(w, limit) == UINT64_MAX)
			break;
	}
	if (!r->end_us)
		r->end_us = sk_world_now(w);
	struct synack_tcp_info ti;
	size_t tl = sizeof(ti);
	if (synack_getsockopt(c.st, c.sock, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl) == 0) {
		r->srtt_us = ti.srtt_us;
		r->rto_us = ti.rto_us;
	}
	tl = sizeof(ti);
	if (synack_getsockopt(s.st, s.sock, SYNACK_IPPROTO_TCP, SYNACK_TCP_INFO, &ti, &tl) == 0)
		r->server_rto_us = ti.rto_us;
	synack_close(c.st, c.sock);
	synack_close(s.st, s.sock);
	synack_close(s.st, l);
	sk_world_run_idle(w, sk_world_now(w) + 3600ull * 1000000);
	int ok = 1;
	for (int i = 0; i < 2; i++) {
		uint64_t total = i == 0 ? o->bytes : want1;
		struct sk_transfer_dir *d = &r->dir[i];
		ok &= d->eof && d->delivered == total && d->first_bad == UINT64_MAX && d->digest_sent == d->digest_rcvd;
	}
	r->completed = ok;
	struct synack_stats a1, a2;
	synack_get_stats(c.st, &a1);
	synack_get_stats(s.st, &a2);
	r->retransmits = a1.tcp_rexmit + a2.tcp_rexmit;
	r->timeouts = a1.tcp_timeouts + a2.tcp_timeouts;
	r->timeouts_rxt_lost = a1.tcp_timeouts_rxt_lost + a2.tcp_timeouts_rxt_lost;
	r->lost_retransmits = a1.tcp_lost_retransmits + a2.tcp_lost_retransmits;
	r->rxt_probes = a1.tcp_rxt_probes + a2.tcp_rxt_probes;
	r->fast_retransmits = a1.tcp_fast_retransmits + a2.tcp_fast_retransmits;
	r->sack_recoveries = a1.tcp_sack_recoveries + a2.tcp_sack_recoveries;
	r->dsacks = a1.tcp_dsacks_rcvd + a2.tcp_dsacks_rcvd;
	r->undos = a1.tcp_spurious_undos + a2.tcp_spurious_undos;
	r->segments = a1.tcp_out + a2.tcp_out;
	free(buf);
	free(want);
	if (o->on_end)
		o->on_end(w, o->on_end_arg);
	sk_world_free(w);
	return 0;
}

void sk_transfer_print(FILE *f, const struct sk_transfer_opts *o, const struct sk_transfer_result *r)
{
	double secs = (double)(r->end_us - r->start_us) / 1e6;
	for (int i = 0; i < (o->both_ways ? 2 : 1); i++) {
		const struct sk_transfer_dir *d = &r->dir[i];
		fprintf(f, "%s: %llu of %llu bytes delivered, digest %016llx %s %016llx%s\n",
			i == 0 ? "client -> server" : "server -> client", (unsigned long long)d->delivered,
			(unsigned long long)o->bytes, (unsigned long long)d->digest_sent,
			d->digest_sent == d->digest_rcvd ? "==" : "!=", (unsigned long long)d->digest_rcvd,
			d->first_bad != UINT64_MAX ? " (corrupt)" : "");
	}
	uint64_t total = r->dir[0].delivered + r->dir[1].delivered;
	fprintf(f, "virtual time %.3f s, goodput %.2f Mbit/s\n", secs, secs > 0 ? (double)total * 8 / secs / 1e6 : 0.0);
	fprintf(f, "sender srtt %u us, rto %u us\n", r->srtt_us, r->rto_us);
	fprintf(f, "segments %llu, retransmissions %llu, timeouts %llu (%llu with a retransmission lost), fast retransmits %llu, "
		"SACK recoveries %llu, lost retransmissions %llu, retransmission probes %llu, D-SACKs %llu, undone as "
		"spurious %llu\n",
		(unsigned long long)r->segments, (unsigned long long)r->retransmits, (unsigned long long)r->timeouts,
		(unsigned long long)r->timeouts_rxt_lost, (unsigned long long)r->fast_retransmits,
		(unsigned long long)r->sack_recoveries, (unsigned long long)r->lost_retransmits,
		(unsigned long long)r->rxt_probes, (unsigned long long)r->dsacks,
		(unsigned long long)r->undos);
	fprintf(f, "%s\n", r->completed ? "OK: every byte delivered intact" : "FAILED: data lost, corrupted or stuck");
}
