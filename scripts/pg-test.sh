#!/bin/sh
# pg-test.sh: a throwaway PostgreSQL cluster for the tests, in a temporary folder, listening on
# 127.0.0.1 (a free port) and on a Unix socket in that folder; no system service is used.
#
#   sh scripts/pg-test.sh run CMD [ARG...]   start, run CMD with TIEJIAN_TEST_PG set, stop and
#                                            remove the cluster (even when CMD fails); CMD's status
#   eval "$(sh scripts/pg-test.sh start)"    start; exports TIEJIAN_TEST_PG and TIEJIAN_PG_DIR
#   sh scripts/pg-test.sh stop DIR           stop the cluster in DIR and remove DIR
#
# TIEJIAN_TEST_PG is a postgres:// URL of the maintenance database "postgres", as the superuser
# "tiejian" with a random password (scram-sha-256); the test harness creates one database per
# server in it. initdb refuses to run as root, so as root the cluster belongs to the "postgres"
# account that Debian's postgresql package creates (or a "tiejian-pg" account made here).
set -eu

find_bin() {
	if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
		dirname "$(command -v pg_ctl)"
		return
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return
		fi
	done
	echo "pg-test: initdb and pg_ctl not found; install postgresql (scripts/deps.sh)" >&2
	exit 1
}

free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# as_owner CMD...: run CMD as the account that owns the cluster.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && runuser -u "$OWNER" -- "$@")
	else
		"$@"
	fi
}

pick_owner() {
	OWNER=$(id -un)
	if [ "$(id -u)" = 0 ]; then
		if id postgres >/dev/null 2>&1; then
			OWNER=postgres
		else
			id tiejian-pg >/dev/null 2>&1 ||
				useradd --system --no-create-home --shell /usr/sbin/nologin tiejian-pg
			OWNER=tiejian-pg
		fi
	fi
}

start() {
	BIN=$(find_bin)
	pick_owner
	DIR=$(mktemp -d "${TMPDIR:-/tmp}/tiejian-pg.XXXXXX")
	chmod 700 "$DIR"
	PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s\n' "$PASSWORD" >"$DIR/pwfile"
	if [ "$(id -u)" = 0 ]; then
		chown "$OWNER" "$DIR" "$DIR/pwfile"
	fi
	as_owner "$BIN/initdb" --pgdata="$DIR/data" --username=tiejian --pwfile="$DIR/pwfile" \
		--auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || {
		cat "$DIR/initdb.log" >&2
		rm -rf "$DIR"
		exit 1
	}
	rm -f "$DIR/pwfile"
	for try in 1 2 3 4 5; do
		PORT=$(free_port)
		# Durability off: a test cluster is thrown away. Loopback and the folder's socket only.
		if as_owner "$BIN/pg_ctl" --pgdata="$DIR/data" --log="$DIR/server.log" --wait \
			--timeout=60 start -o "-c listen_addresses=127.0.0.1 -c port=$PORT \
			-c unix_socket_directories=$DIR -c max_connections=300 -c fsync=off \
			-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB" \
			>/dev/null 2>&1; then
			echo "$PORT" >"$DIR/port"
			echo "$OWNER" >"$DIR/owner"
			echo "$BIN" >"$DIR/bin"
			echo "export TIEJIAN_TEST_PG='postgres://tiejian:$PASSWORD@127.0.0.1:$PORT/postgres'"
			echo "export TIEJIAN_PG_DIR='$DIR'"
			return 0
		fi
		echo "pg-test: start on port $PORT failed (try $try)" >&2
	done
	cat "$DIR/server.log" >&2 || true
	rm -rf "$DIR"
	exit 1
}

stop() {
	DIR=$1
	[ -d "$DIR/data" ] || { rm -rf "$DIR"; return 0; }
	OWNER=$(cat "$DIR/owner")
	BIN=$(cat "$DIR/bin")
	as_owner "$BIN/pg_ctl" --pgdata="$DIR/data" --mode=immediate --wait stop >/dev/null 2>&1 || true
	rm -rf "$DIR"
}

case "${1:-}" in
start)
	start
	;;
stop)
	[ $# -eq 2 ] || { echo "usage: pg-test.sh stop DIR" >&2; exit 2; }
	stop "$2"
	;;
run)
	shift
	[ $# -ge 1 ] || { echo "usage: pg-test.sh run CMD [ARG...]" >&2; exit 2; }
	vars=$(start) || exit 1
	eval "$vars"
	trap 'stop "$TIEJIAN_PG_DIR"' EXIT
	trap 'exit 130' INT TERM
	echo "pg-test: PostgreSQL $("$(cat "$TIEJIAN_PG_DIR/bin")/postgres" --version | sed 's/^[^0-9]*\([0-9.]*\).*/\1/') on 127.0.0.1:$(cat "$TIEJIAN_PG_DIR/port")"
	status=0
	"$@" || status=$?
	exit $status
	;;
*)
	echo "usage: pg-test.sh start | stop DIR | run CMD [ARG...]" >&2
	exit 2
	;;
esac
