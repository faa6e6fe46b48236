#!/usr/bin/env bash
# Brings the whole system up on this machine, from a fresh clone: Node 24 and npm dependencies,
# a build, PostgreSQL + Kafka + schema registry (infra.sh), then every service in the background.
# Each service applies its own migrations at start-up before it reports ready.
#   bash deploy/local/up.sh        then   curl http://127.0.0.1:3000/api/health/services
#   REPLICAS=2 bash deploy/local/up.sh    two instances of auth, wallet, billing and the gateway
#     (the second on each port + 100); every gateway spreads its calls round-robin over all of
#     them. The provider simulator, a stand-in for an outside API, runs once.
# Metrics: GET /metrics on each service's own management port (services.env: gateway 7000, auth
# 7001, wallet 7002, billing 7003), never on its HTTP port.
# Logs: .infra/logs/<service>[-<k>].log. Stop with: bash deploy/local/down.sh
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=./lib/workspace.sh
source "$ROOT/deploy/local/lib/workspace.sh"
# shellcheck source=./lib/process.sh
source "$ROOT/deploy/local/lib/process.sh"
RUN_DIR="$ROOT/.infra/run"
LOG_DIR="$ROOT/.infra/logs"
READY_TIMEOUT=${SERVICE_READY_TIMEOUT:-120}
REPLICAS=${REPLICAS:-1}
# Each instance k takes its ports + 100*(k-1): past 9 they would collide with the next service's.
if ! [[ "$REPLICAS" =~ ^[1-9]$ ]]; then
  echo "REPLICAS must be 1 to 9, got '$REPLICAS'" >&2
  exit 2
fi

# UP_SKIP_BUILD=1 restarts instances that died without rebuilding (tools/failover uses it).
if [ "${UP_SKIP_BUILD:-0}" != 1 ]; then
  prepare_workspace "$ROOT"
  build_services "$ROOT"
else
  ensure_node "$ROOT"
fi
# UP_SKIP_INFRA=1 starts missing service instances only, leaving Kafka, the registry and the
# registered schemas as they are: the chaos suite restarts a killed instance while another fault
# (a stopped broker or registry) must stay in place.
if [ "${UP_SKIP_INFRA:-0}" != 1 ]; then
  bash "$ROOT/deploy/local/infra.sh" start
fi
eval "$(bash "$ROOT/deploy/local/infra.sh" env)"
mkdir -p "$RUN_DIR" "$LOG_DIR"

pg_base=${DATABASE_ADMIN_URL%/*}

# The deploy step's one write to the schema registry (ADR 0007): the services only look the
# contract schemas up, and the registry refuses their writes.
if [ "${UP_SKIP_INFRA:-0}" != 1 ]; then
  SCHEMA_REGISTRY_USERNAME=bvsdeploy SCHEMA_REGISTRY_PASSWORD="$(cat "$SCHEMA_REGISTRY_CREDENTIALS_DIR/bvsdeploy")" \
    node "$ROOT/dist/libs/platform/src/schema-registry/register-schemas.main.js" >/dev/null
fi

# A development signing key pair, made once per checkout and never committed: auth signs access
# tokens with the private half, the gateway and every service verify them with the public half.
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

# The simulator's admin API (latency and faults at runtime, docs/provider-sim-api.md), behind a
# token made once per checkout; npm run bench:purchase reads it to set the provider's latency.
SIM_ADMIN_TOKEN_FILE="$ROOT/.infra/provider-sim-admin-token"
if [ ! -f "$SIM_ADMIN_TOKEN_FILE" ]; then
  (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("hex"))' >"$SIM_ADMIN_TOKEN_FILE")
fi

# The merchant key billing sends and the simulator requires, so that only billing can requery a
# vend (and read its token); made once per checkout, like the admin token.
SIM_API_KEY_FILE="$ROOT/.infra/provider-sim-api-key"
if [ ! -f "$SIM_API_KEY_FILE" ]; then
  (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("hex"))' >"$SIM_API_KEY_FILE")
fi

# The payment processor's secret key, shared by the simulator (which plays Paystack under /processor:
# it signs its webhooks with it) and the wallet (which calls its API and checks those signatures).
PROCESSOR_KEY_FILE="$ROOT/.infra/payment-processor-secret-key"
if [ ! -f "$PROCESSOR_KEY_FILE" ]; then
  (umask 077 && node -e 'process.stdout.write("sk_test_" + require("node:crypto").randomBytes(24).toString("hex"))' >"$PROCESSOR_KEY_FILE")
fi
SIM_PORT=$(awk '$1 == "provider-sim" { print $2 }' "$ROOT/deploy/local/services.env")
GATEWAY_PORT=$(awk '$1 == "gateway" { print $2 }' "$ROOT/deploy/local/services.env")

# The gateway's gRPC targets: every instance of each backend, for round-robin.
grpc_target() {
  local base="$1" k addresses=()
  for ((k = 0; k < REPLICAS; k++)); do addresses+=("127.0.0.1:$((base + 100 * k))"); done
  local IFS=,
  printf 'ipv4:%s\n' "${addresses[*]}"
}
grpc_port_of() {
  awk -v name="$1" '$1 == name { print $3 }' "$ROOT/deploy/local/services.env"
}

# How each service's memory is sized, the same here, in the image (Dockerfile) and in Kubernetes
# (deploy/k8s): on a large host V8 otherwise takes a 128 MiB young generation and lets the old one
# grow to its first 256 MiB limit before collecting it, so an idle service held about 200 MiB and a
# loaded one 400-550 MiB with a live heap near 50 MiB (docs/benchmarks.md, "Memory"). A 16 MiB
# semi-space, a first old-generation limit of 64 MiB and a limit 50% above the live heap after each
# full collection keep every service under 250 MiB at the machine's limit. Not in NODE_OPTIONS,
# which refuses --heap-growing-percent. No --enable-source-maps either: it parses the source map
# of every dependency that ships one and keeps it: 10-47 MiB a process at idle.
V8_HEAP_FLAGS="--max-semi-space-size=16 --initial-old-space-size=64 --heap-growing-percent=50"
# glibc gives each thread that allocates its own arena; two are enough for Node's few threads.
MALLOC_ARENA_MAX=2

start_service() {
  local instance="$1" name="$2" port="$3" grpc_port="$4" database="$5" metrics_port="$6"
  local pid_file="$RUN_DIR/$instance.pid" log="$LOG_DIR/$instance.log"
  if [ -f "$pid_file" ] && alive "$(cat "$pid_file")"; then
    echo "$instance: already running (pid $(cat "$pid_file"))"
    return 0
  fi
  local -a env=(HTTP_PORT="$port" LOG_LEVEL="${LOG_LEVEL:-info}" KAFKA_BROKERS="$KAFKA_BROKERS" SCHEMA_REGISTRY_URL="$SCHEMA_REGISTRY_URL")
  [ "$database" != "-" ] && env+=(DATABASE_URL="$pg_base/$database")
  [ "$grpc_port" != "-" ] && env+=(GRPC_PORT="$grpc_port")
  [ "$metrics_port" != "-" ] && env+=(METRICS_PORT="$metrics_port")
  # Each service that produces or consumes events connects to Kafka as its own user, whose ACLs
  # (deploy/kafka/access.conf) allow only its own topics; infra.sh made the passwords.
  case "$name" in
    auth | wallet | billing) env+=(KAFKA_SASL_USERNAME="bvs-$name" KAFKA_SASL_PASSWORD="$(cat "$KAFKA_CREDENTIALS_DIR/bvs-$name")") ;;
  esac
  case "$name" in
    # The sandbox card pays each charge at once, so a funding is credited a moment after it is asked for.
    provider-sim)
      env+=(ADMIN_TOKEN="$(cat "$SIM_ADMIN_TOKEN_FILE")" API_KEY="$(cat "$SIM_API_KEY_FILE")"
        PROCESSOR_SECRET_KEY="$(cat "$PROCESSOR_KEY_FILE")" PROCESSOR_AUTO_PAY=true
        PROCESSOR_WEBHOOK_URL="http://127.0.0.1:$GATEWAY_PORT/api/webhooks/paystack")
      ;;
    auth) env+=(JWT_PRIVATE_KEY="$(cat "$KEY_DIR/private.pem")" JWT_KEY_ID="$JWT_KEY_ID") ;;
    # Money enters as it does in production: a charge at the processor, a signed webhook, a verification.
    # The bound on payments in flight follows billing's vend slots, which grow with its replicas (ADR 0016).
    wallet)
      env+=(JWT_PUBLIC_KEY="$(cat "$KEY_DIR/public.pem")" JWT_KEY_ID="$JWT_KEY_ID"
        PAYMENT_PROCESSOR_BASE_URL="http://127.0.0.1:$SIM_PORT/processor" PAYMENT_PROCESSOR_SECRET_KEY="$(cat "$PROCESSOR_KEY_FILE")"
        MAX_PENDING_PAYMENTS="${MAX_PENDING_PAYMENTS:-$((640 * REPLICAS))}")
      ;;
    billing) env+=(JWT_PUBLIC_KEY="$(cat "$KEY_DIR/public.pem")" JWT_KEY_ID="$JWT_KEY_ID" PROVIDER_API_KEY="$(cat "$SIM_API_KEY_FILE")") ;;
    gateway)
      env+=(JWT_PUBLIC_KEY="$(cat "$KEY_DIR/public.pem")" JWT_KEY_ID="$JWT_KEY_ID"
        AUTH_GRPC_TARGET="$(grpc_target "$(grpc_port_of auth)")"
        WALLET_GRPC_TARGET="$(grpc_target "$(grpc_port_of wallet)")"
        BILLING_GRPC_TARGET="$(grpc_target "$(grpc_port_of billing)")")
      ;;
  esac
  # V8_HEAP_FLAGS and MALLOC_ARENA_MAX: see where they are set, above start_service.
  env "${env[@]}" MALLOC_ARENA_MAX="$MALLOC_ARENA_MAX" setsid nohup node $V8_HEAP_FLAGS "$ROOT/dist/services/$name/src/main.js" >>"$log" 2>&1 </dev/null &
  echo $! >"$pid_file"
}

wait_ready() {
  local instance="$1" name="$2" port="$3" path=/health/ready
  [ "$name" = gateway ] && path=/api/health/ready
  local deadline=$((SECONDS + READY_TIMEOUT))
  until curl -sf -o /dev/null "http://127.0.0.1:$port$path"; do
    if ! alive "$(cat "$RUN_DIR/$instance.pid")" || [ $SECONDS -ge $deadline ]; then
      echo "$instance: did not become ready on port $port; last lines of $LOG_DIR/$instance.log:" >&2
      tail -n 30 "$LOG_DIR/$instance.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "$instance: ready on http://127.0.0.1:$port"
}

while read -r name port grpc_port database metrics_port; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  instances=$REPLICAS
  [ "$name" = provider-sim ] && instances=1
  for ((k = 0; k < instances; k++)); do
    instance=$name
    ((k > 0)) && instance="$name-$((k + 1))"
    shift_ports=$((100 * k))
    instance_grpc=-
    [ "$grpc_port" != "-" ] && instance_grpc=$((grpc_port + shift_ports))
    instance_metrics=-
    [ "$metrics_port" != "-" ] && instance_metrics=$((metrics_port + shift_ports))
    start_service "$instance" "$name" "$((port + shift_ports))" "$instance_grpc" "$database" "$instance_metrics"
  done
  for ((k = 0; k < instances; k++)); do
    instance=$name
    ((k > 0)) && instance="$name-$((k + 1))"
    wait_ready "$instance" "$name" "$((port + 100 * k))"
  done
done <"$ROOT/deploy/local/services.env"

echo
echo "The system is up. API: http://127.0.0.1:3000/api   Swagger UI: http://127.0.0.1:3000/api/docs"
echo "Metrics: http://127.0.0.1:7000/metrics (gateway), 7001 auth, 7002 wallet, 7003 billing"
echo "Stop it with: bash deploy/local/down.sh"
