#!/usr/bin/env bash
# synack on a real link (root): synack-httpd on a TUN device in a network namespace this
# script creates, Linux's curl fetching a page from it. The --trace lines (tcpdump format,
# wall-clock time) show the handshake, the data and the four-way close; the namespace and
# everything in it is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "tun-demo: needs root (network namespaces and a TUN device)" >&2
	exit 1
fi
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
ns=synack-demo-$$
www=$(mktemp -d)
log=$www/trace.txt
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$www"
}
trap cleanup EXIT
printf 'Hello from synack!\n' >"$www/hello.txt"
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
echo "== synack-httpd --tun tun0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 --trace --root DIR --port 80"
ip netns exec "$ns" ./build/synack-httpd --tun tun0 --addr 192.0.2.2/24 --host-addr 192.0.2.1/24 \
	--trace --root "$www" --port 80 2>"$log" &
pid=$!
for _ in $(seq 100); do # until the kernel side is up and synack answers
	ip netns exec "$ns" ping -c 1 -W 1 192.0.2.2 >/dev/null 2>&1 && break
	sleep 0.1
done
start=$(wc -l <"$log") # the pings are not the point: the trace starts after them
echo "== curl -s http://192.0.2.2/hello.txt   (Linux, in the namespace)"
ip netns exec "$ns" curl -s --max-time 10 http://192.0.2.2/hello.txt
# curl closes first; synack's side ends when the last ACK is in (Linux keeps TIME-WAIT).
for _ in $(seq 50); do
	[ "$(grep -c 'Flags \[F' "$log")" -ge 2 ] && tail -n 1 "$log" | grep -q 'Flags \[\.\]' && break
	sleep 0.1
done
echo "== synack's --trace (stderr), handshake, request, response, four-way close:"
tail -n +"$((start + 1))" "$log"
echo "== Linux's view, ss -tan in the namespace:"
ip netns exec "$ns" ss -tan | grep -v LISTEN || true
