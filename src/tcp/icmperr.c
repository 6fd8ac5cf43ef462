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

static void lower_mss(struct synack_stack *st, struct sk_tcb *t, uint16_t mtu)
{
	uint32_t m = mtu < PMTU_MIN ? PMTU_MIN : mtu;
	uint32_t route = sk_route_mtu(st, t->h.key.raddr);
	if (m > route)
		m = route;
	uint32_t mss = m - 40;
	if (mss >= t->mss)
		return;
	t->mss = (uint16_t)mss;
	st->stats.tcp_pmtu_lowered++;
	/* The segments in flight were too big and are gone: send them again at the new
	 * size now, without treating it as congestion (as Linux's simple retransmit). */
	if (t->snd_nxt != t->snd_una && t->state >= SYNACK_ESTABLISHED) {
		t->snd_nxt = t->snd_una;
		t->rtt_start = 0;
		sk_tcp_output(st, t);
	}
}

void sk_tcp_icmp_error(struct synack_stack *st, const struct sk_icmp_quote *q, uint8_t type, uint8_t code,
		       uint16_t mtu)
{
	if (q->l4_len < 8)
		return; /* no sequence number to check: ignore (RFC 5927 4.1) */
	struct sk_conn_key k = {.laddr = q->ip.src, .raddr = q->ip.dst, .lport = q->sport, .rport = q->dport};
	struct sk_conn *c = sk_ctable_find(st, &k);
	if (!c)
		return;
	if (c->kind == SK_CONN_SYN) {
		struct sk_syn *e = (struct sk_syn *)c;
		if (q->tcp_seq == e->iss && hard_error(type, code))
			sk_syn_drop(st, e, "ICMP unreachable");
		return;
	}
	if (c->kind != SK_CONN_TCB)
		return;
	struct sk_tcb *t = (struct sk_tcb *)c;
	sk_ready_touch(st, t->handle);
	/* RFC 5927 4.1: only errors about data we have in flight. */
	if (!seq_in(q->tcp_seq, t->snd_una, t->snd_max) && !(t->state == SYNACK_SYN_SENT && q->tcp_seq == t->iss))
		return;
	if (mtu || (type == SK_ICMP_UNREACH && code == SK_ICMP_UNREACH_NEEDFRAG)) {
		if (mtu >= 68)
			lower_mss(st, t, mtu);
		return;
	}
	int err = sk_icmp_errno(type, code);
	if ((t->state == SYNACK_SYN_SENT || t->state == SYNACK_SYN_RCVD) && hard_error(type, code)) {
		st->stats.tcp_attempt_fails++;
		sk_tcb_drop(st, t, err, "ICMP unreachable");
		return;
	}
	t->soft_err = (uint8_t)err;
}
