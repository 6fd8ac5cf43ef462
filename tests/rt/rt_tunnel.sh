#!/bin/bash
# Tunnel mode against Linux (TNL-1, TNL-2): Linux routes 203.0.113.0/24, 198.51.100.0/24
# and 2001:db8:ffff::/48 into a TUN where rt-tunnel runs synack in tunnel mode; each
# connection Linux opens to those addresses is answered by synack with the destination it
# was opened to, or refused as the flow hook says (a RST: "Connection refused"; ICMP host
# unreachable: "No route to host"; deferred, then accepted or refused 300 ms later).
#
# usage: rt_tunnel.sh RT_TUNNEL
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, no tool).
NS_TAG=tnl
. "$(dirname "$0")/../interop/lib.sh"

prog=$1
need_root_and_tools
[ -x "$prog" ] || die "no rt-tunnel at '$prog'"
setup_ns
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 || die "IPv6 on"
bg TNL "$prog" --tun tun0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 --addr 2001:db8::2/64 \
	--host-addr 2001:db8::1/64 -w "$W/tunnel.pcap" >"$W/tunnel.log" 2>&1
wait_for 10 grep -q '^ready' "$W/tunnel.log" || die "rt-tunnel did not start: $(cat "$W/tunnel.log")"
in_ns ip route add 203.0.113.0/24 dev tun0 || die "route"
in_ns ip route add 198.51.100.0/24 dev tun0 || die "route"
in_ns ip -6 route add 2001:db8:ffff::/48 dev tun0 || die "route6"

# ask HOST PORT: what the server says, or the error bash's /dev/tcp met (in $W/err).
ask() {
	in_ns timeout 10 bash -c "exec 3<>/dev/tcp/$1/$2 && head -1 <&3" 2>"$W/err"
}
expect_answer() { # HOST PORT WANT
	local got
	got=$(ask "$1" "$2")
	[ "$got" = "$3" ] && ok "Linux to $1 port $2 through the tunnel: '$got'" || bad "to $1 port $2: '$got' $(cat "$W/err")"
}
HOOK_SAYS="the flow hook's verdict"
expect_error() { # HOST PORT ERROR [WHY]
	local got why=${4:-$HOOK_SAYS}
	got=$(ask "$1" "$2")
	[ -z "$got" ] && grep -q "$3" "$W/err" && ok "Linux to $1 port $2: $3 ($why)" ||
		bad "to $1 port $2: '$got' $(cat "$W/err")"
}

expect_answer 203.0.113.7 8080 "asked for 203.0.113.7:8080"
expect_answer 198.51.100.9 443 "asked for 198.51.100.9:443"
expect_answer 2001:db8:ffff::7 8080 "asked for [2001:db8:ffff::7]:8080"
expect_error 203.0.113.7 25 "Connection refused"
expect_error 203.0.113.7 26 "No route to host"
expect_error 2001:db8:ffff::7 26 "No route to host"
t0=$(date +%s%N)
expect_answer 203.0.113.8 81 "asked for 203.0.113.8:81"
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -ge 300 ] && ok "the deferred flow was answered once its verdict came ($(((t1 - t0) / 1000000)) ms)" ||
	bad "the deferred flow was answered after $(((t1 - t0) / 1000000)) ms, before its verdict"
expect_error 203.0.113.8 82 "Connection refused"
# synack's own address is served as always: nothing listens on port 8080 there.
expect_error 192.0.2.2 8080 "Connection refused" "synack's own address: no listener there, no hook"

stop_tool "$TNL" rt-tunnel
check_pcap "$W/tunnel.pcap" 192.0.2.1
[ "$FAILS" = 0 ] || exit 1
echo "PASS"
