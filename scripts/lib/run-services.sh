# Sourced by the scripts that need the backing services for one run (npm test, test:cluster,
# start, seed, benches). run_services LABEL: starts them unless they are up already, and at exit
# stops only what this run started.
run_services() {
  if bash scripts/services.sh status >/dev/null 2>&1; then
    echo "[$1] backing services already running; leaving them up" >&2
  else
    trap 'bash scripts/services.sh down' EXIT
    bash scripts/services.sh up
  fi
}
