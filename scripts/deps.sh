#!/bin/sh
# Install the Debian packages cadre needs to build and test, when missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

pkgs="gcc make pkg-config meson ninja-build python3 iso-codes
libsqlite3-dev sqlite3 libjansson-dev libsodium-dev libcsv-dev
libcriterion-dev libmicrohttpd-dev openssl libxlsxwriter-dev libical-dev"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

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
