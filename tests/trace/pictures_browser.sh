#!/bin/bash
# The pictures in a real browser: gen_pictures writes a ladder, a plot and an HTML page;
# Debian's headless Chromium renders each to PNG; check_picture.py checks pixels that only a
# correct drawing has (the red crosses where the SVG puts them, lifelines and axes drawn,
# background where nothing is). Broken pictures (empty, cut short, crosses in another colour,
# lifelines left out) must fail the same checks.
#
# usage: pictures_browser.sh GEN_PICTURES WORKDIR
# Exit 77 (skipped) when no headless Chromium or python3 can run here.
set -u

gen=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
check="$here/check_picture.py"

browser=
for b in chromium-headless-shell /usr/lib/chromium/chromium-headless-shell chrome-headless-shell \
	chromium; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$(command -v "$b")
		break
	fi
done
if [ -z "$browser" ]; then
	echo "SKIP: no headless Chromium (Debian: apt-get install chromium-headless-shell)"
	exit 77
fi
py=$(command -v python3 || true)
if [ -z "$py" ]; then
	echo "SKIP: no python3"
	exit 77
fi

rm -rf "$work"
mkdir -p "$work" || exit 1
"$gen" "$work" || { echo "FAIL: gen_pictures"; exit 1; }

# size W H FILE: the root <svg>'s width and height (the first in the file)
size() {
	sed -n 's/.*<svg [^>]*width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$1" | head -1
}

# shot FILE PNG W H: renders FILE at a window of W x H px into PNG
shot() {
	rm -f "$2"
	timeout 60 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
		--force-device-scale-factor=1 --default-background-color=ffffffff \
		--user-data-dir="$work/profile" --window-size="$3,$4" --screenshot="$2" \
		"file://$1" >>"$work/browser.log" 2>&1
	[ -s "$2" ]
}

read -r lw lh < <(size "$work/ladder.svg")
read -r pw ph < <(size "$work/plot.svg")
if ! shot "$work/ladder.svg" "$work/ladder.png" $((lw + 40)) $((lh + 40)); then
	echo "SKIP: $browser does not run here:"
	tail -5 "$work/browser.log"
	exit 77
fi
fail=0
# expect ok|fail KIND PNG DOC: the checker's verdict must be as said
expect() {
	local want=$1
	shift
	"$py" "$check" "$@" >"$work/check.out" 2>&1
	local st=$?
	if [ "$want" = ok ] && [ $st -ne 0 ]; then
		echo "FAIL: check_picture $* failed:"
		cat "$work/check.out"
		fail=1
	elif [ "$want" = fail ] && [ $st -ne 1 ]; then
		echo "FAIL: check_picture $* did not fail as it should (exit $st):"
		cat "$work/check.out"
		fail=1
	else
		echo "ok: check_picture $* ($want): $(tail -1 "$work/check.out")"
	fi
}

expect ok ladder "$work/ladder.png" "$work/ladder.svg"
shot "$work/plot.svg" "$work/plot.png" $((pw + 40)) $((ph + 40)) || { echo "FAIL: no screenshot of plot.svg"; fail=1; }
expect ok plot "$work/plot.png" "$work/plot.svg"
shot "$work/page.html" "$work/page.png" 1200 3200 || { echo "FAIL: no screenshot of page.html"; fail=1; }
expect ok html "$work/page.png" "$work/page.html"

# broken pictures, checked against the good ones' geometry, must fail
: >"$work/empty.svg"
cut=$(grep -bo 'class="seg' "$work/ladder.svg" | head -1 | cut -d: -f1)
head -c "$cut" "$work/ladder.svg" >"$work/short.svg"
sed 's/stroke="#e00000"/stroke="#0000e0"/g' "$work/ladder.svg" >"$work/blue.svg"
sed '/class="lifeline"/d' "$work/ladder.svg" >"$work/nolife.svg"
for v in empty short blue nolife; do
	shot "$work/$v.svg" "$work/$v.png" $((lw + 40)) $((lh + 40)) || { echo "FAIL: no screenshot of $v.svg"; fail=1; }
	expect fail ladder "$work/$v.png" "$work/ladder.svg"
done
sed '/class="ack"/d' "$work/plot.svg" >"$work/noack.svg"
shot "$work/noack.svg" "$work/noack.png" $((pw + 40)) $((ph + 40)) || fail=1
expect fail plot "$work/noack.png" "$work/plot.svg"
: >"$work/empty.html"
shot "$work/empty.html" "$work/empty-page.png" 1200 3200 || fail=1
expect fail html "$work/empty-page.png" "$work/page.html"

if [ $fail -ne 0 ]; then
	echo "FAIL: pictures in the browser (screenshots in $work)"
	exit 1
fi
echo "PASS: pictures in the browser ($browser)"
exit 0
