#!/bin/sh
# run.sh: `make bench`: the hot paths of tiejian under wrk, each set against this machine's
# ceiling measured in the same run, in one Markdown table (also written to
# build/bench/latest.md, or build/bench/latest-postgres.md). Not a test: nothing fails on a
# figure. bench/README.md says how to read it.
#
#   sh bench/run.sh [--db sqlite|postgres]
#
# It builds tiejian and bench/ceiling, generates the data set with bench/gen (or reuses it from
# build/bench/, keyed by counts and seed), works on a copy of it, starts nginx (2 KB static
# JSON) and tiejian on free loopback ports, measures SQLite's own rate for the same statements
# (bench/ceiling), drives each path with wrk, and stops what it started.
#
# Environment: BENCH_DURATION (seconds per wrk run, default 10), BENCH_CONNECTIONS (default 16),
# BENCH_THREADS (wrk threads, default 2), BENCH_SERVER_THREADS (tiejian --threads, default
# tiejian's own: one per core; filings wait for their commit on the write lane's threads,
# whatever it is), BENCH_FLOOD_CONNECTIONS (login flood, default 20),
# BENCH_FLOOD_ME_CONNECTIONS (the /me run beside it, default 4), BENCH_CEILING_DURATION
# (seconds per ceiling loop, default 3), BENCH_ENTERPRISES / BENCH_USERS / BENCH_APPEALS /
# BENCH_SEED (default 100000 / 10000 / 1000000 / 1), BENCH_SMALL=1 (5000 / 1000 / 20000,
# 3-second runs: for trying the harness), BENCH_REGEN=1 (generate again even when cached),
# BENCH_KEEP=1 (keep the work folder: wrk's output, the captured statements, the server's log).
# shellcheck disable=SC2015,SC2016,SC2034,SC2154 # kill || true; Markdown backquotes; HWM_* read by eval
set -eu
cd "$(dirname "$0")/.."

KIND=sqlite
while [ $# -gt 0 ]; do
	case $1 in
	--db) KIND=$2; shift 2 ;;
	*) echo "usage: bench/run.sh [--db sqlite|postgres]" >&2; exit 2 ;;
	esac
done
case $KIND in sqlite | postgres) ;; *) echo "bench: --db is sqlite or postgres" >&2; exit 2 ;; esac

if [ "${BENCH_SMALL:-}" = 1 ]; then
	E=${BENCH_ENTERPRISES:-5000} U=${BENCH_USERS:-1000} A=${BENCH_APPEALS:-20000}
	DUR=${BENCH_DURATION:-3}
	CEIL_DUR=${BENCH_CEILING_DURATION:-1}
else
	E=${BENCH_ENTERPRISES:-100000} U=${BENCH_USERS:-10000} A=${BENCH_APPEALS:-1000000}
	DUR=${BENCH_DURATION:-10}
	CEIL_DUR=${BENCH_CEILING_DURATION:-3}
fi
SEED=${BENCH_SEED:-1}
CONN=${BENCH_CONNECTIONS:-16}
WT=${BENCH_THREADS:-2}
[ "$CONN" -lt "$WT" ] && WT=$CONN
FLOOD=${BENCH_FLOOD_CONNECTIONS:-20}
FLOOD_ME=${BENCH_FLOOD_ME_CONNECTIONS:-4}
BIN=build/rel/tiejian
CEILING=build/rel/bench/ceiling
OUT=build/bench

# ---- what the bench needs beyond make test: wrk and nginx (Debian's nginx-light) ----------------
need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || need="$need nginx-light"
command -v node >/dev/null 2>&1 || need="$need nodejs"
if [ -n "$need" ]; then
	echo "bench: installing Debian packages:$need"
	SUDO=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || { echo "bench: need root or sudo to install:$need" >&2; exit 1; }
		SUDO=sudo
	fi
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need
	NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
fi

make --no-print-directory -s all "$CEILING"
mkdir -p "$OUT"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tiejian-bench.XXXXXX")
SERVER_PID='' NGINX_PID='' PG_DIR=''
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	[ -n "$PG_DIR" ] && sh scripts/pg-test.sh stop "$PG_DIR"
	rm -f "$OUT/work.db" "$OUT/work.db-wal" "$OUT/work.db-shm"
	rm -rf "$OUT/work.db.files"
	if [ "${BENCH_KEEP:-}" = 1 ]; then echo "bench: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# ---- the data: generated once per counts and seed, then copied for each run ---------------------
CACHE="$OUT/sqlite-e$E-u$U-a$A-s$SEED.db"
if [ ! -f "$CACHE" ] || [ "${BENCH_REGEN:-}" = 1 ]; then
	rm -f "$CACHE"
	echo "bench: generating $E enterprises, $U users, $A appeals (seed $SEED) into $CACHE"
	sh bench/gen --seed "$SEED" --enterprises "$E" --users "$U" --appeals "$A" "$CACHE" 2>"$WORK/gen.log" ||
		{ tail -20 "$WORK/gen.log" >&2; exit 1; }
else
	echo "bench: reusing $CACHE (BENCH_REGEN=1 generates it again)"
fi
# The run files appeals into its copy, so every run starts from the same data.
cp --reflink=auto "$CACHE" "$OUT/work.db"
# As a deployment's daily job leaves it (a data set generated before the generator did this too
# is merged here; one that is merged already costs nothing)
"$BIN" upkeep --db "$OUT/work.db" >"$WORK/upkeep.log" 2>&1 || { cat "$WORK/upkeep.log" >&2; exit 1; }
if [ "$KIND" = postgres ]; then
	vars=$(sh scripts/pg-test.sh start) || exit 1
	eval "$vars"
	PG_DIR=$TIEJIAN_PG_DIR
	DB=$TIEJIAN_TEST_PG
	start=$(date +%s)
	"$BIN" migrate-data --from "$OUT/work.db" --to "$DB" >"$WORK/migrate.log" 2>&1 ||
		{ tail -20 "$WORK/migrate.log" >&2; exit 1; }
	echo "bench: copied into a throwaway PostgreSQL in $(($(date +%s) - start)) s"
else
	DB="$OUT/work.db"
fi

# ---- tiejian --------------------------------------------------------------------------------------
# start_server [ENV=VALUE...]: tiejian on a free loopback port; sets URL and SERVER_PID
start_server() {
	PORT=$(free_port)
	alog=--no-access-log
	[ "${BENCH_ACCESS_LOG:-}" = 1 ] && alog= # the access log, to set the server's own times beside wrk's
	threads=
	[ -n "$THREADS" ] && threads="--threads $THREADS"
	# shellcheck disable=SC2086 # $alog, $threads: an option (with its value) or nothing
	env "$@" "$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" $alog --no-jobs $threads \
		--login-rate 1000000/1 >"$WORK/out" 2>"$WORK/err" &
	SERVER_PID=$!
	i=0
	until grep -q "listening on" "$WORK/out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 600 ] && { echo "bench: tiejian did not start" >&2; cat "$WORK/err" >&2; exit 1; }
		sleep 0.1
	done
	URL="http://127.0.0.1:$PORT"
}
stop_server() {
	kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
	SERVER_PID=
}

# login USER: prints "COOKIE CSRF" (COOKIE as name=value)
login() {
	node -e '
		const [url, user] = process.argv.slice(1);
		fetch(url + "/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ username: user, password: "Demo@2026" }) })
		.then(async (r) => {
			if (r.status !== 200) { console.error("bench: login " + user + ": HTTP " + r.status); process.exit(1); }
			console.log(r.headers.get("set-cookie").split(";")[0] + " " + (await r.json()).csrf_token);
		});' "$URL" "$1"
}

enc() { node -e 'console.log(encodeURIComponent(process.argv[1]))' "$1"; }

# The paths: label, user, path (GET). The city's leader sees all; the county handler files.
P_ME="/api/v1/me"
P_QUEUE="/api/v1/appeals?state=in_progress&sort=due&page_size=50"
P_S3="/api/v1/appeals?q=$(enc 技改贷款)&page_size=50"
P_S2="/api/v1/appeals?q=$(enc 退税)&page_size=50"
P_STATS="/api/v1/stats/appeals"
P_ELIST="/api/v1/enterprises?page_size=20"
P_ESEARCH="/api/v1/enterprises?q=$(enc 机械制造)&page_size=20"

# ---- the SQLite ceiling: each path's own statements, replayed raw --------------------------------
# Captured here; each is measured just before its path (ceil, below).
: >"$WORK/ceilings"
if [ "$KIND" = sqlite ]; then
	THREADS=1 # one connection: its caches are warm after the first request
	start_server TIEJIAN_SQL_TRACE="$WORK/trace"
	# shellcheck disable=SC2046 # "COOKIE CSRF": two words
	set -- $(login leader)
	C_COOKIE=$1
	# capture LABEL PATH: the reads of the path's second request, less what every request of
	# its kind reads whatever it asks: the session and roles (/me is measured against nginx),
	# the appeal settings and the working-day calendar (configuration)
	capture() {
		node -e 'fetch(process.argv[1], { headers: { Cookie: process.argv[2] } }).then((r) => r.text())' "$URL$2" "$C_COOKIE"
		: >"$WORK/trace"
		node -e 'fetch(process.argv[1], { headers: { Cookie: process.argv[2] } }).then((r) => r.text())' "$URL$2" "$C_COOKIE"
		echo "# $1" >"$WORK/ceiling-$1.txt"
		grep -E '^SELECT' "$WORK/trace" | grep -vE 'FROM (sessions|user_roles|api_tokens|appeal_settings|calendar_)' >>"$WORK/ceiling-$1.txt" || true
	}
	capture queue "$P_QUEUE"
	capture search3 "$P_S3"
	capture search2 "$P_S2"
	capture stats "$P_STATS"
	capture elist "$P_ELIST"
	capture esearch "$P_ESEARCH"
	stop_server
fi
# ceil LABEL: SQLite's ceiling for the path, measured just before the path itself (the server
# idle meanwhile), so that a ratio sets two figures of the same minute beside each other: this
# machine's speed moves by up to a quarter between quarters of an hour. The durable commit is
# measured now, before tiejian serves: it writes to the file, which filing should find as the
# server alone left it.
ceil() {
	[ -s "$WORK/ceiling-$1.txt" ] || return 0
	echo "bench: $1, SQLite's ceiling (${CEIL_DUR}s)"
	"$CEILING" "$DB" "$WORK/ceiling-$1.txt" "$CEIL_DUR" >>"$WORK/ceilings"
}
if [ "$KIND" = sqlite ]; then
	printf '# commit\n@commit\n' >"$WORK/ceiling-commit.txt"
	ceil commit
fi
# ceiling LABEL: its rate, or nothing
ceiling() { awk -F'\t' -v l="$1" '$1 == l && $2 ~ /^[0-9.]+$/ { print $2 }' "$WORK/ceilings" 2>/dev/null; }

# ---- wrk ------------------------------------------------------------------------------------------
# wrk_run NAME CONNS ARGS...: one wrk run, its output in $WORK/NAME.wrk
wrk_run() {
	name=$1 conns=$2
	shift 2
	threads=$WT
	[ "$conns" -lt "$threads" ] && threads=$conns
	wrk -t"$threads" -c"$conns" -d"${DUR}s" --latency "$@" >"$WORK/$name.wrk" 2>&1
}
rps() { awk '/^Requests\/sec:/ { print $2 }' "$WORK/$1.wrk"; }
pct() { awk -v p="$2" '$1 == p { print $2 }' "$WORK/$1.wrk"; }
errs() { awk '/Non-2xx/ { n += $NF } /Socket errors/ { n += 0 } END { if (n) print n }' "$WORK/$1.wrk"; }
hwm() { awk '/^VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$SERVER_PID/status"; }

# nginx: 2 KB of static JSON, its own config in the work folder
mkdir -p "$WORK/nginx/www" "$WORK/nginx/tmp"
node -e '
	const items = [];
	const doc = () => JSON.stringify({ items, total: items.length });
	for (let i = 1; ; i++) {
		items.push({ id: i, title: "appeal " + i, state: "in_progress" });
		if (Buffer.byteLength(doc()) > 2048) { items.pop(); break; }
	}
	process.stdout.write(doc().padEnd(2048, " "));
' >"$WORK/nginx/www/static.json"
NPORT=$(free_port)
USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user $(id -un) $(id -gn);"
cat >"$WORK/nginx/nginx.conf" <<EOF
$USER_LINE
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	default_type application/json;
	keepalive_requests 1000000;
	client_body_temp_path $WORK/nginx/tmp;
	proxy_temp_path $WORK/nginx/tmp;
	fastcgi_temp_path $WORK/nginx/tmp;
	uwsgi_temp_path $WORK/nginx/tmp;
	scgi_temp_path $WORK/nginx/tmp;
	server {
		listen 127.0.0.1:$NPORT;
		root $WORK/nginx/www;
	}
}
EOF
"$NGINX" -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
i=0
until node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$NPORT/static.json" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 50 ] && { echo "bench: nginx did not start" >&2; cat "$WORK/nginx/error.log" >&2; exit 1; }
	sleep 0.1
done
echo "bench: nginx, 2 KB static JSON (${DUR}s, $CONN connections)"
wrk_run nginx "$CONN" "http://127.0.0.1:$NPORT/static.json"
kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
NGINX_PID=
NGINX_RPS=$(rps nginx)

THREADS=${BENCH_SERVER_THREADS:-}
start_server
# shellcheck disable=SC2046 # "COOKIE CSRF": two words
set -- $(login leader)
CITY_COOKIE=$1
# shellcheck disable=SC2046 # "COOKIE CSRF": two words
set -- $(login handler)
H_COOKIE=$1 H_CSRF=$2
# the county's operating enterprises (up to 1,000) and a subcategory, for filing
ENTS=$(node -e '
	(async () => {
		const ids = [];
		for (let page = 1; page <= 10; page++) {
			const r = await fetch(process.argv[1] + "/api/v1/enterprises?status=operating&page_size=100&page=" + page,
				{ headers: { Cookie: process.argv[2] } });
			const items = (await r.json()).items;
			ids.push(...items.map((e) => e.id));
			if (items.length < 100) break;
		}
		console.log(ids.join(","));
	})();' "$URL" "$H_COOKIE")
CAT=$(node -e '
	fetch(process.argv[1] + "/api/v1/appeal-categories", { headers: { Cookie: process.argv[2] } })
		.then(async (r) => console.log((await r.json()).items[0].children[0].id));' "$URL" "$H_COOKIE")

get() { # get NAME COOKIE PATH
	ceil "$1"
	echo "bench: $1 (${DUR}s, $CONN connections)"
	BENCH_COOKIE=$2 BENCH_PATH=$3 wrk_run "$1" "$CONN" -s bench/wrk/get.lua "$URL"
	eval "HWM_$1=\"\$(hwm)\""
}
get me "$CITY_COOKIE" "$P_ME"
get queue "$CITY_COOKIE" "$P_QUEUE"
get search3 "$CITY_COOKIE" "$P_S3"
get search2 "$CITY_COOKIE" "$P_S2"
get stats "$CITY_COOKIE" "$P_STATS"
get elist "$CITY_COOKIE" "$P_ELIST"
get esearch "$CITY_COOKIE" "$P_ESEARCH"
echo "bench: create (${DUR}s, $CONN connections)"
BENCH_COOKIE=$H_COOKIE BENCH_CSRF=$H_CSRF BENCH_ENTS=$ENTS BENCH_CAT=$CAT \
	wrk_run create "$CONN" -s bench/wrk/create.lua "$URL"
HWM_create=$(hwm)
if [ "${BENCH_ACCESS_LOG:-}" = 1 ]; then
	grep 'method=POST path="/api/v1/appeals"' "$WORK/err" | sed 's/.*dur_ms=\([0-9.]*\).*/\1/' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "bench: filing as the server timed it: %d requests, p50 %s ms, p99 %s ms, max %s ms\n", NR, v[int(NR * .5) + 1], v[int(NR * .99) + 1], v[NR] }'
fi
echo "bench: /me beside a login flood (${DUR}s, $FLOOD_ME + $FLOOD connections)"
BENCH_USERS=$U wrk_run flood "$FLOOD" -s bench/wrk/login.lua "$URL" &
FLOOD_PID=$!
sleep 0.5
BENCH_COOKIE=$CITY_COOKIE BENCH_PATH=$P_ME wrk_run meflood "$FLOOD_ME" -s bench/wrk/get.lua "$URL"
wait "$FLOOD_PID" || true
HWM_meflood=$(hwm)
PEAK=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")
stop_server

# ---- the table ------------------------------------------------------------------------------------
# row LABEL NAME CEILING_TEXT CEILING_RPS TARGET_KIND TARGET_ARG TARGET_TEXT
#   TARGET_KIND: ratio (req/s at least ARG times the ceiling), rps (at least ARG req/s), p99 (p99
#   at most ARG ms), ratio_p99 (ratio ARG as "R:MS"), none
row() {
	label=$1 name=$2 ctext=$3 crps=$4 kind=$5 arg=$6 ttext=$7
	r=$(rps "$name") p50=$(pct "$name" 50%) p99=$(pct "$name" 99%) e=$(errs "$name")
	eval "h=\${HWM_$name:-}"
	[ "$KIND" = postgres ] && kind=none ttext="—"
	awk -v label="$label" -v r="$r" -v p50="$p50" -v p99="$p99" -v e="$e" -v h="$h" \
		-v ctext="$ctext" -v crps="$crps" -v kind="$kind" -v arg="$arg" -v ttext="$ttext" '
	function ms(t) {
		if (t ~ /us$/) return t * 0.001
		if (t ~ /ms$/) return t + 0
		if (t ~ /s$/) return t * 1000
		return t + 0
	}
	BEGIN {
		ratio = (crps > 0 && r > 0) ? sprintf("%.0f %%", 100 * r / crps) : "—"
		met = "—"
		if (r == "") { met = "no figure" }
		else if (kind == "ratio") met = (r >= arg * crps) ? "met" : "not met"
		else if (kind == "rps") met = (r >= arg) ? "met" : "not met"
		else if (kind == "p99") met = (ms(p99) <= arg) ? "met" : "not met"
		else if (kind == "ratio_p99") {
			split(arg, a, ":")
			met = (r >= a[1] * crps && ms(p99) <= a[2]) ? "met" : "not met"
		}
		if (e != "") met = met " (" e " non-2xx)"
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, (r == "" ? "—" : sprintf("%.0f", r)),
			(p50 == "" ? "—" : p50), (p99 == "" ? "—" : p99), (h == "" ? "—" : h), ctext, ratio, ttext, met
	}'
}
fmt() { [ -n "$1" ] && printf '%s %s' "$1" "$2" || printf '—'; }
C_QUEUE=$(ceiling queue) C_S3=$(ceiling search3) C_S2=$(ceiling search2) C_STATS=$(ceiling stats)
C_ELIST=$(ceiling elist) C_ESEARCH=$(ceiling esearch) C_COMMIT=$(ceiling commit)
DBNAME=SQLite
[ "$KIND" = postgres ] && DBNAME="PostgreSQL (throwaway cluster, fsync off)"
TABLE="$OUT/latest.md"
[ "$KIND" = postgres ] && TABLE="$OUT/latest-postgres.md"
{
	echo "| path | req/s | p50 | p99 | peak RSS | ceiling | ratio | target | |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	row '`GET /api/v1/me`' me "nginx, 2 KB static: $(printf '%.0f' "$NGINX_RPS")/s" "$NGINX_RPS" ratio 0.8 "≥ 80 % of nginx"
	row 'appeal queue, in progress by deadline, first 50 `GET /api/v1/appeals?state=in_progress&sort=due&page_size=50`' queue \
		"$(fmt "$C_QUEUE" "/s (its SQL)")" "$C_QUEUE" ratio_p99 "0.7:20" "≥ 70 %, p99 < 20 ms"
	row 'file an appeal, durable `POST /api/v1/appeals`' create "$(fmt "$C_COMMIT" "/s (one-row commit)")" "$C_COMMIT" rps 1500 "≥ 1,500/s"
	row 'search, 4 characters, newest 50 `q=技改贷款`' search3 "$(fmt "$C_S3" "/s (its SQL)")" "$C_S3" rps 3000 "≥ 3,000/s"
	row 'search, 2 characters, newest 50 `q=退税`' search2 "$(fmt "$C_S2" "/s (its SQL)")" "$C_S2" rps 500 "≥ 500/s"
	row 'statistics, the city `GET /api/v1/stats/appeals`' stats "$(fmt "$C_STATS" "/s (its SQL)")" "$C_STATS" rps 5000 "≥ 5,000/s"
	row 'enterprise list, first 20 `GET /api/v1/enterprises?page_size=20`' elist "$(fmt "$C_ELIST" "/s (its SQL)")" "$C_ELIST" p99 20 "p99 < 20 ms"
	row 'enterprise search `q=机械制造`' esearch "$(fmt "$C_ESEARCH" "/s (its SQL)")" "$C_ESEARCH" p99 20 "p99 < 20 ms"
	row "\`GET /api/v1/me\` ($FLOOD_ME conn.) while $FLOOD clients log in" meflood "—" "" p99 50 "p99 < 50 ms"
	row "login flood beside it (Argon2id, $FLOOD conn.) \`POST /api/v1/auth/login\`" flood "—" "" none "" "—"
	awk -v peak="$PEAK" -v pg="$KIND" 'BEGIN {
		mb = peak / 1024
		met = pg == "postgres" ? "—" : (mb < 150 ? "met" : "not met")
		printf "| tiejian peak RSS (VmHWM), whole run | | | | %.0f MB | | | %s | %s |\n", mb, (pg == "postgres" ? "—" : "< 150 MB"), met
	}'
	echo
	echo "$DBNAME; $E enterprises, $U users, $A appeals (seed $SEED); wrk $WT threads, $CONN connections, ${DUR} s a path; tiejian --threads ${THREADS:-$(nproc) (one per core, its default)}; ceilings: one thread, ${CEIL_DUR} s each."
	echo "Machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), load average at the end $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%d)."
} >"$TABLE"
echo
cat "$TABLE"
