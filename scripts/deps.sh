#!/bin/sh
# deps.sh: install what a fresh Debian 12 machine lacks to build, run and test tiejian:
# Debian packages (apt) and the npm packages of package.json. Idempotent and quiet when
# everything is there already. Needs root (or sudo) only when something is missing.
set -eu
cd "$(dirname "$0")/.."

# libclang-rt-14-dev: clang's sanitizer and libFuzzer runtimes (only recommended by clang, and
# recommendations are not installed here): make san and make fuzz need them.
PACKAGES="make gcc clang libclang-rt-14-dev pkg-config \
 libmicrohttpd-dev libjansson-dev libsodium-dev libssl-dev libsqlite3-dev sqlite3 libpq-dev \
 libxlsxwriter-dev libzip-dev libexpat1-dev libcmocka-dev \
 postgresql postgresql-contrib \
 nodejs npm chromium fonts-wqy-microhei"
# make bench also wants: nginx-light wrk (installed by bench/run.sh when asked)

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# A node that did not come from Debian's packages (e.g. a newer one) is fine too.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	missing=$(echo "$missing" | sed -e 's/ nodejs//' -e 's/ npm//')
fi

if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
	echo "deps: installing Debian packages:$missing"
	SUDO=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || { echo "deps: need root or sudo to install:$missing" >&2; exit 1; }
		SUDO=sudo
	fi
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

# npm packages: install when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] ||
	[ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "deps: installing npm packages"
	npm ci --no-audit --no-fund --loglevel=error
fi
