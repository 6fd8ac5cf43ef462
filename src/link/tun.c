/* TUN/TAP over /dev/net/tun, and the ioctls that configure the kernel side of the link. */
#include "link/tun.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/if_addr.h>
#include <linux/ipv6.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
	int borrowed; /* the descriptor is someone else's (sk_tun_adopt): not closed here */
	uint64_t rx_bad; /* offload headers that made no sense: dropped */
};

#define VNET_LEN sizeof(struct virtio_net_hdr)

static int plain_write(int fd, const struct iovec *iov, int n)
{
	if (writev(fd, iov, n) < 0)
		return errno == EAGAIN ? 0 : -errno; /* a full device queue drops, as a NIC would */
	return 0;
}

/* A TCP or UDP packet (over IPv4 or IPv6, without extension headers: the stack sends
 * none) goes to the kernel with its checksum partial: the pseudo-header sum in the field,
 * from a copy of the headers, and csum_start/csum_offset saying where. The kernel then
 * trusts it on local delivery instead of summing every byte again, and completes it per
 * segment where it must (forwarding, or cutting a GSO packet). A TCP packet longer than
 * the MTU (the stack's TSO super-segment) goes as one GSO packet cut at gso_size, the
 * payload of a full segment. The packet is p (plen bytes, its headers at least) followed
 * by the n pieces of more, len bytes in all. 1: not such a packet (sent as it is); 0 or
 * -errno: sent. */
static int send_offloaded(struct tun_dev *t, const uint8_t *p, size_t plen, const struct iovec *more, int n, size_t len)
{
	int v6 = plen >= 40 && (p[0] >> 4) == 6;
	unsigned ihl = v6 ? 40u : (unsigned)(p[0] & 0x0f) * 4;
	uint8_t proto = plen >= 20 ? p[v6 ? 6 : 9] : 0;
	if ((!v6 && (plen < 20 || (p[0] >> 4) != 4 || (sk_get16(p + 6) & 0x3fff))) || /* (not a fragment) */
	    (proto != SK_IPPROTO_TCP && proto != SK_IPPROTO_UDP) || plen < ihl + (proto == SK_IPPROTO_TCP ? 20u : 8u))
		return len > t->dev.mtu ? -EMSGSIZE : 1;
	unsigned l4hl = proto == SK_IPPROTO_TCP ? (unsigned)(p[ihl + 12] >> 4) * 4 : 8u;
	unsigned hl = ihl + l4hl;
	int gso = len > t->dev.mtu;
	if ((proto == SK_IPPROTO_TCP && l4hl < 20) || plen < hl || (gso && (proto != SK_IPPROTO_TCP || len == hl ||
									  t->dev.mtu <= hl)))
		return gso ? -EMSGSIZE : 1;
	unsigned at = proto == SK_IPPROTO_TCP ? 16u : 6u;
	uint8_t hdrs[60 + 60];
	memcpy(hdrs, p, hl);
	uint32_t ps = v6 ? sk_csum_pseudo6(p + 8, p + 24, proto, (uint32_t)(len - ihl))
			 : sk_csum_pseudo4(sk_get32(p + 12), sk_get32(p + 16), proto, (uint16_t)(len - ihl));
	sk_put16(hdrs + ihl + at, (uint16_t)~sk_csum_fold(ps));
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = !gso ? VIRTIO_NET_HDR_GSO_NONE : v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = (uint16_t)hl,
		.gso_size = (uint16_t)(gso ? t->dev.mtu - hl : 0),
		.csum_start = (uint16_t)ihl,
		.csum_offset = (uint16_t)at,
	};
	struct iovec iov[5] = {{&vh, VNET_LEN}, {hdrs, hl}, {(void *)(p + hl), plen - hl}};
	int k = 3;
	for (int i = 0; i < n; i++)
		iov[k++] = more[i];
	return plain_write(t->fd, iov, k);
}

/* What the kernel hands over with offloads on: a packet whose checksum it left partial
 * (it was made on this host, so nothing could corrupt it) and, for TCP, possibly a GSO
 * super-segment of many MSS. Unless the caller takes it partial (*verified not NULL: set
 * to 1, for synack_input_verified), the checksum is completed here, so the stack, the
 * trace and the capture all see an ordinary, valid packet; a super-segment is simply a
 * large TCP segment, which the stack takes as one (as Linux's GRO makes of it). */
static int finish_offload(struct tun_dev *t, const struct virtio_net_hdr *vh, uint8_t *buf, size_t len,
			  uint8_t *verified)
{
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return (int)len;
	size_t start = vh->csum_start, at = start + vh->csum_offset;
	if (at + 2 > len || start < 20) {
		t->rx_bad++;
		return 0;
	}
	if (verified) {
		*verified = 1;
		return (int)len;
	}
	uint16_t c = sk_csum(buf + start, len - start);
	uint8_t proto = (buf[0] >> 4) == 6 ? buf[6] : buf[9]; /* (IPv6: the kernel's own packets) */
	if (c == 0 && proto == SK_IPPROTO_UDP)
		c = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
	sk_put16(buf + at, c);
	return (int)len;
}

/* One packet into buf: its length, 0 when none waits, or -errno; *verified (0 unless
 * finish_offload says) as for finish_offload. */
static int recv_one(struct sk_dev *d, uint8_t *buf, size_t cap, uint8_t *verified)
{
	struct tun_dev *t = (struct tun_dev *)d;
	if (verified)
		*verified = 0;
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
		int r = finish_offload(t, &vh, buf, (size_t)n - VNET_LEN, verified);
		if (r > 0)
			return r;
	}
}

static int tun_recv(struct sk_dev *d, uint8_t *buf, size_t cap, uint64_t now)
{
	(void)now;
	return recv_one(d, buf, cap, NULL);
}

static int tun_fd(struct sk_dev *d)
{
	return ((struct tun_dev *)d)->fd;
}

static void tun_close(struct sk_dev *d)
{
	struct tun_dev *t = (struct tun_dev *)d;
	if (!t->borrowed)
		close(t->fd);
	free(t);
}

/* A frame that is hdr (hlen bytes) followed by the n pieces of pl: with offloads, TCP and
 * UDP partial (send_offloaded); with a virtio header, an empty one first. */
static int tun_send_sg(struct sk_dev *d, const uint8_t *hdr, size_t hlen, const struct iovec *pl, int n, uint64_t now)
{
	(void)now;
	struct tun_dev *t = (struct tun_dev *)d;
	if (n < 0 || n > 2)
		return -EINVAL;
	size_t len = hlen;
	for (int i = 0; i < n; i++)
		len += pl[i].iov_len;
	if (t->gso) {
		int r = send_offloaded(t, hdr, hlen, pl, n, len);
		if (r <= 0)
			return r;
	}
	struct virtio_net_hdr vh;
	memset(&vh, 0, sizeof(vh));
	struct iovec iov[4] = {{&vh, VNET_LEN}, {(void *)hdr, hlen}};
	int k = 2;
	for (int i = 0; i < n; i++)
		iov[k++] = pl[i];
	return t->vnet ? plain_write(t->fd, iov, k) : plain_write(t->fd, iov + 1, k - 1);
}

static int tun_send(struct sk_dev *d, const uint8_t *frame, size_t len, uint64_t now)
{
	return tun_send_sg(d, frame, len, NULL, 0, now);
}

static const struct sk_dev_ops tun_ops = {
	.send = tun_send, .recv = tun_recv, .fd = tun_fd, .close = tun_close, .send_sg = tun_send_sg,
};

int sk_tun_recv_batch(struct sk_dev *d, uint8_t *const *bufs, size_t cap, size_t *lens, uint8_t *verified, int n)
{
	int i = 0;
	for (; i < n; i++) {
		int r = recv_one(d, bufs[i], cap, verified ? verified + i : NULL);
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

/* ---- why TUNSETIFF refused: a reason a person understands ---- */

static int if_ioctl(unsigned long req, struct ifreq *ifr);
static void raise_txqueuelen(const char *name, unsigned n);

/* The driver behind an existing interface (ethtool's GDRVINFO): "tun" for TUN and TAP
 * devices, whose bus_info then says which ("tun" or "tap"); "veth", "bridge", ... 0, or
 * -errno (no such interface, a driver without ethtool). */
static int if_driver(const char *name, char *driver, size_t dlen, char *bus, size_t blen)
{
	struct ethtool_drvinfo di;
	memset(&di, 0, sizeof(di));
	di.cmd = ETHTOOL_GDRVINFO;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_data = (char *)&di;
	int r = if_ioctl(SIOCETHTOOL, &ifr);
	if (r == 0) {
		snprintf(driver, dlen, "%.*s", (int)sizeof(di.driver), di.driver);
		snprintf(bus, blen, "%.*s", (int)sizeof(di.bus_info), di.bus_info);
	}
	return r;
}

/* The device's IFF_ flags as sysfs shows them (tun_flags), when the sysfs mounted is this
 * network namespace's (ip netns exec mounts one; its ifindex must match ours). -1 if not
 * known. */
static long tun_sysfs_flags(const char *name)
{
	char path[96], buf[32];
	long flags = -1, ifindex = -1;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, i ? "tun_flags" : "ifindex");
		FILE *f = fopen(path, "re");
		if (!f)
			return -1;
		if (fgets(buf, sizeof(buf), f))
			*(i ? &flags : &ifindex) = strtol(buf, NULL, 0);
		fclose(f);
	}
	return ifindex > 0 && (unsigned)ifindex == if_nametoindex(name) ? flags : -1;
}

/* The process that has the device open (its /dev/net/tun descriptor's fdinfo names it),
 * among the processes of this network namespace: its pid, or 0. */
static long tun_holder(const char *name, char *comm, size_t clen)
{
	struct stat self;
	if (stat("/proc/self/ns/net", &self) < 0)
		return 0;
	DIR *proc = opendir("/proc");
	if (!proc)
		return 0;
	long found = 0;
	char want[IFNAMSIZ + 8];
	snprintf(want, sizeof(want), "iff:\t%s\n", name);
	for (struct dirent *de; !found && (de = readdir(proc));) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		char path[160];
		struct stat ns;
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		if (stat(path, &ns) < 0 || ns.st_ino != self.st_ino || ns.st_dev != self.st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
		DIR *fds = opendir(path);
		if (!fds)
			continue;
		for (struct dirent *fe; !found && (fe = readdir(fds));) {
			char link[64], target[32];
			snprintf(link, sizeof(link), "/proc/%ld/fd/%.20s", pid, fe->d_name);
			ssize_t n = readlink(link, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = 0;
			if (strcmp(target, "/dev/net/tun") != 0)
				continue;
			char info[512];
			snprintf(link, sizeof(link), "/proc/%ld/fdinfo/%.20s", pid, fe->d_name);
			int fd = open(link, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			n = read(fd, info, sizeof(info) - 1);
			close(fd);
			if (n > 0) {
				info[n] = 0;
				if (strstr(info, want))
					found = pid;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	comm[0] = 0;
	if (found) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%ld/comm", found);
		FILE *f = fopen(path, "re");
		if (f) {
			if (fgets(comm, (int)clen, f))
				comm[strcspn(comm, "\n")] = 0;
			fclose(f);
		}
	}
	return found;
}

/* What TUNSETIFF's errno e means for a device called name that we wanted of kind k. */
static void explain_setiff(const char *name, enum sk_tun_kind k, int e, char *why, size_t whylen)
{
	const char *want = k == SK_TAP ? "TAP" : "TUN", *other = k == SK_TAP ? "TUN" : "TAP";
	char driver[40] = "", bus[40] = "";
	int known = if_driver(name, driver, sizeof(driver), bus, sizeof(bus)) == 0;
	int exists = known || if_nametoindex(name) > 0;
	if (!why || !whylen)
		return;
	if (e == EINVAL && exists) {
		if (known && strcmp(driver, "tun") != 0) {
			snprintf(why, whylen, "the interface exists and is not a TUN or TAP device (its driver: %s); "
				 "choose another name", driver);
			return;
		}
		long fl = tun_sysfs_flags(name);
		int is_tap = known ? strcmp(bus, "tap") == 0 : fl >= 0 ? (fl & IFF_TAP) != 0 : -1;
		if (is_tap < 0) {
			snprintf(why, whylen, "the interface exists and is not a %s device synack can attach to; "
				 "choose another name", want);
			return;
		}
		if (is_tap == (k == SK_TUN)) {
			snprintf(why, whylen, "the device exists and is a %s, not a %s (use --%s %s, or another name)",
				 other, want, k == SK_TAP ? "tun" : "tap", name);
			return;
		}
		if (fl >= 0 && (fl & IFF_MULTI_QUEUE))
			snprintf(why, whylen, "the %s device exists with other flags (multi-queue, tun_flags %#lx); "
				 "synack opens it single-queue: delete it (ip link del %s) or choose another name",
				 want, fl, name);
		else if (fl >= 0)
			snprintf(why, whylen, "the %s device exists with other flags (tun_flags %#lx) than synack asks "
				 "for; delete it (ip link del %s) or choose another name", want, fl, name);
		else
			snprintf(why, whylen, "the %s device exists with other flags than synack asks for; delete it "
				 "(ip link del %s) or choose another name", want, name);
		return;
	}
	if (e == EBUSY && exists) {
		char comm[32];
		long pid = tun_holder(name, comm, sizeof(comm));
		if (pid)
			snprintf(why, whylen, "the device is in use by another process (pid %ld, %s): a %s device "
				 "has one reader", pid, comm[0] ? comm : "?", want);
		else
			snprintf(why, whylen, "the device is in use by another process: a %s device has one reader",
				 want);
		return;
	}
	if (e == EPERM && exists) {
		snprintf(why, whylen, "not allowed to attach to the existing device (its owner or group is set, or "
			 "CAP_NET_ADMIN is missing)");
		return;
	}
	if (e == EPERM) {
		snprintf(why, whylen, "creating a %s device needs root or CAP_NET_ADMIN (TUNSETIFF: %s)", want,
			 strerror(e));
		return;
	}
	say(why, whylen, "TUNSETIFF", e);
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

int sk_tun_attached(const struct sk_dev *d)
{
	if (d->ops != &tun_ops)
		return 1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	/* The kernel detaches the descriptor when the interface is deleted: TUNGETIFF then
	 * fails with EBADFD, as reads and writes do. */
	if (ioctl(((const struct tun_dev *)d)->fd, TUNGETIFF, &ifr) < 0)
		return errno == EBADFD || errno == ENODEV || errno == ENXIO ? -errno : 1;
	return 0;
}

size_t sk_tun_rx_cap(const struct sk_dev *d)
{
	return sk_tun_gso_max(d) ? 65535u : d->mtu;
}

/* The device on descriptor fd (the caller's to close on failure): with the virtio-net
 * header when vnet, and then the offloads if the kernel takes them. */
static struct sk_dev *wrap(int fd, enum sk_tun_kind kind, int vnet, uint32_t mtu, const char *name)
{
	struct tun_dev *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->fd = fd;
	if (vnet) {
		int hsz = (int)VNET_LEN;
		t->vnet = 1;
		if (ioctl(fd, TUNSETVNETHDRSZ, &hsz) == 0 &&
		    ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) == 0)
			t->gso = 1;
		else
			ioctl(fd, TUNSETOFFLOAD, 0ul); /* the header stays, the offloads do not */
	}
	t->dev.ops = &tun_ops;
	t->dev.linktype = kind == SK_TAP ? SK_LINK_ETHERNET : SK_LINK_RAW;
	t->dev.mtu = mtu ? mtu : 1500;
	snprintf(t->dev.name, sizeof(t->dev.name), "%s", name);
	return &t->dev;
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
		if ((e == EACCES || e == EPERM) && why && whylen)
			snprintf(why, whylen, "open /dev/net/tun: %s (TUN and TAP devices need root or CAP_NET_ADMIN)",
				 strerror(e));
		else
			say(why, whylen, "open /dev/net/tun", e);
		goto fail;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	/* A TUN asks for offloads: the kernel may then hand over (and take) TCP segments of
	 * up to 64 KiB with partial checksums, one read or write instead of up to 45. */
	int want_vnet = kind == SK_TUN && !(flags & SK_TUN_NO_OFFLOAD);
	ifr.ifr_flags = (short)((kind == SK_TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI | (want_vnet ? IFF_VNET_HDR : 0) |
				(flags & SK_TUN_MULTI_QUEUE ? IFF_MULTI_QUEUE : 0));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		explain_setiff(name, kind, e, why, whylen);
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
	/* The kernel side's transmit queue is the stack's receive ring. A TUN's default of 500
	 * packets is less than one wave of the kernel's timers: 100,000 connections closed at
	 * once retransmit their FINs in the same tick, tens of thousands of packets in one
	 * softirq, faster than any reader drains them, and with 500 slots most of every wave
	 * was dropped until Linux gave up on the connections (bench/load.sh). */
	raise_txqueuelen(name, SK_TUN_TXQUEUELEN);
	struct sk_dev *d = wrap(fd, kind, want_vnet, mtu, name);
	if (!d) {
		e = ENOMEM;
		close(fd);
		say(why, whylen, "tun", e);
		goto fail;
	}
	return d;
fail:
	if (err)
		*err = -e;
	return NULL;
}

struct sk_dev *sk_tun_adopt(int fd, uint32_t mtu, const char *name)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return NULL; /* not a TUN or TAP device */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return NULL;
	enum sk_tun_kind kind = (ifr.ifr_flags & IFF_TAP) ? SK_TAP : SK_TUN;
	struct sk_dev *d = wrap(fd, kind, kind == SK_TUN && (ifr.ifr_flags & IFF_VNET_HDR), mtu,
				name ? name : ifr.ifr_name);
	if (d)
		((struct tun_dev *)d)->borrowed = 1;
	return d;
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

static int rtnl_ask(const void *req, size_t len);

/* Adds addr/prefix_len to interface idx with rtnetlink, marked IFA_F_NODAD: usable at once.
 * (SIOCSIFADDR takes no flags: the address it adds is tentative until the kernel's
 * address work has run, and a packet for it arriving meanwhile is dropped as not local.)
 * 0 or -errno. */
static int add_addr6_nodad(unsigned idx, const uint8_t addr[16], uint8_t prefix_len)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		struct rtattr local_hdr;
		uint8_t local[16];
		struct rtattr flags_hdr;
		uint32_t flags;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	req.nh.nlmsg_seq = 1;
	req.ifa.ifa_family = AF_INET6;
	req.ifa.ifa_prefixlen = prefix_len;
	req.ifa.ifa_flags = IFA_F_NODAD;
	req.ifa.ifa_index = idx;
	req.local_hdr.rta_type = IFA_LOCAL;
	req.local_hdr.rta_len = RTA_LENGTH(16);
	memcpy(req.local, addr, 16);
	req.flags_hdr.rta_type = IFA_FLAGS;
	req.flags_hdr.rta_len = RTA_LENGTH(4);
	req.flags = IFA_F_NODAD;
	return rtnl_ask(&req, sizeof(req));
}

/* Sends one rtnetlink request and reads its acknowledgement: 0 or -errno. */
static int rtnl_ask(const void *req, size_t len)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	int r = 0;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		r = -errno;
	} else {
		/* the acknowledgement: an error message whose code is 0 on success */
		struct {
			struct nlmsghdr nh;
			struct nlmsgerr err;
		} ack;
		ssize_t n = recv(fd, &ack, sizeof(ack), 0);
		if (n < 0)
			r = -errno;
		else if ((size_t)n < sizeof(ack) || ack.nh.nlmsg_type != NLMSG_ERROR)
			r = -EPROTO;
		else
			r = ack.err.error;
	}
	close(fd);
	return r;
}

int sk_tun_host_default_route(const char *name, int family, char *why, size_t whylen)
{
	unsigned idx = ifname_ok(name) ? if_nametoindex(name) : 0;
	if (!idx || (family != AF_INET && family != AF_INET6)) {
		say(why, whylen, "default route", idx ? EINVAL : ENODEV);
		return idx ? -EINVAL : -ENODEV;
	}
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		struct rtattr oif_hdr;
		uint32_t oif;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_NEWROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = (unsigned char)family;
	req.rt.rtm_table = RT_TABLE_MAIN;
	req.rt.rtm_protocol = RTPROT_BOOT;
	req.rt.rtm_scope = RT_SCOPE_LINK; /* on the link: a TUN has no neighbours to resolve */
	req.rt.rtm_type = RTN_UNICAST;
	req.oif_hdr.rta_type = RTA_OIF;
	req.oif_hdr.rta_len = RTA_LENGTH(4);
	req.oif = idx;
	int r = rtnl_ask(&req, sizeof(req));
	if (r < 0)
		say(why, whylen, "default route", -r);
	return r;
}

/* Raises the kernel side's transmit queue to at least n packets (never lowers one a user
 * chose longer). Best effort: a persistent device opened by an unprivileged owner keeps its
 * length, and works as before. */
static void raise_txqueuelen(const char *name, unsigned n)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (if_ioctl(SIOCGIFTXQLEN, &ifr) < 0 || ifr.ifr_qlen >= (int)n)
		return;
	ifr.ifr_qlen = (int)n;
	(void)if_ioctl(SIOCSIFTXQLEN, &ifr);
}

int sk_tun_host_up(const char *name)
{
	if (!ifname_ok(name))
		return -EINVAL;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	return link_up(&ifr);
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
	r = add_addr6_nodad(idx, addr, prefix_len);
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
