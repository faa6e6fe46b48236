#!/usr/bin/env bash
# Stops every service started by up.sh, then Kafka and the registry (PostgreSQL is the machine's and stays).
#   bash deploy/local/down.sh             everything
#   bash deploy/local/down.sh services    the services only; Kafka and the registry keep running
set -euo pipefail
SCOPE=${1:-all}
if [[ "$SCOPE" != all && "$SCOPE" != services ]]; then
  echo "usage: down.sh [services]" >&2
  exit 2
fi

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
RUN_DIR="$ROOT/.infra/run"

# Reverse start order: the gateway stops taking requests before the services behind it go.
# Every instance of a service (<name>.pid, <name>-2.pid, ... with REPLICAS) stops together.
tac "$ROOT/deploy/local/services.env" | while read -r name _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  for pid_file in "$RUN_DIR/$name.pid" "$RUN_DIR/$name"-[0-9].pid; do
    [ -f "$pid_file" ] || continue
    pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      echo "$(basename "$pid_file" .pid): stopped"
    fi
    rm -f "$pid_file"
  done
done
[ "$SCOPE" = services ] || bash "$ROOT/deploy/local/infra.sh" stop
