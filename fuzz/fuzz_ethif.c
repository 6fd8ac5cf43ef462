/* Fuzzes the Ethernet/ARP adapter of TAP links with its whole life: frames in (ARP requests
 * and replies, IPv4, garbage), packets out to resolve, time passing. Invariants: every frame
 * it sends is a well-formed Ethernet frame of 60 bytes or more within the MTU, and after a
 * poll nothing is overdue. */
#include <string.h>

#include "fuzz.h"
#include "link/dev.h"
#include "link/ethif.h"
#include "wire/decode.h"
#include "wire/eth.h"
#include "wire/ipv4.h"

#define OUR_IP 0xc0000202u /* 192.0.2.2/24, gateway .1 */

static int sink_send(struct sk_dev *d, const uint8_t *f, size_t n, uint64_t now)
{
	(void)now;
	struct sk_eth e;
	FUZZ_CHECK(n >= 60 && n <= (size_t)d->mtu + SK_ETH_HLEN);
	FUZZ_CHECK(sk_eth_parse(f, n, &e) == SK_ETH_HLEN);
	FUZZ_CHECK(e.type == 0x0800 || e.type == 0x0806);
	return 0;
}
static int sink_recv(struct sk_dev *d, uint8_t *b, size_t cap, uint64_t now) { (void)d; (void)b; (void)cap; (void)now; return 0; }
static void sink_close(struct sk_dev *d) { (void)d; }
static const struct sk_dev_ops sink_ops = {.send = sink_send, .recv = sink_recv, .close = sink_close};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sk_dev dev = {.ops = &sink_ops, .linktype = SK_LINK_ETHERNET, .mtu = 1500, .name = "fuzz"};
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 2};
	struct sk_ethif_config cfg;
	sk_ethif_config_defaults(&cfg);
	cfg.max_entries = 8; /* small, so eviction is reached */
	struct sk_ethif *e = sk_ethif_new(&dev, mac, OUR_IP, 24, 0xc0000201u, &cfg);
	FUZZ_CHECK(e != NULL);
	uint64_t now = 1;
	size_t i = 0;
	while (i + 2 <= size) {
		uint8_t op = data[i], arg = data[i + 1];
		i += 2;
		switch (op % 4) {
		case 0: { /* a frame from the wire */
			size_t n = (size_t)arg + 14;
			if (n > size - i)
				n = size - i;
			const uint8_t *ip;
			size_t iplen;
			if (sk_ethif_input(e, data + i, n, now, &ip, &iplen) == 1)
				FUZZ_CHECK(ip >= data + i && ip + iplen <= data + i + n);
			i += n;
			break;
		}
		case 1: { /* a packet out, to an address chosen by the bytes */
			uint8_t pkt[64];
			memset(pkt, 0, sizeof(pkt));
			uint32_t dst = (op & 0x80) ? 0xc0000200u | arg : (uint32_t)arg << 24 | 0x010203u;
			struct sk_ipv4 h = {.total_len = sizeof(pkt), .ttl = 64, .proto = 17, .src = OUR_IP, .dst = dst};
			sk_ipv4_emit(pkt, sizeof(pkt), &h);
			sk_ethif_output(e, pkt, sizeof(pkt), now);
			break;
		}
		case 2: /* time passes: a millisecond to about an hour */
			now += (uint64_t)(arg % 16 + 1) << (arg / 16 + 10);
			break;
		default:
			sk_ethif_poll(e, now);
			FUZZ_CHECK(sk_ethif_next_deadline(e) > now);
			break;
		}
	}
	sk_ethif_free(e);
	return 0;
}
