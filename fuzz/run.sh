#!/bin/sh
# run.sh: run libFuzzer targets and print one line for each.
#   sh fuzz/run.sh BINDIR runs N TARGET...      at least N executions each, seed FUZZ_SEED (default 1) (make fuzz-short)
#   sh fuzz/run.sh BINDIR seconds S TARGET...   S seconds each (make fuzz)
# FUZZ_JOBS (default: the number of cores, at most 4) targets run at a time. New inputs go to BINDIR/corpus/TARGET (never into the committed seeds); a crash leaves
# its input in BINDIR/artifacts and fails the run: add it to fuzz/regressions/TARGET once fixed.
set -eu
bindir=$1 mode=$2 value=$3
shift 3
mkdir -p "$bindir/artifacts"
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -gt 4 ] && jobs=4

run_one() {
	t=$1
	corpus="$bindir/corpus/$t"
	[ "$mode" = runs ] && corpus=$(mktemp -d "${TMPDIR:-/tmp}/tiejian-$t.XXXXXX")
	mkdir -p "$corpus"
	seeds=""
	[ -d "fuzz/corpus/$t" ] && seeds="fuzz/corpus/$t"
	[ -d "fuzz/regressions/$t" ] && seeds="$seeds fuzz/regressions/$t"
	dict=""
	[ -f "fuzz/dict/$t.dict" ] && dict="-dict=fuzz/dict/$t.dict"
	# the short run is part of make test: a fixed seed (FUZZ_SEED) makes it fail again the same
	# way it failed once; the long run takes a fresh seed each time to go where no run has gone
	if [ "$mode" = runs ]; then
		limit="-runs=$value -seed=${FUZZ_SEED:-1}"
	else
		limit="-max_total_time=$value"
	fi
	log="$bindir/artifacts/$t.log"
	start=$(date +%s)
	# shellcheck disable=SC2086
	if "$bindir/fuzz/$t" $limit $dict -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$bindir/artifacts/$t-" "$corpus" $seeds >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		secs=$(($(date +%s) - start))
		printf '%-18s %9s runs in %4ss (%s/s), no crash, corpus %s\n' "$t" "${runs:-0}" \
			"$secs" "$((${runs:-0} / (secs > 0 ? secs : 1)))" "$(ls "$corpus" | wc -l)"
		one=0
	else
		echo "$t: FAILED (input and log in $bindir/artifacts):"
		grep -A25 -m1 -E '^==[0-9]+==ERROR|^fuzz: check failed|runtime error|deadly signal' "$log" || tail -n 40 "$log"
		one=1
	fi
	[ "$mode" = runs ] && rm -rf "$corpus"
	return $one
}

# The first target (the slowest: fuzz_api) gets a lane of its own, the others share the rest.
lane() {
	failed=0
	for t in "$@"; do run_one "$t" || failed=1; done
	return $failed
}
status=0
if [ "$jobs" -le 1 ] || [ $# -le 1 ]; then
	lane "$@" || status=1
	exit $status
fi
first=$1
shift
lane "$first" &
pids=$!
i=0
while [ $i -lt $((jobs - 1)) ]; do
	set -- "$@"
	mine=""
	k=0
	for t in "$@"; do
		[ $((k % (jobs - 1))) -eq $i ] && mine="$mine $t"
		k=$((k + 1))
	done
	# shellcheck disable=SC2086
	lane $mine &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p" || status=1; done
exit $status
