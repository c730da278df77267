#!/bin/sh
# run-demo.sh: what `make run` does after building: create ./tiejian.db with the demo city
# (once), print the demo logins, and serve the console on http://127.0.0.1:8080.
set -eu
BIN=${1:-build/rel/tiejian}
DB=${TIEJIAN_DB:-./tiejian.db}
LISTEN=${TIEJIAN_LISTEN:-127.0.0.1:8080}
if [ ! -e "$DB" ]; then
	echo "creating $DB with the demo city ..."
fi
# Loading the demo is idempotent: a module that already has data is left alone.
"$BIN" demo --db "$DB" 2>/dev/null
echo "控制台 console: http://$LISTEN   (Ctrl-C stops the server)"
exec "$BIN" serve --db "$DB" --listen "$LISTEN" --web web/dist
