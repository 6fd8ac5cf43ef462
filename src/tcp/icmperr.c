/* ICMP errors about our segments: RFC 1122 4.2.3.9 (hard and soft errors), RFC 5461 (soft
 * treatment in synchronized states), RFC 5927 (the quoted sequence number must be one we
 * have in flight), RFC 1191 (frag-needed lowers the MSS). */
#include <errno.h>

#include "tcp/seq.h"
#include "tcp/tcb.h"

/* Smallest path MTU we accept from a frag-needed: Linux's min_pmtu. Less would let a forged
 * ICMP shrink segments to a crawl (RFC 5927 7.2). */
#define PMTU_MIN 552u

static int hard_error(uint8_t type, uint8_t code)
{
	/* RFC 1122 4.2.3.9: protocol and port unreachable are hard (4, frag-needed, is
	 * handled by path MTU discovery); the rest are soft. */
	return type == SK_ICMP_UNREACH && (code == SK_ICMP_UNREACH_PROTO || code == SK_ICMP_UNREACH_PORT);
}

static void lower_mss(struct synack_stack *st, struct sk_tcb *t, uint32_t mtu)
{
	struct sk_ends e;
	sk_conn_ends(&t->h, &e);
	/* IPv6's minimum link MTU is 1280 (RFC 8201 4: a smaller one is not believed) */
	uint32_t floor = e.v6 ? 1280u : PMTU_MIN;
	uint32_t m = mtu < floor ? floor : mtu;
	uint32_t route = sk_route_mtu_ends(st, &e);
	if (m > route)
		m = route;
	uint32_t mss = m - (e.v6 ? 60u : 40u);
	if (mss >= t->mss)
		return;
	t->mss = (uint16_t)mss;
	st->stats.tcp_pmtu_lowered++;
	/* The segments in flight were too big and are gone: send them again at the new
	 * size now, without treating it as congestion (as Linux's simple retransmit). */
	if (t->snd_nxt != t->snd_una && t->state >= SYNACK_ESTABLISHED) {
		t->snd_nxt = t->snd_una;
		if (t->fl)
			t->fl->rtt_start = 0;
		sk_tcp_output(st, t);
	}
}

void sk_tcp_icmp_error(struct synack_stack *st, const struct sk_icmp_quote *q, uint8_t type, uint8_t code,
		       uint16_t mtu)
{
	if (q->l4_len < 8)
		return; /* no sequence number to check: ignore (RFC 5927 4.1) */
	struct sk_ends e = sk_ends4(q->ip.src, q->ip.dst);
	int pmtu = mtu || (type == SK_ICMP_UNREACH && code == SK_ICMP_UNREACH_NEEDFRAG);
	if (pmtu && mtu < 68)
		return;
	sk_tcp_icmp_report(st, &e, q->sport, q->dport, q->tcp_seq, pmtu ? 0 : sk_icmp_errno(type, code),
			   hard_error(type, code), pmtu ? mtu : 0);
}

void sk_tcp_icmp_report(struct synack_stack *st, const struct sk_ends *e, uint16_t lport, uint16_t rport, uint32_t seq,
			int err, int hard, uint32_t mtu)
{
	struct sk_conn *c = sk_ctable_find(st, e, lport, rport);
	if (!c) {
		sk_stray_handoff(st); /* another shard's flow's, or dropped */
		return;
	}
	if (c->kind == SK_CONN_SYN) {
		struct sk_syn *y = (struct sk_syn *)c;
		if (seq == y->iss && hard && !mtu)
			sk_syn_drop(st, y, "ICMP unreachable");
		return;
	}
	if (c->kind != SK_CONN_TCB)
		return;
	struct sk_tcb *t = (struct sk_tcb *)c;
	sk_ready_touch(st, t->handle);
	/* RFC 5927 4.1: only errors about data we have in flight. */
	if (!seq_in(seq, t->snd_una, t->snd_max) && !(t->state == SYNACK_SYN_SENT && seq == t->iss))
		return;
	if (mtu) {
		lower_mss(st, t, mtu);
		return;
	}
	if ((t->state == SYNACK_SYN_SENT || t->state == SYNACK_SYN_RCVD) && hard) {
		st->stats.tcp_attempt_fails++;
		sk_tcb_drop(st, t, err, "ICMP unreachable");
		return;
	}
	t->soft_err = (uint8_t)err;
}
