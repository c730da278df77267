#!/bin/sh
# appeals.sh: appeals under load, at the API: filing an appeal (durable, one transaction per
# request, with its audit row, search index and counters), the first page of filtered queues,
# statistics and search over N appeals (default 1,000,000) with wrk. Not a test: it prints
# figures for docs/performance.md.
#
#   sh bench/appeals.sh [N]
#
# Environment: TIEJIAN_BIN (default build/rel/tiejian), BENCH_DB (reuse a database already
# loaded with `tiejian demo --enterprises E --appeals N`; default: a fresh SQLite file, or a
# postgres:// URL to load), BENCH_ENTERPRISES (default 100000), BENCH_DURATION (seconds per run,
# default 10), BENCH_CONNECTIONS (default 16), BENCH_THREADS (wrk threads, default 2),
# BENCH_OUT (also write the table there), BENCH_ONLY (read or file: only those scenarios),
# BENCH_SERVER_THREADS (the server's --threads, default BENCH_CONNECTIONS: a request waiting
# for its commit's sync holds its thread, and filings waiting together share one commit).
# Each read runs twice: one connection (latency without queueing) and BENCH_CONNECTIONS
# connections (throughput). Filing runs last (it adds appeals).
# Needs wrk (apt-get install wrk) and node.
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000000}
E=${BENCH_ENTERPRISES:-100000}
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
if [ -z "$DB" ] || [ "${BENCH_LOAD:-}" = 1 ]; then
	[ -z "$DB" ] && DB="$WORK/bench.db"
	start=$(date +%s.%N)
	"$BIN" demo --db "$DB" --enterprises "$E" --appeals "$N" >/dev/null 2>"$WORK/demo.log"
	end=$(date +%s.%N)
	echo "loaded the demo city with $E enterprises and $N appeals in $(echo "$end - $start" | bc)s"
fi

PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --threads "${BENCH_SERVER_THREADS:-$CONN}" --no-access-log --no-jobs >"$WORK/out" 2>"$WORK/err" &
SERVER_PID=$!
i=0
until grep -q "listening on" "$WORK/out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 600 ] && { echo "bench: server did not start" >&2; cat "$WORK/err" >&2; exit 1; }
	sleep 0.1
done
URL="http://127.0.0.1:$PORT"

# token USER: an API token of USER (Bearer: no session, no CSRF header)
token() {
	node -e '
		const [url, user] = process.argv.slice(1);
		(async () => {
			const r = await fetch(url + "/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
				body: JSON.stringify({ username: user, password: "Demo@2026" }) });
			if (r.status !== 200) process.exit(1);
			const cookie = r.headers.get("set-cookie").split(";")[0], csrf = (await r.json()).csrf_token;
			const t = await fetch(url + "/api/v1/me/tokens", { method: "POST", headers: { "Content-Type": "application/json",
				Cookie: cookie, "X-CSRF-Token": csrf }, body: JSON.stringify({ name: "bench", expires_days: 1 }) });
			console.log((await t.json()).secret);
		})();
	' "$URL" "$1"
}
CITY=$(token leader)
COUNTY=$(token handler)
ENT=$(token enterprise)

# run LABEL TOKEN PATH: two wrk runs; prints a table row
run() {
	label=$1 tok=$2 path=$3
	total=$(node -e '
		fetch(process.argv[1], { headers: { Authorization: "Bearer " + process.argv[2] } }).then(async (r) => {
			const j = await r.json();
			console.log(r.status !== 200 ? "HTTP " + r.status : j.total === undefined ? "-" :
				typeof j.total === "object" ? j.total.received + " received" :
				j.total + (j.total_exact === false ? "+" : ""));
		});' "$URL$path" "$tok")
	one=$(wrk -t1 -c1 -d"${DUR}s" --latency -H "Authorization: Bearer $tok" "$URL$path")
	out=$(wrk -t"$WT" -c"$CONN" -d"${DUR}s" --latency -H "Authorization: Bearer $tok" "$URL$path")
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

# Filing: each request a different enterprise and text (the duplicate guard would refuse
# near-identical ones), as the city's leader... who may not file; the county handler files for
# its county's enterprises.
# Up to 1,000 of the county's enterprises: the duplicate guard compares a filing with its
# enterprise's appeals of the last 30 days (up to 50), as many as a real one rarely has.
ENTS=$(node -e '
	(async () => {
		const ids = [];
		for (let page = 1; page <= 10; page++) {
			const r = await fetch(process.argv[1] + "/api/v1/enterprises?status=operating&page_size=100&page=" + page,
				{ headers: { Authorization: "Bearer " + process.argv[2] } });
			const items = (await r.json()).items;
			ids.push(...items.map((e) => e.id));
			if (items.length < 100) break;
		}
		console.log(ids.join(","));
	})();' "$URL" "$COUNTY")
CAT=$(node -e '
	fetch(process.argv[1] + "/api/v1/appeal-categories", { headers: { Authorization: "Bearer " + process.argv[2] } })
		.then(async (r) => console.log((await r.json()).items[0].children[0].id));' "$URL" "$COUNTY")
cat >"$WORK/file.lua" <<EOF
local ents = { $ENTS }
local chars = {}
for c in ("企业用电报装周期长技改贷款审批慢招工难物流成本高环评项目政策咨询补助资金拨付专利维权道路维修出口退税许可证能耗指标融资担保设备款拖欠展会厂房租赁人才引进数字化车间诊断天然气供应冬季生产热处理线"):gmatch("[%z\1-\127\194-\244][\128-\191]*") do chars[#chars + 1] = c end
local n = 0
math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
local function words(k)
	local t = {}
	for i = 1, k do t[i] = chars[math.random(#chars)] end
	return table.concat(t)
end
request = function()
	n = n + 1
	local body = '{"enterprise_id":' .. ents[math.random(#ents)] .. ',"channel":"visit","category_id":$CAT,'
		.. '"title":"' .. words(16) .. n .. '","content":"' .. words(80) .. '"}'
	return wrk.format("POST", "/api/v1/appeals", { ["Content-Type"] = "application/json",
		["Authorization"] = "Bearer $COUNTY" }, body)
end
EOF
file_run() {
	conns=$1 threads=$WT
	[ "$conns" -lt "$threads" ] && threads=$conns
	out=$(wrk -t"$threads" -c"$conns" -d"${DUR}s" --latency -s "$WORK/file.lua" "$URL")
	rps=$(echo "$out" | awk '/^Requests\/sec:/ { print $2 }')
	q50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
	q99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
	errs=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
	printf '| file an appeal (durable, one transaction each) | `POST /api/v1/appeals` | - | - | - | %s | %s / %s |\n' \
		"$rps${errs:+ ($errs non-2xx)} with $conns conn." "$q50" "$q99"
}

reads() {
	run "city queue, first page (newest)" "$CITY" "/api/v1/appeals?page_size=50"
	run "city queue: in progress, by deadline" "$CITY" "/api/v1/appeals?state=in_progress&sort=due&page_size=50"
	run "city queue: closed, newest" "$CITY" "/api/v1/appeals?state=closed&page_size=50"
	run "city queue: open, red, by deadline" "$CITY" "/api/v1/appeals?state=accepted,assigned,in_progress&colour=red&sort=due&page_size=50"
	run "county queue, first page" "$COUNTY" "/api/v1/appeals?page_size=50"
	run "enterprise's own appeals" "$ENT" "/api/v1/appeals?page_size=20"
	run "one appeal with its timeline" "$CITY" "/api/v1/appeals/1000"
	run "my work (county handler)" "$COUNTY" "/api/v1/appeals/work"
	run "statistics: city totals (dashboard)" "$CITY" "/api/v1/stats/appeals"
	run "statistics: city by unit" "$CITY" "/api/v1/stats/appeals?group_by=unit"
	run "statistics: city by month, 3 years" "$CITY" "/api/v1/stats/appeals?group_by=month&from=2023-12&to=2026-12"
	run "statistics: county by category" "$COUNTY" "/api/v1/stats/appeals?group_by=category"
	run "statistics: an enterprise's own" "$ENT" "/api/v1/stats/appeals"
	run "search, 2 characters (common)" "$CITY" "/api/v1/appeals?q=$(enc 用电)&page_size=50"
	run "search, 2 characters (rarer)" "$CITY" "/api/v1/appeals?q=$(enc 退税)&page_size=50"
	run "search, 4 characters" "$CITY" "/api/v1/appeals?q=$(enc 技改贷款)&page_size=50"
	run "search, 1 character" "$CITY" "/api/v1/appeals?q=$(enc 鹤)&page_size=50"
}

{
	echo "| scenario | request | matches | p50 (1 conn.) | p99 (1 conn.) | req/s ($CONN conn.) | p50 / p99 ($CONN conn.) |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	if [ "${BENCH_ONLY:-}" != file ]; then reads; fi
	if [ "${BENCH_ONLY:-}" != read ]; then
		file_run 1
		file_run "$CONN"
	fi
} | tee "$WORK/table"
[ -n "${BENCH_OUT:-}" ] && cp "$WORK/table" "$BENCH_OUT"
echo
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: $WT threads, $CONN connections, ${DUR}s per scenario; database: $( case "$DB" in postgres*) echo PostgreSQL;; *) echo SQLite;; esac)"
echo "server peak RSS: $(awk '/VmHWM/ { print $2, $3 }' /proc/$SERVER_PID/status)"
