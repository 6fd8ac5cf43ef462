/* The simulator's log as a picture's input (src/trace/picture.h): hosts become lifelines. */
#include "sim/picture.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The host a packet is for (its destination, of either family), or -1. */
static int host_at(struct sk_world *w, int n, const struct sk_decoded *d)
{
	uint32_t dst = sk_world_pkt_dst(d);
	for (int h = 0; dst && h < n; h++)
		if (sk_world_addr(w, h) == dst)
			return h;
	return -1;
}

int sk_world_picture(struct sk_world *w, const char *title, struct sk_world_pic *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = sk_world_nrecs(w);
	int hosts = sk_world_nhosts(w);
	out->frames = calloc(n ? n : 1, sizeof(*out->frames));
	out->states = calloc(n ? n : 1, sizeof(*out->states));
	out->notes = calloc(n ? n : 1, sizeof(*out->notes));
	out->cc = calloc(n ? n : 1, sizeof(*out->cc));
	if (!out->frames || !out->states || !out->notes || !out->cc) {
		sk_world_picture_free(out);
		return -ENOMEM;
	}
	for (int h = 0; h < hosts; h++)
		out->names[h] = sk_world_name(w, h);
	for (size_t i = 0; i < n; i++) {
		const struct sk_rec *r = sk_world_rec(w, i);
		switch (r->type) {
		case SK_REC_SEG: {
			int to = r->d.has_ip || r->d.has_ip6 ? host_at(w, hosts, &r->d) : -1;
			if (r->host < 0 || to < 0 || !r->bytes)
				break;
			/* a lost frame would have arrived after the one-way delay others took */
			uint64_t arr = r->t_arr != UINT64_MAX ? r->t_arr : r->t;
			out->frames[out->pic.n_frames++] = (struct sk_pic_frame){
				.sent_us = r->t, .arrived_us = arr, .from = r->host, .to = to, .lost = r->dropped,
				.corrupted = r->corrupted, .ip = r->bytes, .len = r->len, .label = r->label};
			break;
		}
		case SK_REC_STATE:
			out->states[out->pic.n_states++] =
				(struct sk_pic_state){r->t, r->host, synack_state_name(r->ev.new_state)};
			break;
		case SK_REC_NOTE:
			if (r->text)
				out->notes[out->pic.n_notes++] = (struct sk_pic_note){r->t, r->host, r->text};
			break;
		case SK_REC_CC:
			out->cc[out->pic.n_cc++] = (struct sk_pic_cc){r->t, r->host, r->cc.cwnd, r->cc.ssthresh,
								      r->cc.in_flight, r->cc.srtt, r->cc.rto};
			break;
		}
	}
	/* A lost frame has no arrival: give it the one-way delay of the last frame that
	 * arrived on the same way before it (or the next one), so its arrow slopes as theirs,
	 * or the link's delay if none did. */
	for (size_t i = 0; i < out->pic.n_frames; i++) {
		struct sk_pic_frame *f = &out->frames[i];
		if (!f->lost)
			continue;
		const struct sk_pic_frame *like = NULL;
		for (size_t j = i; j-- > 0 && !like;)
			if (!out->frames[j].lost && out->frames[j].from == f->from && out->frames[j].to == f->to)
				like = &out->frames[j];
		for (size_t j = i + 1; j < out->pic.n_frames && !like; j++)
			if (!out->frames[j].lost && out->frames[j].from == f->from && out->frames[j].to == f->to)
				like = &out->frames[j];
		f->arrived_us = f->sent_us + (like ? like->arrived_us - like->sent_us : sk_world_delay(w));
	}
	out->pic.title = title;
	out->pic.endpoints = out->names;
	out->pic.n_endpoints = hosts;
	out->pic.frames = out->frames;
	out->pic.states = out->states;
	out->pic.notes = out->notes;
	out->pic.cc = out->cc;
	return 0;
}

void sk_world_picture_free(struct sk_world_pic *p)
{
	free(p->frames);
	free(p->states);
	free(p->notes);
	free(p->cc);
	memset(p, 0, sizeof(*p));
}
