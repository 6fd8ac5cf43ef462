#!/bin/bash
# synack-dump --svg/--plot/--html (TRC-8): pictures of any capture. From synack-sim's
# pcapng the lost frames are known by their comments; a capture cut to its headers
# (tcpdump -s 96, here editcap) draws the same data as the whole one.
#
# usage: dump_pictures.sh SYNACK_SIM SYNACK_DUMP WORKDIR
set -u
sim=$1 dump=$2 work=$3
mkdir -p "$work" || exit 1
command -v editcap >/dev/null || { echo "skipped: needs editcap (wireshark-common)"; exit 77; }
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# hs-7: six SYNs, all lost: six arrows, six crosses; one arrow per packet printed.
"$sim" -q hs-7 -w "$work/hs7.pcapng" >/dev/null || bad "hs-7"
"$dump" -r "$work/hs7.pcapng" --svg "$work/hs7.svg" --html "$work/hs7.html" >"$work/hs7.txt" 2>/dev/null ||
	bad "dump hs-7"
n=$(grep -c '^[0-9]' "$work/hs7.txt")
[ "$(grep -c '<line class="seg' "$work/hs7.svg")" -eq "$n" ] || bad "hs-7: want $n arrows"
[ "$(grep -c '<line class="seg[^"]*lost' "$work/hs7.svg")" -eq 6 ] || bad "hs-7: want 6 lost"
[ "$(grep -c '<path class="cross"' "$work/hs7.svg")" -eq 6 ] || bad "hs-7: want 6 crosses"
grep -q '# lost: rule' "$work/hs7.html" || bad "hs-7 page: the printed lines"
[ "$(grep -c '<svg' "$work/hs7.html")" -ge 2 ] || bad "hs-7 page: the pictures"

# A lossy transfer, whole and cut to 96 bytes a packet: the same arrows and the same data.
"$sim" transfer --bytes 200K --loss 0.05 --seed 3 -w "$work/t.pcapng" >/dev/null || bad "transfer"
editcap -s 96 "$work/t.pcapng" "$work/t96.pcapng" || bad "editcap"
for f in t t96; do
	"$dump" -r "$work/$f.pcapng" --svg "$work/$f.svg" --plot "$work/$f-plot.svg" >"$work/$f.txt" 2>/dev/null ||
		bad "dump $f"
done
whole=$(grep -o '[0-9]* bytes of data[^<]*' "$work/t-plot.svg")
cut=$(grep -o '[0-9]* bytes of data[^<]*' "$work/t96-plot.svg")
case $whole in 2[0-9][0-9][0-9][0-9][0-9]" bytes of data"*) ;; *) bad "plot of the whole capture: '$whole'" ;; esac
[ "$whole" = "$cut" ] || bad "plot of the cut capture: '$cut', of the whole: '$whole'"
[ "$(grep -c '<line class="seg' "$work/t.svg")" -eq "$(grep -c '<line class="seg' "$work/t96.svg")" ] ||
	bad "ladders of the whole and the cut capture differ in arrows"

# The same over IPv6 (synack-sim --ipv6): the whole and the cut capture draw the same
# arrows and data, and a lifeline per IPv6 address.
"$sim" transfer --ipv6 --bytes 200K --loss 0.05 --seed 3 -w "$work/t6.pcapng" >/dev/null || bad "transfer --ipv6"
editcap -s 96 "$work/t6.pcapng" "$work/t6-96.pcapng" || bad "editcap (IPv6)"
for f in t6 t6-96; do
	"$dump" -r "$work/$f.pcapng" --svg "$work/$f.svg" --plot "$work/$f-plot.svg" >"$work/$f.txt" 2>/dev/null ||
		bad "dump $f"
done
whole6=$(grep -o '[0-9]* bytes of data[^<]*' "$work/t6-plot.svg")
cut6=$(grep -o '[0-9]* bytes of data[^<]*' "$work/t6-96-plot.svg")
case $whole6 in 2[0-9][0-9][0-9][0-9][0-9]" bytes of data"*) ;; *) bad "plot of the IPv6 capture: '$whole6'" ;; esac
[ "$whole6" = "$cut6" ] || bad "plot of the cut IPv6 capture: '$cut6', of the whole: '$whole6'"
n6=$(grep -c '^[0-9]' "$work/t6.txt")
[ "$(grep -c '<line class="seg' "$work/t6.svg")" -eq "$n6" ] &&
	[ "$(grep -c '<line class="seg' "$work/t6-96.svg")" -eq "$n6" ] || bad "IPv6 ladders: want $n6 arrows each"
grep -q '<text [^>]*font-weight="bold"[^>]*>2001:db8::a00:1<' "$work/t6.svg" || bad "IPv6 ladder: no lifeline for 2001:db8::a00:1"
[ $fail -eq 0 ] && echo "synack-dump pictures as expected"
exit $fail
