/* The benchmarks' in-memory link (see mlink.h). */
#include "mlink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack/addr.h"

int mlink_init(struct mlink *m, size_t cap)
{
	memset(m, 0, sizeof(*m));
	struct mlink_inbox *q[2] = {&m->to_a, &m->to_b};
	for (int i = 0; i < 2; i++) {
		q[i]->buf = malloc(cap * MLINK_SLOT);
		q[i]->len = malloc(cap * sizeof(*q[i]->len));
		q[i]->cap = cap;
		if (!q[i]->buf || !q[i]->len)
			return -ENOMEM;
	}
	m->rng = 0x9e3779b97f4a7c15ull;
	return 0;
}

void mlink_free(struct mlink *m)
{
	free(m->to_a.buf);
	free(m->to_a.len);
	free(m->to_b.buf);
	free(m->to_b.len);
}

static double next_unit(struct mlink *m)
{
	/* xorshift64*: reproducible, and cheap next to a packet's work */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return (double)((m->rng * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0;
}

static int push(struct mlink *m, struct mlink_inbox *q, const uint8_t *p, size_t len)
{
	/* Only packets with TCP payload are subject to loss (IPv4 + TCP header lengths). */
	if (m->loss > 0 && len > 20 + (size_t)((p[20 + 12] >> 4) * 4) && next_unit(m) < m->loss) {
		m->dropped++;
		return 0;
	}
	if (q->n == q->cap || len > MLINK_SLOT)
		return -ENOBUFS;
	size_t i = (q->head + q->n) % q->cap;
	memcpy(q->buf[i], p, len);
	q->len[i] = (uint16_t)len;
	q->n++;
	return 0;
}

int mlink_out_to_a(void *ctx, const uint8_t *p, size_t len, uint64_t now)
{
	(void)now;
	struct mlink *m = ctx;
	return push(m, &m->to_a, p, len);
}

int mlink_out_to_b(void *ctx, const uint8_t *p, size_t len, uint64_t now)
{
	(void)now;
	struct mlink *m = ctx;
	return push(m, &m->to_b, p, len);
}

void mlink_drain(struct mlink *m)
{
	while (m->to_a.n || m->to_b.n) {
		struct mlink_inbox *q = m->to_a.n ? &m->to_a : &m->to_b;
		synack_stack *dst = q == &m->to_a ? m->a : m->b;
		size_t i = q->head;
		q->head = (q->head + 1) % q->cap;
		q->n--;
		m->packets++;
		synack_input(dst, q->buf[i], q->len[i], m->now);
	}
}

void mlink_advance(struct mlink *m, uint64_t to)
{
	for (;;) {
		uint64_t da = synack_next_deadline(m->a), db = synack_next_deadline(m->b);
		uint64_t t = da < db ? da : db;
		if (t > to)
			break;
		if (t > m->now)
			m->now = t;
		synack_poll(m->a, m->now);
		synack_poll(m->b, m->now);
		mlink_drain(m);
	}
	m->now = to;
	synack_poll(m->a, to);
	synack_poll(m->b, to);
	mlink_drain(m);
}

synack_stack *mlink_stack(uint64_t seed, uint32_t addr, synack_output_fn out, void *ctx, int big)
{
	struct synack_config c;
	synack_config_defaults(&c);
	c.seed = seed;
	memset(c.secret, (int)seed, sizeof(c.secret));
	if (big) {
		c.somaxconn = 1u << 30;
		c.tcp_max_syn_backlog = 1u << 20;
		c.tcp_max_tw_buckets = 1u << 22;
	}
	synack_stack *s = synack_stack_new(&c, NULL);
	if (!s || sk_add_addr4(s, addr, 24, 1500, out, ctx) < 0) {
		fprintf(stderr, "bench: cannot create a stack\n");
		exit(1);
	}
	return s;
}
