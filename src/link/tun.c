/* TUN/TAP over /dev/net/tun, and the ioctls that configure the kernel side of the link. */
#include "link/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/ipv6.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wire/checksum.h"
#include "wire/decode.h"
#include "wire/wire.h"

struct tun_dev {
	struct sk_dev dev;
	int fd;
	int vnet; /* IFF_VNET_HDR: every read and write starts with a struct virtio_net_hdr */
	int gso;  /* and the checksum and TSO offloads are on */
	uint64_t rx_bad; /* offload headers that made no sense: dropped */
};

#define VNET_LEN sizeof(struct virtio_net_hdr)

static int plain_write(int fd, const struct iovec *iov, int n)
{
	if (writev(fd, iov, n) < 0)
		return errno == EAGAIN ? 0 : -errno; /* a full device queue drops, as a NIC would */
	return 0;
}

/* A TCP/IPv4 packet longer than the MTU (the stack's TSO super-segment) goes to the kernel
 * as one GSO packet cut at gso_size, the payload of a full segment. The kernel wants the
 * checksum partial (the pseudo-header sum in the field, which it completes per segment),
 * so the headers are sent from a copy with the field changed. */
static int send_gso(struct tun_dev *t, const uint8_t *p, size_t len)
{
	unsigned ihl = (unsigned)(p[0] & 0x0f) * 4;
	if (len < ihl + 20u || p[9] != SK_IPPROTO_TCP || (p[0] >> 4) != 4)
		return -EMSGSIZE;
	unsigned thl = (unsigned)(p[ihl + 12] >> 4) * 4;
	unsigned hl = ihl + thl;
	if (thl < 20 || len <= hl || t->dev.mtu <= hl)
		return -EMSGSIZE;
	uint8_t hdrs[60 + 60];
	memcpy(hdrs, p, hl);
	uint32_t src = sk_get32(p + 12), dst = sk_get32(p + 16);
	uint16_t seed = (uint16_t)~sk_csum_fold(sk_csum_pseudo4(src, dst, SK_IPPROTO_TCP, (uint16_t)(len - ihl)));
	sk_put16(hdrs + ihl + 16, seed);
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = (uint16_t)hl,
		.gso_size = (uint16_t)(t->dev.mtu - hl),
		.csum_start = (uint16_t)ihl,
		.csum_offset = 16,
	};
	struct iovec iov[3] = {{&vh, VNET_LEN}, {hdrs, hl}, {(void *)(p + hl), len - hl}};
	return plain_write(t->fd, iov, 3);
}

static int tun_send(struct sk_dev *d, const uint8_t *frame, size_t len, uint64_t now)
{
	(void)now;
	struct tun_dev *t = (struct tun_dev *)d;
	if (!t->vnet) {
		struct iovec iov = {(void *)frame, len};
		return plain_write(t->fd, &iov, 1);
	}
	if (len > t->dev.mtu && t->gso)
		return send_gso(t, frame, len);
	struct virtio_net_hdr vh;
	memset(&vh, 0, sizeof(vh));
	struct iovec iov[2] = {{&vh, VNET_LEN}, {(void *)frame, len}};
	return plain_write(t->fd, iov, 2);
}

/* What the kernel hands over with offloads on: a packet whose checksum it left partial
 * (it was made on this host, so nothing could corrupt it) and, for TCP, possibly a GSO
 * super-segment of many MSS. The checksum is completed here, so the stack, the trace and
 * the capture all see an ordinary, valid IPv4 packet; a super-segment is simply a large
 * TCP segment, which the stack takes as one (as Linux's GRO makes of it). */
static int finish_offload(struct tun_dev *t, const struct virtio_net_hdr *vh, uint8_t *buf, size_t len)
{
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return (int)len;
	size_t start = vh->csum_start, at = start + vh->csum_offset;
	if (at + 2 > len || start < 20) {
		t->rx_bad++;
		return 0;
	}
	uint16_t c = sk_csum(buf + start, len - start);
	if (c == 0 && buf[9] == SK_IPPROTO_UDP)
		c = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
	sk_put16(buf + at, c);
	return (int)len;
}

static int tun_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	(void)now;
	struct tun_dev *t = (struct tun_dev *)d;
	for (;;) {
		struct virtio_net_hdr vh;
		struct iovec iov[2] = {{&vh, VNET_LEN}, {buf, cap}};
		ssize_t n = t->vnet ? readv(t->fd, iov, 2) : readv(t->fd, iov + 1, 1);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (!t->vnet)
			return (int)n;
		if ((size_t)n < VNET_LEN) {
			t->rx_bad++;
			continue;
		}
		int r = finish_offload(t, &vh, buf, (size_t)n - VNET_LEN);
		if (r > 0)
			return r;
	}
}

static int tun_fd(struct sk_dev *d)
{
	return ((struct tun_dev *)d)->fd;
}

static void tun_close(struct sk_dev *d)
{
	struct tun_dev *t = (struct tun_dev *)d;
	close(t->fd);
	free(t);
}

static const struct sk_dev_ops tun_ops = {
	.send = tun_send, .recv = tun_recv, .fd = tun_fd, .close = tun_close,
};

int sk_tun_recv_batch(struct sk_dev *d, uint8_t *const *bufs, size_t cap, size_t *lens, int n)
{
	int i = 0;
	for (; i < n; i++) {
		int r = tun_recv(d, bufs[i], cap, 0);
		if (r < 0)
			return i ? i : r;
		if (r == 0)
			break;
		lens[i] = (size_t)r;
	}
	return i;
}

static void say(char *why, size_t whylen, const char *what, int e)
{
	if (why && whylen)
		snprintf(why, whylen, "%s: %s", what, strerror(e));
}

static int ifname_ok(const char *name)
{
	return name && name[0] && strlen(name) < IFNAMSIZ;
}

/* One ioctl on an AF_INET datagram socket, the way ip(8)'s older cousin ifconfig does. */
static int if_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int r = ioctl(s, req, ifr) < 0 ? -errno : 0;
	close(s);
	return r;
}

uint32_t sk_tun_gso_max(const struct sk_dev *d)
{
	return d->ops == &tun_ops && ((const struct tun_dev *)d)->gso ? 65535u : 0u;
}

size_t sk_tun_rx_cap(const struct sk_dev *d)
{
	return sk_tun_gso_max(d) ? 65535u : d->mtu;
}

struct sk_dev *sk_tun_open(const char *name, enum sk_tun_kind kind, unsigned flags, uint32_t mtu, int *err,
			   char *why, size_t whylen)
{
	int e = 0;
	if (!ifname_ok(name)) {
		e = EINVAL;
		say(why, whylen, "device name", e);
		goto fail;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		say(why, whylen, "open /dev/net/tun", e);
		goto fail;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	/* A TUN asks for offloads: the kernel may then hand over (and take) TCP segments of
	 * up to 64 KiB with partial checksums, one read or write instead of up to 45. */
	int want_vnet = kind == SK_TUN && !(flags & SK_TUN_NO_OFFLOAD);
	ifr.ifr_flags = (short)((kind == SK_TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI | (want_vnet ? IFF_VNET_HDR : 0));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		say(why, whylen, "TUNSETIFF", e);
		goto fail;
	}
	if (mtu) {
		struct ifreq m;
		memset(&m, 0, sizeof(m));
		memcpy(m.ifr_name, name, strlen(name));
		m.ifr_mtu = (int)mtu;
		int r = if_ioctl(SIOCSIFMTU, &m);
		if (r < 0) {
			e = -r;
			close(fd);
			say(why, whylen, "set MTU", e);
			goto fail;
		}
	}
	struct tun_dev *t = calloc(1, sizeof(*t));
	if (!t) {
		e = ENOMEM;
		close(fd);
		say(why, whylen, "tun", e);
		goto fail;
	}
	t->fd = fd;
	if (want_vnet) {
		int hsz = (int)VNET_LEN;
		t->vnet = 1;
		if (ioctl(fd, TUNSETVNETHDRSZ, &hsz) == 0 &&
		    ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4)) == 0)
			t->gso = 1;
		else
			ioctl(fd, TUNSETOFFLOAD, 0ul); /* the header stays, the offloads do not */
	}
	t->dev.ops = &tun_ops;
	t->dev.linktype = kind == SK_TAP ? SK_LINK_ETHERNET : SK_LINK_RAW;
	t->dev.mtu = mtu ? mtu : 1500;
	snprintf(t->dev.name, sizeof(t->dev.name), "%s", name);
	return &t->dev;
fail:
	if (err)
		*err = -e;
	return NULL;
}

static void set_sin(struct sockaddr *sa, uint32_t addr)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	memcpy(sa, &sin, sizeof(sin));
}

int sk_tun_host_config(const char *name, uint32_t addr, uint8_t prefix_len, char *why, size_t whylen)
{
	if (!ifname_ok(name) || prefix_len > 32) {
		say(why, whylen, "host address", EINVAL);
		return -EINVAL;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	set_sin(&ifr.ifr_addr, addr);
	int r = if_ioctl(SIOCSIFADDR, &ifr);
	if (r < 0) {
		say(why, whylen, "set host address", -r);
		return r;
	}
	set_sin(&ifr.ifr_netmask, prefix_len ? ~0u << (32 - prefix_len) : 0);
	r = if_ioctl(SIOCSIFNETMASK, &ifr);
	if (r < 0) {
		say(why, whylen, "set host netmask", -r);
		return r;
	}
	memset(&ifr.ifr_ifru, 0, sizeof(ifr.ifr_ifru));
	r = if_ioctl(SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = if_ioctl(SIOCSIFFLAGS, &ifr);
	}
	if (r < 0)
		say(why, whylen, "bring link up", -r);
	return r;
}

/* Brings the interface up (SIOCSIFFLAGS). */
static int link_up(struct ifreq *ifr)
{
	memset(&ifr->ifr_ifru, 0, sizeof(ifr->ifr_ifru));
	int r = if_ioctl(SIOCGIFFLAGS, ifr);
	if (r == 0) {
		ifr->ifr_flags |= IFF_UP | IFF_RUNNING;
		r = if_ioctl(SIOCSIFFLAGS, ifr);
	}
	return r;
}

int sk_tun_host_config6(const char *name, const uint8_t addr[16], uint8_t prefix_len, char *why, size_t whylen)
{
	unsigned idx = ifname_ok(name) && prefix_len <= 128 ? if_nametoindex(name) : 0;
	if (!idx) {
		say(why, whylen, "host address", errno && prefix_len <= 128 ? errno : EINVAL);
		return -EINVAL;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	/* Up first: an address added to a link that is down waits for it. */
	int r = link_up(&ifr);
	if (r < 0) {
		say(why, whylen, "bring link up", -r);
		return r;
	}
	struct in6_ifreq a6 = {.ifr6_prefixlen = prefix_len, .ifr6_ifindex = (int)idx};
	memcpy(&a6.ifr6_addr, addr, 16);
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r = s < 0 ? -errno : ioctl(s, SIOCSIFADDR, &a6) < 0 ? -errno : 0;
	if (s >= 0)
		close(s);
	if (r < 0)
		say(why, whylen, "set host address", -r);
	return r;
}

int sk_tun_host_mac(const char *name, uint8_t mac[6])
{
	if (!ifname_ok(name))
		return -EINVAL;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	int r = if_ioctl(SIOCGIFHWADDR, &ifr);
	if (r == 0)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return r;
}
