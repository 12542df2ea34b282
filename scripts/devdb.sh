#!/usr/bin/env bash
# Project-local PostGIS for `make demo` and `make test`.
#   devdb.sh packages   make sure PostgreSQL, PostGIS and pg_trgm are installed (apt-get as root or sudo -n)
#   devdb.sh start      start (or reuse) the cluster under .geo-service/; prints its server URL on stdout
#   devdb.sh stop       stop the cluster
#   devdb.sh url        print the server URL of a running cluster (exit 1 when none runs)
# Logs go to stderr so that `start` can be captured.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD/.geo-service"
# The cluster lives in .geo-service/cluster, or, when the unprivileged server user cannot reach the
# project folder (a checkout under /root), in /var/lib/geo-service/<hash> linked from there.
CLUSTER="$ROOT/cluster"
PORT_FILE="$ROOT/port"
PG_USER=geoservice

log() { echo "devdb: $*" >&2; }

locate_cluster() {
  if [ ! -e "$CLUSTER" ]; then
    mkdir -p "$ROOT"
    if [ "$(id -u)" -eq 0 ]; then
      chmod o+x "$ROOT"
      if runuser -u "$PG_USER" -- test -x "$ROOT"; then
        mkdir -p "$CLUSTER"
      else
        local home
        home="/var/lib/geo-service/$(echo "$PWD" | md5sum | cut -c1-12)"
        mkdir -p "$home"
        ln -s "$home" "$CLUSTER"
      fi
    else
      mkdir -p "$CLUSTER"
    fi
  fi
  CLUSTER_DIR=$(readlink -f "$CLUSTER")
  DATA="$CLUSTER_DIR/pgdata"
  RUN="$CLUSTER_DIR/run"
}

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 1
  fi
}

packages() {
  local bindir version missing=()
  bindir=$(pg_bindir || true)
  if [ -z "$bindir" ]; then missing+=(postgresql postgresql-contrib); fi
  version=$( [ -n "$bindir" ] && basename "$(dirname "$bindir")" || echo "")
  if [ -n "$version" ]; then
    [ -f "/usr/share/postgresql/$version/extension/postgis.control" ] || missing+=("postgresql-$version-postgis-3")
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || {
      log "PostgreSQL and PostGIS are needed. Run: sudo apt-get install -y postgresql postgresql-contrib postgis"
      exit 1
    }
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
  fi
  # The server package decides the version: install its PostGIS if the first pass could not name it.
  if [ -z "$version" ]; then packages; fi
}

run_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u "$PG_USER" -- "$@"); else "$@"; fi
}

free_port() {
  python3 - <<'PY'
import socket
for port in range(54329, 54429):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
}

url() { echo "postgresql+psycopg://postgres@127.0.0.1:$(cat "$PORT_FILE")"; }

# The URL of the running cluster; exits 1 (and prints nothing) when none is running.
running_url() {
  local bindir
  bindir=$(pg_bindir || true)
  [ -n "$bindir" ] && [ -e "$CLUSTER" ] && [ -s "$PORT_FILE" ] || { log "no cluster is running"; return 1; }
  locate_cluster
  run_as_pg "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1 || { log "no cluster is running"; return 1; }
  url
}

start() {
  packages
  local bindir
  bindir=$(pg_bindir)
  if [ "$(id -u)" -eq 0 ]; then
    id "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
  fi
  locate_cluster
  if [ ! -f "$DATA/PG_VERSION" ]; then
    log "creating cluster in $DATA"
    mkdir -p "$DATA" "$RUN"
    if [ "$(id -u)" -eq 0 ]; then chown -R "$PG_USER" "$CLUSTER_DIR"; fi
    run_as_pg "$bindir/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
  fi
  if run_as_pg "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    log "cluster already running on port $(cat "$PORT_FILE")"
  else
    free_port >"$PORT_FILE"
    log "starting cluster on 127.0.0.1:$(cat "$PORT_FILE")"
    run_as_pg "$bindir/pg_ctl" -D "$DATA" -l "$RUN/postgres.log" -w -t 60 start \
      -o "-h 127.0.0.1 -p $(cat "$PORT_FILE") -k $RUN -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB" >&2
  fi
  url
}

stop() {
  local bindir
  bindir=$(pg_bindir || true)
  [ -e "$CLUSTER" ] || return 0
  locate_cluster
  if [ -n "$bindir" ] && [ -f "$DATA/PG_VERSION" ]; then
    run_as_pg "$bindir/pg_ctl" -D "$DATA" -m fast stop >&2 || true
  fi
}

case "${1:-}" in
  packages) packages ;;
  start) start ;;
  stop) stop ;;
  url) running_url ;;
  *) echo "usage: $0 packages|start|stop|url" >&2; exit 2 ;;
esac
