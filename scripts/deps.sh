#!/bin/sh
# Install the Debian packages cadre needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

pkgs="gcc make pkg-config meson ninja-build python3 iso-codes
libsqlite3-dev sqlite3 libjansson-dev libsodium-dev libcsv-dev
libcriterion-dev libmicrohttpd-dev openssl libxlsxwriter-dev libical-dev
nodejs"
# The browser tests (make check) also need Debian's Chromium; CI's fuzz
# run (scripts/fuzz.sh) clang, its libFuzzer and sanitizer runtimes
# (libclang-rt-dev) and llvm-symbolizer (llvm) for readable reports.
[ "${1:-}" = "--test" ] && pkgs="$pkgs chromium clang libclang-rt-dev llvm"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
node_ok() {
	# Vite 8 needs Node.js 20.19 or later.
	command -v node >/dev/null 2>&1 &&
	node -e 'const [a,b]=process.versions.node.split(".").map(Number);
		process.exit(a>20||(a===20&&b>=19)?0:1)'
}
if [ -z "$missing" ]; then
	node_ok && exit 0
	echo "cadre's web interface is built with Vite 8, which needs Node.js" \
	     ">= 20.19; this machine has $(node --version 2>&1)." >&2
	exit 1
fi

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
