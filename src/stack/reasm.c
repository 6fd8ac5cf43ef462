/* Fragment reassembly for IPv4 and IPv6. Each pending datagram owns one payload buffer
 * that fragments are copied into at their offset (with room in front for the first
 * fragment's header, or IPv6's unfragmentable part, so the rebuilt datagram is
 * contiguous), and a sorted array of the fragment ranges received. Ranges never overlap (an overlap drops the
 * datagram), so the datagram is complete exactly when its end is known and the bytes
 * received add up to it. */
#include "stack/reasm.h"

#include <stdlib.h>
#include <string.h>

#include "wire/checksum.h"
#include "wire/wire.h"

#define HDR_ROOM4 SK_IPV4_MAX_HLEN
#define HDR_ROOM6 SK_REASM_V6_UNFRAG_MAX
#define MAX_DGRAM 65535u
#define MAX_PAYLOAD (MAX_DGRAM - SK_IPV4_MIN_HLEN) /* no datagram can carry more */
#define KEY_MAX 36u /* IPv6: source, destination, identification */
#define BUF_STEP 1024u                              /* payload buffer growth granularity */
#define RANGES_MIN 4u

struct sk_reasm_range {
	uint32_t off, end; /* payload bytes [off, end) of one fragment */
};

/* One fragment as either family's input finds it. */
struct frag {
	uint8_t family;         /* 4 or 6 */
	uint8_t key[KEY_MAX];   /* which datagram: IPv4 (src, dst, proto, id), IPv6 (src, dst, id) */
	uint8_t keylen;
	const uint8_t *hdr;     /* the IPv4 header; IPv6's unfragmentable part */
	uint32_t hlen;
	const uint8_t *payload; /* its piece of the datagram's payload (the fragmentable part) */
	uint32_t plen, off;
	int last;
	uint32_t nh_off;        /* IPv6: the next-header field that names the fragment header */
	uint8_t next;           /* IPv6: what it names once whole (the fragment header's next) */
	const uint8_t *fraghdr; /* IPv6: the fragment header, for the time-exceeded quote */
};

struct sk_reasm_dgram {
	struct sk_reasm_dgram *prev, *next;
	uint8_t key[KEY_MAX];
	uint8_t keylen, family;
	uint8_t has_first, has_last;
	uint16_t room;         /* header room in front of the payload */
	uint16_t first_hlen;   /* header length of the offset-0 fragment */
	uint16_t nh_off;       /* IPv6: see struct frag */
	uint8_t next_hdr;
	uint8_t fraghdr[SK_IPV6_FRAG_HLEN]; /* IPv6: the first fragment's */
	uint32_t first_plen;   /* its payload length */
	uint32_t total;        /* payload length, known once has_last */
	uint32_t max_end;      /* highest payload end received */
	uint32_t received;     /* payload bytes held (ranges do not overlap) */
	uint64_t created;      /* arrival of the first piece: the timeout counts from here */
	uint8_t *buf;          /* room + cap bytes; payload byte i at buf[room + i] */
	uint32_t cap;
	struct sk_reasm_range *rg;
	uint32_t nrg, rgcap;
};

static size_t dgram_mem(const struct sk_reasm_dgram *d)
{
	return sizeof(*d) + d->room + d->cap + (size_t)d->rgcap * sizeof(struct sk_reasm_range);
}

void sk_reasm_init(struct sk_reasm *r, size_t mem_cap, uint64_t timeout_us)
{
	memset(r, 0, sizeof(*r));
	r->mem_cap = mem_cap ? mem_cap : SK_REASM_DEFAULT_MEM;
	r->timeout_us = timeout_us ? timeout_us : SK_REASM_DEFAULT_TIMEOUT_US;
	r->max_count = r->mem_cap / SK_REASM_BYTES_PER_DGRAM;
	if (r->max_count < SK_REASM_MIN_DGRAMS)
		r->max_count = SK_REASM_MIN_DGRAMS;
}

static void release_done(struct sk_reasm *r)
{
	if (!r->done)
		return;
	free(r->done);
	r->done = NULL;
	r->mem -= r->done_mem;
	r->done_mem = 0;
}

static void unlink_dgram(struct sk_reasm *r, struct sk_reasm_dgram *d)
{
	if (d->prev)
		d->prev->next = d->next;
	else
		r->head = d->next;
	if (d->next)
		d->next->prev = d->prev;
	else
		r->tail = d->prev;
	d->prev = d->next = NULL;
	r->count--;
}

/* Unlinks d and frees everything it holds. */
static void drop_dgram(struct sk_reasm *r, struct sk_reasm_dgram *d)
{
	unlink_dgram(r, d);
	r->mem -= dgram_mem(d);
	free(d->buf);
	free(d->rg);
	free(d);
}

void sk_reasm_free(struct sk_reasm *r)
{
	release_done(r);
	while (r->head)
		drop_dgram(r, r->head);
}

static struct sk_reasm_dgram *lookup(struct sk_reasm *r, const struct frag *f)
{
	for (struct sk_reasm_dgram *d = r->head; d; d = d->next)
		if (d->family == f->family && d->keylen == f->keylen && !memcmp(d->key, f->key, f->keylen))
			return d;
	return NULL;
}

/* Evicts the oldest pending datagrams other than keep until need more bytes fit under the
 * cap. Returns 0 when they fit, -1 when they cannot (everything else already gone). */
static int make_room(struct sk_reasm *r, size_t need, const struct sk_reasm_dgram *keep)
{
	while (r->mem_cap < need || r->mem > r->mem_cap - need) {
		struct sk_reasm_dgram *victim = r->head;
		if (victim == keep && victim)
			victim = victim->next;
		if (!victim)
			return -1;
		drop_dgram(r, victim);
		r->stats.dropped_mem++;
	}
	return 0;
}

/* Payload buffer size d needs to hold bytes up to end: grown in BUF_STEP steps, never past
 * what the datagram can hold. */
static uint32_t buf_need(const struct sk_reasm_dgram *d, uint32_t end, int last)
{
	if (d && end <= d->cap)
		return d->cap;
	uint32_t limit = last ? end : (d && d->has_last) ? d->total : MAX_PAYLOAD;
	uint32_t c = (end + BUF_STEP - 1) / BUF_STEP * BUF_STEP;
	return c < limit ? c : limit;
}

/* Index of the first range ending after off (ranges are sorted and disjoint). */
static uint32_t range_find(const struct sk_reasm_dgram *d, uint32_t off)
{
	uint32_t lo = 0, hi = d->nrg;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (d->rg[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Rewrites the first fragment's header in place as the whole datagram's (IPv4: length,
 * flags and checksum; IPv6: payload length, and the next header that named the fragment
 * header now names what it carried) and hands the buffer over as the completed datagram. */
static void complete(struct sk_reasm *r, struct sk_reasm_dgram *d, const uint8_t **out, size_t *outlen)
{
	uint8_t *p = d->buf + d->room - d->first_hlen;
	size_t n = (size_t)d->first_hlen + d->total;
	if (d->family == 6) {
		sk_put16(p + 4, (uint16_t)(n - SK_IPV6_HLEN));
		p[d->nh_off] = d->next_hdr;
	} else {
		sk_put16(p + 2, (uint16_t)n);
		sk_put16(p + 6, (uint16_t)(sk_get16(p + 6) & ~(SK_IP_MF | SK_IP_OFFMASK)));
		sk_put16(p + 10, 0);
		sk_put16(p + 10, sk_csum(p, d->first_hlen));
	}
	*out = p;
	*outlen = n;

	unlink_dgram(r, d);
	r->mem -= dgram_mem(d);
	r->done = d->buf;
	r->done_mem = d->room + (size_t)d->cap;
	r->mem += r->done_mem;
	free(d->rg);
	free(d);
	r->stats.reassembled++;
}

/* Adds one fragment of either family (see sk_reasm_input for the rules). */
static int add(struct sk_reasm *r, const struct frag *f, uint64_t now, const uint8_t **out, size_t *outlen)
{
	const uint8_t *payload = f->payload;
	uint32_t plen = f->plen, off = f->off, end = off + plen;
	int last = f->last;
	if (plen == 0 || (!last && (plen & 7u))) {
		r->stats.dropped_bad++;
		return -1;
	}

	struct sk_reasm_dgram *d = lookup(r, f);

	/* Would the datagram pass 65535 bytes (IPv4's total length; IPv6's payload length,
	 * which leaves out the fixed header)? The header that counts is the first fragment's;
	 * until it arrives, assume the smallest. */
	uint32_t hmin = f->family == 6 ? SK_IPV6_HLEN : SK_IPV4_MIN_HLEN;
	uint32_t hfirst = d && d->has_first ? d->first_hlen : off == 0 ? f->hlen : hmin;
	uint32_t far = d && d->max_end > end ? d->max_end : end;
	if (far + hfirst - (f->family == 6 ? SK_IPV6_HLEN : 0) > MAX_DGRAM) {
		if (d)
			drop_dgram(r, d);
		r->stats.dropped_toobig++;
		return -1;
	}

	uint32_t at = 0;
	if (d) {
		/* The end, once known, is fixed: a second last fragment must agree with it, no
		 * data may lie beyond it, and a piece with MF set promises more after it. */
		if ((last && ((d->has_last && d->total != end) || end < d->max_end)) ||
		    (!last && d->has_last && end >= d->total)) {
			drop_dgram(r, d);
			r->stats.dropped_bad++;
			return -1;
		}
		at = range_find(d, off);
		if (at < d->nrg && d->rg[at].off < end) {
			const struct sk_reasm_range *g = &d->rg[at];
			if (g->off == off && g->end == end && memcmp(d->buf + d->room + off, payload, plen) == 0) {
				if (last == (d->has_last && g->end == d->total))
					return 0; /* exact duplicate */
				drop_dgram(r, d); /* the same piece, but now it says it is the last */
				r->stats.dropped_bad++;
				return -1;
			}
			drop_dgram(r, d);
			r->stats.dropped_overlap++;
			return -1;
		}
	}

	/* Memory this fragment needs, made room for before anything is allocated. A fragment
	 * that could not fit even with every other datagram gone evicts nothing. */
	uint32_t newcap = buf_need(d, end, last);
	uint32_t newrg = !d ? RANGES_MIN : d->nrg < d->rgcap ? d->rgcap : d->rgcap * 2;
	size_t need = (size_t)(newcap - (d ? d->cap : 0)) +
		      (size_t)(newrg - (d ? d->rgcap : 0)) * sizeof(struct sk_reasm_range);
	uint16_t room = f->family == 6 ? HDR_ROOM6 : HDR_ROOM4;
	if (!d)
		need += sizeof(*d) + room;
	size_t held = d ? dgram_mem(d) : 0;
	if (need > r->mem_cap || held > r->mem_cap - need) {
		r->stats.dropped_mem++;
		return -1;
	}
	if (!d && r->count >= r->max_count) {
		drop_dgram(r, r->head);
		r->stats.dropped_mem++;
	}
	if (make_room(r, need, d) < 0) { /* cannot happen after the check above */
		r->stats.dropped_mem++;
		return -1;
	}

	if (!d) {
		d = calloc(1, sizeof(*d));
		uint8_t *buf = malloc(room + (size_t)newcap);
		struct sk_reasm_range *rg = malloc(newrg * sizeof(*rg));
		if (!d || !buf || !rg) {
			free(d);
			free(buf);
			free(rg);
			r->stats.dropped_mem++;
			return -1;
		}
		memcpy(d->key, f->key, f->keylen);
		d->keylen = f->keylen;
		d->family = f->family;
		d->room = room;
		d->created = now;
		d->buf = buf;
		d->cap = newcap;
		d->rg = rg;
		d->rgcap = newrg;
		d->prev = r->tail;
		if (r->tail)
			r->tail->next = d;
		else
			r->head = d;
		r->tail = d;
		r->count++;
		r->mem += dgram_mem(d);
	} else {
		if (newcap > d->cap) {
			uint8_t *nb = realloc(d->buf, d->room + (size_t)newcap);
			if (!nb) {
				r->stats.dropped_mem++;
				return -1;
			}
			d->buf = nb;
			r->mem += newcap - d->cap;
			d->cap = newcap;
		}
		if (newrg > d->rgcap) {
			struct sk_reasm_range *ng = realloc(d->rg, newrg * sizeof(*ng));
			if (!ng) {
				r->stats.dropped_mem++;
				return -1;
			}
			d->rg = ng;
			r->mem += (size_t)(newrg - d->rgcap) * sizeof(*ng);
			d->rgcap = newrg;
		}
	}

	memcpy(d->buf + d->room + off, payload, plen);
	memmove(&d->rg[at + 1], &d->rg[at], (d->nrg - at) * sizeof(d->rg[0]));
	d->rg[at].off = off;
	d->rg[at].end = end;
	d->nrg++;
	d->received += plen;
	if (end > d->max_end)
		d->max_end = end;
	if (off == 0) {
		memcpy(d->buf + d->room - f->hlen, f->hdr, f->hlen);
		d->has_first = 1;
		d->first_hlen = (uint16_t)f->hlen;
		d->first_plen = plen;
		if (f->family == 6) {
			d->nh_off = (uint16_t)f->nh_off;
			d->next_hdr = f->next;
			memcpy(d->fraghdr, f->fraghdr, sizeof(d->fraghdr));
		}
	}
	if (last) {
		d->has_last = 1;
		d->total = end;
	}

	if (d->has_last && d->received == d->total && d->has_first) {
		complete(r, d, out, outlen);
		return 1;
	}
	return 0;
}

int sk_reasm_input(struct sk_reasm *r, const struct sk_ipv4 *ip, const uint8_t *pkt, size_t len, uint64_t now,
		   const uint8_t **out, size_t *outlen)
{
	release_done(r);
	r->stats.frags_in++;
	if (!pkt || ip->hlen < SK_IPV4_MIN_HLEN || ip->hlen > SK_IPV4_MAX_HLEN || ip->total_len < ip->hlen ||
	    ip->total_len > len || !sk_ipv4_is_fragment(ip)) {
		r->stats.dropped_bad++;
		return -1;
	}
	struct frag f = {.family = 4, .keylen = 11, .hdr = pkt, .hlen = ip->hlen, .payload = pkt + ip->hlen,
			 .plen = (uint32_t)ip->total_len - ip->hlen, .off = sk_ipv4_frag_offset(ip),
			 .last = !(ip->frag & SK_IP_MF)};
	sk_put32(f.key, ip->src);
	sk_put32(f.key + 4, ip->dst);
	sk_put16(f.key + 8, ip->id);
	f.key[10] = ip->proto;
	return add(r, &f, now, out, outlen);
}

int sk_reasm_input6(struct sk_reasm *r, const uint8_t *pkt, size_t len, const struct sk_ipv6 *h,
		    const struct sk_ipv6_walk *w, uint64_t now, const uint8_t **out, size_t *outlen)
{
	release_done(r);
	r->stats.frags_in++;
	if (!pkt || !w->fragment || w->frag_off > HDR_ROOM6 || w->frag_off < SK_IPV6_HLEN || w->end > len ||
	    w->off > w->end) {
		r->stats.dropped_bad++;
		return -1;
	}
	struct frag f = {.family = 6, .keylen = KEY_MAX, .hdr = pkt, .hlen = w->frag_off, .payload = pkt + w->off,
			 .plen = w->end - w->off, .off = w->frag.offset, .last = !w->frag.more,
			 .nh_off = w->frag_nh_off, .next = w->frag.next, .fraghdr = pkt + w->frag_off};
	memcpy(f.key, h->src, 16);
	memcpy(f.key + 16, h->dst, 16);
	sk_put32(f.key + 32, w->frag.id);
	return add(r, &f, now, out, outlen);
}

/* Hands fn the first fragment as it arrived: IPv4's is contiguous in the buffer; IPv6's
 * fragment header, left out of the buffer, goes back between its two parts. */
static void tell_first(const struct sk_reasm_dgram *d, void (*fn)(void *ctx, const uint8_t *first, size_t len),
		       void *ctx)
{
	const uint8_t *hdr = d->buf + d->room - d->first_hlen;
	size_t n = (size_t)d->first_hlen + d->first_plen;
	if (d->family != 6) {
		fn(ctx, hdr, n);
		return;
	}
	uint8_t *q = malloc(n + SK_IPV6_FRAG_HLEN);
	if (!q)
		return;
	memcpy(q, hdr, d->first_hlen);
	memcpy(q + d->first_hlen, d->fraghdr, SK_IPV6_FRAG_HLEN);
	memcpy(q + d->first_hlen + SK_IPV6_FRAG_HLEN, d->buf + d->room, d->first_plen);
	sk_put16(q + 4, (uint16_t)(n + SK_IPV6_FRAG_HLEN - SK_IPV6_HLEN));
	fn(ctx, q, n + SK_IPV6_FRAG_HLEN);
	free(q);
}

void sk_reasm_expire(struct sk_reasm *r, uint64_t now, void (*fn)(void *ctx, const uint8_t *first, size_t len),
		     void *ctx)
{
	release_done(r);
	struct sk_reasm_dgram *d = r->head;
	while (d) {
		struct sk_reasm_dgram *next = d->next;
		if (now >= d->created && now - d->created >= r->timeout_us) {
			if (fn && d->has_first)
				tell_first(d, fn, ctx);
			drop_dgram(r, d);
			r->stats.timeouts++;
		}
		d = next;
	}
}

uint64_t sk_reasm_next_deadline(const struct sk_reasm *r)
{
	uint64_t best = UINT64_MAX;
	for (const struct sk_reasm_dgram *d = r->head; d; d = d->next) {
		uint64_t t = d->created > UINT64_MAX - r->timeout_us ? UINT64_MAX : d->created + r->timeout_us;
		if (t < best)
			best = t;
	}
	return best;
}

size_t sk_reasm_mem(const struct sk_reasm *r)
{
	return r->mem;
}
