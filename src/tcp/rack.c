/* RACK-TLP's bookkeeping (RFC 8985): a log of outstanding transmissions with their send
 * times and SACKed/lost/retransmitted marks, loss detection by time, and what to resend. */
#include "tcp/rack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/seq.h"

static struct sk_sent *at(const struct sk_rack *r, uint32_t i)
{
	return &r->v[r->head + i];
}

void sk_rack_free(struct sk_rack *r)
{
	if (!r)
		return;
	free(r->v);
	r->v = NULL;
	r->cap = r->head = r->n = 0;
}

/* Room for one more entry at the end (and so anywhere, by a move). */
static int room(struct sk_rack *r)
{
	if (r->head + r->n < r->cap)
		return 0;
	if (r->head) {
		memmove(r->v, r->v + r->head, r->n * sizeof(*r->v));
		r->head = 0;
		if (r->n < r->cap)
			return 0;
	}
	uint32_t cap = r->cap ? r->cap * 2 : 16;
	struct sk_sent *v = realloc(r->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->v = v;
	r->cap = cap;
	return 0;
}

/* Splits entry i at seq (inside it): i keeps [seq0, seq), i+1 gets [seq, end). */
static int split(struct sk_rack *r, uint32_t i, uint32_t seq)
{
	if (room(r) < 0)
		return -ENOMEM;
	struct sk_sent *e = at(r, i);
	memmove(e + 1, e, (r->n - i) * sizeof(*e));
	r->n++;
	e->end = seq;
	(e + 1)->seq = seq;
	return 0;
}

/* The index of the entry holding seq, or n. */
static uint32_t find(const struct sk_rack *r, uint32_t seq)
{
	uint32_t lo = 0, hi = r->n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		const struct sk_sent *e = at(r, mid);
		if (seq_lt(seq, e->seq))
			hi = mid;
		else if (seq_geq(seq, e->end))
			lo = mid + 1;
		else
			return mid;
	}
	return r->n;
}

/* Makes [l, rr) a run of whole entries (splitting at both ends where they fall inside one);
 * *first gets the index of the first entry from l on. */
static int isolate(struct sk_rack *r, uint32_t l, uint32_t rr, uint32_t *first)
{
	uint32_t i = find(r, l);
	if (i < r->n && at(r, i)->seq != l) {
		if (split(r, i, l) < 0)
			return -ENOMEM;
		i++;
	}
	if (i == r->n) {
		/* l lies in no entry: start from the first entry after it */
		i = 0;
		while (i < r->n && seq_leq(at(r, i)->end, l))
			i++;
	}
	*first = i;
	uint32_t j = find(r, rr);
	if (j < r->n && at(r, j)->seq != rr && split(r, j, rr) < 0)
		return -ENOMEM;
	return 0;
}

int sk_rack_sent(struct sk_rack *r, uint32_t seq, uint32_t end, uint64_t now, int retrans)
{
	if (!seq_lt(seq, end))
		return 0;
	if (!retrans || !r->n || seq_geq(seq, at(r, r->n - 1)->end)) {
		if (r->n) {
			struct sk_sent *last = at(r, r->n - 1);
			if (last->end == seq && last->xmit == now && last->flags == 0 && !retrans) {
				last->end = end; /* sent in the same breath: one unit */
				return 0;
			}
		}
		if (room(r) < 0)
			return -ENOMEM;
		*at(r, r->n) = (struct sk_sent){seq, end, now, (uint8_t)(retrans ? SENT_EVER_RETRANS : 0)};
		r->n++;
		return 0;
	}
	uint32_t i;
	if (isolate(r, seq, end, &i) < 0)
		return -ENOMEM;
	for (; i < r->n && seq_lt(at(r, i)->seq, end); i++) {
		struct sk_sent *e = at(r, i);
		if (e->flags & SENT_SACKED)
			continue;
		e->xmit = now;
		e->flags |= SENT_RETRANS | SENT_EVER_RETRANS;
	}
	return 0;
}

uint32_t sk_rack_acked_upto(struct sk_rack *r, uint32_t snd_una, sk_rack_delivered_fn fn, void *ctx)
{
	uint32_t k = 0, bytes = 0;
	while (k < r->n && seq_lt(at(r, k)->seq, snd_una)) {
		struct sk_sent *e = at(r, k);
		if (!(e->flags & SENT_SACKED)) {
			uint32_t upto = seq_lt(snd_una, e->end) ? snd_una : e->end;
			bytes += upto - e->seq;
			if (fn)
				fn(ctx, e->xmit, e->end, (e->flags & SENT_EVER_RETRANS) != 0);
		}
		if (seq_gt(e->end, snd_una)) {
			e->seq = snd_una; /* partly acknowledged: the rest stays */
			break;
		}
		k++;
	}
	r->head += k;
	r->n -= k;
	if (!r->n)
		r->head = 0;
	return bytes;
}

uint32_t sk_rack_sacked(struct sk_rack *r, uint32_t l, uint32_t rr, sk_rack_delivered_fn fn, void *ctx)
{
	if (!r->n || !seq_lt(l, rr))
		return 0;
	if (seq_lt(l, at(r, 0)->seq))
		l = at(r, 0)->seq;
	if (seq_gt(rr, at(r, r->n - 1)->end))
		rr = at(r, r->n - 1)->end;
	if (!seq_lt(l, rr))
		return 0;
	uint32_t i, bytes = 0;
	if (isolate(r, l, rr, &i) < 0)
		return 0;
	for (; i < r->n && seq_lt(at(r, i)->seq, rr); i++) {
		struct sk_sent *e = at(r, i);
		if (e->flags & SENT_SACKED)
			continue;
		int retrans = (e->flags & SENT_EVER_RETRANS) != 0;
		e->flags = (uint8_t)((e->flags & SENT_EVER_RETRANS) | SENT_SACKED);
		bytes += e->end - e->seq;
		if (fn)
			fn(ctx, e->xmit, e->end, retrans);
	}
	return bytes;
}

uint32_t sk_rack_sacked_segs(const struct sk_rack *r, uint32_t mss)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n; i++)
		if (at(r, i)->flags & SENT_SACKED)
			n += (at(r, i)->end - at(r, i)->seq + mss - 1) / mss;
	return n;
}

void sk_rack_advance(struct sk_rack *r, uint64_t xmit, uint32_t end, uint32_t rtt)
{
	r->rtt = rtt;
	if (!r->delivered || xmit > r->xmit_ts || (xmit == r->xmit_ts && seq_gt(end, r->end_seq))) {
		r->xmit_ts = xmit;
		r->end_seq = end;
		r->delivered = 1;
	}
	if (seq_gt(end, r->fack) || !r->fack)
		r->fack = end;
}

/* RFC 8985 6.2: segment (t2, s2) was sent after (t1, s1). */
static int sent_after(uint64_t t1, uint32_t s1, uint64_t t2, uint32_t s2)
{
	return t1 > t2 || (t1 == t2 && seq_gt(s1, s2));
}

uint64_t sk_rack_detect(struct sk_rack *r, uint64_t now, uint32_t reo_wnd, uint32_t *newly, uint32_t *newly_rxt)
{
	uint64_t timeout = 0;
	*newly = *newly_rxt = 0;
	if (!r->delivered)
		return 0;
	for (uint32_t i = 0; i < r->n; i++) {
		struct sk_sent *e = at(r, i);
		if ((e->flags & SENT_SACKED) || ((e->flags & SENT_LOST) && !(e->flags & SENT_RETRANS)))
			continue;
		if (!sent_after(r->xmit_ts, r->end_seq, e->xmit, e->end))
			continue;
		uint64_t due = e->xmit + r->rtt + reo_wnd;
		if (due <= now) {
			if (e->flags & SENT_RETRANS)
				++*newly_rxt;
			e->flags = (uint8_t)((e->flags & ~SENT_RETRANS) | SENT_LOST);
			*newly += e->end - e->seq;
		} else if (due - now > timeout) {
			timeout = due - now;
		}
	}
	return timeout;
}

int sk_rack_latest_rxt(const struct sk_rack *r, uint32_t mss, uint32_t *seq, uint32_t *len)
{
	const struct sk_sent *latest = NULL;
	for (uint32_t i = 0; i < r->n; i++) {
		const struct sk_sent *e = at(r, i);
		if ((e->flags & SENT_SACKED) || (e->flags & (SENT_LOST | SENT_RETRANS)) == SENT_LOST)
			continue;
		if (!latest || sent_after(e->xmit, e->end, latest->xmit, latest->end))
			latest = e;
	}
	if (!latest || !(latest->flags & SENT_RETRANS))
		return 0;
	*seq = latest->seq;
	*len = latest->end - latest->seq < mss ? latest->end - latest->seq : mss;
	return 1;
}

uint32_t sk_rack_unsacked(const struct sk_rack *r, uint32_t most, uint64_t *xmit)
{
	uint32_t k = 0;
	*xmit = r->n ? at(r, 0)->xmit : 0;
	for (uint32_t i = 0; i < r->n && k < most; i++)
		k += !(at(r, i)->flags & SENT_SACKED);
	return k;
}

int sk_rack_rxt_outstanding(const struct sk_rack *r)
{
	for (uint32_t i = 0; i < r->n; i++)
		if ((at(r, i)->flags & (SENT_RETRANS | SENT_SACKED)) == SENT_RETRANS)
			return 1;
	return 0;
}

void sk_rack_all_lost(struct sk_rack *r)
{
	for (uint32_t i = 0; i < r->n; i++) {
		struct sk_sent *e = at(r, i);
		if (!(e->flags & SENT_SACKED))
			e->flags = (uint8_t)((e->flags & ~SENT_RETRANS) | SENT_LOST);
	}
}

uint32_t sk_rack_retrans_bytes(const struct sk_rack *r, uint32_t l, uint32_t rr)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n; i++) {
		const struct sk_sent *e = at(r, i);
		if (!(e->flags & SENT_EVER_RETRANS) || !seq_lt(e->seq, rr) || !seq_gt(e->end, l))
			continue;
		uint32_t a = seq_gt(e->seq, l) ? e->seq : l, b = seq_lt(e->end, rr) ? e->end : rr;
		n += b - a;
	}
	return n;
}

void sk_rack_unmark_lost(struct sk_rack *r)
{
	for (uint32_t i = 0; i < r->n; i++) {
		struct sk_sent *e = at(r, i);
		if ((e->flags & (SENT_LOST | SENT_RETRANS)) == SENT_LOST)
			e->flags = (uint8_t)(e->flags & ~SENT_LOST);
	}
}

uint32_t sk_rack_sacked_bytes(const struct sk_rack *r)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n; i++)
		if (at(r, i)->flags & SENT_SACKED)
			n += at(r, i)->end - at(r, i)->seq;
	return n;
}

uint32_t sk_rack_in_flight(const struct sk_rack *r)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->n; i++) {
		const struct sk_sent *e = at(r, i);
		uint32_t len = e->end - e->seq;
		if (e->flags & SENT_SACKED)
			continue;
		if (!(e->flags & SENT_LOST))
			n += len;
		if (e->flags & SENT_RETRANS)
			n += len;
	}
	return n;
}

/* Marked lost, not SACKed, and not sent again since. */
static int lost_unsent(const struct sk_sent *e)
{
	return (e->flags & (SENT_LOST | SENT_RETRANS | SENT_SACKED)) == SENT_LOST;
}

int sk_rack_next_lost(const struct sk_rack *r, uint32_t most, uint32_t *seq, uint32_t *len)
{
	for (uint32_t i = 0; i < r->n; i++) {
		const struct sk_sent *e = at(r, i);
		if (!lost_unsent(e))
			continue;
		/* the run: this piece and the lost ones right after it */
		uint32_t end = e->end;
		for (uint32_t j = i + 1; j < r->n && end - e->seq < most; j++) {
			const struct sk_sent *f = at(r, j);
			if (f->seq != end || !lost_unsent(f))
				break;
			end = f->end;
		}
		*seq = e->seq;
		*len = end - e->seq < most ? end - e->seq : most;
		return 1;
	}
	return 0;
}

int sk_rack_is_sacked(const struct sk_rack *r, uint32_t seq)
{
	uint32_t i = find(r, seq);
	return i < r->n && (at(r, i)->flags & SENT_SACKED);
}

int sk_rack_last(const struct sk_rack *r, uint32_t mss, uint32_t *seq, uint32_t *len)
{
	for (uint32_t i = r->n; i-- > 0;) {
		const struct sk_sent *e = at(r, i);
		if (e->flags & SENT_SACKED)
			continue;
		uint32_t l = e->end - e->seq;
		if (l > mss)
			l = mss;
		*seq = e->end - l;
		*len = l;
		return 1;
	}
	return 0;
}
