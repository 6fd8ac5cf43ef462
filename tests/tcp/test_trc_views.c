/* What synack-sim shows a learner (TRC-6): each segment sent for a named reason carries
 * that reason, and state and call lines carry their virtual time and their connection. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"

/* A copy of a scenario's segment records, taken before its world is freed. */
struct seg {
	uint64_t t;
	int host;
	const char *label;
	uint16_t flags, sport, dport;
	uint32_t seq, ack;
	size_t len;
	int dsack; /* its first SACK block reports a duplicate (RFC 2883) */
	int lost;
};

struct run {
	struct seg *v;
	size_t n;
	struct sk_rec *states; /* STATE records */
	size_t nstates;
	char names[SK_WORLD_MAX_HOSTS][32];
};

/* RFC 2883 4: a first block below the cumulative ACK, or inside the second block. */
static int is_dsack(const struct sk_tcp *t)
{
	if (!t->opt.nsack)
		return 0;
	const struct sk_tcp_sack_block *a = &t->opt.sack[0], *b = &t->opt.sack[1];
	if ((int32_t)(a->left - t->ack) < 0)
		return 1;
	return t->opt.nsack > 1 && (int32_t)(a->left - b->left) >= 0 && (int32_t)(b->right - a->right) >= 0;
}

static void keep(struct sk_world *w, void *arg)
{
	struct run *r = arg;
	size_t n = sk_world_nrecs(w);
	r->v = calloc(n ? n : 1, sizeof(*r->v));
	r->states = calloc(n ? n : 1, sizeof(*r->states));
	assert_non_null(r->v);
	assert_non_null(r->states);
	for (int h = 0; h < SK_WORLD_MAX_HOSTS; h++)
		snprintf(r->names[h], sizeof(r->names[h]), "%s", sk_world_name(w, h));
	for (size_t i = 0; i < n; i++) {
		const struct sk_rec *k = sk_world_rec(w, i);
		if (k->type == SK_REC_STATE) {
			r->states[r->nstates] = *k;
			r->states[r->nstates].bytes = NULL;
			r->states[r->nstates++].text = NULL;
			continue;
		}
		if (k->type != SK_REC_SEG || k->d.l4 != SK_L4_TCP)
			continue;
		const struct sk_tcp *t = &k->d.tcp;
		r->v[r->n++] = (struct seg){.t = k->t, .host = k->host, .label = k->label, .flags = t->flags,
					    .sport = t->sport, .dport = t->dport, .seq = t->seq, .ack = t->ack,
					    .len = t->payload_len, .lost = k->dropped,
					    .dsack = is_dsack(t)};
	}
}

static void run(const char *name, struct run *r, FILE *trace)
{
	memset(r, 0, sizeof(*r));
	const struct sk_scenario *sc = sk_scenario_find(name);
	assert_non_null(sc);
	struct sk_world_opts o = {.seed = 1, .trace = trace, .on_end = keep, .on_end_arg = r};
	assert_int_equal(sk_scenario_run(sc, &o, stderr), 0);
}

static void done(struct run *r)
{
	free(r->v);
	free(r->states);
}

static int count(const struct run *r, const char *label)
{
	int n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->v[i].label && !strcmp(r->v[i].label, label);
	return n;
}

/* Whether the same side sent record i's first sequence number before: i is a
 * retransmission (of a whole earlier segment, or of what the peer left unacknowledged
 * of one). */
static int sent_before(const struct run *r, size_t i)
{
	const struct seg *b = &r->v[i];
	for (size_t j = 0; j < i; j++) {
		const struct seg *a = &r->v[j];
		uint32_t span = (uint32_t)a->len + !!(a->flags & SK_TCP_SYN) + !!(a->flags & SK_TCP_FIN);
		if (a->host == b->host && a->sport == b->sport && a->dport == b->dport && span &&
		    b->seq - a->seq < span)
			return 1;
	}
	return 0;
}

/* hs-7: the SYN at 0 is plain; the five sent again at 1, 3, 7, 15 and 31 s say why. */
static void test_hs7_rto_labels(void **state)
{
	(void)state;
	struct run r;
	run("hs-7", &r, NULL);
	static const uint64_t at[] = {0, 1000000, 3000000, 7000000, 15000000, 31000000};
	int syns = 0;
	for (size_t i = 0; i < r.n; i++) {
		if (!(r.v[i].flags & SK_TCP_SYN))
			continue;
		assert_true(syns < 6);
		assert_int_equal(r.v[i].t, at[syns]);
		if (syns == 0)
			assert_null(r.v[i].label);
		else
			assert_string_equal(r.v[i].label, "RTO retransmission");
		syns++;
	}
	assert_int_equal(syns, 6);
	done(&r);
}

/* Each kind of label appears where its scenario makes it, on the segment it names. */
static void test_labels_where_they_belong(void **state)
{
	(void)state;
	struct run r;
	/* LQ-3: the SYN+ACKs of a full queue carry cookies */
	run("lq-3", &r, NULL);
	assert_true(count(&r, "SYN cookie") >= 1);
	for (size_t i = 0; i < r.n; i++)
		if (r.v[i].label && !strcmp(r.v[i].label, "SYN cookie"))
			assert_int_equal(r.v[i].flags & (SK_TCP_SYN | SK_TCP_ACK), SK_TCP_SYN | SK_TCP_ACK);
	done(&r);
	/* FLOW-3: zero-window probes are bare ACKs one below snd_una, while the window is 0 */
	run("flow-3", &r, NULL);
	assert_true(count(&r, "zero-window probe") >= 3);
	for (size_t i = 0; i < r.n; i++)
		if (r.v[i].label && !strcmp(r.v[i].label, "zero-window probe"))
			assert_true(r.v[i].len == 0 && r.v[i].flags == SK_TCP_ACK);
	done(&r);
	/* REL-9: keepalive probes */
	run("rel-9", &r, NULL);
	assert_true(count(&r, "keepalive probe") >= 9);
	done(&r);
	/* HS-2 (RFC 5961): a challenge ACK */
	run("hs-2", &r, NULL);
	assert_int_equal(count(&r, "challenge ACK"), 1);
	done(&r);
	/* CC-3: one fast retransmit, a retransmission */
	run("cc-3", &r, NULL);
	assert_int_equal(count(&r, "fast retransmit"), 1);
	done(&r);
	/* REL-5: SACK recovery's retransmissions; REL-1: D-SACK reports carry one */
	run("rel-5", &r, NULL);
	assert_true(count(&r, "SACK recovery") >= 1 && count(&r, "fast retransmit") >= 1);
	done(&r);
	run("rel-1", &r, NULL);
	assert_true(count(&r, "D-SACK") >= 1);
	for (size_t i = 0; i < r.n; i++)
		if (r.v[i].label && !strcmp(r.v[i].label, "D-SACK"))
			assert_true(r.v[i].dsack);
	done(&r);
}

/* In every scenario: a segment labelled as a retransmission repeats one its side sent
 * before, and one labelled D-SACK reports a duplicate. */
static void test_labels_are_true_everywhere(void **state)
{
	(void)state;
	const struct sk_scenario *sc;
	int labelled = 0;
	for (size_t k = 0; (sc = sk_scenario_get(k)); k++) {
		struct run r;
		run(sc->name, &r, NULL);
		for (size_t i = 0; i < r.n; i++) {
			const char *l = r.v[i].label;
			if (!l)
				continue;
			labelled++;
			if (!strcmp(l, "RTO retransmission") || !strcmp(l, "fast retransmit") ||
			    !strcmp(l, "SACK recovery") || !strcmp(l, "NewReno partial ACK") ||
			    !strcmp(l, "retransmission lost, sent again")) {
				if (!sent_before(&r, i))
					fail_msg("%s: segment %zu at %llu us labelled '%s' was never sent before",
						 sc->name, i, (unsigned long long)r.v[i].t, l);
			} else if (!strcmp(l, "D-SACK") && !r.v[i].dsack) {
				fail_msg("%s: segment %zu at %llu us labelled D-SACK reports no duplicate", sc->name, i,
					 (unsigned long long)r.v[i].t);
			}
		}
		done(&r);
	}
	assert_true(labelled > 100);
}

/* Every state line of the trace carries the record's virtual time, host and connection. */
static void test_state_lines_have_time_and_connection(void **state)
{
	(void)state;
	static const char *const names[] = {"tw-1", "hs-7", "lq-2"};
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		assert_non_null(f);
		struct run r;
		run(names[k], &r, f);
		fclose(f);
		assert_true(r.nstates > 0);
		for (size_t i = 0; i < r.nstates; i++) {
			const struct synack_event *e = &r.states[i].ev;
			uint64_t t = r.states[i].t, s = t / 1000000;
			char want[256];
			snprintf(want, sizeof(want), "%02u:%02u:%02u.%06u # %s %u.%u.%u.%u.%u", (unsigned)(s / 3600),
				 (unsigned)(s / 60 % 60), (unsigned)(s % 60), (unsigned)(t % 1000000),
				 r.names[r.states[i].host], e->local.ip.bytes[0], e->local.ip.bytes[1],
				 e->local.ip.bytes[2], e->local.ip.bytes[3], e->local.port);
			char tail[128];
			snprintf(tail, sizeof(tail), ": %s -> %s (%s)\n", synack_state_name(e->old_state),
				 synack_state_name(e->new_state), e->cause);
			const char *p = strstr(text, want);
			int found = 0;
			for (; p && !found; p = strstr(p + 1, want)) {
				const char *eol = strchr(p, '\n');
				const char *c = strstr(p, ": ");
				found = eol && c && c < eol && !strncmp(c, tail, strlen(tail));
			}
			if (!found)
				fail_msg("%s: no line '%s ...%s'", names[k], want, tail);
		}
		if (!strcmp(names[k], "hs-7"))
			assert_non_null(strstr(text, "\n00:01:03.000000 # client connect() = -1 ETIMEDOUT\n"));
		done(&r);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hs7_rto_labels),
		cmocka_unit_test(test_labels_where_they_belong),
		cmocka_unit_test(test_labels_are_true_everywhere),
		cmocka_unit_test(test_state_lines_have_time_and_connection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
