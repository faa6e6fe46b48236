#!/usr/bin/env bash
# Brings the whole system up on this machine, from a fresh clone: Node 24 and npm dependencies,
# a build, PostgreSQL + Kafka + schema registry (infra.sh), then every service in the background.
# Each service applies its own migrations at start-up before it reports ready.
#   bash deploy/local/up.sh        then   curl http://127.0.0.1:3000/api/health/services
# Logs: .infra/logs/<service>.log. Stop with: bash deploy/local/down.sh
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=./lib/workspace.sh
source "$ROOT/deploy/local/lib/workspace.sh"
RUN_DIR="$ROOT/.infra/run"
LOG_DIR="$ROOT/.infra/logs"
READY_TIMEOUT=${SERVICE_READY_TIMEOUT:-120}

prepare_workspace "$ROOT"
build_services "$ROOT"
bash "$ROOT/deploy/local/infra.sh" start
eval "$(bash "$ROOT/deploy/local/infra.sh" env)"
mkdir -p "$RUN_DIR" "$LOG_DIR"

pg_base=${DATABASE_ADMIN_URL%/*}

# A development signing key pair, made once per checkout and never committed: auth signs access
# tokens with the private half, the gateway verifies them with the public half.
KEY_DIR="$ROOT/.infra/jwt"
if [ ! -f "$KEY_DIR/private.pem" ] || [ ! -f "$KEY_DIR/public.pem" ]; then
  mkdir -p "$KEY_DIR"
  chmod 700 "$KEY_DIR"
  node -e '
    const { generateKeyPairSync } = require("node:crypto");
    const fs = require("node:fs");
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    fs.writeFileSync(process.argv[1] + "/private.pem", privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    fs.writeFileSync(process.argv[1] + "/public.pem", publicKey.export({ type: "spki", format: "pem" }));
    fs.writeFileSync(process.argv[1] + "/kid", "local-" + Date.now().toString(36));
  ' "$KEY_DIR"
fi
JWT_KEY_ID=$(cat "$KEY_DIR/kid")

start_service() {
  local name="$1" port="$2" database="$3"
  local pid_file="$RUN_DIR/$name.pid" log="$LOG_DIR/$name.log"
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "$name: already running (pid $(cat "$pid_file"))"
    return 0
  fi
  local -a env=(HTTP_PORT="$port" LOG_LEVEL="${LOG_LEVEL:-info}" KAFKA_BROKERS="$KAFKA_BROKERS" SCHEMA_REGISTRY_URL="$SCHEMA_REGISTRY_URL")
  [ "$database" != "-" ] && env+=(DATABASE_URL="$pg_base/$database")
  case "$name" in
    auth) env+=(JWT_PRIVATE_KEY="$(cat "$KEY_DIR/private.pem")" JWT_KEY_ID="$JWT_KEY_ID") ;;
    gateway) env+=(JWT_PUBLIC_KEY="$(cat "$KEY_DIR/public.pem")" JWT_KEY_ID="$JWT_KEY_ID") ;;
  esac
  env "${env[@]}" setsid nohup node --enable-source-maps "$ROOT/dist/services/$name/src/main.js" >>"$log" 2>&1 </dev/null &
  echo $! >"$pid_file"
}

wait_ready() {
  local name="$1" port="$2" path=/health/ready
  [ "$name" = gateway ] && path=/api/health/ready
  local deadline=$((SECONDS + READY_TIMEOUT))
  until curl -sf -o /dev/null "http://127.0.0.1:$port$path"; do
    if ! kill -0 "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      echo "$name: did not become ready on port $port; last lines of $LOG_DIR/$name.log:" >&2
      tail -n 30 "$LOG_DIR/$name.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "$name: ready on http://127.0.0.1:$port"
}

while read -r name port database; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  start_service "$name" "$port" "$database"
  wait_ready "$name" "$port"
done <"$ROOT/deploy/local/services.env"

echo
echo "The system is up. API: http://127.0.0.1:3000/api   Swagger UI: http://127.0.0.1:3000/api/docs"
echo "Stop it with: bash deploy/local/down.sh"
