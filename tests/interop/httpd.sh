#!/bin/bash
# synack-httpd on a TUN device in a namespace of its own, with curl (and nc, ss) on the
# kernel's side: downloads of 1, 10 and 100 MiB, uploads of 1 and 100 MiB (the largest
# SYNACK_TRANSFER_MIB instead when that is less, as the sanitizer build sets it) (and a chunked
# one), 100 downloads at once, keep-alive, the error statuses, "Connection refused" from a
# closed synack port, TIME-WAIT on the synack side when synack closes first (synack-ss),
# and tshark finds nothing wrong in the capture. Over IPv4, or over IPv6 with
# INTEROP_FAMILY=6 (IP6-6: curl -6, the same checks).
#
# usage: [INTEROP_FAMILY=6] httpd.sh SYNACK_HTTPD [SYNACK_SS]
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no TUN, a tool missing).
NS_TAG=httpd${INTEROP_FAMILY:-}
. "$(dirname "$0")/lib.sh"

httpd=$1
synack_ss=${2:-}
need_root_and_tools curl nc ss xargs
[ -x "$httpd" ] || die "no synack-httpd at '$httpd'"

setup_ns
use_family "${INTEROP_FAMILY:-4}"
URL=http://$H
# hostports as grep -E patterns: synack's on port 80, and Linux's address (the log writes
# an IPv6 client as [A]:PORT)
re() { echo "$1" | sed 's/[].[]/\\&/g'; }
S80_RE=$(re "$(hostport $S 80)")
L_RE=$(re "$(hostport $L 0 | sed 's/:0$//')")
# synack-httpd listens dual-stack: (synack-)ss names its IPv4 connections IPv4-mapped, as
# Linux's ss names those of such a socket.
SS80_RE=$S80_RE
[ "$FAMILY" = 4 ] && SS80_RE=$(re "$(hostport ::ffff:$S 80)")
mkdir -p "$W/www/sub" "$W/www/empty" "$W/up/dir" "$W/dl" "$W/par"
head -c $((1 << 20)) /dev/urandom >"$W/www/f1m"
head -c $((10 << 20)) /dev/urandom >"$W/www/f10m"
BIG=${SYNACK_TRANSFER_MIB:-100}
[ "$BIG" -gt 100 ] && BIG=100
head -c $((BIG << 20)) /dev/urandom >"$W/www/fbig"
head -c $((1 << 20)) /dev/urandom >"$W/u1m"
echo "<h1>synack</h1>" >"$W/www/index.html"
echo "sub index" >"$W/www/sub/index.html"
echo "secret" >"$W/outside.txt"
ln -s "$W/outside.txt" "$W/www/escape"

bg HTTPD "$httpd" --tun tun0 --addr $S/$P --host-addr $L/$P -w "$W/httpd.pcap" \
	--root "$W/www" --upload-dir "$W/up" --port 80 --idle 3 -v 2>"$W/httpd.log"
wait_for 10 in_ns curl -g -sf -o /dev/null --max-time 1 $URL/index.html ||
	die "synack-httpd did not answer within 10 s"
ok "synack-httpd answers"
# The log: one startup line first, and every line stamped with the time (UTC, ISO 8601).
STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
head -1 "$W/httpd.log" | grep -Eq "^$STAMP synack-httpd: serving $W/www on $S80_RE \(tun0\), PUT into $W/up" &&
	[ "$(grep -c 'synack-httpd: serving' "$W/httpd.log")" = 1 ] &&
	ok "the log starts with one startup line: $(head -1 "$W/httpd.log" | cut -c1-100)..." ||
	bad "startup line: '$(head -1 "$W/httpd.log")'"

curl_in() {
	in_ns curl -g -s --max-time 120 "$@"
}

# ---- downloads ----
for f in f1m f10m fbig; do
	t=$(date +%s.%N)
	code=$(curl_in -o "$W/dl/$f" -w '%{http_code}' $URL/$f)
	secs=$(echo "$(date +%s.%N) $t" | awk '{printf "%.2f", $1 - $2}')
	[ "$code" = 200 ] || bad "GET /$f: status $code"
	same_file "GET /$f in $secs s" "$W/www/$f" "$W/dl/$f"
done
rm -f "$W/dl/"*

# ---- uploads ----
# put NAME SOURCE [curl options]: curl -T, then the stored file, the X-Content-SHA256 header
# and the response body must all carry the source's SHA-256.
put() {
	local name=$1 src=$2
	shift 2
	local t code want secs
	t=$(date +%s.%N)
	code=$(curl_in -v -D "$W/put.h" -o "$W/put.b" -w '%{http_code}' "$@" $URL/$name 2>"$W/put.err")
	secs=$(echo "$(date +%s.%N) $t" | awk '{printf "%.2f", $1 - $2}')
	want=$(sha "$src")
	[ "$code" = 201 ] && ok "PUT /$name: 201 Created in $secs s" || bad "PUT /$name: status $code"
	same_file "PUT /$name: stored file" "$src" "$W/up/$name"
	if grep -qi "^X-Content-SHA256: $want" "$W/put.h" && [ "$(cat "$W/put.b")" = "$want" ]; then
		ok "PUT /$name: X-Content-SHA256 header and body carry the sha256"
	else
		bad "PUT /$name: sha256 header/body wrong: $(grep -i x-content "$W/put.h") / $(head -c 80 "$W/put.b")"
	fi
}
put u1m "$W/u1m" -T "$W/u1m"
# curl sends "Expect: 100-continue" for a body this large, and waits for the 100.
put ubig "$W/www/fbig" -T "$W/www/fbig"
grep -q '^< HTTP/1.1 100 Continue' "$W/put.err" && ok "PUT of $BIG MiB: 100 Continue before the body" ||
	bad "PUT of $BIG MiB: no 100 Continue seen by curl"
# From a pipe, curl does not know the length: a chunked body.
put dir/chunked "$W/u1m" -T - <"$W/u1m"
grep -qi '^> Transfer-Encoding: chunked' "$W/put.err" &&
	ok "curl -T - sent a chunked body" || bad "curl -T - did not send a chunked body"
rm -f "$W/up/ubig"
# An upload cut off half-way leaves nothing behind: neither the file nor its temporary.
curl_in -o /dev/null --max-time 1 --limit-rate 2M -T "$W/www/fbig" $URL/cut
cut_gone() { [ ! -e "$W/up/cut" ] && ! compgen -G "$W/up/.cut.*" >/dev/null; }
wait_for 5 cut_gone && ok "an upload cut off by the client leaves nothing in the upload directory" ||
	bad "a cut-off upload left: $(ls -A "$W/up")"

# ---- 100 downloads at once ----
t=$(date +%s.%N)
seq 1 100 | xargs -P 100 -I{} ip netns exec "$NS" curl -g -s --max-time 120 -o "$W/par/{}" $URL/f1m \
	2>"$W/par.err"
secs=$(echo "$(date +%s.%N) $t" | awk '{printf "%.2f", $1 - $2}')
want=$(sha "$W/www/f1m")
good=0
for i in $(seq 1 100); do
	[ -f "$W/par/$i" ] && [ "$(sha "$W/par/$i")" = "$want" ] && good=$((good + 1))
done
[ $good = 100 ] && ok "100 concurrent downloads of 1 MiB: all 100 intact in $secs s" ||
	bad "100 concurrent downloads: only $good of 100 intact"
rm -rf "$W/par"

# ---- 200 keep-alive connections at once, on one serving thread ----
# One bash in the namespace opens 200 connections (/dev/tcp), sends a request on each, reads
# every response, then a second request on each connection (keep-alive), and holds them
# open a moment: synack-ss must show 200 established, and synack-httpd must have served
# them all without a thread per connection (its main, the runtime's loop, the signal
# thread).
threads() { awk '/^Threads:/ {print $2}' "/proc/$HTTPD/status"; }
rm -f "$W/ka200.out"
t=$(date +%s.%N)
in_ns env LC_ALL=C timeout 60 bash -c '
	fds=()
	for i in $(seq 1 200); do
		exec {fd}<>/dev/tcp/'$S'/80 || exit 1
		fds+=($fd)
	done
	good=0
	for round in 1 2; do
		for fd in "${fds[@]}"; do
			printf "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n" >&$fd
		done
		for fd in "${fds[@]}"; do
			IFS= read -r -t 20 -u $fd status || exit 2
			len=0
			while IFS= read -r -t 20 -u $fd line; do
				line=${line%$'"'"'\r'"'"'}
				[ -z "$line" ] && break
				case $line in Content-Length:*) len=${line#*: } ;; esac
			done
			IFS= read -r -t 20 -N "$len" -u $fd body || exit 3
			[[ $status == "HTTP/1.1 200 OK"* && $body == "<h1>synack</h1>"* ]] && good=$((good + 1))
		done
	done
	echo "$good" >'"$W/ka200.out.tmp"'
	mv '"$W/ka200.out.tmp"' '"$W/ka200.out"'
	sleep 1.5' &
ka=$!
maxthr=0
while kill -0 $ka 2>/dev/null && [ ! -s "$W/ka200.out" ]; do
	n=$(threads)
	[ "${n:-0}" -gt $maxthr ] && maxthr=$n
	sleep 0.05
done
estab=$("$synack_ss" -tn 2>/dev/null | grep -Ec "^ESTAB .*$SS80_RE ")
n=$(threads)
[ "${n:-0}" -gt $maxthr ] && maxthr=$n
wait $ka
st=$?
secs=$(echo "$(date +%s.%N) $t" | awk '{printf "%.2f", $1 - $2}')
good=$(cat "$W/ka200.out" 2>/dev/null)
[ $st = 0 ] && [ "$good" = 400 ] && ok "200 keep-alive connections at once, 2 requests each: 400 good responses in $secs s" ||
	bad "200 keep-alive connections: status $st, $good of 400 responses good"
if [ -n "$synack_ss" ]; then
	[ "$estab" = 200 ] && ok "synack-ss -tn showed the 200 connections ESTAB" ||
		bad "synack-ss -tn showed $estab connections ESTAB to port 80, expected 200"
fi
[ "$maxthr" -ge 1 ] && [ "$maxthr" -le 4 ] && ok "synack-httpd ran on at most $maxthr threads meanwhile" ||
	bad "synack-httpd had $maxthr threads serving 200 connections (expected at most 4)"
n=$(grep -Ec "^$STAMP $L_RE:[0-9]+ \"GET /index.html HTTP/1.1\" 200 16$" "$W/httpd.log")
[ "$n" -ge 400 ] && ok "-v logged the 400 requests, each line stamped" || bad "only $n stamped log lines of the 400 requests"

# ---- keep-alive ----
# Fixed client ports are below Linux's ephemeral range (32768-60999): a port in it may still
# be held in TIME-WAIT by one of the curls above, and the bind would fail.
curl_in -v -o /dev/null -o /dev/null --local-port 31000 $URL/index.html $URL/f1m 2>"$W/ka.err"
if grep -q 'Re-using existing connection' "$W/ka.err"; then
	ok "keep-alive: curl URL URL re-uses the connection"
else
	bad "keep-alive: connection not re-used; curl said:"
	grep -v '^[<>{}] \|^  [0-9 ]\|^  %\|^ *Dload' "$W/ka.err" | sed 's/^/      /' | head -40
	echo "      synack-httpd's log of those requests:"
	tail -n 5 "$W/httpd.log" | sed 's/^/      /'
	echo "      synack-ss -tan now:"
	[ -n "$synack_ss" ] && "$synack_ss" -tan 2>&1 | sed 's/^/      /' | head -20
fi
n=$(grep -cE "^$STAMP $L_RE:31000 \"GET" "$W/httpd.log")
[ "$n" = 2 ] && ok "keep-alive: both requests came on $(hostport $L 31000)" ||
	bad "keep-alive: $n requests logged from port 31000, expected 2"
curl_in -v -o /dev/null -H 'Connection: close' $URL/index.html 2>"$W/cc.err"
grep -qi '^< Connection: close' "$W/cc.err" && ok "Connection: close is honoured" ||
	bad "Connection: close: no 'Connection: close' in the response"
curl_in -v -o /dev/null --http1.0 $URL/index.html 2>"$W/h10.err"
grep -qi '^< Connection: close' "$W/h10.err" && ok "HTTP/1.0 without keep-alive: closed" ||
	bad "HTTP/1.0: no 'Connection: close'"
curl_in -v -o /dev/null -o /dev/null --http1.0 -H 'Connection: keep-alive' $URL/index.html \
	$URL/index.html 2>"$W/h10k.err"
grep -q 'Re-using existing connection' "$W/h10k.err" && ok "HTTP/1.0 with Connection: keep-alive: kept" ||
	bad "HTTP/1.0 keep-alive: not re-used"

# Three pipelined requests in one write; the last asks to close.
printf 'GET /index.html HTTP/1.1\r\nHost: a\r\n\r\nHEAD /f1m HTTP/1.1\r\nHost: a\r\n\r\nGET /sub/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
	in_ns timeout 10 nc $S 80 >"$W/pipe.out"
st=$?
n=$(grep -c '^HTTP/1.1 200 OK' "$W/pipe.out")
[ $st = 0 ] && [ "$n" = 3 ] && grep -q '<h1>synack</h1>' "$W/pipe.out" && grep -q 'sub index' "$W/pipe.out" &&
	ok "3 pipelined requests: 3 responses in order, then closed" ||
	bad "pipelining: nc status $st, $n responses"
# An idle keep-alive connection is closed after --idle 3 seconds.
t=$(date +%s%N)
in_ns timeout 20 bash -c "exec 3<>/dev/tcp/$S/80 && cat <&3 >/dev/null"
ms=$((($(date +%s%N) - t) / 1000000))
[ $ms -ge 2500 ] && [ $ms -lt 8000 ] && ok "an idle connection is closed by the server after $ms ms (--idle 3)" ||
	bad "idle connection closed after $ms ms, expected about 3000"

# ---- statuses ----
status() { # status EXPECTED DESCRIPTION curl-args...
	local want=$1 what=$2
	shift 2
	local code
	code=$(curl_in -o "$W/st.b" -w '%{http_code}' "$@")
	[ "$code" = "$want" ] && ok "$what: $code" || bad "$what: got $code, expected $want"
}
status 200 "a directory serves its index.html" $URL/sub/
status 404 "a missing file" $URL/nope
status 404 "a directory without index.html" $URL/empty/
status 403 "../ in the path" --path-as-is "$URL/../outside.txt"
status 403 "%2e%2e in the path" "$URL/%2e%2e/outside.txt"
status 403 "a symbolic link out of the root" $URL/escape
status 405 "DELETE" -X DELETE $URL/f1m
status 403 "PUT with ../ in the path" -T "$W/u1m" $URL/../x --path-as-is
status 409 "PUT into a directory that does not exist" -T "$W/u1m" $URL/nodir/x
status 400 "a bad percent escape" "$URL/a%zz"
status 414 "an 9000-byte path" "$URL/$(head -c 9000 /dev/zero | tr '\0' a)"
status 431 "9000 bytes of headers" -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' b)" $URL/index.html
status 200 "HEAD" -I $URL/f10m
grep -q 'Content-Length: 10485760' <(curl_in -I $URL/f10m | tr -d '\r') &&
	ok "HEAD gives the file's Content-Length" || bad "HEAD: wrong Content-Length"
ctype=$(curl_in -o /dev/null -w '%{content_type}' $URL/index.html)
[ "$ctype" = "text/html; charset=utf-8" ] && ok "Content-Type from the extension: $ctype" ||
	bad "Content-Type of index.html: '$ctype'"

# ---- connection refused by a closed synack port ----
out=$(in_ns nc -zv -w 2 $S 81 2>&1)
st=$?
[ $st != 0 ] && echo "$out" | grep -q 'Connection refused' &&
	ok "Linux nc -z to closed synack port 81: Connection refused" ||
	bad "nc -z to a closed port: status $st, '$out'"
out=$(curl_in -v $URL:81/ 2>&1)
st=$?
[ $st = 7 ] && echo "$out" | grep -q 'Connection refused' &&
	ok "curl to closed synack port 81: Connection refused (exit 7)" ||
	bad "curl to a closed port: status $st, '$(echo "$out" | tail -2)'"

# ---- synack closes first: TIME-WAIT on synack's side, none on Linux's ----
# An HTTP/1.0 request without keep-alive from Linux nc, which closes only after it has read
# the end of the stream: synack's FIN is first (curl could close first, or at once).
printf 'GET /index.html HTTP/1.0\r\n\r\n' | in_ns timeout 10 nc -p 31001 $S 80 >"$W/h10nc.out"
grep -q '<h1>synack</h1>' "$W/h10nc.out" && ok "HTTP/1.0 request from nc answered, then closed by synack" ||
	bad "HTTP/1.0 request from nc: '$(head -c 200 "$W/h10nc.out")'"
tuple="$(hostport $S 80) $(hostport $L 31001)"
if [ -n "$synack_ss" ] && [ -x "$synack_ss" ]; then
	tw() { in_ns "$synack_ss" -tan | awk -v l="$(hostport $S 80)" -v r="$(hostport $L 31001)" \
		'$1 == "TIME-WAIT" && $4 == l && $5 == r {f=1} END {exit !f}'; }
	if wait_for 5 tw; then
		ok "synack-ss -ta shows TIME-WAIT for $tuple (synack closed first)"
	else
		bad "synack-ss shows no TIME-WAIT for $tuple:"
		in_ns "$synack_ss" -tan
	fi
	gone() { ! in_ns ss -tanH "( sport = :31001 )" | grep -q .; }
	if wait_for 5 gone; then
		ok "Linux: nothing left of $(hostport $L 31001) (no TIME-WAIT on the side that closed second)"
	else
		bad "Linux still has: $(in_ns ss -tanH '( sport = :31001 )')"
	fi
else
	echo "note: no synack-ss given, the synack-side TIME-WAIT check is skipped"
fi

stop_tool "$HTTPD" synack-httpd
grep -q 'synack-httpd: stopped' "$W/httpd.log" || bad "synack-httpd did not log its stop"
check_pcap "$W/httpd.pcap" $L
# The TUN has offloads on: synack sends TSO super-segments (many MSS in one packet, which
# the kernel cuts) and the kernel hands it GRO'd ones; both appear whole in the capture.
n_out=$(tshark -r "$W/httpd.pcap" -Y "$IPF.src == $S && tcp.len > $SEG" 2>/dev/null | wc -l)
n_in=$(tshark -r "$W/httpd.pcap" -Y "$IPF.src == $L && tcp.len > $SEG" 2>/dev/null | wc -l)
[ "$n_out" -gt 0 ] && ok "TSO: $n_out segments from synack longer than one MSS" ||
	bad "TSO: no segment from synack longer than one MSS"
[ "$n_in" -gt 0 ] && ok "GRO: $n_in segments from Linux longer than one MSS" ||
	bad "GRO: no segment from Linux longer than one MSS"
finish
