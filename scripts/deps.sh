#!/usr/bin/env bash
# Installs the Debian packages synack needs to build, test and demo (run as root).
set -euo pipefail
pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev libpcap-dev libcmocka-dev
      tcpdump tshark iproute2 iputils-ping netcat-openbsd curl liblwip-dev nftables iptables
      libnetfilter-queue-dev chromium-headless-shell python3
      nginx-light redis-server redis-tools iperf3 # the unmodified programs synack-run runs
      dnsmasq-base bind9-dnsutils dante-server # for synack-tunnel: DNS server, dig, SOCKS5 proxy
      hping3) # bench/load.sh: the SYN flood
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages (${missing[*]}); run as root or install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# nginx and redis are here to be run by the tests, not as the machine's services: where an
# init system would start them on installation, policy-rc.d (Debian's invoke-rc.d hook)
# says no for the time of this install.
own_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	own_policy=1
fi
trap '[ $own_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
