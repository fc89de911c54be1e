#!/usr/bin/env bash
# The servers the broker and store tests need: RabbitMQ and PostgreSQL on loopback.
#
#   scripts/servers.sh start   installs what is missing (apt-get), starts or reuses the servers, and writes the
#                              connection details to "$VELTRIX_SERVERS_DIR/env" (sourced by scripts/test.sh):
#                              VELTRIX_TEST_RABBITMQ, VELTRIX_TEST_RABBITMQ_OWNED, VELTRIX_TEST_POSTGRES
#   scripts/servers.sh stop    stops only what start started, and drops the vhost/database it created.
#   scripts/servers.sh local   for people, not tests: RabbitMQ and the system's PostgreSQL on their standard ports, set
#                              up as components.rabbitmq/ expects them (password 'veltrix', database veltrix), left running.
#
# A server already running on the machine (a developer's) is used as it is: the tests get a fresh vhost and a fresh
# database of their own, and stop never touches the server itself. Running start twice reuses the first start.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# One state folder per checkout, so two worktrees on one machine do not share (or stop) each other's servers.
state_dir=${VELTRIX_SERVERS_DIR:-/tmp/veltrix-servers-$(id -u)-$(printf '%s' "$repo" | cksum | cut -d' ' -f1)}
state="$state_dir/state"
env_file="$state_dir/env"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# Any epmd an Erlang tool starts (rabbitmqctl starts one too) listens on loopback only.
export ERL_EPMD_ADDRESS=127.0.0.1

log() { echo "servers: $*" >&2; }
fail() { log "$*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port
  for port in $(seq 55432 55532); do
    port_open "$port" || { echo "$port"; return 0; }
  done
  return 1
}

# Runs a command as the given system user (PostgreSQL refuses to run as root; RabbitMQ's wrapper switches by itself).
as_user() {
  local user=$1; shift
  if [ "$(id -un)" = "$user" ]; then "$@"
  elif [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"
  else sudo -u "$user" -- "$@"
  fi
}

# Waits up to $1 seconds for the command that follows to succeed.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  return 1
}

install_missing() {
  local missing=()
  # `type -P` looks on PATH only: `command -v` would find the rabbitmqctl shell function below and never install it.
  type -P rabbitmqctl >/dev/null 2>&1 || [ -x /usr/sbin/rabbitmqctl ] || missing+=(rabbitmq-server)
  pg_bin >/dev/null || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt-get)"
  $sudo apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

rabbitmqctl() { $sudo env ERL_EPMD_ADDRESS=127.0.0.1 /usr/sbin/rabbitmqctl "$@"; }

# A RabbitMQ node on 127.0.0.1:5672, up and accepting connections.
start_rabbitmq_node() {
  log "starting RabbitMQ on 127.0.0.1:5672"
  port_open 5672 && fail "port 5672 is taken by something that is not a RabbitMQ node rabbitmqctl can reach; stop it or start RabbitMQ yourself"
  # Loopback only: AMQP, the Erlang distribution port and epmd.
  $sudo env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT=25672 ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" /usr/sbin/rabbitmq-server -detached ||
    fail "rabbitmq-server -detached failed; see /var/log/rabbitmq"
  wait_for 180 rabbitmqctl -q await_startup || fail "RabbitMQ did not start within 180 s; see /var/log/rabbitmq"
  wait_for 30 port_open 5672 || fail "RabbitMQ started but 127.0.0.1:5672 does not accept connections"
}

start_rabbitmq() {
  local epmd_before
  epmd_before=$(pids_of epmd) # before rabbitmqctl, which starts an epmd of its own when none runs
  if rabbitmqctl -q status >/dev/null 2>&1; then
    log "RabbitMQ is already running: using it as it is"
    echo "rabbitmq_started=0" >>"$state"
  else
    start_rabbitmq_node
    echo "rabbitmq_started=1" >>"$state"
    [ -n "$epmd_before" ] || echo "rabbitmq_epmd_ours=1" >>"$state"
  fi
  local vhost="veltrix-test-$$-$RANDOM"
  rabbitmqctl -q add_vhost "$vhost" >/dev/null || fail "could not create the RabbitMQ vhost $vhost"
  rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null || fail "could not give guest access to vhost $vhost"
  echo "rabbitmq_vhost=$vhost" >>"$state"
  echo "export VELTRIX_TEST_RABBITMQ='amqp://guest:guest@127.0.0.1:5672/$vhost'" >>"$env_file"
  echo "export VELTRIX_TEST_RABBITMQ_OWNED=$(grep -c '^rabbitmq_started=1' "$state")" >>"$env_file"
}

start_postgres() {
  local bin database="veltrix_$$_$RANDOM"
  bin=$(pg_bin) || fail "PostgreSQL binaries not found under /usr/lib/postgresql"
  # A developer's server that trusts local connections as postgres: a fresh database on it.
  if PGCONNECT_TIMEOUT=3 "$bin/psql" -h 127.0.0.1 -p 5432 -U postgres -d postgres -w -qAtc 'select 1' >/dev/null 2>&1; then
    log "PostgreSQL is already running on 127.0.0.1:5432: using a fresh database $database on it"
    "$bin/createdb" -h 127.0.0.1 -p 5432 -U postgres -w "$database" || fail "could not create database $database"
    { echo "postgres_started=0"; echo "postgres_port=5432"; echo "postgres_database=$database"; } >>"$state"
    echo "export VELTRIX_TEST_POSTGRES='Host=127.0.0.1;Port=5432;Username=postgres;Database=$database'" >>"$env_file"
    return 0
  fi
  local port data
  port=$(free_port) || fail "no free loopback port for PostgreSQL"
  data=$(mktemp -d /tmp/veltrix-pg-XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
  log "starting a throw-away PostgreSQL cluster in $data on 127.0.0.1:$port"
  as_user postgres "$bin/initdb" -D "$data/cluster" -U postgres -A trust -E UTF8 --no-sync >"$data/initdb.log" 2>&1 ||
    fail "initdb failed: $(tail -5 "$data/initdb.log")"
  as_user postgres "$bin/pg_ctl" -D "$data/cluster" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c max_connections=200" start >/dev/null ||
    fail "PostgreSQL did not start: $(tail -5 "$data/server.log")"
  { echo "postgres_started=1"; echo "postgres_data=$data"; echo "postgres_port=$port"; } >>"$state"
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres -w veltrix || fail "could not create database veltrix"
  echo "export VELTRIX_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Database=veltrix'" >>"$env_file"
}

# Process ids by exact name, from /proc (no procps needed).
pids_of() {
  local comm
  for comm in /proc/[0-9]*/comm; do
    [ "$(cat "$comm" 2>/dev/null)" = "$1" ] && { comm=${comm#/proc/}; echo "${comm%/comm}"; }
  done
  return 0
}

value_of() { sed -n "s/^$1=//p" "$state" 2>/dev/null | tail -n 1; }

start() {
  if [ -f "$env_file" ] && [ -f "$state" ]; then
    # Already started: reuse it if both servers still answer.
    local pg_port
    pg_port=$(value_of postgres_port)
    if rabbitmqctl -q status >/dev/null 2>&1 && port_open "${pg_port:-0}"; then
      log "already started (reusing $env_file)"
      echo "$env_file"
      return 0
    fi
    stop
  fi
  mkdir -p "$state_dir"
  : >"$state"; : >"$env_file"
  install_missing || fail "could not install rabbitmq-server/postgresql with apt-get"
  start_rabbitmq
  start_postgres
  echo "$env_file"
}

stop() {
  [ -f "$state" ] || { log "nothing to stop"; return 0; }
  local vhost database data bin
  vhost=$(value_of rabbitmq_vhost)
  if [ "$(value_of rabbitmq_started)" = "1" ]; then
    log "stopping the RabbitMQ node that start started"
    rabbitmqctl -q stop >/dev/null 2>&1 || log "rabbitmqctl stop failed"
    if [ "$(value_of rabbitmq_epmd_ours)" = "1" ]; then
      local pid
      for pid in $(pids_of epmd); do $sudo kill "$pid" 2>/dev/null || true; done
    fi
  elif [ -n "$vhost" ]; then
    rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || log "could not delete vhost $vhost"
  fi

  bin=$(pg_bin)
  if [ "$(value_of postgres_started)" = "1" ]; then
    data=$(value_of postgres_data)
    log "stopping the PostgreSQL cluster in $data"
    as_user postgres "$bin/pg_ctl" -D "$data/cluster" -m fast -w stop >/dev/null 2>&1 || log "pg_ctl stop failed"
    rm -rf "$data"
  else
    database=$(value_of postgres_database)
    [ -n "$database" ] && { "$bin/dropdb" -h 127.0.0.1 -p 5432 -U postgres -w --force "$database" 2>/dev/null || log "could not drop database $database"; }
  fi
  rm -f "$state" "$env_file"
}

# The servers components.rabbitmq/ names, for `dotnet run --project AppHost -- --resources-path components.rabbitmq`.
serve_local() {
  install_missing || fail "could not install rabbitmq-server/postgresql with apt-get"
  if rabbitmqctl -q status >/dev/null 2>&1; then log "RabbitMQ is running on 127.0.0.1:5672"; else start_rabbitmq_node; fi

  local bin version
  bin=$(pg_bin) || fail "PostgreSQL binaries not found under /usr/lib/postgresql"
  version=$(basename "$(dirname "$bin")")
  if ! PGPASSWORD=veltrix PGCONNECT_TIMEOUT=3 "$bin/psql" -h 127.0.0.1 -p 5432 -U postgres -d veltrix -w -qAtc 'select 1' >/dev/null 2>&1; then
    if ! port_open 5432; then
      log "starting PostgreSQL $version (cluster main) on 127.0.0.1:5432"
      $sudo pg_ctlcluster "$version" main start || fail "pg_ctlcluster $version main start failed (is the cluster there? pg_lsclusters)"
      wait_for 30 port_open 5432 || fail "PostgreSQL started but 127.0.0.1:5432 does not accept connections"
    fi
    # Peer authentication over the local socket, as the postgres user, to give the role the password the components use.
    as_user postgres "$bin/psql" -qc "ALTER USER postgres PASSWORD 'veltrix'" >/dev/null || fail "could not set the postgres user's password"
    as_user postgres "$bin/psql" -qAtc "SELECT 1 FROM pg_database WHERE datname = 'veltrix'" | grep -q 1 ||
      as_user postgres "$bin/createdb" veltrix || fail "could not create database veltrix"
  fi
  log "ready for components.rabbitmq/: amqp://guest:guest@127.0.0.1:5672 and postgres:veltrix@127.0.0.1:5432/veltrix (left running)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  local) serve_local ;;
  *) echo "usage: $0 start|stop|local" >&2; exit 2 ;;
esac
