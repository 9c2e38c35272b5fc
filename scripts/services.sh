#!/usr/bin/env bash
# Local backing services on private loopback ports: PostgreSQL with PgBouncer in front of it
# (transaction pooling, as Neon's pooled connection string), Redis, NATS (JetStream + WebSocket)
# and ClickHouse. Data, logs and pid files live under $SERVICES_DATA_DIR (.data/); what the
# postgres user writes moves to /var/lib/goods-edge when the checkout is out of its reach.
#
#   bash scripts/services.sh up [service...]     start whatever is not running (idempotent)
#   bash scripts/services.sh down [service...]   stop what this script started (by pid)
#   bash scripts/services.sh status [service...]   one line per service; non-zero exit if any is down
#   add --cluster (or set CLUSTER=1) for the cluster stack instead (scripts/lib/cluster-services.sh):
#   three NATS nodes, ZooKeeper and two ClickHouse replicas beside Postgres, PgBouncer and Redis,
#   on the ports of scripts/cluster.env, with data under .data/cluster/
#
# Ports and credentials come from scripts/local.env; variables already set in the
# environment win. SERVICES_TIMEOUT (seconds, default 30) bounds every readiness wait.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES=(postgres pgbouncer redis nats clickhouse)
APT_PACKAGES=(postgresql pgbouncer redis-server nats-server clickhouse-server clickhouse-client)
# shellcheck source=lib/cluster-services.sh
source "$ROOT/scripts/lib/cluster-services.sh"

# ---------------------------------------------------------------- helpers
log() { printf '[services] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

load_env() { # the dev settings (scripts/lib/profile.ts), where what is already set wins
  local settings
  settings="$(cd "$ROOT" && node --import tsx scripts/lib/profile.ts dev)" || die "invalid settings"
  eval "$settings"
  : "${SERVICES_TIMEOUT:=30}"
  if [[ ${CLUSTER:-} == 1 ]]; then DATA="${SERVICES_DATA_DIR:-$ROOT/.data/cluster}"; else DATA="${SERVICES_DATA_DIR:-$ROOT/.data}"; fi
  mkdir -p "$DATA" && DATA="$(cd "$DATA" && pwd)"
  # goods:goods@host/goods -> role, password, database (tests use <database>_test)
  [[ $DIRECT_URL =~ ^postgres(ql)?://([^:@/]+):([^@]*)@[^/]+/([^?]+) ]] \
    || die "cannot parse DIRECT_URL (value not shown): expected postgres://user:password@host:port/database"
  PG_USER=${BASH_REMATCH[2]} PG_PASSWORD=${BASH_REMATCH[3]} PG_DB=${BASH_REMATCH[4]}
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_closed() { ! port_open "$1"; }
# a daemon's zombie lingers until init reaps it (here ~1.5 s): count it as gone
running() { local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; st=${st##*) }; [[ ${st%% *} != Z ]]; }

pid_of() { # pid_of FILE PATTERN: prints the pid if FILE names a live process matching PATTERN
  local pid
  [[ -s $1 ]] || return 1
  pid=$(head -n1 "$1" | tr -dc 0-9)
  [[ -n $pid ]] && running "$pid" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$2" || return 1
  echo "$pid"
}

wait_until() { # wait_until WHAT LOGFILE ALIVE CMD...: poll CMD; give up on timeout or when ALIVE fails
  local what=$1 logfile=$2 alive=$3 start=$SECONDS; shift 3
  until "$@" >/dev/null 2>&1; do
    # shellcheck disable=SC2086 # ALIVE may be a function and its argument
    if ((SECONDS - start >= SERVICES_TIMEOUT)) || { ((SECONDS - start >= 2)) && ! $alive >/dev/null; }; then
      log "$what not ready (waited $((SECONDS - start))s, timeout ${SERVICES_TIMEOUT}s); last lines of $logfile:"
      tail -n 20 "$logfile" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
  done
}

stop_pid() { # stop_pid NAME PID PORT...: SIGTERM, wait for exit and free ports
  local name=$1 pid=$2 deadline=$((SECONDS + SERVICES_TIMEOUT)) port; shift 2
  kill -TERM "$pid" 2>/dev/null || true
  while running "$pid"; do
    if ((SECONDS >= deadline)); then
      log "$name (pid $pid) still running ${SERVICES_TIMEOUT}s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true; deadline=$((SECONDS + SERVICES_TIMEOUT))
    fi
    sleep 0.1
  done
  for port in "$@"; do wait_until "$name port $port to close" /dev/null true port_closed "$port"; done
}

require_free() { port_open "$1" && die "$2: port $1 is already used by another process (see: ss -ltnp)"; return 0; }

find_pg_bin() { PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1); }
need_install() {
  find_pg_bin
  [[ -n $PG_BIN && -x $PG_BIN/initdb ]] || return 0
  local bin
  for bin in pgbouncer redis-server redis-cli nats-server clickhouse-server curl; do
    command -v "$bin" >/dev/null || return 0
  done
  [[ ${CLUSTER:-} != 1 || -x /usr/share/zookeeper/bin/zkServer.sh ]] || return 0
  return 1
}

ensure_binaries() {
  need_install || return 0
  ((EUID == 0)) || die "missing binaries; install (as root): apt-get install ${APT_PACKAGES[*]} curl"
  log "installing ${APT_PACKAGES[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${APT_PACKAGES[@]}" curl >/dev/null
  if [[ ${CLUSTER:-} == 1 ]]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${CLUSTER_APT_PACKAGES[@]}" >/dev/null; fi
  need_install && die "binaries still missing after apt-get install"
  return 0
}

# ---------------------------------------------------------------- postgres
# from / : the caller's directory may be out of that user's reach
as_pg() { if ((EUID == 0)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

# .data/NAME for what the postgres user writes (Postgres, PgBouncer). A checkout inside a closed
# home (root's is mode 700) is out of that user's reach: there .data/NAME becomes a link to a
# per-checkout directory under /var/lib/goods-edge, and the home keeps its permissions.
pg_owned_dir() { # pg_owned_dir NAME CREATE: prints the real directory (made and owned when CREATE=1)
  local link="$DATA/$1" real
  if [[ -L $link ]]; then
    real=$(readlink -f "$link")
  elif [[ -e $link || $2 != 1 ]] || as_pg test -x "$DATA"; then
    real=$link
  else
    real="/var/lib/goods-edge/$(printf %s "$DATA" | sha256sum | cut -c1-16)/$1"
    ln -sfn "$real" "$link"
  fi
  if [[ $2 == 1 ]]; then
    mkdir -p "$real"
    ((EUID == 0)) && chown postgres:postgres "$real"
    as_pg test -w "$real" || die "user postgres cannot write $real (is a parent directory closed?)"
  fi
  echo "$real"
}
pg_paths() { # pg_paths CREATE
  PG_DIR=$(pg_owned_dir postgres "$1")
  PGB_DIR=$(pg_owned_dir pgbouncer "$1")
  PGDATA="$PG_DIR/data" PG_SOCK="$PG_DIR/run" PG_LOG="$PG_DIR/postgres.log"
}
pg_pid() { pid_of "$PGDATA/postmaster.pid" postgres; }
pg_ready() { port_open "$PG_PORT" && as_pg "$PG_BIN/pg_isready" -q -h "$PG_SOCK" -p "$PG_PORT"; }
psql_su() { as_pg "$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -qtAX -v ON_ERROR_STOP=1 "$@"; }

pg_init() {
  as_pg mkdir -p "$PG_SOCK"
  [[ -s $PGDATA/PG_VERSION ]] && return 0
  log "postgres: initdb $PGDATA"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=password >"$PG_DIR/initdb.log" 2>&1 \
    || { tail -n 20 "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  # cleartext `password` over TCP: needed by the Neon driver's pipelineConnect="password"
  as_pg tee "$PGDATA/pg_hba.conf" >/dev/null <<'EOF'
local all postgres trust
local all all      password
host  all all 127.0.0.1/32 password
host  all all ::1/128      password
EOF
  echo "max_connections = 200" | as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null
}

pg_bootstrap() { # role + databases, idempotent
  psql_su -v user="$PG_USER" -v pw="$PG_PASSWORD" -v db="$PG_DB" -v testdb="${PG_DB}_test" <<'SQL'
SELECT format('CREATE ROLE %I', :'user') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', :'user', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', d, :'user') FROM unnest(ARRAY[:'db', :'testdb']) AS d
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d) \gexec
SQL
}

up_postgres() {
  if pg_pid >/dev/null; then wait_until postgres "$PG_LOG" pg_pid pg_ready; pg_bootstrap; return 0; fi
  require_free "$PG_PORT" postgres
  pg_init
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w -t "$SERVICES_TIMEOUT" -s \
    -o "-c port=$PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$PG_SOCK'" start \
    || { tail -n 20 "$PG_LOG" >&2; die "postgres did not start"; }
  wait_until postgres "$PG_LOG" pg_pid pg_ready
  pg_bootstrap
}
down_postgres() {
  local pid; pid=$(pg_pid) || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -s stop
  stop_pid postgres "$pid" "$PG_PORT"
}

# ---------------------------------------------------------------- pgbouncer
# What the app reaches (DATABASE_URL), as Neon's pooled connection string: transaction pooling,
# cleartext password auth (the Neon driver's pipelined connect needs it). A client waits for a
# server connection at most 4 s (below the API's 5 s deadline); it then gets an error, and its
# query was never sent. PGBOUNCER_POOL_SIZE, PGBOUNCER_RESERVE_POOL_SIZE and
# PGBOUNCER_QUERY_WAIT_TIMEOUT (seconds) change the pool, e.g. to Neon's pooler's long queue wait.
# PgBouncer will not run as root: it runs as postgres.
pgb_pid() { pid_of "$PGB_DIR/pgbouncer.pid" pgbouncer; }
pgb_ready() { port_open "$PGBOUNCER_PORT"; }
up_pgbouncer() {
  if ! pgb_pid >/dev/null; then
    require_free "$PGBOUNCER_PORT" pgbouncer
    printf '"%s" "%s"\n' "$PG_USER" "$PG_PASSWORD" | as_pg tee "$PGB_DIR/userlist.txt" >/dev/null
    as_pg tee "$PGB_DIR/pgbouncer.ini" >/dev/null <<EOF
[databases]
* = host=127.0.0.1 port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
pidfile = $PGB_DIR/pgbouncer.pid
logfile = $PGB_DIR/pgbouncer.log
auth_type = plain
auth_file = $PGB_DIR/userlist.txt
admin_users = $PG_USER
pool_mode = transaction
max_client_conn = 2000
default_pool_size = ${PGBOUNCER_POOL_SIZE:-20}
reserve_pool_size = ${PGBOUNCER_RESERVE_POOL_SIZE:-5}
query_wait_timeout = ${PGBOUNCER_QUERY_WAIT_TIMEOUT:-4}
server_login_retry = 1
server_connect_timeout = 5
log_connections = 0
log_disconnections = 0
EOF
    # A burst of clients needs more descriptors than the usual soft limit of 1024; setpriv,
    # unlike runuser, keeps the raised limit.
    (ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
     if ((EUID == 0)); then setpriv --reuid=postgres --regid=postgres --init-groups pgbouncer -d -q "$PGB_DIR/pgbouncer.ini"
     else pgbouncer -d -q "$PGB_DIR/pgbouncer.ini"; fi) || { tail -n 20 "$PGB_DIR/pgbouncer.log" >&2; die "pgbouncer did not start"; }
  fi
  wait_until pgbouncer "$PGB_DIR/pgbouncer.log" pgb_pid pgb_ready
}
down_pgbouncer() { local pid; pid=$(pgb_pid) || return 0; stop_pid pgbouncer "$pid" "$PGBOUNCER_PORT"; }

# ---------------------------------------------------------------- redis
redis_pid() { pid_of "$DATA/redis/redis.pid" redis-server; }
redis_ready() { [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }
up_redis() {
  if ! redis_pid >/dev/null; then
    require_free "$REDIS_PORT" redis
    mkdir -p "$DATA/redis"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/redis/redis.log" --dir "$DATA/redis"
  fi
  wait_until redis "$DATA/redis/redis.log" redis_pid redis_ready
}
down_redis() { local pid; pid=$(redis_pid) || return 0; stop_pid redis "$pid" "$REDIS_PORT"; }

# ---------------------------------------------------------------- nats
# nats_start DIR CLIENT WS MONITOR MAX_FILE_STORE [EXTRA]: writes a server's config, with its
# identities, and starts it; EXTRA is what a cluster node adds (its name, its routes).
nats_start() {
  local dir=$1 client=$2 ws=$3 monitor=$4 max_file=$5 extra=${6:-}
  mkdir -p "$dir/js"
  # The identities (scripts/nats/accounts.conf) read their users and passwords from the
  # environment, which load_env exported; an include is relative to this file.
  cp "$ROOT/scripts/nats/accounts.conf" "$dir/accounts.conf"
  cat >"$dir/nats.conf" <<EOF
$extra
listen: 127.0.0.1:$client
http: 127.0.0.1:$monitor
pid_file: "$dir/nats.pid"
log_file: "$dir/nats.log"
jetstream { store_dir: "$dir/js", max_memory_store: 256MB, max_file_store: $max_file }
websocket { host: 127.0.0.1, port: $ws, no_tls: true }
include "accounts.conf"
EOF
  setsid nohup nats-server -c "$dir/nats.conf" >>"$dir/nats.log" 2>&1 </dev/null &  # early errors land in the log too
}
nats_pid() { pid_of "$DATA/nats/nats.pid" nats-server; }
nats_ready() { curl -fsS "http://127.0.0.1:$NATS_MONITOR_PORT/healthz" | grep -q '"ok"'; }
up_nats() {
  local dir="$DATA/nats" p
  if ! nats_pid >/dev/null; then
    for p in "$NATS_PORT" "$NATS_WS_PORT" "$NATS_MONITOR_PORT"; do require_free "$p" nats; done
    nats_start "$dir" "$NATS_PORT" "$NATS_WS_PORT" "$NATS_MONITOR_PORT" 2GB
  fi
  wait_until nats "$dir/nats.log" nats_pid nats_ready
}
down_nats() { local pid; pid=$(nats_pid) || return 0; stop_pid nats "$pid" "$NATS_PORT" "$NATS_WS_PORT" "$NATS_MONITOR_PORT"; }

# ---------------------------------------------------------------- clickhouse
# Users of the project's own (users.xml, rewritten at each start): the writer (the ingest worker,
# migrations, this script) and the edge's reader, whose profile has readonly = 2: SELECT only,
# yet it may still set per-query settings, which the edge's HTTP client sends. `default` gets a
# random password nobody keeps: nothing connects anonymously.
ch_pid() { pid_of "$DATA/clickhouse/clickhouse.pid" clickhouse; }
ch_query() { # as the writer; the password goes through curl's config on stdin, not its arguments
  printf 'user = "%s:%s"\n' "$CLICKHOUSE_WRITER_USER" "$CLICKHOUSE_WRITER_PASSWORD" \
    | curl -fsS -K - "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/" --data-binary "$1" >/dev/null
}
ch_ready() { [[ $(curl -fsS "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/ping") == Ok* ]]; }
sha256_hex() { printf %s "$1" | sha256sum | cut -c1-64; }
ch_users() { # ch_users FILE: writes the users of CLICKHOUSE_USER and CLICKHOUSE_WRITER_USER
  local name
  for name in CLICKHOUSE_USER CLICKHOUSE_WRITER_USER CLICKHOUSE_PASSWORD CLICKHOUSE_WRITER_PASSWORD; do
    [[ -n ${!name:-} ]] || die "$name is not set (scripts/local.env)"
  done
  for name in CLICKHOUSE_USER CLICKHOUSE_WRITER_USER; do
    [[ ${!name} =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "$name: a plain identifier (letters, digits, _)"
  done
  [[ $CLICKHOUSE_USER != "$CLICKHOUSE_WRITER_USER" && $CLICKHOUSE_USER != default && $CLICKHOUSE_WRITER_USER != default ]] \
    || die "CLICKHOUSE_USER and CLICKHOUSE_WRITER_USER: two users of their own, neither of them default"
  (umask 077 && cat >"$1" <<EOF
<?xml version="1.0"?>
<yandex>
    <profiles>
        <default><max_memory_usage>10000000000</max_memory_usage></default>
        <reader><readonly>2</readonly></reader>
    </profiles>
    <users>
        <default>
            <password_sha256_hex>$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)</password_sha256_hex>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <$CLICKHOUSE_WRITER_USER>
            <password_sha256_hex>$(sha256_hex "$CLICKHOUSE_WRITER_PASSWORD")</password_sha256_hex>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </$CLICKHOUSE_WRITER_USER>
        <$CLICKHOUSE_USER>
            <password_sha256_hex>$(sha256_hex "$CLICKHOUSE_PASSWORD")</password_sha256_hex>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>reader</profile>
            <quota>default</quota>
        </$CLICKHOUSE_USER>
    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
EOF
  )
}
# ch_config DIR HTTP TCP [EXTRA]: a ClickHouse server's config.xml; EXTRA is XML a replica adds.
ch_config() {
  local dir=$1 http=$2 tcp=$3 extra=${4:-}
  cat <<EOF
<?xml version="1.0"?>
<yandex>
    <logger><level>information</level><log>$dir/log/clickhouse.log</log>
        <errorlog>$dir/log/clickhouse.err.log</errorlog><size>50M</size><count>2</count></logger>
    <http_port>$http</http_port>
    <tcp_port>$tcp</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
$extra
</yandex>
EOF
}
# ch_start NAME DIR HTTP TCP [EXTRA]: writes the server's users and config, the owner's alone (a
# replica's config holds the writer's password), and starts it as a daemon.
ch_start() {
  local name=$1 dir=$2
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
  ch_users "$dir/users.xml"
  (umask 077 && ch_config "$dir" "$3" "$4" "${5:-}" >"$dir/config.xml")
  clickhouse-server --config-file="$dir/config.xml" --pid-file="$dir/clickhouse.pid" --daemon \
    >>"$dir/log/stdout.log" 2>&1 || { tail -n 20 "$dir/log/stdout.log" >&2; die "$name did not start"; }
}
up_clickhouse() {
  local dir="$DATA/clickhouse" p
  if ! ch_pid >/dev/null; then
    for p in "$CLICKHOUSE_HTTP_PORT" "$CLICKHOUSE_TCP_PORT"; do require_free "$p" clickhouse; done
    ch_start clickhouse "$dir" "$CLICKHOUSE_HTTP_PORT" "$CLICKHOUSE_TCP_PORT"
  fi
  wait_until clickhouse "$dir/log/clickhouse.err.log" ch_pid ch_ready
  ch_query "CREATE DATABASE IF NOT EXISTS $CLICKHOUSE_DATABASE"
  ch_query "CREATE DATABASE IF NOT EXISTS ${CLICKHOUSE_DATABASE}_test"
}
down_clickhouse() { local pid; pid=$(ch_pid) || return 0; stop_pid clickhouse "$pid" "$CLICKHOUSE_HTTP_PORT" "$CLICKHOUSE_TCP_PORT"; }

# ---------------------------------------------------------------- commands
service_line() { # service_line NAME "PORT..." PIDFN: prints one line, returns 1 when down
  local name=$1 ports=$2 pid port; shift 2
  if pid=$("$@"); then
    for port in $ports; do port_open "$port" || pid=""; done
  fi
  if [[ -n $pid ]]; then
    printf '%-10s up    ports %-17s pid %s\n' "$name" "${ports// /,}" "$pid"
  else
    printf '%-10s down  ports %s\n' "$name" "${ports// /,}"; return 1
  fi
}

status_line() { # status_line SERVICE: one line; returns 1 when down
  local rc=0
  cluster_status_line "$1" || rc=$?
  ((rc != 2)) && return $rc
  case $1 in
    postgres) service_line postgres "$PG_PORT" pg_pid ;;
    pgbouncer) service_line pgbouncer "$PGBOUNCER_PORT" pgb_pid ;;
    redis) service_line redis "$REDIS_PORT" redis_pid ;;
    nats) service_line nats "$NATS_PORT $NATS_WS_PORT $NATS_MONITOR_PORT" nats_pid ;;
    clickhouse) service_line clickhouse "$CLICKHOUSE_HTTP_PORT $CLICKHOUSE_TCP_PORT" ch_pid ;;
  esac
}

cmd_status() { # cmd_status SERVICE...: non-zero if any is down
  local rc=0 s
  for s in "$@"; do status_line "$s" || rc=1; done
  return $rc
}

main() {
  local cmd=${1:-} args=() a
  case $cmd in up|down|status) ;; *) echo "usage: $0 up|down|status [--cluster] [service...]" >&2; exit 2 ;; esac
  shift
  for a in "$@"; do if [[ $a == --cluster ]]; then export CLUSTER=1; else args+=("$a"); fi; done
  [[ ${CLUSTER:-} == 1 ]] && SERVICES=("${CLUSTER_SERVICES[@]}")
  local chosen=("${args[@]}") s
  [[ ${#chosen[@]} -gt 0 ]] || chosen=("${SERVICES[@]}")
  for s in "${chosen[@]}"; do
    [[ " ${SERVICES[*]} " == *" $s "* ]] || { echo "unknown service: $s (one of: ${SERVICES[*]})" >&2; exit 2; }
  done
  load_env
  if [[ $cmd == up ]]; then ensure_binaries; pg_paths 1; else find_pg_bin; pg_paths 0; fi
  case $cmd in
    up) if [[ ${CLUSTER:-} == 1 ]]; then cluster_up "${chosen[@]}"; else for s in "${chosen[@]}"; do "up_$s"; done; fi
      cmd_status "${chosen[@]}" ;;
    down) if [[ ${CLUSTER:-} == 1 ]]; then cluster_down $(printf '%s\n' "${chosen[@]}" | tac); else for s in "${chosen[@]}"; do "down_$s"; done; fi
      log "stopped: ${chosen[*]}" ;;
    status) cmd_status "${chosen[@]}" ;;
  esac
}

main "$@"
