#!/bin/bash
# One device with an IPv4 and an IPv6 address, one dual-stack listener serving both
# families at once (IP6-6): synack-httpd on a TUN given --addr twice (with a --host-addr
# for each), curl -4 and curl -6 downloading from it in parallel, each sha256-checked, the
# log naming IPv4 clients by their IPv4 address and IPv6 ones in brackets, synack-ss
# showing both kinds of connection to the one port, and tshark finding nothing wrong.
#
# usage: dual.sh SYNACK_HTTPD SYNACK_SS
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, a tool missing).
NS_TAG=dual
. "$(dirname "$0")/lib.sh"

httpd=$1
synack_ss=$2
need_root_and_tools curl
[ -x "$httpd" ] || die "no synack-httpd at '$httpd'"

setup_ns
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 || die "IPv6 on"
S4=192.0.2.2 L4=192.0.2.1 S6=2001:db8::2 L6=2001:db8::1
MIB=${SYNACK_TRANSFER_MIB:-20}
[ "$MIB" -gt 20 ] && MIB=20
mkdir -p "$W/www"
head -c $((MIB << 20)) /dev/urandom >"$W/www/f"
STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z'
bg HTTPD "$httpd" --tun tun0 --addr $S4/24 --host-addr $L4/24 --addr $S6/64 --host-addr $L6/64 \
	-w "$W/dual.pcap" --root "$W/www" --port 80 -v 2>"$W/httpd.log"
wait_for 10 in_ns curl -4 -sf -o /dev/null --max-time 1 http://$S4/f ||
	die "synack-httpd did not answer over IPv4 within 10 s: $(cat "$W/httpd.log")"
head -1 "$W/httpd.log" | grep -Eq "^$STAMP synack-httpd: serving $W/www on ${S4//./\\.}:80 and \[$S6\]:80 \(tun0\)" &&
	ok "the startup line names both addresses: $(head -1 "$W/httpd.log" | cut -c26-120)..." ||
	bad "startup line: '$(head -1 "$W/httpd.log")'"
in_ns ip -6 addr show dev tun0 | grep -q "inet6 $L6/64" && in_ns ip -4 addr show dev tun0 | grep -q "inet $L4/24" &&
	ok "the kernel side of tun0 has $L4/24 and $L6/64" ||
	bad "the kernel side's addresses: $(in_ns ip addr show dev tun0 | grep inet | tr '\n' ' ')"

# Both families at once, through the one listener: four downloads of each family in parallel.
CURLS=()
for i in 1 2 3 4; do
	in_ns curl -4 -s --max-time 120 -o "$W/d4.$i" http://$S4/f &
	CURLS+=($!)
	in_ns curl -6 -g -s --max-time 120 -o "$W/d6.$i" "http://[$S6]/f" &
	CURLS+=($!)
done
both() { # while they run: synack-ss shows connections of both families on port 80
	local out
	out=$(in_ns "$synack_ss" -tn 2>/dev/null)
	echo "$out" | grep -q "ESTAB .*\[::ffff:$S4\]:80 " && echo "$out" | grep -q "ESTAB .*\[$S6\]:80 "
}
wait_for 20 both && ok "synack-ss -tn: ESTAB connections to [::ffff:$S4]:80 and [$S6]:80 at once" ||
	bad "synack-ss did not show both families at once: $(in_ns "$synack_ss" -tn 2>&1 | head -5 | tr '\n' ' ')"
wait "${CURLS[@]}"
for i in 1 2 3 4; do
	same_file "curl -4 download $i ($MIB MiB)" "$W/www/f" "$W/d4.$i"
	same_file "curl -6 download $i ($MIB MiB)" "$W/www/f" "$W/d6.$i"
done
n4=$(grep -cE " ${L4//./\\.}:[0-9]+ \"GET /f HTTP/1.1\" 200" "$W/httpd.log")
n6=$(grep -cE " \[$L6\]:[0-9]+ \"GET /f HTTP/1.1\" 200" "$W/httpd.log")
[ "$n4" -ge 5 ] && [ "$n6" = 4 ] && ok "the log names $n4 IPv4 clients as $L4 and 4 IPv6 ones as [$L6]" ||
	bad "log lines: $n4 from $L4, $n6 from [$L6]"
stop_tool "$HTTPD" synack-httpd
check_pcap "$W/dual.pcap" $L4
finish
