/* Whole-connection checks of FMT-4 (ACK and sequence-space rules on every segment), TRC-4
 * (the pcap of a run holds exactly the segments sent) and TRC-5 (every state change is
 * reported, chained and with a cause). */
#include "testutil.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/scenario.h"
#include "stack/addr.h"

/* A connection that exchanges data both ways and closes, with some loss so retransmitted
 * segments are covered too. */
static struct sk_world *run_conversation(const char *pcap_path)
{
	struct sk_world_opts o = {.seed = 7, .pcap_path = pcap_path, .keep_bytes = 1};
	o.link.delay_us = 10000;
	o.link.loss = 0.1;
	struct sk_world *w = sk_world_new(&o, NULL);
	assert_non_null(w);
	int c = sk_world_add_host(w, "client", SK_CLIENT_ADDR, NULL);
	int s = sk_world_add_host(w, "server", SK_SERVER_ADDR, NULL);
	synack_stack *cs = sk_world_stack(w, c), *ss = sk_world_stack(w, s);
	int l = synack_socket(ss, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr a = sk_sa_from4(0, SK_PORT);
	assert_int_equal(synack_bind(ss, l, &a), 0);
	assert_int_equal(synack_listen(ss, l, 4), 0);
	int k = synack_socket(cs, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	a = sk_sa_from4(SK_SERVER_ADDR, SK_PORT);
	assert_int_equal(synack_connect(cs, k, &a), -EINPROGRESS);
	int acc = -1;
	for (int i = 0; i < 200 && acc < 0; i++) {
		sk_world_run_until(w, sk_world_now(w) + 100000);
		acc = synack_accept(ss, l, NULL);
	}
	assert_true(acc >= 0);
	static uint8_t buf[5000];
	memset(buf, 'd', sizeof(buf));
	assert_int_equal(synack_send(cs, k, buf, sizeof(buf), 0), (long)sizeof(buf));
	assert_int_equal(synack_send(ss, acc, buf, 300, 0), 300);
	sk_world_run_until(w, sk_world_now(w) + 10000000);
	while (synack_recv(ss, acc, buf, sizeof(buf), 0) > 0)
		;
	while (synack_recv(cs, k, buf, sizeof(buf), 0) > 0)
		;
	synack_close(cs, k);
	sk_world_run_until(w, sk_world_now(w) + 1000000);
	synack_close(ss, acc);
	synack_close(ss, l);
	sk_world_run_idle(w, sk_world_now(w) + 200000000);
	return w;
}

/* FMT-4: after the first SYN every segment carries ACK; SYN and FIN each take one sequence
 * number and RST none (so each sender's sequence numbers never go beyond what its SYN,
 * data and FIN account for); SYN and SYN+ACK carry no data. */
static void test_fmt_4(void **state)
{
	(void)state;
	struct sk_world *w = run_conversation(NULL);
	uint32_t isn[2] = {0, 0}, end[2] = {0, 0};
	int have[2] = {0, 0}, segs = 0;
	for (size_t i = 0; i < sk_world_nrecs(w); i++) {
		const struct sk_rec *r = sk_world_rec(w, i);
		if (r->type != SK_REC_SEG || r->d.l4 != SK_L4_TCP)
			continue;
		const struct sk_tcp *t = &r->d.tcp;
		int h = r->host;
		segs++;
		if (t->flags & SK_TCP_SYN) {
			assert_int_equal(t->payload_len, 0);
			assert_false(t->flags & (SK_TCP_FIN | SK_TCP_RST));
			if (!have[h]) {
				have[h] = 1;
				isn[h] = t->seq;
				end[h] = t->seq + 1;
			}
			assert_int_equal(t->seq, isn[h]); /* a retransmitted SYN keeps the ISN */
			/* Only the very first segment of the connection lacks ACK. */
			if (h == 1)
				assert_true(t->flags & SK_TCP_ACK);
			continue;
		}
		assert_true(have[0]);
		assert_true(t->flags & SK_TCP_ACK);
		uint32_t seg_end = t->seq + (uint32_t)t->payload_len + ((t->flags & SK_TCP_FIN) ? 1 : 0);
		/* Never beyond what has been accounted for plus this segment: monotone end. */
		if ((int32_t)(seg_end - end[h]) > 0)
			end[h] = seg_end;
		if (t->flags & SK_TCP_RST)
			assert_int_equal(t->payload_len, 0);
	}
	/* Client: SYN (1) + 5000 bytes + FIN (1); server: SYN + 300 + FIN. */
	assert_int_equal(end[0] - isn[0], 1 + 5000 + 1);
	assert_int_equal(end[1] - isn[1], 1 + 300 + 1);
	assert_true(segs > 10);
	sk_world_free(w);
}

/* TRC-5: per connection, each reported transition starts where the previous one ended, has
 * a cause, and the life cycles are complete: client CLOSED -> ... -> CLOSED through
 * TIME-WAIT, server LISTEN -> SYN-RCVD -> ... -> CLOSED. */
static void test_trc_5(void **state)
{
	(void)state;
	struct sk_world *w = run_conversation(NULL);
	int last[2] = {SYNACK_CLOSED, -1}, saw_tw = 0, n = 0;
	for (size_t i = 0; i < sk_world_nrecs(w); i++) {
		const struct sk_rec *r = sk_world_rec(w, i);
		if (r->type != SK_REC_STATE)
			continue;
		const struct synack_event *e = &r->ev;
		assert_non_null(e->cause);
		assert_true(strlen(e->cause) > 0);
		assert_int_not_equal(e->old_state, e->new_state);
		n++;
		if (e->new_state == SYNACK_LISTEN || e->old_state == SYNACK_LISTEN)
			continue; /* the listener's own life: listen() and close() */
		int h = r->host;
		if (last[h] >= 0)
			assert_int_equal(e->old_state, last[h]);
		last[h] = e->new_state;
		saw_tw |= h == 0 && e->new_state == SYNACK_TIME_WAIT;
	}
	assert_true(saw_tw);
	assert_int_equal(last[0], SYNACK_CLOSED);
	assert_int_equal(last[1], SYNACK_CLOSED);
	assert_true(n >= 10);
	sk_world_free(w);
}

/* TRC-4: the pcap of a run holds every segment the hosts sent, byte for byte, in order. */
static void test_trc_4(void **state)
{
	(void)state;
	char path[] = "/tmp/synack-trc4-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct sk_world *w = run_conversation(path);
	size_t nseg = 0;
	for (size_t i = 0; i < sk_world_nrecs(w); i++)
		nseg += sk_world_rec(w, i)->type == SK_REC_SEG;
	char errbuf[PCAP_ERRBUF_SIZE];
	/* The capture is complete once the world (its writer) is gone; keep the records. */
	uint8_t *copies[4096];
	size_t lens[4096], k = 0;
	for (size_t i = 0; i < sk_world_nrecs(w) && k < 4096; i++) {
		const struct sk_rec *r = sk_world_rec(w, i);
		if (r->type != SK_REC_SEG)
			continue;
		copies[k] = malloc(r->len);
		memcpy(copies[k], r->bytes, r->len);
		lens[k++] = r->len;
	}
	sk_world_free(w);
	pcap_t *p = pcap_open_offline(path, errbuf);
	assert_non_null(p);
	assert_true(pcap_datalink(p) == DLT_RAW || pcap_datalink(p) == 101);
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t got = 0;
	while (pcap_next_ex(p, &h, &data) == 1) {
		assert_true(got < k);
		assert_int_equal(h->caplen, lens[got]);
		assert_memory_equal(data, copies[got], lens[got]);
		got++;
	}
	pcap_close(p);
	unlink(path);
	assert_int_equal(got, nseg);
	for (size_t i = 0; i < k; i++)
		free(copies[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_4),
		cmocka_unit_test(test_trc_5),
		cmocka_unit_test(test_trc_4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
