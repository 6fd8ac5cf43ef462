/* CUBIC (RFC 9438): window growth as a cubic function of the time since the last
 * reduction, with a Reno-friendly floor; beta 0.7, C 0.4, fast convergence. */
#include <math.h>
#include <string.h>

#include "tcp/cc.h"

#define CUBIC_C 0.4
#define CUBIC_BETA 0.7
/* RFC 9438 4.3: additive increase that makes CUBIC as fast as Reno with beta 0.5. */
#define CUBIC_ALPHA (3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA))

struct cubic {
	double w_est;      /* segments: the Reno-friendly estimate (it grows by a fraction of a
			    * segment per ACK: a float would lose those at large windows) */
	uint64_t epoch;    /* µs: start of this congestion avoidance stage, 0 = not started */
	float w_max;       /* segments: the window before the last reduction */
	float w_last_max;  /* segments: w_max of the reduction before (fast convergence) */
	float k;           /* seconds until W_cubic reaches w_max again */
	uint32_t cwnd_prior; /* bytes: cwnd when ssthresh was last set */
};

static struct cubic get(const struct sk_cc *c)
{
	struct cubic s;
	memcpy(&s, c->priv, sizeof(s));
	return s;
}

static void put(struct sk_cc *c, const struct cubic *s)
{
	memcpy(c->priv, s, sizeof(*s));
}

_Static_assert(sizeof(struct cubic) <= sizeof(((struct sk_cc *)0)->priv), "CUBIC state must fit");

static void cubic_init(struct sk_cc *c, uint32_t iw)
{
	struct cubic s = {0};
	c->cwnd = iw * c->mss;
	c->ssthresh = UINT32_MAX;
	put(c, &s);
}

static double w_cubic(const struct cubic *s, double t)
{
	double d = t - s->k;
	return CUBIC_C * d * d * d + s->w_max;
}

static void cubic_ack(struct sk_cc *c, const struct sk_cc_ack *a)
{
	if (!a->cwnd_limited)
		return; /* RFC 9438 5.8 / RFC 7661 */
	if (sk_cc_slow_start(c, a->acked))
		return; /* slow start as Reno (RFC 9438 4.10) */
	struct cubic s = get(c);
	double mss = c->mss, cwnd = c->cwnd / mss;
	if (s.epoch == 0) {
		/* RFC 9438 4.2: a new stage; K from the distance to w_max. */
		s.epoch = a->now ? a->now : 1;
		if (cwnd < s.w_max) {
			s.k = (float)cbrt((s.w_max - cwnd) / CUBIC_C);
		} else {
			s.k = 0;
			s.w_max = (float)cwnd;
		}
		s.w_est = cwnd;
	}
	double t = (double)(a->now - s.epoch) / 1e6;
	double rtt = a->srtt ? a->srtt / 1e6 : 0.1;
	double acked = a->acked / mss;
	/* Reno-friendly estimate (RFC 9438 4.3), alpha 1 once past the old window. */
	double alpha = s.w_est * mss >= s.cwnd_prior ? 1.0 : CUBIC_ALPHA;
	s.w_est += alpha * acked / cwnd;
	double target = w_cubic(&s, t + rtt);
	if (target < cwnd)
		target = cwnd;
	if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;
	double next;
	if (w_cubic(&s, t) < s.w_est)
		next = s.w_est; /* Reno-friendly region */
	else
		next = cwnd + (target - cwnd) * acked / cwnd; /* concave/convex regions, RFC 9438 4.4-4.5 */
	if (next * mss > 4e9)
		next = 4e9 / mss;
	if (next * mss > c->cwnd)
		c->cwnd = (uint32_t)(next * mss);
	put(c, &s);
}

static void cubic_signal(struct sk_cc *c, enum sk_cc_signal sig, uint32_t flight, uint64_t now)
{
	(void)flight;
	(void)now;
	struct cubic s = get(c);
	double cwnd = (double)c->cwnd / c->mss;
	/* RFC 9438 4.7 fast convergence: a reduction before reaching the last w_max
	 * means others want bandwidth: release some. */
	if ((float)cwnd < s.w_last_max) /* (as stored: an undone reduction's exact cwnd is not below) */
		s.w_max = (float)(cwnd * (1.0 + CUBIC_BETA) / 2.0);
	else
		s.w_max = (float)cwnd;
	s.w_last_max = s.w_max;
	s.cwnd_prior = c->cwnd;
	uint32_t th = (uint32_t)((uint64_t)c->cwnd * 7 / 10); /* beta 0.7, exactly */
	c->ssthresh = th > 2 * c->mss ? th : 2 * c->mss; /* RFC 9438 4.6 */
	c->bytes_acked = 0;
	s.epoch = 0;
	c->cwnd = sig == SK_CC_RTO ? c->mss : c->ssthresh; /* RFC 9438 4.8 / 4.6 */
	put(c, &s);
}

static void cubic_post(struct sk_cc *c, uint32_t flight, uint64_t now)
{
	(void)flight;
	(void)now;
	struct cubic s = get(c);
	c->cwnd = c->ssthresh;
	s.epoch = 0; /* congestion avoidance starts now */
	put(c, &s);
}

static void cubic_idle(struct sk_cc *c, uint32_t iw, uint64_t idle_us, uint32_t rto_us, uint64_t now)
{
	(void)now;
	struct cubic s = get(c);
	sk_cc_restart_window(c, iw, idle_us, rto_us);
	s.epoch = 0; /* RFC 9438 5.8: do not count idle time as growth time */
	put(c, &s);
}

const struct sk_cc_ops sk_cc_cubic = {
	.name = "cubic",
	.init = cubic_init,
	.ack_received = cubic_ack,
	.cong_signal = cubic_signal,
	.post_recovery = cubic_post,
	.after_idle = cubic_idle,
};
