# Sourced by the picture tests: headless Chromium reads an SVG as a browser
# would, so a picture that is not well-formed XML, or lacks a text, fails.
# chromium_find sets $chromium (returns 1 when there is none); chromium_render
# SVG DOM [PNG] writes the document Chromium built from SVG to DOM and, when
# given, renders SVG at its own size (at most 3000 x 4000 px) into PNG: one
# start of the browser for both, as each start takes seconds. The profile
# lives in the caller's $dir, so parallel tests never share one.
chromium_find() {
	for c in chromium chromium-browser google-chrome; do
		if command -v "$c" >/dev/null; then
			chromium=$c
			return 0
		fi
	done
	return 1
}

chromium_render() {
	set -- "$1" "$2" "${3:-}"
	w=$(grep -o 'width="[0-9]*"' "$1" | head -1 | tr -dc 0-9)
	h=$(grep -o 'height="[0-9]*"' "$1" | head -1 | tr -dc 0-9)
	[ "${w:-0}" -gt 0 ] && [ "${h:-0}" -gt 0 ] || { w=1400 h=1000; }
	[ "$w" -le 3000 ] || w=3000
	[ "$h" -le 4000 ] || h=4000
	[ -z "$3" ] || rm -f "$3"
	"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
		--user-data-dir="$dir/chromium-profile" --window-size="$w,$h" \
		${3:+--screenshot="$3"} --dump-dom "file://$1" >"$2" 2>>"$dir/chromium.log"
}
# png_check PNG MIN_BYTES: a real image, larger than an empty page would be.
png_check() {
	[ -f "$1" ] || { echo "FAIL: Chromium wrote no $1"; return 1; }
	size=$(wc -c <"$1")
	magic=$(od -An -c -N4 "$1" | tr -d ' ')
	[ "$magic" = "211PNG" ] || { echo "FAIL: $1 is not a PNG ($magic)"; return 1; }
	[ "$size" -gt "$2" ] || { echo "FAIL: $1 is $size bytes, at most $2: an empty picture?"; return 1; }
	echo "ok: $1, $size bytes"
}

# dom_check DOM: Chromium parsed the SVG without an XML error.
dom_check() {
	[ -s "$1" ] || { echo "FAIL: Chromium gave no document for $1"; return 1; }
	if grep -q -i 'parsererror\|This page contains the following errors' "$1"; then
		echo "FAIL: the SVG is not well-formed XML:"
		cat "$1"
		return 1
	fi
	grep -q '<svg' "$1" || { echo "FAIL: no <svg> element in $1"; return 1; }
}
