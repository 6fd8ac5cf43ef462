#!/usr/bin/env python3
"""Makes the Linux-produced IPv6 vectors of test_ipv6.c and test_icmp6.c (run by hand, as root).

Three network namespaces: a (2001:db8::a) -- b (2001:db8::b, a router) -- c (2001:db8:1::c,
on a link of MTU 1280). From a, raw Ethernet frames built here by hand (extension headers,
unknown options, routing headers, bad fragments, hop limit 1, too big for b's next hop,
unroutable destinations) go to b, and Linux's answers (echo replies, parameter problems
with their codes and pointers, time exceeded, packet too big, destination unreachable)
are captured on a's link with tcpdump together with the kernel's own neighbor discovery,
router solicitation and MLD, and a UDP datagram to a closed port with its answer. Then,
in a fourth namespace, UDP datagrams that Linux writes to a TUN device (no checksum
offload there, so their checksums are the kernel's). The script prints every packet (IPv6
header onwards) as hex after the line tcpdump -vv prints for it, so the tests can paste
the bytes that Linux made and the answers that Linux gave to the bytes made here.

Usage: python3 tests/wire/ipv6_vectors.py > vectors.txt
"""
import os
import socket
import struct
import subprocess
import sys
import time

A_MAC, B_MAC = bytes.fromhex("02000000000a"), bytes.fromhex("02000000000b")
A, B = socket.inet_pton(socket.AF_INET6, "2001:db8::a"), socket.inet_pton(socket.AF_INET6, "2001:db8::b")
PCAP = "/tmp/ipv6_vectors.pcap"


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True)


def setup():
    for ns in ("v6a", "v6b", "v6c"):
        subprocess.run(f"ip netns del {ns}", shell=True, stderr=subprocess.DEVNULL)
        sh(f"ip netns add {ns}; ip -n {ns} link set lo up")
    sh("ip link add ea netns v6a type veth peer name eb netns v6b")
    sh("ip link add ec netns v6c type veth peer name ebc netns v6b")
    sh("ip -n v6a link set ea address 02:00:00:00:00:0a; ip -n v6b link set eb address 02:00:00:00:00:0b")
    sh("ip netns exec v6b sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0")
    sh("ip netns exec v6a sysctl -qw net.ipv6.conf.ea.dad_transmits=0")
    sh("ip -n v6a link set ea up")
    return subprocess.Popen(["ip", "netns", "exec", "v6a", "tcpdump", "-i", "ea", "-U", "-w", PCAP],
                            stderr=subprocess.DEVNULL)


def addresses():
    sh("ip -n v6b link set eb up; ip -n v6b link set ebc up; ip -n v6c link set ec up")
    sh("ip -n v6b link set ebc mtu 1280; ip -n v6c link set ec mtu 1280")
    sh("ip -n v6a addr add 2001:db8::a/64 dev ea nodad; ip -n v6b addr add 2001:db8::b/64 dev eb")
    sh("ip -n v6b addr add 2001:db8:1::b/64 dev ebc; ip -n v6c addr add 2001:db8:1::c/64 dev ec")
    sh("ip -n v6b route add unreachable 2001:db8:dead::/48; ip -n v6b route add prohibit 2001:db8:beef::/48")
    # back out a's link to a next hop that never answers (Linux sent no redirect for it here:
    # the RA and redirect vectors are made by hand)
    sh("ip -n v6b route add 2001:db8:99::/64 via fe80::c0 dev eb")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def icmp6(src, dst, typ, code, rest, body):
    m = struct.pack("!BBHI", typ, code, 0, rest) + body
    pseudo = src + dst + struct.pack("!IxxxB", len(m), 58)
    return m[:2] + struct.pack("!H", csum(pseudo + m)) + m[4:]


def echo(seq, dst=B, size=8):
    return icmp6(A, dst, 128, 0, 0x4242 << 16 | seq, bytes(i & 0xff for i in range(size)))


def ipv6(nh, payload, dst=B, hlim=64):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, hlim) + A + dst + payload


def ext(nh, body):  # an options/routing header: body is what follows next header + length
    assert (len(body) + 2) % 8 == 0
    return bytes([nh, (len(body) + 2) // 8 - 1]) + body


def frag(nh, offset, more, ident):
    return struct.pack("!BxHI", nh, offset | more, ident)


def crafted():
    mc = socket.inet_pton(socket.AF_INET6, "ff02::1")
    c = socket.inet_pton(socket.AF_INET6, "2001:db8:1::c")
    dead = socket.inet_pton(socket.AF_INET6, "2001:db8:dead::1")
    beef = socket.inet_pton(socket.AF_INET6, "2001:db8:beef::1")
    r99 = socket.inet_pton(socket.AF_INET6, "2001:db8:99::1")
    gone = socket.inet_pton(socket.AF_INET6, "2001:db8:1::99")
    e = echo
    tcp = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 5 << 4, 2, 65535, 0, 0)  # a SYN, checksum 0
    return [
        ("hbh padn, echo", ipv6(0, ext(58, b"\x01\x04\0\0\0\0") + e(1))),
        ("dst opt 0x1e (skip), echo", ipv6(60, ext(58, b"\x1e\x04abcd") + e(2))),
        ("dst opt 0x5e (discard)", ipv6(60, ext(58, b"\x5e\x04abcd") + e(3))),
        ("dst opt 0x9e (icmp)", ipv6(60, ext(58, b"\x00\x9e\x03abc") + e(4))),
        ("dst opt 0xde (icmp unless mcast)", ipv6(60, ext(58, b"\xde\x04abcd") + e(5))),
        ("dst opt 0xde to ff02::1", ipv6(60, ext(58, b"\xde\x04abcd") + echo(6, mc), dst=mc)),
        ("hbh opt 0x9e (icmp)", ipv6(0, ext(58, b"\x01\x00\x9e\x02ab") + e(7))),
        ("hbh after dst", ipv6(60, ext(0, b"\x01\x04\0\0\0\0") + ext(58, b"\x01\x04\0\0\0\0") + e(8))),
        ("next header 253", ipv6(253, e(9))),
        ("dst then next header 200", ipv6(60, ext(200, b"\x01\x04\0\0\0\0") + e(10))),
        ("routing type 253 segments left 1", ipv6(43, ext(58, b"\xfd\x01\0\0\0\0") + e(11))),
        ("routing type 253 segments left 0, echo", ipv6(43, ext(58, b"\xfd\x00\0\0\0\0") + e(12))),
        ("fragment M=1 length 12", ipv6(44, frag(58, 0, 1, 0x1234) + e(13)[:12])),
        ("fragment past 65535", ipv6(44, frag(58, 65528, 0, 0x1235) + e(14)[:16])),
        ("atomic fragment, echo", ipv6(44, frag(58, 0, 0, 0x1236) + e(15))),
        ("dst option past its header", ipv6(60, ext(58, b"\x1e\x05abcd") + e(16))),
        ("fragments 1/2 of an echo", ipv6(44, frag(58, 0, 1, 0x1237) + e(17, size=24)[:16])),
        ("fragments 2/2 of an echo", ipv6(44, frag(58, 16, 0, 0x1237) + e(17, size=24)[16:])),
        ("hop limit 1 via b", ipv6(58, echo(18, c), dst=c, hlim=1)),
        ("1400 bytes via b to a 1280 link", ipv6(58, echo(19, c, size=1352), dst=c)),
        ("to an unreachable route", ipv6(58, echo(20, dead), dst=dead)),
        ("to a prohibit route", ipv6(58, echo(21, beef), dst=beef)),
        ("to a host that does not answer NS", ipv6(58, echo(22, gone), dst=gone)),
        ("to a route b sends back out a's link", ipv6(58, echo(23, r99), dst=r99)),
        ("first fragment cut in its TCP header", ipv6(44, frag(6, 0, 1, 0x1238) + tcp[:8])),
        ("first fragment ending after its destination options",
         ipv6(44, frag(60, 0, 1, 0x1239) + ext(58, b"\x01\x04\0\0\0\0"))),
    ]


def send_all():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind(("ea", 0))
    for name, pkt in crafted():
        dst_mac = bytes.fromhex("333300000001") if pkt[24] == 0xFF else B_MAC
        s.send(dst_mac + A_MAC + b"\x86\xdd" + pkt)
        time.sleep(0.3)
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind(("2001:db8::a", 51066))
    u.sendto(b"hi\n", ("2001:db8::b", 9))  # closed: port unreachable
    time.sleep(4)  # address unreachable comes after b's neighbor solicitations give up


def udp_tun():
    import fcntl
    import select
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, 0x400454CA, struct.pack("16sH", b"v6tun", 0x0001 | 0x1000))  # TUNSETIFF, TUN|NO_PI
    sh("ip link set v6tun up && ip addr add 2001:db8:77::1/64 dev v6tun nodad")
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("2001:db8:77::1", 4242))
    for payload in (b"hello, ipv6", b"", b"\xff\xff" * 3 + b"x"):
        s.sendto(payload, ("2001:db8:77::2", 9))
        while select.select([fd], [], [], 2)[0]:
            pkt = os.read(fd, 2000)
            if pkt[6] == 17:
                print("# tun: UDP, length", len(pkt) - 48)
                print(pkt.hex())
                break


def dump():
    out = subprocess.check_output(["tcpdump", "-n", "-vv", "-r", PCAP], stderr=subprocess.DEVNULL, text=True)
    lines = [l for l in out.splitlines() if l[:1].isdigit()]
    with open(PCAP, "rb") as f:
        data = f.read()
    off, i = 24, 0
    while off < len(data):
        _, _, incl, _ = struct.unpack_from("<IIII", data, off)
        frame = data[off + 16: off + 16 + incl]
        off += 16 + incl
        if frame[12:14] == b"\x86\xdd":
            print("#", lines[i] if i < len(lines) else "")
            print(frame[14:].hex())
        i += 1


def main():
    if os.geteuid() != 0:
        sys.exit("needs root (network namespaces)")
    tcpdump = setup()
    try:
        time.sleep(1)
        addresses()
        time.sleep(3)
        sh(f"ip netns exec v6a {sys.executable} {os.path.abspath(__file__)} --send")
        time.sleep(1)
    finally:
        tcpdump.terminate()
        tcpdump.wait()
        for ns in ("v6a", "v6b", "v6c"):
            subprocess.run(f"ip netns del {ns}", shell=True)
    dump()
    subprocess.run("ip netns del v6t", shell=True, stderr=subprocess.DEVNULL)
    sh("ip netns add v6t")
    try:
        sys.stdout.flush()
        sh(f"ip netns exec v6t {sys.executable} {os.path.abspath(__file__)} --tun")
    finally:
        sh("ip netns del v6t")


if __name__ == "__main__":
    {"--send": send_all, "--tun": udp_tun}.get(sys.argv[1] if sys.argv[1:] else "", main)()
