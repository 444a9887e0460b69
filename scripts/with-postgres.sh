#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster that is removed afterwards:
#   scripts/with-postgres.sh .venv/bin/python -m pytest
# The command sees DATABASE_URL pointing at the cluster. Needs the PostgreSQL server binaries
# (initdb, pg_ctl, postgres): on Debian/Ubuntu, sudo apt-get install postgresql.
set -euo pipefail

if ! command -v initdb >/dev/null 2>&1; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bindir" ]; then
    echo "PostgreSQL server binaries (initdb, pg_ctl) not found." >&2
    echo "Install them with: sudo apt-get install postgresql" >&2
    exit 1
  fi
  PATH="$bindir:$PATH"
fi

dir=$(mktemp -d /tmp/clinic-pg.XXXXXX)
chmod 755 "$dir"
as_owner=()
if [ "$(id -u)" = 0 ]; then  # PostgreSQL refuses to run as root
  owner=postgres
  id "$owner" >/dev/null 2>&1 || owner=nobody
  chown "$owner" "$dir"
  as_owner=(runuser -u "$owner" --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${as_owner[@]}" pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_owner[@]}" initdb -D "$dir/data" -U clinic --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# Durability is pointless for a throwaway test cluster: turn it off for speed.
"${as_owner[@]}" pg_ctl -D "$dir/data" -l "$dir/server.log" -w -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
"${as_owner[@]}" createdb -h 127.0.0.1 -p "$port" -U clinic clinic

export DATABASE_URL="postgres://clinic@127.0.0.1:$port/clinic"
echo "PostgreSQL $(postgres --version | awk '{print $3}') on port $port (throwaway)"
"$@"
