/* The sender's flight state (struct sk_flight) is allocated when data (or a SYN) is first to
 * be sent and freed when everything is acknowledged: without memory for it the data waits,
 * queued, nothing goes out half-done, and the retransmission timer tries again; a SYN goes
 * untimed. This program
 * replaces calloc to refuse that one allocation while a flag is up (not under a sanitizer,
 * whose own allocator must see every call). */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>

#include "sim/world.h"
#include "stack/addr.h"
#include "tcp/tcb.h"

#define ADDR_A 0x0a000001u
#define ADDR_B 0x0a000002u

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static int refuse_flight; /* calloc of a struct sk_flight fails while set */
static int refused;

#if !SANITIZED
extern void *__libc_calloc(size_t n, size_t size);
void *calloc(size_t n, size_t size)
{
	if (refuse_flight && n == 1 && size == sizeof(struct sk_flight)) {
		refused++;
		return NULL;
	}
	return __libc_calloc(n, size);
}
#endif

/* Two hosts 5 ms apart; a connects to b's listener on port, and b accepts. */
struct pair {
	struct sk_world *w;
	synack_stack *sa, *sb;
	int c, s;
};

static struct pair connect_pair(uint64_t seed, uint16_t port)
{
	struct sk_world_opts wo = {.seed = seed, .link = {.delay_us = 5000}};
	int err = 0;
	struct pair p = {.w = sk_world_new(&wo, &err)};
	assert_non_null(p.w);
	int a = sk_world_add_host(p.w, "a", ADDR_A, NULL), b = sk_world_add_host(p.w, "b", ADDR_B, NULL);
	p.sa = sk_world_stack(p.w, a);
	p.sb = sk_world_stack(p.w, b);
	int l = synack_socket(p.sb, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	struct synack_sockaddr addr = sk_sa_from4(0, port);
	assert_int_equal(synack_bind(p.sb, l, &addr), 0);
	assert_int_equal(synack_listen(p.sb, l, 8), 0);
	p.c = synack_socket(p.sa, SYNACK_AF_INET, SYNACK_SOCK_STREAM);
	addr = sk_sa_from4(ADDR_B, port);
	synack_connect(p.sa, p.c, &addr);
	while ((p.s = synack_accept(p.sb, l, NULL)) < 0)
		assert_true(sk_world_step(p.w, 1000000) != UINT64_MAX);
	return p;
}

static void test_data_waits_for_memory(void **state)
{
	(void)state;
	if (SANITIZED)
		skip();
	struct pair p = connect_pair(3, 5001);
	struct sk_world *w = p.w;
	synack_stack *sa = p.sa, *sb = p.sb;
	int c = p.c, s = p.s;

	static uint8_t out[3000], in[4000];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 1);
	refuse_flight = 1;
	/* queued, though nothing can be sent yet */
	assert_int_equal(synack_send(sa, c, out, sizeof(out), 0), (ssize_t)sizeof(out));
	sk_world_run_until(w, sk_world_now(w) + 100000);
	assert_true(refused >= 1);
	assert_int_equal(synack_recv(sb, s, in, sizeof(in), 0), -EAGAIN);
	/* memory again: the retransmission timer's next try sends it all, in order */
	refuse_flight = 0;
	sk_world_run_until(w, sk_world_now(w) + 3000000);
	size_t got = 0;
	ssize_t n;
	while ((n = synack_recv(sb, s, in + got, sizeof(in) - got, 0)) > 0)
		got += (size_t)n;
	assert_int_equal(got, sizeof(out));
	assert_memory_equal(in, out, sizeof(out));
	sk_world_free(w);
}

/* A SYN sent without memory for the flight state goes all the same, untimed: the handshake
 * completes and the connection carries data once memory is back. */
static void test_syn_goes_without_memory(void **state)
{
	(void)state;
	if (SANITIZED)
		skip();
	refused = 0;
	refuse_flight = 1;
	struct pair p = connect_pair(4, 5002);
	struct sk_world *w = p.w;
	sk_world_run_until(w, sk_world_now(w) + 20000);
	assert_true(refused >= 1);
	refuse_flight = 0;
	static const uint8_t msg[] = "after the handshake";
	uint8_t in[64];
	assert_int_equal(synack_send(p.sa, p.c, msg, sizeof(msg), 0), (ssize_t)sizeof(msg));
	sk_world_run_until(w, sk_world_now(w) + 100000);
	assert_int_equal(synack_recv(p.sb, p.s, in, sizeof(in), 0), (ssize_t)sizeof(msg));
	assert_memory_equal(in, msg, sizeof(msg));
	sk_world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_waits_for_memory),
		cmocka_unit_test(test_syn_goes_without_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
