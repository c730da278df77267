#!/bin/sh
# run-unit.sh: run each cmocka test binary; fail if any fails, print one summary line.
set -u
fail=0
for t in "$@"; do
	if ! "$t"; then
		echo "FAILED: $t"
		fail=1
	fi
done
[ $fail = 0 ] && echo "unit: all $# test programs passed"
exit $fail
