/* The congestion-control registry, and NewReno (RFC 5681 with RFC 3465 byte counting; the
 * recovery itself, RFC 6582/6675, is the loss-recovery code's job). */
#include "tcp/cc.h"

#include <string.h>

static const struct sk_cc_ops *const algos[] = {&sk_cc_newreno, &sk_cc_cubic};
#define NALGOS (int)(sizeof(algos) / sizeof(algos[0]))

int sk_cc_find(const char *name)
{
	if (!strcmp(name, "reno"))
		name = "newreno";
	for (int i = 0; i < NALGOS; i++)
		if (!strcmp(algos[i]->name, name))
			return i;
	return -1;
}

const struct sk_cc_ops *sk_cc_get(int algo)
{
	return algos[algo >= 0 && algo < NALGOS ? algo : 0];
}

const char *sk_cc_name(int algo)
{
	return sk_cc_get(algo)->name;
}

void sk_cc_select(struct sk_cc *c, int algo, uint32_t mss, uint32_t init_cwnd_segments)
{
	memset(c, 0, sizeof(*c));
	c->algo = (uint8_t)(algo >= 0 && algo < NALGOS ? algo : 0);
	c->mss = (uint16_t)(mss < UINT16_MAX ? mss : UINT16_MAX);
	sk_cc_get(c->algo)->init(c, init_cwnd_segments);
}

int sk_cc_slow_start(struct sk_cc *c, uint32_t acked)
{
	if (c->cwnd >= c->ssthresh)
		return 0;
	uint64_t w = (uint64_t)c->cwnd + acked;
	c->cwnd = w > c->ssthresh ? c->ssthresh : (uint32_t)w;
	return 1;
}

void sk_cc_restart_window(struct sk_cc *c, uint32_t init_cwnd_segments, uint64_t idle_us, uint32_t rto_us)
{
	uint32_t three_q = c->cwnd / 2 + c->cwnd / 4;
	if (c->ssthresh < three_q)
		c->ssthresh = three_q;
	uint32_t rw = init_cwnd_segments * c->mss, w = c->cwnd;
	if (rw > w)
		rw = w;
	for (int64_t d = (int64_t)idle_us - rto_us; d > 0 && w > rw && rto_us; d -= rto_us)
		w /= 2;
	c->cwnd = w > rw ? w : rw;
}

/* ---- NewReno ---- */

static void reno_init(struct sk_cc *c, uint32_t iw)
{
	c->cwnd = iw * c->mss; /* RFC 6928 */
	c->ssthresh = UINT32_MAX;
	c->bytes_acked = 0;
}

/* Slow start grows by the bytes acked, so a delayed-ACK receiver still doubles cwnd each
 * RTT; congestion avoidance adds one SMSS per cwnd of bytes acknowledged (about one per
 * RTT, RFC 5681 3.1). */
static void reno_ack(struct sk_cc *c, const struct sk_cc_ack *a)
{
	if (!a->cwnd_limited)
		return; /* RFC 7661: an application-limited window does not grow */
	if (sk_cc_slow_start(c, a->acked))
		return;
	c->bytes_acked += a->acked;
	if (c->bytes_acked >= c->cwnd) {
		c->bytes_acked -= c->cwnd;
		c->cwnd += c->mss;
	}
}

static uint32_t half_flight(const struct sk_cc *c, uint32_t flight)
{
	uint32_t h = flight / 2;
	return h > 2 * c->mss ? h : 2 * c->mss; /* RFC 5681 eq. (4) */
}

static void reno_signal(struct sk_cc *c, enum sk_cc_signal sig, uint32_t flight, uint64_t now)
{
	(void)now;
	/* RFC 3168 6.1.2 halves cwnd for an ECN echo; a loss halves the FlightSize (RFC 5681
	 * eq. 4). */
	c->ssthresh = half_flight(c, sig == SK_CC_ECN ? c->cwnd : flight);
	c->bytes_acked = 0;
	c->cwnd = sig == SK_CC_RTO ? c->mss : c->ssthresh; /* CC-2 / CC-3 */
}

static void reno_post(struct sk_cc *c, uint32_t flight, uint64_t now)
{
	(void)now;
	(void)flight;
	/* RFC 6582 3.2 step 3's second choice, ssthresh, as RFC 6937 and Linux end a
	 * reduction: an application-limited sender resumes at the reduced window, not at one
	 * segment. */
	c->cwnd = c->ssthresh;
}

static void reno_idle(struct sk_cc *c, uint32_t iw, uint64_t idle_us, uint32_t rto_us, uint64_t now)
{
	(void)now;
	sk_cc_restart_window(c, iw, idle_us, rto_us);
}

const struct sk_cc_ops sk_cc_newreno = {
	.name = "newreno",
	.init = reno_init,
	.ack_received = reno_ack,
	.cong_signal = reno_signal,
	.post_recovery = reno_post,
	.after_idle = reno_idle,
};
