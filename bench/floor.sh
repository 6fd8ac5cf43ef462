# The floor check the bench scripts share (sourced): floor WHAT VALUE BASE FACTOR prints
# "floor: WHAT >= FACTORx: VALUE vs BASE = RATIOx: PASS|FAIL" and sets FAIL=1 when VALUE is
# below FACTOR times BASE, or when either figure is missing.
FAIL=0
floor() {
	local verdict
	if [ -z "$2" ] || [ -z "$3" ]; then
		echo "floor: $1: no figure: FAIL"
		FAIL=1
		return
	fi
	verdict=$(awk -v a="$2" -v b="$3" -v f="$4" 'BEGIN { print (a >= f * b) ? "PASS" : "FAIL" }')
	printf 'floor: %s >= %sx: %.2f vs %.2f = %.2fx: %s\n' "$1" "$4" "$2" "$3" \
		"$(awk -v a="$2" -v b="$3" 'BEGIN { print a / b }')" "$verdict"
	[ "$verdict" = PASS ] || FAIL=1
}
