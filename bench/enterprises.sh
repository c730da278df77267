#!/bin/sh
# enterprises.sh: the enterprise registry under load, at the API: list and search over N
# enterprises (default 100,000) with wrk. Not a test: it prints figures for docs/performance.md.
#
#   sh bench/enterprises.sh [N]
#
# Environment: TIEJIAN_BIN (default build/rel/tiejian), BENCH_DB (reuse a database already
# loaded with `tiejian demo --enterprises N`; default: a fresh SQLite file, or a postgres:// URL),
# BENCH_DURATION (seconds per run, default 10), BENCH_CONNECTIONS (default 16),
# BENCH_THREADS (wrk threads, default 2), BENCH_OUT (also write the table there).
# Each scenario runs twice: one connection (latency without queueing: p50, p99) and
# BENCH_CONNECTIONS connections (throughput: req/s, and p50/p99 with queueing).
# Needs wrk (Debian's package: apt-get install wrk) and node.
set -eu
cd "$(dirname "$0")/.."
N=${1:-100000}
BIN=${TIEJIAN_BIN:-build/rel/tiejian}
DUR=${BENCH_DURATION:-10}
CONN=${BENCH_CONNECTIONS:-16}
WT=${BENCH_THREADS:-2}
command -v wrk >/dev/null 2>&1 || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench: $BIN is not built (make)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tiejian-bench.XXXXXX")
SERVER_PID=
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

DB=${BENCH_DB:-}
if [ -z "$DB" ]; then
	DB="$WORK/bench.db"
	start=$(date +%s.%N)
	"$BIN" demo --db "$DB" --enterprises "$N" >/dev/null 2>"$WORK/demo.log"
	end=$(date +%s.%N)
	LOAD_S=$(echo "$end - $start" | bc)
	echo "loaded the demo city with $N enterprises in ${LOAD_S}s"
fi

PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --no-access-log --no-jobs >"$WORK/out" 2>"$WORK/err" &
SERVER_PID=$!
i=0
until grep -q "listening on" "$WORK/out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "bench: server did not start" >&2; cat "$WORK/err" >&2; exit 1; }
	sleep 0.1
done
URL="http://127.0.0.1:$PORT"

# login USER: print the session cookie
login() {
	node -e '
		const [url, user] = process.argv.slice(1);
		fetch(url + "/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ username: user, password: "Demo@2026" }) })
		.then((r) => { if (r.status !== 200) process.exit(1); console.log(r.headers.get("set-cookie").split(";")[0]); });
	' "$URL" "$1"
}
CITY=$(login leader)
COUNTY=$(login handler) # 龙沙区工业和信息化局: its county's enterprises
LIAISON=$(login cadre)  # a liaison cadre: the enterprises assigned to them

# run LABEL COOKIE PATH: one wrk run; prints a table row
TOTALS="$WORK/totals"
run() {
	label=$1 cookie=$2 path=$3
	total=$(node -e '
		fetch(process.argv[1], { headers: { Cookie: process.argv[2] } }).then(async (r) => {
			const j = await r.json(); console.log(r.status === 200 ? j.total : "HTTP " + r.status);
		});' "$URL$path" "$cookie")
	one=$(wrk -t1 -c1 -d"${DUR}s" --latency -H "Cookie: $cookie" "$URL$path")
	out=$(wrk -t"$WT" -c"$CONN" -d"${DUR}s" --latency -H "Cookie: $cookie" "$URL$path")
	p50=$(echo "$one" | awk '$1 == "50%" { print $2 }')
	p99=$(echo "$one" | awk '$1 == "99%" { print $2 }')
	q50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
	q99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
	rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
	errs=$(echo "$out$one" | awk '/Non-2xx/ { n += $NF } END { if (n) print n }')
	printf '| %s | `%s` | %s | %s | %s | %s | %s / %s |\n' "$label" "$path" "$total" "$p50" "$p99" \
		"$rps${errs:+ ($errs non-2xx)}" "$q50" "$q99"
}

enc() { node -e 'console.log(encodeURIComponent(process.argv[1]))' "$1"; }

{
	echo "| scenario | request | matches | p50 (1 conn.) | p99 (1 conn.) | req/s ($CONN conn.) | p50 / p99 ($CONN conn.) |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	run "city list, first page (sorted by name)" "$CITY" "/api/v1/enterprises?page_size=20"
	run "city list filtered: county + size, newest first" "$CITY" "/api/v1/enterprises?region_code=230202&scale=small&sort=-updated&page_size=20"
	run "city list filtered: manufacturing, 规上, by capital" "$CITY" "/api/v1/enterprises?industry_code=C&above_scale=true&sort=-capital&page_size=20"
	run "county list, first page" "$COUNTY" "/api/v1/enterprises?page_size=20"
	run "liaison's list, first page" "$LIAISON" "/api/v1/enterprises?page_size=20"
	run "search, 1 character" "$CITY" "/api/v1/enterprises?q=$(enc 鹤)&page_size=20"
	run "search, 2 characters" "$CITY" "/api/v1/enterprises?q=$(enc 龙沙)&page_size=20"
	run "search, 2 characters (county scope)" "$COUNTY" "/api/v1/enterprises?q=$(enc 食品)&page_size=20"
	run "search, 4 characters" "$CITY" "/api/v1/enterprises?q=$(enc 机械制造)&page_size=20"
	run "search, 6 characters (rare)" "$CITY" "/api/v1/enterprises?q=$(enc 鹤城新材料科)&page_size=20"
	run "search, pinyin initials" "$CITY" "/api/v1/enterprises?q=hcxcl&page_size=20"
	run "search, Chinese and digits" "$CITY" "/api/v1/enterprises?q=$(enc 制造3号)&page_size=20"
	run "search + filter, sorted by employees" "$CITY" "/api/v1/enterprises?q=$(enc 机械)&scale=medium&sort=-employees&page_size=20"
} | tee "$WORK/table"
[ -n "${BENCH_OUT:-}" ] && cp "$WORK/table" "$BENCH_OUT"
echo
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: $WT threads, $CONN connections, ${DUR}s per scenario; database: $( case "$DB" in postgres*) echo PostgreSQL;; *) echo SQLite;; esac)"
