/* IPv6 packets from sources independent of synack, for the wire tests: Linux's, and two by hand. */
#ifndef SK_TEST_IPV6_VECTORS_H
#define SK_TEST_IPV6_VECTORS_H

/*
 * Each vector is one IPv6 packet (from its fixed header on) as hex for sk_test_hex.
 *
 * Printed by tests/wire/ipv6_vectors.py (run it as root to see them again) from Linux 6.18
 * in network namespaces: packets marked [sent] were built by that script's own Python
 * encoder (not synack's) and sent to a Linux router b; the others are Linux's own, its
 * neighbor discovery, router solicitation and MLD, and its answers to what was sent, which
 * give the codes and pointers Linux chose and checksums Linux computed. tcpdump 4.99 said
 * "sum ok" for every ICMPv6 checksum here. A run gives the same bytes but for the DAD
 * nonce and the flow label of the UDP socket.
 */
/* MLDv2 report from :: with a hop-by-hop header: router alert, PadN (76 bytes) */
static const char V_MLD_HBH[] =
	"6000 0000 0024 0001 0000 0000 0000 0000 0000 0000 0000 0000 ff02 0000 0000 0000 "
	"0000 0000 0000 0016 3a00 0502 0000 0100 8f00 6f80 0000 0001 0400 0000 ff02 0000 "
	"0000 0000 0000 0001 ff00 000a";

/* DAD neighbor solicitation :: -> ff02::1:ff00:b, nonce option (type 14, RFC 7527) (72 bytes) */
static const char V_DAD_NS[] =
	"6000 0000 0020 3aff 0000 0000 0000 0000 0000 0000 0000 0000 ff02 0000 0000 0000 "
	"0000 0001 ff00 000b 8700 9f99 0000 0000 fe80 0000 0000 0000 0000 00ff fe00 000b "
	"0e01 a583 5fd5 ca15";

/* [sent] echo request behind a hop-by-hop header holding PadN (64 bytes) */
static const char V_HBH_PADN_ECHO[] =
	"6000 0000 0018 0040 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 0104 0000 0000 8000 d5da 4242 0001 0001 0203 0405 0607";

/* neighbor solicitation 2001:db8::b -> ff02::1:ff00:a for ::a, source link-layer (72 bytes) */
static const char V_NS_SLLA[] =
	"6000 0000 0020 3aff 2001 0db8 0000 0000 0000 0000 0000 000b ff02 0000 0000 0000 "
	"0000 0001 ff00 000a 8700 1c03 0000 0000 2001 0db8 0000 0000 0000 0000 0000 000a "
	"0101 0200 0000 000b";

/* neighbor advertisement, S and O flags, target link-layer option (72 bytes) */
static const char V_NA_SO_TLLA[] =
	"6000 0000 0020 3aff 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 8800 8a4f 6000 0000 2001 0db8 0000 0000 0000 0000 0000 000a "
	"0201 0200 0000 000a";

/* Linux's echo reply to HBH_PADN_ECHO (56 bytes) */
static const char V_ECHO_REPLY[] =
	"600b 3ba0 0010 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 8100 d4da 4242 0001 0001 0203 0405 0607";

/* [sent] destination options: unknown option 0x1e (action 00, skip); Linux replied (64 bytes) */
static const char V_DST_SKIP_ECHO[] =
	"6000 0000 0018 3c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 1e04 6162 6364 8000 d5d9 4242 0002 0001 0203 0405 0607";

/* [sent] destination options: unknown option 0x5e (action 01); Linux stayed silent (64 bytes) */
static const char V_DST_DISCARD[] =
	"6000 0000 0018 3c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 5e04 6162 6364 8000 d5d8 4242 0003 0001 0203 0405 0607";

/* [sent] destination options: Pad1, unknown option 0x9e (action 10) (64 bytes) */
static const char V_DST_ICMP[] =
	"6000 0000 0018 3c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 009e 0361 6263 8000 d5d7 4242 0004 0001 0203 0405 0607";

/* Linux's answer to DST_ICMP: parameter problem code 2, pointer 43 (112 bytes) */
static const char V_PP_DST_ICMP[] =
	"600d 8494 0048 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0402 6358 0000 002b 6000 0000 0018 3c40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b 3a00 009e 0361 6263 "
	"8000 d5d7 4242 0004 0001 0203 0405 0607";

/* [sent] destination options: unknown option 0xde (action 11) to a unicast address (64 bytes) */
static const char V_DST_UCAST[] =
	"6000 0000 0018 3c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 de04 6162 6364 8000 d5d6 4242 0005 0001 0203 0405 0607";

/* Linux's answer to DST_UCAST: parameter problem code 2, pointer 42 (112 bytes) */
static const char V_PP_DST_UCAST[] =
	"600d 8494 0048 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0402 26f0 0000 002a 6000 0000 0018 3c40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b 3a00 de04 6162 6364 "
	"8000 d5d6 4242 0005 0001 0203 0405 0607";

/* [sent] the same option 0xde to ff02::1; Linux stayed silent (64 bytes) */
static const char V_DST_UCAST_MCAST[] =
	"6000 0000 0018 3c40 2001 0db8 0000 0000 0000 0000 0000 000a ff02 0000 0000 0000 "
	"0000 0000 0000 0001 3a00 de04 6162 6364 8000 0496 4242 0006 0001 0203 0405 0607";

/* [sent] hop-by-hop: PadN (0 data bytes), unknown option 0x9e (action 10) (64 bytes) */
static const char V_HBH_ICMP[] =
	"6000 0000 0018 0040 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 0100 9e02 6162 8000 d5d4 4242 0007 0001 0203 0405 0607";

/* Linux's answer to HBH_ICMP: parameter problem code 2, pointer 44 (112 bytes) */
static const char V_PP_HBH_ICMP[] =
	"600d 8494 0048 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0402 0555 0000 002c 6000 0000 0018 0040 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b 3a00 0100 9e02 6162 "
	"8000 d5d4 4242 0007 0001 0203 0405 0607";

/* [sent] destination options, then a hop-by-hop header (72 bytes) */
static const char V_HBH_NOT_FIRST[] =
	"6000 0000 0020 3c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 0000 0104 0000 0000 3a00 0104 0000 0000 8000 d5d3 4242 0008 "
	"0001 0203 0405 0607";

/* Linux's answer to HBH_NOT_FIRST: parameter problem code 1, pointer 40 (120 bytes) */
static const char V_PP_HBH_NOT_FIRST[] =
	"6003 92bc 0050 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0401 c7a6 0000 0028 6000 0000 0020 3c40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b 0000 0104 0000 0000 "
	"3a00 0104 0000 0000 8000 d5d3 4242 0008 0001 0203 0405 0607";

/* [sent] next header 253 right after the fixed header (56 bytes) */
static const char V_NH_253[] =
	"6000 0000 0010 fd40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 8000 d5d2 4242 0009 0001 0203 0405 0607";

/* Linux's answer to NH_253: parameter problem code 1, pointer 6 (104 bytes) */
static const char V_PP_NH_253[] =
	"6003 92bc 0040 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0401 42f0 0000 0006 6000 0000 0010 fd40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b 8000 d5d2 4242 0009 "
	"0001 0203 0405 0607";

/* [sent] destination options whose next header is 200 (64 bytes) */
static const char V_DST_NH_200[] =
	"6000 0000 0018 3c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b c800 0104 0000 0000 8000 d5d1 4242 000a 0001 0203 0405 0607";

/* Linux's answer to DST_NH_200: parameter problem code 1, pointer 40 (112 bytes) */
static const char V_PP_DST_NH_200[] =
	"6003 92bc 0048 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0401 3aba 0000 0028 6000 0000 0018 3c40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b c800 0104 0000 0000 "
	"8000 d5d1 4242 000a 0001 0203 0405 0607";

/* [sent] routing header type 253, segments left 1 (64 bytes) */
static const char V_RH_SL1[] =
	"6000 0000 0018 2b40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 fd01 0000 0000 8000 d5d0 4242 000b 0001 0203 0405 0607";

/* Linux's answer to RH_SL1: parameter problem code 0, pointer 42 (the routing type) (112 bytes) */
static const char V_PP_RH_SL1[] =
	"6006 816e 0048 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0400 ddbb 0000 002a 6000 0000 0018 2b40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b 3a00 fd01 0000 0000 "
	"8000 d5d0 4242 000b 0001 0203 0405 0607";

/* [sent] routing header type 253, segments left 0, echo request; Linux replied (64 bytes) */
static const char V_RH_SL0_ECHO[] =
	"6000 0000 0018 2b40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 fd00 0000 0000 8000 d5cf 4242 000c 0001 0203 0405 0607";

/* [sent] fragment, offset 0, M=1, 12 bytes of fragment data (60 bytes) */
static const char V_FRAG_BADLEN[] =
	"6000 0000 0014 2c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 0001 0000 1234 8000 d5ce 4242 000d 0001 0203";

/* Linux's answer to FRAG_BADLEN: parameter problem code 0, pointer 4 (108 bytes) */
static const char V_PP_FRAG_BADLEN[] =
	"6006 816e 0044 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0400 d1c2 0000 0004 6000 0000 0014 2c40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b 3a00 0001 0000 1234 "
	"8000 d5ce 4242 000d 0001 0203";

/* [sent] fragment, offset 65528, M=0, 16 bytes (64 bytes) */
static const char V_FRAG_TOOBIG[] =
	"6000 0000 0018 2c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 fff8 0000 1235 8000 d5cd 4242 000e 0001 0203 0405 0607";

/* Linux's answer to FRAG_TOOBIG: parameter problem code 0, pointer 42 (112 bytes) */
static const char V_PP_FRAG_TOOBIG[] =
	"6006 816e 0048 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0400 c78f 0000 002a 6000 0000 0018 2c40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b 3a00 fff8 0000 1235 "
	"8000 d5cd 4242 000e 0001 0203 0405 0607";

/* [sent] atomic fragment (offset 0, M=0) of an echo request; Linux replied (64 bytes) */
static const char V_ATOMIC_ECHO[] =
	"6000 0000 0018 2c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 0000 0000 1236 8000 d5cc 4242 000f 0001 0203 0405 0607";

/* [sent] destination option 0x1e of length 5 in 4 bytes; Linux stayed silent (64 bytes) */
static const char V_DST_MALFORMED[] =
	"6000 0000 0018 3c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 1e05 6162 6364 8000 d5cb 4242 0010 0001 0203 0405 0607";

/* [sent] first fragment (offset 0, M=1, id 0x1237) of an echo request (64 bytes) */
static const char V_FRAG1[] =
	"6000 0000 0018 2c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 0001 0000 1237 8000 5d3a 4242 0011 0001 0203 0405 0607";

/* neighbor solicitation fe80::ff:fe00:a -> 2001:db8::b (unicast), source link-layer (72 bytes) */
static const char V_NS_LL_TO_UNICAST[] =
	"6000 0000 0020 3aff fe80 0000 0000 0000 0000 00ff fe00 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 8700 1c87 0000 0000 2001 0db8 0000 0000 0000 0000 0000 000b "
	"0101 0200 0000 000a";

/* neighbor advertisement from a router (R, S flags), no option (64 bytes) */
static const char V_NA_R_S[] =
	"6000 0000 0018 3aff 2001 0db8 0000 0000 0000 0000 0000 000b fe80 0000 0000 0000 "
	"0000 00ff fe00 000a 8800 5e99 c000 0000 2001 0db8 0000 0000 0000 0000 0000 000b";

/* [sent] second fragment (offset 16, M=0, id 0x1237); Linux answered the whole echo (64 bytes) */
static const char V_FRAG2[] =
	"6000 0000 0018 2c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3a00 0010 0000 1237 0809 0a0b 0c0d 0e0f 1011 1213 1415 1617";

/* [sent] echo request with hop limit 1 to 2001:db8:1::c through b (56 bytes) */
static const char V_HLIM1[] =
	"6000 0000 0010 3a01 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0001 0000 "
	"0000 0000 0000 000c 8000 d5c7 4242 0012 0001 0203 0405 0607";

/* Linux's answer to HLIM1: time exceeded, code 0 (104 bytes) */
static const char V_TIMXCEED[] =
	"6002 8df2 0040 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0300 0737 0000 0000 6000 0000 0010 3a01 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0001 0000 0000 0000 0000 000c 8000 d5c7 4242 0012 "
	"0001 0203 0405 0607";

/* [sent] the first 48 of 1400 bytes to 2001:db8:1::c through b's 1280-byte link; the echo data
 * that follows is the bytes 0, 1, 2, ... mod 256 */
static const char V_PTB_INVOKING_HEAD[] =
	"6000 0000 0550 3a40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0001 0000 "
	"0000 0000 0000 000c 8000 2a43 4242 0013";

/* first 48 bytes of Linux's packet too big (MTU 1280) for it, 1280 bytes long (48 bytes) */
static const char V_PTB_HEAD[] =
	"6000 0089 04d8 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0200 e69b 0000 0500";

/* [sent] echo request to 2001:db8:dead::1 (an unreachable route at b) (56 bytes) */
static const char V_NOROUTE_INV[] =
	"6000 0000 0010 3a40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 dead 0000 "
	"0000 0000 0000 0001 8000 f723 4242 0014 0001 0203 0405 0607";

/* Linux's answer: destination unreachable, code 0 (104 bytes) */
static const char V_UNREACH_NOROUTE[] =
	"600c a083 0040 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0100 08f8 0000 0000 6000 0000 0010 3a40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 dead 0000 0000 0000 0000 0001 8000 f723 4242 0014 "
	"0001 0203 0405 0607";

/* [sent] echo request to 2001:db8:beef::1 (a prohibit route at b) (56 bytes) */
static const char V_ADMIN_INV[] =
	"6000 0000 0010 3a40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 beef 0000 "
	"0000 0000 0000 0001 8000 16e1 4242 0015 0001 0203 0405 0607";

/* Linux's answer: destination unreachable, code 1 (104 bytes) */
static const char V_UNREACH_ADMIN[] =
	"600a f748 0040 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0101 08f7 0000 0000 6000 0000 0010 3a40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 beef 0000 0000 0000 0000 0001 8000 16e1 4242 0015 "
	"0001 0203 0405 0607";

/* [sent] echo request to 2001:db8:1::99, a neighbor that never answers (56 bytes) */
static const char V_ADDR_INV[] =
	"6000 0000 0010 3a40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0001 0000 "
	"0000 0000 0000 0099 8000 d536 4242 0016 0001 0203 0405 0607";

/* Linux's answer: destination unreachable, code 3, quoting the packet with the hop limit it
 * had when forwarded (63) (104 bytes) */
static const char V_UNREACH_ADDR[] =
	"6000 bba7 0040 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0103 08f6 0000 0000 6000 0000 0010 3a3f 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0001 0000 0000 0000 0000 0099 8000 d536 4242 0016 "
	"0001 0203 0405 0607";

/* neighbor solicitation between link-local addresses, source link-layer option (72 bytes) */
static const char V_NS_LL[] =
	"6000 0000 0020 3aff fe80 0000 0000 0000 0000 00ff fe00 000b fe80 0000 0000 0000 "
	"0000 00ff fe00 000a 8700 7cf7 0000 0000 fe80 0000 0000 0000 0000 00ff fe00 000a "
	"0101 0200 0000 000b";

/* neighbor advertisement between link-local addresses, S flag (64 bytes) */
static const char V_NA_LL[] =
	"6000 0000 0018 3aff fe80 0000 0000 0000 0000 00ff fe00 000a fe80 0000 0000 0000 "
	"0000 00ff fe00 000b 8800 3f0b 4000 0000 fe80 0000 0000 0000 0000 00ff fe00 000a";

/* router solicitation from fe80::ff:fe00:a to ff02::2, source link-layer option (56 bytes) */
static const char V_RS[] =
	"6000 0000 0010 3aff fe80 0000 0000 0000 0000 00ff fe00 000a ff02 0000 0000 0000 "
	"0000 0000 0000 0002 8500 7b1a 0000 0000 0101 0200 0000 000a";

/* Linux's UDP to 2001:db8::b port 9 (its checksum left to the NIC: not final) (51 bytes) */
static const char V_UDP_PORT_INV[] =
	"6003 748b 000b 1140 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b c77a 0009 000b 5ba3 6869 0a";

/* Linux's answer: destination unreachable, code 4 (99 bytes) */
static const char V_UNREACH_PORT[] =
	"6005 7806 003b 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0104 cc02 0000 0000 6003 748b 000b 1140 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b c77a 0009 000b 5ba3 "
	"6869 0a";

/* [sent] first fragment holding 8 bytes of a TCP header (56 bytes) */
static const char V_FRAG_CUT_TCP[] =
	"6000 0000 0010 2c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 0600 0001 0000 1238 9c40 0050 0000 0001";

/* Linux's answer to FRAG_CUT_TCP: parameter problem code 3, pointer 0 (104 bytes) */
static const char V_PP_FRAG_CUT_TCP[] =
	"6006 4de6 0040 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0403 0359 0000 0000 6000 0000 0010 2c40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b 0600 0001 0000 1238 "
	"9c40 0050 0000 0001";

/* [sent] first fragment ending after its destination options (next: ICMPv6) (56 bytes) */
static const char V_FRAG_CUT_DST[] =
	"6000 0000 0010 2c40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0000 0000 "
	"0000 0000 0000 000b 3c00 0001 0000 1239 3a00 0104 0000 0000";

/* Linux's answer to FRAG_CUT_DST: parameter problem code 3, pointer 0 (104 bytes) */
static const char V_PP_FRAG_CUT_DST[] =
	"6006 4de6 0040 3a40 2001 0db8 0000 0000 0000 0000 0000 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 0403 2ee5 0000 0000 6000 0000 0010 2c40 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 2001 0db8 0000 0000 0000 0000 0000 000b 3c00 0001 0000 1239 "
	"3a00 0104 0000 0000";

/*
 * UDP datagrams that Linux wrote to a TUN device (no checksum offload, so the checksum is
 * the kernel's): sendto() of three payloads, by the same script.
 */
/* UDP 2001:db8:77::1.4242 -> ::2.9 "hello, ipv6", checksum 0x87ec (59 bytes) */
static const char V_UDP_HELLO[] =
	"600c 2685 0013 1140 2001 0db8 0077 0000 0000 0000 0000 0001 2001 0db8 0077 0000 "
	"0000 0000 0000 0002 1092 0009 0013 87ec 6865 6c6c 6f2c 2069 7076 36";

/* UDP with no data, checksum 0x92e0 (48 bytes) */
static const char V_UDP_EMPTY[] =
	"600c 2685 0008 1140 2001 0db8 0077 0000 0000 0000 0000 0001 2001 0db8 0077 0000 "
	"0000 0000 0000 0002 1092 0009 0008 92e0";

/* UDP with data ff ff ff ff ff ff 78, checksum 0x1ad2 (55 bytes) */
static const char V_UDP_FFFF[] =
	"600c 2685 000f 1140 2001 0db8 0077 0000 0000 0000 0000 0001 2001 0db8 0077 0000 "
	"0000 0000 0000 0002 1092 0009 000f 1ad2 ffff ffff ffff 78";

/*
 * No Linux here sends router advertisements or, in this setup, redirects: these two were
 * built by hand from the layouts of RFC 4861 4.2 and 4.5 (the redirected header quotes a
 * [sent] echo request to 2001:db8:99::1 captured with the others), checksummed by a
 * separate Python one's-complement sum, and checked with tshark 4.0 ("Checksum Status:
 * Good", every field decoded as in the comment) and tcpdump -vv ("icmp6 sum ok").
 */
/* router advertisement (104 bytes): hop limit 64, M and O, lifetime 1800, reachable 30000,
 * retrans 1000; source link-layer 02:00:00:00:00:0b, MTU 1500, prefix 2001:db8:0:1::/64
 * L A valid 2592000 preferred 604800 */
static const char V_RA[] =
	"6000 0000 0040 3aff fe80 0000 0000 0000 0000 00ff fe00 000b ff02 0000 0000 0000 "
	"0000 0000 0000 0001 8600 74fc 40c0 0708 0000 7530 0000 03e8 0101 0200 0000 000b "
	"0501 0000 0000 05dc 0304 40c0 0027 8d00 0009 3a80 0000 0000 2001 0db8 0000 0001 "
	"0000 0000 0000 0000";

/* redirect fe80::ff:fe00:b -> 2001:db8::a (152 bytes): target fe80::c0, destination
 * 2001:db8:99::1; target link-layer 02:00:00:00:00:c0, redirected header: the 56-byte
 * echo request to 2001:db8:99::1 */
static const char V_REDIRECT[] =
	"6000 0000 0070 3aff fe80 0000 0000 0000 0000 00ff fe00 000b 2001 0db8 0000 0000 "
	"0000 0000 0000 000a 8900 7aa2 0000 0000 fe80 0000 0000 0000 0000 0000 0000 00c0 "
	"2001 0db8 0099 0000 0000 0000 0000 0001 0201 0200 0000 00c0 0408 0000 0000 0000 "
	"6000 0000 0010 3a40 2001 0db8 0000 0000 0000 0000 0000 000a 2001 0db8 0099 0000 "
	"0000 0000 0000 0001 8000 d535 4242 0017 0001 0203 0405 0607";

#endif
