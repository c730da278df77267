#!/bin/sh
# peer.sh: tiejian beside a real peer, Request Tracker 5 from Debian's packages, on the same
# machine in the same run (make bench-peer). Both systems get a queue of the same size; wrk
# measures on each, with keep-alive and the same fixed connection count:
#   RT       POST /REST/2.0/ticket                      create a ticket (default scrips, mail to a file)
#   RT       GET  /REST/2.0/tickets?query=...&per_page=50  the queue's first 50 tickets, newest first
#   tiejian  POST /api/v1/appeals                       file an appeal (durable)
#   tiejian  GET  /api/v1/appeals?page_size=50          the city queue's first page, newest first
# and prints a Markdown table (req/s, p50, p99, tiejian/RT), also written to build/bench/peer.md.
# Not a test: it prints figures for docs/performance.md. bench/peer.md says how to read them.
#
#   sh bench/peer.sh
#
# Installs what is missing (as root): request-tracker5, rt5-db-sqlite, rt5-standalone,
# dbconfig-no-thanks and w3m, answering the packages' questions beforehand (no database is
# configured by the packages; mail is never sent). RT then runs from a temporary directory:
# its own RT_SiteConfig.pm and SQLite database there (RT_SITE_CONFIG, RT_SITE_CONFIG_DIR), so
# nothing under /etc/request-tracker5 is read or changed after the install.
#
# Environment: PEER_TICKETS (tickets in RT's queue and appeals in tiejian's, default 3000),
# PEER_ENTERPRISES (tiejian's demo enterprises, default 2000), PEER_DURATION (seconds per
# measured run, default 15), PEER_WARMUP (seconds of warm-up per scenario, default 3),
# PEER_CONNECTIONS (wrk connections, default 8), PEER_THREADS (wrk threads, default 2),
# PEER_RT_WORKERS (rt-server's Starlet workers, default 10), TIEJIAN_BIN (default
# build/rel/tiejian).
set -eu
cd "$(dirname "$0")/.."
BIN=${TIEJIAN_BIN:-build/rel/tiejian}
N=${PEER_TICKETS:-3000}
E=${PEER_ENTERPRISES:-2000}
DUR=${PEER_DURATION:-15}
WARM=${PEER_WARMUP:-3}
CONN=${PEER_CONNECTIONS:-8}
WT=${PEER_THREADS:-2}
WORKERS=${PEER_RT_WORKERS:-10}
RT_LIBEXEC=/usr/share/request-tracker5/libexec
OUT=build/bench/peer.md

die() { echo "bench-peer: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "$BIN is not built (make)"
command -v node >/dev/null 2>&1 || die "node is missing"

# --- Request Tracker and wrk from Debian, only what is missing
installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q 'ok installed'; }
missing=
for p in request-tracker5 rt5-db-sqlite rt5-standalone w3m wrk; do
	installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root, or apt-get install them)"
	echo "installing:$missing"
	# No database through dbconfig-common (dbconfig-no-thanks; RT's own database is set up
	# below), no cron jobs, and the MTA that request-tracker5 depends on delivers locally only.
	debconf-set-selections <<-EOF
	request-tracker5 request-tracker5/dbconfig-install boolean false
	request-tracker5 request-tracker5/rtname string tiejian-bench
	request-tracker5 request-tracker5/organization string tiejian-bench
	request-tracker5 request-tracker5/correspondaddress string rt@localhost
	request-tracker5 request-tracker5/commentaddress string rt-comment@localhost
	request-tracker5 request-tracker5/webbaseurl string http://127.0.0.1
	request-tracker5 request-tracker5/webpath string
	request-tracker5 request-tracker5/handle-siteconfig-permissions boolean true
	request-tracker5 request-tracker5/install-cronjobs boolean false
	exim4-config exim4/dc_eximconfig_configtype select local delivery only; not on a network
	exim4-config exim4/dc_local_interfaces string 127.0.0.1 ; ::1
	EOF
	case $(apt-cache policy request-tracker5 2>/dev/null | awk '/Candidate:/ { print $2 }') in
	'' | '(none)') DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null ;;
	esac
	extra=
	installed request-tracker5 || extra=dbconfig-no-thanks
	# shellcheck disable=SC2086 # one package name a word
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $extra $missing >/dev/null \
		|| die "apt-get install failed"
fi
[ -x "$RT_LIBEXEC/rt-server" ] || die "$RT_LIBEXEC/rt-server is missing"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tiejian-peer.XXXXXX")
RT_PID=
TJ_PID=
stop() { # stop PID: TERM, then KILL after 10 s
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true # only our own children can be waited for
}
# job CMD...: CMD in the background, waited for, so that INT or TERM stops the run at once (the
# shell runs a trap only between commands, and a wait is one)
JOB_PID=
job() {
	"$@" &
	JOB_PID=$!
	wait "$JOB_PID"
	JOB_PID=
}
cleanup() {
	stop "$JOB_PID"
	if [ -n "$RT_PID" ]; then
		workers=$(ps -o pid= --ppid "$RT_PID" 2>/dev/null || true)
		stop "$RT_PID"
		for w in $workers; do stop "$w"; done
	fi
	stop "$TJ_PID"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
# wait_http URL SECONDS LOG: until URL answers at all
wait_http() {
	i=0
	until node -e 'fetch(process.argv[1], { redirect: "manual" }).then(() => process.exit(0), () => process.exit(1))' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($2 * 4)) ] && { tail -20 "$3" >&2; die "no answer from $1"; }
		sleep 0.25
	done
}

# --- Request Tracker: its own configuration and SQLite database in $WORK
RT_PORT=$(free_port)
RT_URL="http://127.0.0.1:$RT_PORT"
mkdir -p "$WORK/rt/etc/RT_SiteConfig.d" "$WORK/rt/var" "$WORK/rt/mason" "$WORK/rt/sessions"
cat >"$WORK/rt/etc/RT_SiteConfig.pm" <<EOF
Set(\$rtname, 'tiejian-bench');
Set(\$Organization, 'tiejian-bench');
Set(\$CorrespondAddress, 'rt\@localhost');
Set(\$CommentAddress, 'rt-comment\@localhost');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, $RT_PORT);
Set(\$WebPath, '');
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '$WORK/rt/var/rt.db');
# Mail is written to an mbox file under VarPath, never sent.
Set(\$MailCommand, 'mbox');
Set(\$LogToSyslog, undef);
Set(\$LogToFile, undef);
Set(\$LogToSTDERR, 'error');
Set(\$Timezone, 'Asia/Shanghai');
\$RT::VarPath = '$WORK/rt/var';
\$RT::MasonDataDir = '$WORK/rt/mason';
\$RT::MasonSessionDir = '$WORK/rt/sessions';
1;
EOF
RT_SITE_CONFIG="$WORK/rt/etc/RT_SiteConfig.pm"
RT_SITE_CONFIG_DIR="$WORK/rt/etc/RT_SiteConfig.d"
export RT_SITE_CONFIG RT_SITE_CONFIG_DIR

start=$(date +%s)
/usr/sbin/rt-setup-database --action init --skip-create >"$WORK/rt-setup.log" 2>&1 \
	|| { tail -20 "$WORK/rt-setup.log" >&2; die "rt-setup-database failed"; }
PEER_TICKETS=$N
export PEER_TICKETS
job /usr/sbin/rt-setup-database --action insert --datafile "$PWD/bench/peer-load.pl" \
	>>"$WORK/rt-setup.log" 2>&1 || { tail -20 "$WORK/rt-setup.log" >&2; die "loading RT's queue failed"; }
got=$(sqlite3 "$WORK/rt/var/rt.db" "SELECT count(*) FROM Tickets t JOIN Queues q ON q.id = t.Queue WHERE q.Name = '企业诉求'")
[ "$got" = "$N" ] || { tail -20 "$WORK/rt-setup.log" >&2; die "RT's queue has $got tickets, not $N"; }
echo "RT: database and a queue of $N tickets in $(($(date +%s) - start)) s"

# Starlet (rt5-standalone): keep-alive on, and workers are not replaced every 100 requests.
"$RT_LIBEXEC/rt-server" --listen "127.0.0.1:$RT_PORT" --max-workers "$WORKERS" \
	--max-keepalive-reqs 1000000 --keepalive-timeout 10 --max-reqs-per-child 1000000 \
	>"$WORK/rt.log" 2>&1 &
RT_PID=$!
wait_http "$RT_URL/" 120 "$WORK/rt.log"

# One web login as root (RT's initial password) per connection: REST 2 takes the session
# cookie, so each request is authenticated by its session (the password's bcrypt is paid once),
# as tiejian's are below; and concurrent requests carry different sessions, as different
# people's would.
PEER_RT_COOKIES=$(node -e '
	(async () => {
		const cookies = [];
		for (let i = 0; i < Number(process.argv[2]); i++) {
			const r = await fetch(process.argv[1] + "/NoAuth/Login.html", { method: "POST", redirect: "manual",
				headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "user=root&pass=password" });
			const c = (r.headers.get("set-cookie") || "").split(";")[0];
			const t = await fetch(process.argv[1] + "/REST/2.0/queues/all", { headers: { Cookie: c }, redirect: "manual" });
			if (t.status !== 200) { console.error("RT login: " + t.status); process.exit(1); }
			cookies.push(c);
		}
		console.log(cookies.join(" "));
	})();' "$RT_URL" "$CONN") || die "RT login failed"
RT_QUERY=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "Queue = '企业诉求'")
RT_SEARCH="/REST/2.0/tickets?query=$RT_QUERY&orderby=Created&order=DESC&per_page=50"
RT_FIELDS="&fields=Subject,Status,Created,LastUpdated,Requestor"

# --- tiejian: the demo city with as many appeals
TJ_PORT=$(free_port)
TJ_URL="http://127.0.0.1:$TJ_PORT"
start=$(date +%s)
job "$BIN" demo --db "$WORK/tiejian.db" --enterprises "$E" --appeals "$N" >/dev/null 2>"$WORK/demo.log" \
	|| { tail -20 "$WORK/demo.log" >&2; die "tiejian demo failed"; }
echo "tiejian: demo city with $E enterprises and $N appeals in $(($(date +%s) - start)) s"
"$BIN" serve --db "$WORK/tiejian.db" --listen "127.0.0.1:$TJ_PORT" --no-access-log --no-jobs \
	>"$WORK/tiejian.log" 2>&1 &
TJ_PID=$!
wait_http "$TJ_URL/api/v1/me" 60 "$WORK/tiejian.log"

# login USER: "cookie csrf" of a new session
login() {
	node -e '
		fetch(process.argv[1] + "/api/v1/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ username: process.argv[2], password: "Demo@2026" }) }).then(async (r) => {
			if (r.status !== 200) { console.error("login: " + r.status); process.exit(1); }
			console.log(r.headers.get("set-cookie").split(";")[0] + " " + (await r.json()).csrf_token);
		});' "$TJ_URL" "$1"
}
leader=$(login leader) || die "tiejian login failed"
handler=$(login handler) || die "tiejian login failed"
TJ_LEADER_COOKIE=${leader% *}
PEER_TJ_COOKIE=${handler% *} PEER_TJ_CSRF=${handler#* }
# The county handler files for up to 500 of its county's operating enterprises.
PEER_TJ_ENTERPRISES=$(node -e '
	(async () => {
		const ids = [];
		for (let page = 1; page <= 5; page++) {
			const r = await fetch(process.argv[1] + "/api/v1/enterprises?status=operating&page_size=100&page=" + page,
				{ headers: { Cookie: process.argv[2] } });
			const items = (await r.json()).items;
			ids.push(...items.map((e) => e.id));
			if (items.length < 100) break;
		}
		console.log(ids.join(","));
	})();' "$TJ_URL" "$PEER_TJ_COOKIE")
PEER_TJ_CATEGORY=$(node -e '
	fetch(process.argv[1] + "/api/v1/appeal-categories", { headers: { Cookie: process.argv[2] } })
		.then(async (r) => console.log((await r.json()).items[0].children[0].id));' "$TJ_URL" "$PEER_TJ_COOKIE")
{ [ -n "$PEER_TJ_ENTERPRISES" ] && [ -n "$PEER_TJ_CATEGORY" ]; } || die "no enterprises or category to file with"
PEER_THREADS=$WT
PEER_RT_URL=$RT_URL
export PEER_RT_COOKIES PEER_RT_URL PEER_THREADS PEER_TJ_COOKIE PEER_TJ_CSRF PEER_TJ_ENTERPRISES \
	PEER_TJ_CATEGORY
TJ_QUEUE="/api/v1/appeals?page_size=50"

# check URL COOKIE: the first request answers 200 (else the figures would measure an error page)
check() {
	node -e '
		fetch(process.argv[1], { headers: { Cookie: process.argv[2] }, redirect: "manual" }).then(async (r) => {
			const j = await r.json().catch(() => ({}));
			if (r.status !== 200) { console.error(process.argv[1] + ": HTTP " + r.status); process.exit(1); }
			console.log(j.total + " in the queue, " + (j.items || []).length + " on the page");
		});' "$1" "$2"
}
rt_found=$(check "$RT_URL$RT_SEARCH" "${PEER_RT_COOKIES%% *}")
tj_found=$(check "$TJ_URL$TJ_QUEUE" "$TJ_LEADER_COOKIE")
echo "RT search: $rt_found; tiejian queue: $tj_found"

# measure NAME ARGS...: a warm-up run, then the measured one; sets rps, p50, p99, errs
measure() {
	name=$1
	shift
	[ "$WARM" -gt 0 ] && job wrk -t"$WT" -c"$CONN" -d"${WARM}s" --timeout 30s "$@" >/dev/null
	job wrk -t"$WT" -c"$CONN" -d"${DUR}s" --timeout 30s --latency "$@" >"$WORK/$name.wrk"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/$name.wrk")
	p50=$(awk '$1 == "50%" { print $2 }' "$WORK/$name.wrk")
	p99=$(awk '$1 == "99%" { print $2 }' "$WORK/$name.wrk")
	errs=$(awk '/Non-2xx/ { n += $NF } /^ *Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { if (n) print n }' "$WORK/$name.wrk")
}
# ratio A B [ERRORS...]: A over B, or "—" when either run had errors (a rate of refusals is no rate)
ratio() {
	a=$1 b=$2
	shift 2
	case "$*" in *[0-9]*) echo "— (errors)"; return ;; esac
	awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) printf (a / b >= 10 ? "%.0f×" : "%.1f×"), a / b; else print "-" }'
}

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
echo "measuring: ${WARM} s warm-up + ${DUR} s per run, $CONN connections, $WT wrk threads"
export PEER_RT_PATH
PEER_RT_PATH=$RT_SEARCH
measure rt_search -s bench/wrk/peer-rt-search.lua "$RT_URL"
rs_rps=$rps rs_p50=$p50 rs_p99=$p99 rs_err=$errs
PEER_RT_PATH=$RT_SEARCH$RT_FIELDS
measure rt_fields -s bench/wrk/peer-rt-search.lua "$RT_URL"
rf_rps=$rps rf_p50=$p50 rf_p99=$p99 rf_err=$errs
measure tj_queue -H "Cookie: $TJ_LEADER_COOKIE" "$TJ_URL$TJ_QUEUE"
tq_rps=$rps tq_p50=$p50 tq_p99=$p99 tq_err=$errs
# Before RT's creations (after its searches, which see exactly its queue): one ticket created
# the way the measured run creates them answers 201 (RT refuses a write with a session cookie
# and no Origin of its own: RestrictReferrer, Debian's 5.0.3+dfsg-3~deb12u7 on)
node -e '
	fetch(process.argv[1] + "/REST/2.0/ticket", { method: "POST", headers: { Cookie: process.argv[2],
		Origin: process.argv[1], "Content-Type": "application/json" }, body: JSON.stringify({ Queue: "企业诉求",
		Subject: "check", Requestor: "e1@enterprise.test", ContentType: "text/plain", Content: "check" }) })
		.then(async (r) => { if (r.status !== 201) { console.error("RT create: HTTP " + r.status + " " +
			(await r.text())); process.exit(1); } });' "$RT_URL" "${PEER_RT_COOKIES%% *}" ||
	die "RT does not create a ticket the way the run would"
measure rt_create -s bench/wrk/peer-rt-create.lua "$RT_URL"
rc_rps=$rps rc_p50=$p50 rc_p99=$p99 rc_err=$errs
measure tj_create -s bench/wrk/peer-tiejian-create.lua "$TJ_URL"
tc_rps=$rps tc_p50=$p50 tc_p99=$p99 tc_err=$errs

mkdir -p "$(dirname "$OUT")"
{
	echo "| system | operation | req/s | p50 | p99 | tiejian/RT |"
	echo "| --- | --- | --- | --- | --- | --- |"
	echo "| Request Tracker 5 | create a ticket \`POST /REST/2.0/ticket\` | $rc_rps${rc_err:+ ($rc_err errors)} | $rc_p50 | $rc_p99 | |"
	echo "| tiejian | file an appeal, durable \`POST /api/v1/appeals\` | $tc_rps${tc_err:+ ($tc_err errors)} | $tc_p50 | $tc_p99 | $(ratio "$tc_rps" "$rc_rps" "$tc_err" "$rc_err") |"
	echo "| Request Tracker 5 | 50-row search: the queue, newest first (ids) \`GET /REST/2.0/tickets?query=Queue…&per_page=50\` | $rs_rps${rs_err:+ ($rs_err errors)} | $rs_p50 | $rs_p99 | |"
	echo "| Request Tracker 5 | the same search with subject, status, dates, requestor \`…&fields=…\` | $rf_rps${rf_err:+ ($rf_err errors)} | $rf_p50 | $rf_p99 | |"
	echo "| tiejian | queue page: the city queue, newest first \`GET /api/v1/appeals?page_size=50\` | $tq_rps${tq_err:+ ($tq_err errors)} | $tq_p50 | $tq_p99 | $(ratio "$tq_rps" "$rs_rps" "$tq_err" "$rs_err") (with fields: $(ratio "$tq_rps" "$rf_rps" "$tq_err" "$rf_err")) |"
	echo
	echo "Same run, same machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), load average before the run $LOAD."
	echo "Each system on SQLite with a queue of $N: RT $(dpkg-query -W -f='${Version}' request-tracker5), tickets in one queue (search: $rt_found); tiejian, appeals of the demo city with $E enterprises (queue: $tj_found)."
	echo "wrk: $WT threads, $CONN keep-alive connections, ${WARM} s warm-up then ${DUR} s per run; RT: rt-server (Starlet, $WORKERS workers), one session cookie per connection; tiejian: --threads $(nproc) (one per core, its default), session cookie and CSRF header."
} >"$WORK/table"
cp "$WORK/table" "$OUT"
echo
cat "$OUT"
