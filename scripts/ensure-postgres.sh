#!/usr/bin/env bash
# Make sure the local PostgreSQL server runs and has the `lindung` role (CREATEDB) the tests use.
# Never a silent skip: if there is no server at all, install Debian's postgresql first.
set -euo pipefail
here=$(dirname "$0")
"$here/ensure-system-packages.sh" postgresql
export PATH="$PATH:$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "PostgreSQL tidak berjalan; menyalakan cluster lokal."
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432

as_postgres() {
  # Trust auth over TCP if the server allows it, else the local socket as the postgres OS user.
  if psql -h 127.0.0.1 -U postgres -d postgres -w -tAc "select 1" >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -w -v ON_ERROR_STOP=1 -tAc "$1"
  else
    runuser -u postgres -- psql -d postgres -v ON_ERROR_STOP=1 -tAc "$1"
  fi
}
if [ "$(as_postgres "select count(*) from pg_roles where rolname='lindung'")" = "0" ]; then
  as_postgres "create role lindung login createdb password 'lindung'"
fi
if [ "$(as_postgres "select count(*) from pg_database where datname='lindung'")" = "0" ]; then
  as_postgres "create database lindung owner lindung"
fi
echo "PostgreSQL siap: $(as_postgres 'show server_version') di 127.0.0.1:5432 (peran lindung)."
