#!/usr/bin/env bash
# Install the Debian packages the tests need (scripts/apt-packages.txt) and start the local
# services they talk to when they are not running. Safe to run again: it only acts on what is
# missing. Needs root (as on CI); without root it says what is missing and goes on.
#   scripts/system.sh [LIST]   another package list (the demo's: scripts/apt-demo.txt): its
#                              packages only, no services started
set -euo pipefail
cd "$(dirname "$0")/.."
list=${1:-scripts/apt-packages.txt}

missing=()
while read -r package; do
    package=${package%%#*}; package=${package// /}
    [ -n "$package" ] || continue
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done < "$list"

if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
        echo "warning: no apt-get here; install by hand: ${missing[*]}" >&2
    elif [ "$(id -u)" = 0 ]; then
        echo "installing: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "warning: not root; missing Debian packages: ${missing[*]}" >&2
    fi
fi

[ "$list" = scripts/apt-packages.txt ] || exit 0

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done; echo "warning: nothing listens on $1" >&2; }

if ! port_open 5432 && command -v pg_ctlcluster >/dev/null; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    wait_port 5432
fi
if ! port_open 3306 && [ -x /usr/sbin/mariadbd ]; then
    echo "starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
    wait_port 3306
fi
