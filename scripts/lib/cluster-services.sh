# The cluster stack of scripts/services.sh (sourced by it; `up --cluster` or CLUSTER=1): three
# nats-server nodes in one JetStream cluster, ZooKeeper, and two ClickHouse replicas of one shard.
# Node n and replica r take the base ports of scripts/cluster.env plus 10 × (n − 1), which the URL
# lists there name. Each node has the single node's users and permissions.

CLUSTER_SERVICES=(postgres pgbouncer redis nats1 nats2 nats3 zookeeper clickhouse1 clickhouse2)
CLUSTER_APT_PACKAGES=(zookeeper)
NATS_NODES=(1 2 3)
CLICKHOUSE_REPLICAS=(1 2)

node_port() { echo $(($1 + 10 * ($2 - 1))); } # node_port BASE N

# ---------------------------------------------------------------- nats nodes
nats_node_ports() { # the client, WebSocket, monitoring and route ports of node $1
  local n=$1
  echo "$(node_port "$NATS_PORT" "$n") $(node_port "$NATS_WS_PORT" "$n") $(node_port "$NATS_MONITOR_PORT" "$n") $(node_port "$NATS_CLUSTER_PORT" "$n")"
}
nats_node_pid() { pid_of "$DATA/nats$1/nats.pid" nats-server; }
# Healthy once the node has JetStream in the cluster (a meta leader elected, its streams current).
nats_node_ready() { curl -fsS "http://127.0.0.1:$(node_port "$NATS_MONITOR_PORT" "$1")/healthz" | grep -q '"ok"'; }
start_nats_node() {
  local n=$1 dir="$DATA/nats$1" p routes="" m
  nats_node_pid "$n" >/dev/null && return 0
  for p in $(nats_node_ports "$n"); do require_free "$p" "nats$n"; done
  for m in "${NATS_NODES[@]}"; do routes+="nats-route://127.0.0.1:$(node_port "$NATS_CLUSTER_PORT" "$m"), "; done
  read -r client ws monitor route <<<"$(nats_node_ports "$n")"
  # A clustered stream reserves its max_bytes on every node that holds it: room for the worker's
  # stream (NATS_STREAM_MAX_BYTES, a GiB by default) and the tests' own beside it.
  nats_start "$dir" "$client" "$ws" "$monitor" 16GB "server_name: goods-nats-$n
cluster { name: goods, listen: 127.0.0.1:$route, routes: [${routes%, }] }"
  wait_until "nats$n" "$dir/nats.log" "nats_node_pid $n" port_open "$client"
}
# A node's /healthz answers ok only once a quorum of nodes is up: every node starts, then all are awaited.
up_nats_nodes() {
  local n
  for n in "$@"; do start_nats_node "$n"; done
  for n in "$@"; do wait_until "nats$n" "$DATA/nats$n/nats.log" "nats_node_pid $n" nats_node_ready "$n"; done
}
down_nats_node() {
  local pid; pid=$(nats_node_pid "$1") || return 0
  # shellcheck disable=SC2046
  stop_pid "nats$1" "$pid" $(nats_node_ports "$1")
}

# ---------------------------------------------------------------- zookeeper
zk_pid() { pid_of "$DATA/zookeeper/data/zookeeper_server.pid" zookeeper; }
zk_ready() {
  local answer
  exec 3<>"/dev/tcp/127.0.0.1/$ZOOKEEPER_PORT" || return 1
  printf ruok >&3
  read -r -t 2 answer <&3 || true
  exec 3<&-
  [[ $answer == imok ]]
}
up_zookeeper() {
  local dir="$DATA/zookeeper"
  if ! zk_pid >/dev/null; then
    require_free "$ZOOKEEPER_PORT" zookeeper
    mkdir -p "$dir/data" "$dir/log"
    cat >"$dir/zoo.cfg" <<EOF
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=$ZOOKEEPER_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr
EOF
    cp /etc/zookeeper/conf/log4j.properties "$dir/" 2>/dev/null || true
    ZOOCFGDIR="$dir" ZOO_LOG_DIR="$dir/log" /usr/share/zookeeper/bin/zkServer.sh start "$dir/zoo.cfg" \
      >>"$dir/log/start.log" 2>&1 || { tail -n 20 "$dir/log/start.log" >&2; die "zookeeper did not start"; }
  fi
  wait_until zookeeper "$dir/log/start.log" zk_pid zk_ready
}
down_zookeeper() { local pid; pid=$(zk_pid) || return 0; stop_pid zookeeper "$pid" "$ZOOKEEPER_PORT"; }

# ---------------------------------------------------------------- clickhouse replicas
ch_node_ports() { # HTTP, native and interserver (part fetches) ports of replica $1
  echo "$(node_port "$CLICKHOUSE_HTTP_PORT" "$1") $(node_port "$CLICKHOUSE_TCP_PORT" "$1") $(node_port "$CLICKHOUSE_INTERSERVER_PORT" "$1")"
}
ch_node_pid() { pid_of "$DATA/clickhouse$1/clickhouse.pid" clickhouse; }
ch_node_ready() { [[ $(curl -fsS "http://127.0.0.1:$(node_port "$CLICKHOUSE_HTTP_PORT" "$1")/ping") == Ok* ]]; }
ch_node_query() { # ch_node_query R SQL: as the writer
  printf 'user = "%s:%s"\n' "$CLICKHOUSE_WRITER_USER" "$CLICKHOUSE_WRITER_PASSWORD" \
    | curl -fsS -K - "http://127.0.0.1:$(node_port "$CLICKHOUSE_HTTP_PORT" "$1")/" --data-binary "$2" >/dev/null
}
# remote_servers: one shard, a replica per node; ON CLUSTER DDL reaches each as the writer.
ch_cluster_xml() {
  local r
  printf '<remote_servers><%s><shard><internal_replication>true</internal_replication>\n' "$CLICKHOUSE_CLUSTER"
  for r in "${CLICKHOUSE_REPLICAS[@]}"; do
    printf '<replica><host>127.0.0.1</host><port>%s</port><user>%s</user><password>%s</password></replica>\n' \
      "$(node_port "$CLICKHOUSE_TCP_PORT" "$r")" "$CLICKHOUSE_WRITER_USER" "$CLICKHOUSE_WRITER_PASSWORD"
  done
  printf '</shard></%s></remote_servers>\n' "$CLICKHOUSE_CLUSTER"
}
# What a replica adds to the server's config: its interserver port, ZooKeeper, macros and the cluster.
ch_replica_xml() {
  local r=$1 interserver=$2
  cat <<EOF
    <interserver_http_port>$interserver</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <zookeeper><node><host>127.0.0.1</host><port>$ZOOKEEPER_PORT</port></node></zookeeper>
    <macros><shard>01</shard><replica>replica$r</replica></macros>
    $(ch_cluster_xml)
    <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
EOF
}
up_clickhouse_node() {
  local r=$1 dir="$DATA/clickhouse$1" p http tcp interserver
  read -r http tcp interserver <<<"$(ch_node_ports "$r")"
  if ! ch_node_pid "$r" >/dev/null; then
    for p in $http $tcp $interserver; do require_free "$p" "clickhouse$r"; done
    ch_start "clickhouse$r" "$dir" "$http" "$tcp" "$(ch_replica_xml "$r" "$interserver")"
  fi
  wait_until "clickhouse$r" "$dir/log/clickhouse.err.log" "ch_node_pid $r" ch_node_ready "$r"
  ch_node_query "$r" "CREATE DATABASE IF NOT EXISTS $CLICKHOUSE_DATABASE"
  ch_node_query "$r" "CREATE DATABASE IF NOT EXISTS ${CLICKHOUSE_DATABASE}_test"
}
down_clickhouse_node() {
  local pid; pid=$(ch_node_pid "$1") || return 0
  # shellcheck disable=SC2046
  stop_pid "clickhouse$1" "$pid" $(ch_node_ports "$1")
}

cluster_status_line() { # cluster_status_line SERVICE: one line; 1 when down, 2 when not a cluster service
  case $1 in
    nats[1-3]) service_line "$1" "$(nats_node_ports "${1#nats}")" nats_node_pid "${1#nats}" ;;
    zookeeper) service_line zookeeper "$ZOOKEEPER_PORT" zk_pid ;;
    clickhouse[1-2]) service_line "$1" "$(ch_node_ports "${1#clickhouse}")" ch_node_pid "${1#clickhouse}" ;;
    *) return 2 ;;
  esac
}

# Starts the chosen cluster services in order; NATS nodes together (their health needs a quorum).
cluster_up() {
  local s nodes=()
  for s in "$@"; do [[ $s == nats[1-3] ]] && nodes+=("${s#nats}"); done
  for s in "$@"; do
    case $s in
      nats[1-3]) if [[ ${s#nats} == "${nodes[0]}" ]]; then up_nats_nodes "${nodes[@]}"; fi ;;
      zookeeper) up_zookeeper ;;
      clickhouse[1-2]) up_clickhouse_node "${s#clickhouse}" ;;
      *) "up_$s" ;;
    esac
  done
}
cluster_down() {
  local s
  for s in "$@"; do
    case $s in
      nats[1-3]) down_nats_node "${s#nats}" ;;
      clickhouse[1-2]) down_clickhouse_node "${s#clickhouse}" ;;
      *) "down_$s" ;;
    esac
  done
}
