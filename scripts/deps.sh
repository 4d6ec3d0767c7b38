#!/bin/sh
# Install the Debian packages cadre needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

pkgs="gcc make pkg-config meson ninja-build python3 iso-codes
libsqlite3-dev sqlite3 libjansson-dev libsodium-dev libcsv-dev
libcriterion-dev libmicrohttpd-dev openssl libxlsxwriter-dev libical-dev
libzip-dev libexpat1-dev libutf8proc-dev libpq-dev
nodejs"
# The browser tests (make check) also need Debian's Chromium; the calendar
# feeds are read back by a real iCalendar parser (python3-icalendar); CI's fuzz
# run (scripts/fuzz.sh) clang, its libFuzzer and sanitizer runtimes
# (libclang-rt-dev) and llvm-symbolizer (llvm) for readable reports.
# libpq-dev is the PostgreSQL client library of store/db_pg.c (cadre runs
# on SQLite without a PostgreSQL server; the library is always built in).
# The pg suite (tests/store, and the scenarios with CADRE_TEST_ENGINE=
# postgres) starts a throwaway PostgreSQL: Debian's
# postgresql (its server package postgresql-15 holds the contrib modules,
# unaccent among them: the postgresql-contrib metapackage asks for
# nothing more).
[ "${1:-}" = "--test" ] && pkgs="$pkgs chromium clang libclang-rt-dev llvm
postgresql python3-icalendar"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
# npm comes with some Node.js builds (NodeSource's) and not with Debian's.
command -v npm >/dev/null 2>&1 || case "$missing" in
	*" npm"*) ;;
	*) missing="$missing npm" ;;
esac

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "cadre needs these Debian packages:$missing" >&2
		echo "run:  sudo apt-get update && sudo apt-get install -y$missing" >&2
		exit 1
	fi
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing
fi

# Vite 8 needs Node.js 20.19 or later; Debian 12's is 18. Where the
# machine's is older, the official Node.js build as the npm registry
# ships it (package node-linux-ARCH) goes into .node/, which the Makefile
# puts first on PATH: nothing comes from outside Debian and npm.
# CADRE_NODE_FROM_NPM=1 takes that way whatever the machine has.
NODE_PKG_VERSION=22.23.5
root=$(cd "$(dirname "$0")/.." && pwd)
local_bin="$root/.node/node_modules/.bin"

node_ok() {	# $1: the node to ask
	[ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || return 1
	"$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);
		process.exit(a>20||(a===20&&b>=19)?0:1)'
}
if [ "${CADRE_NODE_FROM_NPM:-}" != 1 ] && node_ok node; then
	exit 0
fi
node_ok "$local_bin/node" && exit 0
case "$(uname -m)" in
x86_64) arch=x64 ;;
aarch64) arch=arm64 ;;
*) echo "no Node.js >= 20.19 here, and none from npm for $(uname -m)" >&2
   exit 1 ;;
esac
if [ "${CADRE_NODE_FROM_NPM:-}" = 1 ]; then
	why="CADRE_NODE_FROM_NPM=1"
else
	why="Node.js $(node --version 2>/dev/null || echo "(none)") is older than Vite 8 needs (20.19)"
fi
echo "$why: installing node-linux-$arch@$NODE_PKG_VERSION from the npm registry into .node/"
npm install --silent --no-save --no-audit --no-fund --prefix "$root/.node" \
	"node-linux-$arch@$NODE_PKG_VERSION"
node_ok "$local_bin/node"
