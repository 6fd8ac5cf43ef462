#!/bin/bash
# synack-tunnel (issue 14): a command in a namespace of synack-tunnel's making reaches
# servers in the namespace synack-tunnel runs in (its "host", this test's namespace), over
# IPv4 and IPv6, with what the client sees mirroring the upstream: downloads and an upload
# intact by sha256, 100 connections at once, "Connection refused" from a closed port, "No
# route to host" for an address the host cannot reach; ping over IPv4 and IPv6 (ping sockets
# with ping_group_range set); UDP flows both ways (datagrams up
# to 8000 bytes, 40 flows at once, a flow idle for --udp-timeout ended and a new one made);
# dig through the DNS relay to a dnsmasq of the host's (--dns) over UDP and TCP, IPv4 and
# IPv6, by the resolv.conf the command sees; synack-ss naming a relayed connection's two
# ends; the command's exit status passed on; host
# ports forwarded inside (-p); --socks5 through Debian's dante: a download, a refusal and
# UDP flows by UDP ASSOCIATE, each seen in dante's log; one-line errors; tshark finds
# nothing wrong in the capture.
#
# usage: tunnel.sh SYNACK_TUNNEL
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, a program missing).
NS_TAG=tnl
. "$(dirname "$0")/lib.sh"

tunnel=$1
need_root_and_tools curl python3 nc dig dnsmasq danted ping
[ -x "$tunnel" ] || die "no synack-tunnel at '$tunnel'"
setup_ns
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 || die "IPv6 on"
# The host's servers, on addresses of the host (this namespace).
in_ns ip addr add 198.51.100.2/32 dev lo || die "address"
in_ns ip addr add 2001:db8:5::2/128 dev lo || die "address6"
# ping sockets for everyone in the host's namespace: synack-tunnel relays ICMP echo so
in_ns sysctl -qw net.ipv4.ping_group_range="0 2147483647" || die "ping_group_range"
MIB=${SYNACK_TRANSFER_MIB:-100}
mkdir -p "$W/www"
head -c $((MIB << 20)) /dev/urandom >"$W/www/big"
head -c 65536 /dev/urandom >"$W/www/small"
head -c $((MIB << 19)) /dev/urandom >"$W/up"
bg HTTP python3 -m http.server 8080 --bind :: --directory "$W/www"
bg_io NCL /dev/null "$W/received" /dev/null nc -l 198.51.100.2 9000
wait_for 10 in_ns curl -sf -o /dev/null http://198.51.100.2:8080/small || die "the host's server did not start"
# A DNS server of the host's (--dns) and a UDP echo server that says which port each
# datagram came from (a new upstream socket, a new port: a new flow).
bg DNS dnsmasq --no-daemon --no-resolv --no-hosts --pid-file= --listen-address=198.51.100.2 --bind-interfaces \
	--address=/example.test/192.0.2.77 --address=/example.test/2001:db8::77
cat >"$W/uecho.py" <<'PY'
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE: a burst of 100 datagrams
s.bind(("::", 7007))
for _ in range(100000):
    d, a = s.recvfrom(65535)
    s.sendto(str(a[1]).encode() + b" " + d, a)
PY
bg UECHO python3 "$W/uecho.py"
cat >"$W/uclient.py" <<'PY'
# UDP flows through the tunnel: 20 flows per family at once, datagrams of 1 to 8000 bytes
# each echoed intact from one upstream port per flow; then a flow idle beyond the timeout
# comes back from a new port.
import os, select, socket, sys, time
def flows(fam, host):
    socks = [socket.socket(fam, socket.SOCK_DGRAM) for _ in range(20)]
    want = {}
    for i, s in enumerate(socks):
        s.connect((host, 7007))
        for size in (1, 100, 1400, 3000, 8000):
            d = os.urandom(size)
            s.send(d)
            want.setdefault(s, []).append(d)
    ports, ok, end = {}, 0, time.time() + 20
    while ok < 100 and time.time() < end:
        r, _, _ = select.select(socks, [], [], 1)
        for s in r:
            port, _, d = s.recv(65535).partition(b" ")
            if d in want[s]:
                want[s].remove(d)
                ports.setdefault(s, set()).add(port)
                ok += 1
    one = all(len(p) == 1 for p in ports.values()) and len(ports) == 20
    return ok, one
def idle(timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.connect(("198.51.100.2", 7007))
    seen = []
    for wait in (0, 0.3, timeout + 1.5):
        time.sleep(wait)
        s.send(b"x")
        seen.append(s.recv(100).split()[0])
    return seen[0] == seen[1] and seen[1] != seen[2]
for fam, host, tag in ((socket.AF_INET, "198.51.100.2", "udp4"), (socket.AF_INET6, "2001:db8:5::2", "udp6")):
    ok, one = flows(fam, host)
    print(tag, ok, "one-port-per-flow" if one else "ports-mixed")
print("idle", "new-flow" if idle(float(sys.argv[1])) else "same-flow")
PY

cat >"$W/inside.sh" <<INSIDE
# in the command's namespace: its only way out is synack-tunnel
cd "$W"
curl -sS --max-time 120 -o got4 http://198.51.100.2:8080/big; echo "curl4 \$?" >>results
curl -6 -g -sS --max-time 60 -o got6 "http://[2001:db8:5::2]:8080/small"; echo "curl6 \$?" >>results
nc -N 198.51.100.2 9000 <up; echo "upload \$?" >>results
for i in \$(seq 100); do curl -s --max-time 60 -o many.\$i http://198.51.100.2:8080/small & done; wait
bash -c 'exec 3<>/dev/tcp/198.51.100.2/9' 2>refused.err; echo "refused \$?" >>results
bash -c 'exec 3<>/dev/tcp/203.0.113.99/80' 2>unreach.err; echo "unreach \$?" >>results
ping -c 3 -i 0.2 -W 3 -s 300 198.51.100.2 >ping4.out 2>&1; echo "ping4 \$?" >>results
ping -6 -c 3 -i 0.2 -W 3 2001:db8:5::2 >ping6.out 2>&1; echo "ping6 \$?" >>results
python3 -c 'import socket, time; s = socket.create_connection(("198.51.100.2", 8080)); time.sleep(3)' &
sleep 1
SYNACK_RUN_DIR="$SYNACK_RUN_DIR" "$(dirname "$tunnel")/synack-ss" -tn >ss.out 2>&1
wait
cp /etc/resolv.conf resolv.seen
dig +short +time=3 +tries=2 example.test A >dns.udp4
dig +short +tcp +time=3 +tries=2 example.test A >dns.tcp4
dig +short +time=3 +tries=2 @2001:db8:2::3 example.test AAAA >dns.udp6
timeout 60 python3 uclient.py 2 >udp.out 2>&1
ip -o addr show tun0 >addrs
exit 3
INSIDE
in_ns timeout 300 "$tunnel" --dns 198.51.100.2 --udp-timeout 2 -w "$W/tunnel.pcap" -- bash "$W/inside.sh" \
	>"$W/tunnel.log" 2>&1
rc=$?
[ $rc = 3 ] && ok "synack-tunnel passed the command's exit status on (3)" || bad "synack-tunnel exit $rc: $(tail -3 "$W/tunnel.log")"
grep -q "inet 10.0.2.15/24" "$W/addrs" && grep -q "inet6 2001:db8:2::15/64" "$W/addrs" &&
	ok "inside: tun0 with 10.0.2.15/24 and 2001:db8:2::15/64" || bad "inside addresses: $(cat "$W/addrs")"
same_file "curl inside the tunnel from the host's server over IPv4 ($MIB MiB)" "$W/www/big" "$W/got4"
same_file "curl -6 inside the tunnel from the host's server over IPv6" "$W/www/small" "$W/got6"
wait_exit "$NCL" 20
same_file "nc inside the tunnel uploading to the host's nc -l ($((MIB / 2)) MiB)" "$W/up" "$W/received"
n=0
for i in $(seq 100); do [ "$(sha "$W/many.$i" 2>/dev/null)" = "$(sha "$W/www/small")" ] && n=$((n + 1)); done
[ $n = 100 ] && ok "100 connections at once through the tunnel, every download intact" || bad "$n of 100 concurrent downloads intact"
grep -q "Connection refused" "$W/refused.err" && ok "a closed port of the host: the client sees 'Connection refused'" ||
	bad "closed port: $(cat "$W/refused.err")"
grep -q "No route to host" "$W/unreach.err" && ok "an address the host cannot reach: the client sees 'No route to host'" ||
	bad "unreachable: $(cat "$W/unreach.err")"
grep -q "^curl4 0$" "$W/results" && grep -q "^curl6 0$" "$W/results" && grep -q "^upload 0$" "$W/results" ||
	bad "inside: $(tr '\n' ' ' <"$W/results")"
grep -q "^ping4 0$" "$W/results" && grep -q "3 received" "$W/ping4.out" && grep -q "308 bytes from 198.51.100.2" "$W/ping4.out" &&
	ok "ping inside: 3 echo replies from the host's address through ping sockets" || bad "ping: $(tr '\n' ' ' <"$W/ping4.out")"
grep -q "^ping6 0$" "$W/results" && grep -q "3 received" "$W/ping6.out" && ok "ping -6 inside: 3 echo replies" ||
	bad "ping -6: $(tr '\n' ' ' <"$W/ping6.out")"
grep -Eq "ESTAB .*198\.51\.100\.2\]?:8080 +(\[::ffff:)?10\.0\.2\.15\]?:[0-9]+ relay:\(198\.51\.100\.2:[0-9]+->198\.51\.100\.2:8080\)" "$W/ss.out" &&
	ok "synack-ss: a relayed connection with both ends (the client's, and the host's upstream socket)" ||
	bad "synack-ss: $(tr '\n' ' ' <"$W/ss.out")"
grep -q "^nameserver 10.0.2.3$" "$W/resolv.seen" && ok "inside: /etc/resolv.conf names the DNS relay 10.0.2.3" ||
	bad "inside resolv.conf: $(cat "$W/resolv.seen")"
[ "$(cat "$W/dns.udp4")" = 192.0.2.77 ] && ok "dig inside: the host's dnsmasq answers through the relay over UDP" ||
	bad "dig over UDP: '$(cat "$W/dns.udp4")'"
[ "$(cat "$W/dns.tcp4")" = 192.0.2.77 ] && ok "dig +tcp inside: the same over TCP" || bad "dig +tcp: '$(cat "$W/dns.tcp4")'"
[ "$(cat "$W/dns.udp6")" = 2001:db8::77 ] && ok "dig @2001:db8:2::3 inside: the relay's IPv6 address" ||
	bad "dig IPv6: '$(cat "$W/dns.udp6")'"
grep -qx "udp4 100 one-port-per-flow" "$W/udp.out" && grep -qx "udp6 100 one-port-per-flow" "$W/udp.out" &&
	ok "UDP: 20 flows at once per family, 100 datagrams of 1 to 8000 bytes each way intact, one upstream port per flow" ||
	bad "UDP flows: $(tr '\n' ' ' <"$W/udp.out")"
grep -qx "idle new-flow" "$W/udp.out" && ok "UDP: a flow idle beyond --udp-timeout 2 ended; its next datagram was a new flow" ||
	bad "UDP idle: $(tr '\n' ' ' <"$W/udp.out")"
check_pcap "$W/tunnel.pcap" 10.0.2.15

# -p: host ports forwarded to a server inside; a forwarded port nobody serves inside
bg_io FWD /dev/null "$W/fwd.log" "$W/fwd.log" "$tunnel" -p 8088:8000 -p 8089:8001 -- \
	python3 -m http.server 8000 --bind :: --directory "$W/www"
wait_for 20 in_ns curl -sf -o /dev/null http://127.0.0.1:8088/small || bad "-p 8088:8000 never answered: $(cat "$W/fwd.log")"
in_ns curl -sS --max-time 120 -o "$W/fwd4" http://127.0.0.1:8088/big
same_file "-p 8088:8000: the host's curl downloads from the server inside ($MIB MiB)" "$W/www/big" "$W/fwd4"
in_ns curl -6 -g -sS --max-time 60 -o "$W/fwd6" "http://[::1]:8088/small"
same_file "-p 8088:8000 over the host's IPv6" "$W/www/small" "$W/fwd6"
# (the host accepts at once; the reset comes when synack's connect inside is refused)
# (at connect or at the first read, as the reset races the handshake's end)
got=$(in_ns timeout 10 python3 -c '
import socket
try:
    s = socket.create_connection(("127.0.0.1", 8089), timeout=5)
    print("data" if s.recv(10) else "end of file")
except ConnectionResetError:
    print("reset")' 2>&1)
[ "$got" = reset ] && ok "a forwarded port nobody serves inside: the host's client is reset" ||
	bad "-p 8089:8001 with no server: '$got'"
kill -TERM "$FWD"
wait_exit "$FWD" 20
[ "$EXIT_STATUS" = 143 ] && ok "SIGTERM passed on to the command; synack-tunnel exits with its status (143)" ||
	bad "synack-tunnel after SIGTERM: $EXIT_STATUS"

# The command's end is the tool's, even with an upstream that holds its connection open
# (the client is gone with the namespace): no wait for it, no drain.
bg HOLD python3 -c '
import socket, time
s = socket.socket()
s.bind(("198.51.100.2", 9100))
s.listen()
c = s.accept()
time.sleep(60)'
wait_for 10 in_ns bash -c 'ss -ltnH "sport = :9100" | grep -q LISTEN' || die "the holding server did not start"
t0=$(date +%s%N)
in_ns timeout 20 "$tunnel" -- python3 -c 'import socket; socket.create_connection(("198.51.100.2", 9100))' >"$W/hold.log" 2>&1
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ $rc = 0 ] && [ $ms -lt 5000 ] && ok "an upstream holding its connection open: synack-tunnel exits with its command (${ms} ms)" ||
	bad "held upstream: status $rc after ${ms} ms: $(cat "$W/hold.log")"
kill "$HOLD" 2>/dev/null

# --flows-per-source 2: a third connection at once from inside is refused
in_ns timeout 60 "$tunnel" --flows-per-source 2 -- python3 -c '
import socket
held = [socket.create_connection(("198.51.100.2", 8080), timeout=5) for _ in range(2)]
try:
    socket.create_connection(("198.51.100.2", 8080), timeout=5)
    print("third connected")
except ConnectionRefusedError:
    print("third refused")
held[0].close()
import time; time.sleep(0.5)
socket.create_connection(("198.51.100.2", 8080), timeout=5)
print("room again")' >"$W/limit.out" 2>&1
[ "$(tr '\n' ' ' <"$W/limit.out")" = "third refused room again " ] &&
	ok "--flows-per-source 2: a third connection at once refused, one more once one ended" ||
	bad "--flows-per-source: $(tr '\n' ' ' <"$W/limit.out")"

# --socks5: every flow through dante (a SOCKS5 proxy of the host's at 198.51.100.3),
# CONNECT for TCP and UDP ASSOCIATE for UDP; the proxy's log says it carried them.
in_ns ip addr add 198.51.100.3/32 dev lo || die "address"
cat >"$W/sockd.conf" <<CONF
logoutput: $W/danted.log
internal: 198.51.100.3 port = 1080
external: 198.51.100.2
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0
	command: connect udpassociate udpreply
	log: connect disconnect error }
CONF
bg DANTE danted -f "$W/sockd.conf" -p "$W/danted.pid"
wait_for 10 in_ns bash -c 'exec 3<>/dev/tcp/198.51.100.3/1080' || die "dante did not start: $(cat "$W/danted.log" 2>/dev/null)"
cat >"$W/socks.sh" <<INSIDE
cd "$W"
curl -sS --max-time 60 -o sgot http://198.51.100.2:8080/small; echo "curl \$?" >sresults
bash -c 'exec 3<>/dev/tcp/198.51.100.2/9' 2>srefused.err
python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(5)
u.connect(("198.51.100.2", 7007))
for n in (1, 1400, 3000):
    u.send(b"s" * n)
    port, _, d = u.recv(9000).partition(b" ")
    print("udp", len(d), d == b"s" * n)' >sudp.out 2>&1
INSIDE
in_ns timeout 120 "$tunnel" --socks5 198.51.100.3:1080 -- bash "$W/socks.sh" >"$W/socks.log" 2>&1 ||
	bad "--socks5: synack-tunnel failed: $(tail -3 "$W/socks.log")"
same_file "--socks5: curl inside through dante (CONNECT)" "$W/www/small" "$W/sgot"
grep -q "tcp/connect \].*198.51.100.2.8080" "$W/danted.log" && ok "--socks5: dante's log shows the CONNECT to 198.51.100.2:8080" ||
	bad "--socks5: no CONNECT in dante's log: $(tail -3 "$W/danted.log")"
grep -q "Connection refused" "$W/srefused.err" && ok "--socks5: a port the proxy found closed: 'Connection refused' inside" ||
	bad "--socks5 refused: $(cat "$W/srefused.err")"
[ "$(grep -c "True$" "$W/sudp.out")" = 3 ] && grep -q "udp/udpassociate" "$W/danted.log" &&
	ok "--socks5: UDP through dante's UDP ASSOCIATE, 3 datagrams of 1 to 3000 bytes echoed intact" ||
	bad "--socks5 UDP: $(tr '\n' ' ' <"$W/sudp.out")"
out=$(in_ns "$tunnel" --socks5 198.51.100.3:1081 -- true 2>&1)
[ $? = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "Connection refused" &&
	ok "--socks5 a proxy that is not there: one line, status 1 ($out)" || bad "--socks5 unreachable: '$out'"

# Without root: as nobody, synack-tunnel makes a user namespace of its own (as pasta does)
# where the command is root. The TUN device must be open to all users (Debian's 0666);
# where it is not, a private mount namespace of this test gives nobody such a node.
cat >"$W/rootless.sh" <<'SH'
mknod "$1/tun" c 10 200 && chmod 666 "$1/tun" && mount --bind "$1/tun" /dev/net/tun || exit 99
mkdir -p "$1/run-nobody" && chown nobody "$1/run-nobody" || exit 99
export SYNACK_RUN_DIR="$1/run-nobody" # its control socket's, the user's own
shift
exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
SH
chmod 755 "$W"
in_ns unshare -m bash "$W/rootless.sh" "$W" "$tunnel" -- sh -c \
	'id -u; curl -sS --max-time 30 -o - http://198.51.100.2:8080/small | sha256sum' >"$W/rootless.out" 2>&1
rc=$?
[ $rc = 0 ] && [ "$(head -1 "$W/rootless.out")" = 0 ] && [ "$(sed -n 2p "$W/rootless.out" | cut -d' ' -f1)" = "$(sha "$W/www/small")" ] &&
	ok "as nobody: a user namespace of its own, the command root in it, a download intact" ||
	bad "rootless (status $rc): $(tr '\n' ' ' <"$W/rootless.out")"

# --attach: a namespace made by someone else, served without a command until SIGTERM
ATT="$NS-att"
ip netns add "$ATT" || die "ip netns add $ATT"
EXTRA_NS+=("$ATT")
ip -n "$ATT" link set lo up
bg_io TATT /dev/null "$W/attach.log" "$W/attach.log" "$tunnel" --attach "$ATT"
wait_for 10 ip -n "$ATT" link show tun0 || bad "--attach: no tun0 in $ATT: $(cat "$W/attach.log")"
ip netns exec "$ATT" curl -sS --max-time 20 -o "$W/att" http://198.51.100.2:8080/small 2>>"$W/attach.log"
same_file "--attach $ATT: curl there reaches the host's server" "$W/www/small" "$W/att"
kill -TERM "$TATT"
wait_exit "$TATT" 20
[ "$EXIT_STATUS" = 0 ] && ok "--attach without a command: exit 0 on SIGTERM" || bad "--attach: status $EXIT_STATUS"
wait_for 10 sh -c "! ip -n '$ATT' link show tun0" && ok "--attach: tun0 gone from $ATT with synack-tunnel" ||
	bad "--attach: tun0 left in $ATT"
out=$(in_ns "$tunnel" --attach no-such-netns-$$ 2>&1)
[ $? = 1 ] && [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "no-such-netns-$$: No such file" &&
	ok "--attach a missing namespace: one line, status 1 ($out)" || bad "--attach missing: '$out'"

out=$("$tunnel" 2>&1)
[ $? = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && ok "no command: one line, status 2 ($out)" || bad "no command: '$out'"
out=$("$tunnel" --mtu 99 -- true 2>&1)
[ $? = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && ok "a bad --mtu: one line, status 2" || bad "bad mtu: '$out'"
out=$("$tunnel" --busy-poll 2000 -- true 2>&1)
[ $? = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && ok "a bad --busy-poll: one line, status 2" || bad "bad busy-poll: '$out'"
out=$("$tunnel" -p 80 -- true 2>&1)
[ $? = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && ok "a bad -p: one line, status 2" || bad "bad -p: '$out'"
out=$(in_ns "$tunnel" -- /nonexistent/cmd 2>&1)
[ $? = 127 ] && echo "$out" | grep -q "synack-tunnel: /nonexistent/cmd: No such file or directory" &&
	ok "a missing command: status 127 and one line" || bad "missing command: '$out'"
[ "$FAILS" = 0 ] || exit 1
echo "PASS"
