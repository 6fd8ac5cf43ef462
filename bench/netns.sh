# The network namespaces the bench scripts share (sourced).
# mkns NAME: a namespace with lo up, IPv6 off, the whole port range and no TIME-WAIT records
# kept (connect/close loops never run out of ports).
mkns() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv4.ip_local_port_range="1024 65535" \
		net.ipv4.tcp_max_tw_buckets=0
}
# veth_pair NS1 DEV1 NS2 DEV2: a veth pair between them, 198.51.100.1/24 on DEV1 in NS1 and
# 198.51.100.2/24 on DEV2 in NS2, both up.
veth_pair() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" addr add 198.51.100.1/24 dev "$2"
	ip -n "$3" addr add 198.51.100.2/24 dev "$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}
# need_netns NAME: exits 77 saying "NAME: skipped: why" unless this is root with /dev/net/tun
# and network namespaces can be made.
need_netns() {
	local why
	if [ "$(id -u)" -ne 0 ]; then
		why="needs root (network namespaces and TUN devices)"
	elif [ ! -c /dev/net/tun ]; then
		why="no /dev/net/tun"
	elif ! ip netns add "sk$$-probe" 2>/dev/null; then
		why="cannot create network namespaces here"
	else
		ip netns del "sk$$-probe"
		return 0
	fi
	echo "$1: skipped: $why"
	exit 77
}
# wait_ready FILE PID: waits up to 5 s for a line starting "ready" in FILE, while PID lives:
# 0 when it came, 1 otherwise.
wait_ready() {
	for _ in $(seq 100); do
		grep -q '^ready' "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
