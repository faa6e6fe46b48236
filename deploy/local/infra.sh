#!/usr/bin/env bash
# Local infrastructure without Docker: PostgreSQL and Redis (the machine's own), a single-node Kafka 3.9 broker
# and an Apicurio schema registry, both run from Maven Central artifacts.
#
#   bash deploy/local/infra.sh start|stop [kafka|schema-registry] | status | env
#   eval "$(bash deploy/local/infra.sh env)"
#
# Everything this script creates lives in <repo>/.infra (git-ignored): jars, data, logs, pid files.
# Why Kafka 3.9 and Apicurio: docs/adr/0001-kafka-3.9-for-kafkajs.md, docs/adr/0002-apicurio-as-schema-registry.md.
#
# Tunables (environment): KAFKA_HEAP_MB (512), REGISTRY_HEAP_MB (384), INFRA_START_TIMEOUT (120 s per part),
# INFRA_STOP_TIMEOUT (30 s per part), INFRA_KAFKA_VERSION / INFRA_APICURIO_VERSION (pin a version instead
# of the fallback lists), REGISTRY_JAVA (java binary for the registry), PGHOST / PGPORT / PGUSER / PGPASSWORD.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
# shellcheck source=./lib/process.sh
source "$SCRIPT_DIR/lib/process.sh"
INFRA_DIR="$REPO_ROOT/.infra"
LOG_DIR="$INFRA_DIR/logs"
RUN_DIR="$INFRA_DIR/run"
MAVEN_LOG="$LOG_DIR/maven.log"

START_TIMEOUT=${INFRA_START_TIMEOUT:-120}
STOP_TIMEOUT=${INFRA_STOP_TIMEOUT:-30}

PG_HOST=${PGHOST:-127.0.0.1}
PG_PORT=${PGPORT:-5432}
PG_USER=${PGUSER:-postgres}
# Only the registry's JDBC connection uses it; with the machine's trust auth any value works.
PG_PASSWORD=${PGPASSWORD:-postgres}
DATABASES=(bvs_auth bvs_wallet bvs_billing bvs_provider_sim bvs_registry)
REGISTRY_DATABASE=bvs_registry

KAFKA_HOST=127.0.0.1
KAFKA_PORT=9092
KAFKA_HEAP_MB=${KAFKA_HEAP_MB:-512}
KAFKA_HOME="$INFRA_DIR/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_CONF="$KAFKA_HOME/server.properties"
KAFKA_LOG="$LOG_DIR/kafka.log"
KAFKA_PID="$RUN_DIR/kafka.pid"
# One password file per Kafka identity (mode 600): bvs-admin (the super user the provisioner runs
# as), bvs-controller (the controller listener) and every identity the access files name.
KAFKA_CREDENTIALS="$KAFKA_HOME/credentials"
KAFKA_ACCESS_FILES=("$REPO_ROOT/deploy/kafka/access.conf" "$SCRIPT_DIR/kafka/test-access.conf")
KAFKA_PROVISIONER_SOURCE="$SCRIPT_DIR/kafka/KafkaProvisioner.java"
KAFKA_PROVISIONER_CLASSES="$KAFKA_HOME/provisioner"
# Written at storage format: storage without it predates authentication and is formatted again.
KAFKA_SCRAM_MARKER="$KAFKA_DATA/.scram-admin"
# 3.9.2 first, 3.9.1 if a mirror does not serve it yet; 4.x would need a log4j2 setup (ADR 0001).
read -r -a KAFKA_VERSIONS <<<"${INFRA_KAFKA_VERSION:-3.9.2 3.9.1}"

REGISTRY_HOST=127.0.0.1
REGISTRY_PORT=8081
# Quarkus' management interface (health, metrics) defaults to 9000; moved so it clashes with nothing.
REGISTRY_MANAGEMENT_PORT=9001
REGISTRY_HEAP_MB=${REGISTRY_HEAP_MB:-384}
REGISTRY_URL="http://$REGISTRY_HOST:$REGISTRY_PORT/apis/ccompat/v7"
APICURIO_HOME="$INFRA_DIR/apicurio"
REGISTRY_LOG="$LOG_DIR/schema-registry.log"
REGISTRY_PID="$RUN_DIR/schema-registry.pid"
# Anyone may read schemas; only the deploy step's user (sr-admin in Apicurio's role-based
# authorization) may register or change one (ADR 0007). Its password: one file, made once per checkout.
REGISTRY_CREDENTIALS="$APICURIO_HOME/credentials"
REGISTRY_DEPLOY_USER=bvsdeploy
read -r -a APICURIO_VERSIONS <<<"${INFRA_APICURIO_VERSION:-3.3.3 3.3.2 3.0.9 2.6.13.Final}"

say() { printf '%s\n' "$*"; }
warn() { printf '%s\n' "$*" >&2; }

# Names the part that failed and shows why, so nobody has to go digging in .infra/logs.
fail() {
  local part="$1" message="$2" log="${3:-}"
  warn "ERROR: $part: $message"
  if [[ -n "$log" && -s "$log" ]]; then
    warn "---- last 30 lines of $log ----"
    # Maven writes colour resets even in batch mode; they only clutter the terminal.
    tail -n 30 "$log" | sed $'s/\e\\[[0-9;]*m//g' >&2
    warn "----"
  elif [[ -n "$log" ]]; then
    warn "(its log $log is still empty)"
  fi
  exit 1
}

need() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || fail "infra" "'$cmd' is not on PATH"
  done
}

# ---------------------------------------------------------------------------------------------------
# Process bookkeeping

# A pid file only counts if its process is still the one we started: pids get reused after a reboot
# or a crash, and killing someone else's process would be far worse than starting a second copy.
own_pid() {
  local pid_file="$1" marker="$2" pid cmdline
  [[ -f "$pid_file" ]] || return 1
  pid=$(<"$pid_file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *"$marker"* && "$cmdline" == *"$INFRA_DIR"* ]] || return 1
  printf '%s\n' "$pid"
}

clean_stale_pid() {
  local pid_file="$1" marker="$2"
  if [[ -f "$pid_file" ]] && ! own_pid "$pid_file" "$marker" >/dev/null; then
    rm -f "$pid_file"
  fi
}

tcp_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Keeps the previous run's log next to the new one: the interesting failure is often in the last run.
rotate_log() {
  if [[ -f "$1" ]]; then
    mv -f "$1" "$1.1"
  fi
}

# setsid: the broker and the registry must outlive the shell (or Nx/Jest process group) that started them.
# The lock descriptor is closed so a running server does not hold the start/stop lock forever.
launch() {
  local pid_file="$1" log="$2"
  shift 2
  rotate_log "$log"
  (
    cd "$INFRA_DIR"
    exec 9>&-
    exec setsid nohup "$@" >"$log" 2>&1 </dev/null
  ) &
  printf '%s\n' "$!" >"$pid_file"
}

# Waits until check_fn succeeds; gives up early if the process already died. The pid file holds a
# process this run has just launched, or one own_pid has just recognised. A launch is followed by
# its pid alone, not by its command line (own_pid): for a moment after `launch` the process is
# still the subshell that has not yet exec'd its command, and its command line is infra.sh's own.
# On a busy machine that moment outlasted the first readiness check, and a broker that was
# starting was reported dead and left running without a pid file (the chaos suite's broker
# restart, 2026-12-07).
wait_ready() {
  local part="$1" pid_file="$2" log="$3" check_fn="$4" pid
  pid=$(<"$pid_file")
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$check_fn"; do
    if ! alive "$pid"; then
      rm -f "$pid_file"
      fail "$part" "process exited during startup" "$log"
    fi
    if ((SECONDS >= deadline)); then
      fail "$part" "did not answer within ${START_TIMEOUT}s (still running as pid $pid; INFRA_START_TIMEOUT raises the limit)" "$log"
    fi
    sleep 1
  done
}

stop_part() {
  local part="$1" pid_file="$2" marker="$3" ready_fn="$4" pid deadline
  if ! pid=$(own_pid "$pid_file" "$marker"); then
    rm -f "$pid_file"
    if "$ready_fn"; then
      say "$part: running but not started from this checkout, left alone"
    else
      say "$part: not running"
    fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while [[ -e "/proc/$pid" ]] && ((SECONDS < deadline)); do
    sleep 1
  done
  if [[ -e "/proc/$pid" ]]; then
    warn "$part: still running after ${STOP_TIMEOUT}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    while [[ -e "/proc/$pid" ]]; do sleep 0.2; done
  fi
  rm -f "$pid_file"
  say "$part: stopped (pid $pid)"
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL (the machine's cluster: started if needed, never stopped)

pg_is_local() {
  [[ "$PG_HOST" == "127.0.0.1" || "$PG_HOST" == "localhost" || "$PG_HOST" == "::1" || "$PG_HOST" == /* ]]
}

psql_admin() {
  psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"
}

pg_ready() {
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1 && [[ "$(psql_admin -c 'select 1' 2>/dev/null)" == 1 ]]
}

pg_server_log() {
  local f
  for f in /var/log/postgresql/postgresql-*-main.log; do
    [[ -f "$f" ]] && printf '%s\n' "$f"
  done | tail -n 1
}

ensure_postgres() {
  need pg_isready psql
  if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1; then
    pg_is_local || fail "postgresql" "$PG_HOST:$PG_PORT does not answer (remote host, not starting it)"
    local version=""
    local conf
    for conf in /etc/postgresql/*/main; do
      [[ -d "$conf" ]] && version=$(basename "$(dirname "$conf")") && break
    done
    [[ -n "$version" ]] || fail "postgresql" "not answering on $PG_HOST:$PG_PORT and no cluster under /etc/postgresql"
    say "postgresql: starting cluster $version/main"
    # --skip-systemctl-redirect: there is no systemd in containers and CI runners.
    local output
    if ! output=$(pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1); then
      warn "postgresql: 'pg_ctlcluster $version main start' failed (it needs root or the postgres user): $output"
      warn "postgresql: waiting in case it comes up anyway"
    fi
  fi
  local deadline=$((SECONDS + START_TIMEOUT))
  until pg_ready; do
    ((SECONDS < deadline)) || fail "postgresql" "did not answer on $PG_HOST:$PG_PORT within ${START_TIMEOUT}s" "$(pg_server_log)"
    sleep 1
  done
  local db created=()
  for db in "${DATABASES[@]}"; do
    if [[ "$(psql_admin -c "select 1 from pg_database where datname = '$db'")" != 1 ]]; then
      psql_admin -c "create database \"$db\"" >/dev/null || fail "postgresql" "could not create database $db"
      created+=("$db")
    fi
  done
  if ((${#created[@]} > 0)); then
    say "postgresql: up on $PG_HOST:$PG_PORT (created ${created[*]})"
  else
    say "postgresql: up on $PG_HOST:$PG_PORT"
  fi
}

# ---------------------------------------------------------------------------------------------------
# Redis (the machine's, like PostgreSQL: checked, never started or stopped). The gateway and auth
# keep rate-limit counters and ended sessions there (ADR 0008).

REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}

redis_ready() {
  local reply
  reply=$(
    exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT"
    printf 'PING\r\n' >&3
    timeout 2 head -c 7 <&3
  ) 2>/dev/null || return 1
  [[ "$reply" == "+PONG"* ]]
}

ensure_redis() {
  redis_ready || fail "redis" "nothing answers PING on $REDIS_HOST:$REDIS_PORT; start the machine's Redis (redis-server, no persistence needed) or set REDIS_HOST/REDIS_PORT"
  say "redis: up on $REDIS_HOST:$REDIS_PORT"
}

# ---------------------------------------------------------------------------------------------------
# Kafka

KAFKA_MARKER="kafka.Kafka"

# A real protocol round trip without Java or a client library: an ApiVersions v0 request, the one
# request the SASL listener answers before authentication, and its error code. Whether clients can
# produce is the provisioner's check (provision_kafka), which authenticates and asks for the brokers.
kafka_ready() {
  tcp_open "$KAFKA_HOST" "$KAFKA_PORT" || return 1
  local reply
  reply=$(
    exec 3<>"/dev/tcp/$KAFKA_HOST/$KAFKA_PORT"
    # size 15 | api_key 18 (ApiVersions) | version 0 | correlation id 1 | client id "infra"
    printf '\x00\x00\x00\x0f\x00\x12\x00\x00\x00\x00\x00\x01\x00\x05infra' >&3
    # size(4) correlation id(4) error code(2)
    timeout 5 head -c 10 <&3 | od -An -v -tu1
  ) 2>/dev/null || return 1
  local -a b
  read -r -a b <<<"$reply"
  ((${#b[@]} == 10)) || return 1
  ((b[7] == 1 && b[8] == 0 && b[9] == 0))
}

kafka_identities() {
  printf '%s\n' bvs-admin bvs-controller
  awk '$1 == "allow" { print $2 }' "${KAFKA_ACCESS_FILES[@]}" | sort -u
}

# A random password per identity, made once per checkout; the broker keeps SCRAM credentials in its
# metadata, so a password file made after the storage was formatted forces a new format.
ensure_kafka_credentials() {
  mkdir -p "$KAFKA_CREDENTIALS"
  chmod 700 "$KAFKA_CREDENTIALS"
  local identity
  for identity in $(kafka_identities); do
    [[ -s "$KAFKA_CREDENTIALS/$identity" ]] && continue
    (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$KAFKA_CREDENTIALS/$identity")
  done
}

kafka_password() {
  printf '%s' "$(<"$KAFKA_CREDENTIALS/$1")"
}

fetch_kafka() {
  local v cached=""
  [[ -f "$KAFKA_LIBS/.version" ]] && cached=$(<"$KAFKA_LIBS/.version")
  for v in "${KAFKA_VERSIONS[@]}"; do
    [[ "$v" == "$cached" ]] && compgen -G "$KAFKA_LIBS/kafka_2.13-$v.jar" >/dev/null && return 0
  done
  need mvn
  for v in "${KAFKA_VERSIONS[@]}"; do
    say "kafka: fetching Kafka $v jars from Maven Central into .infra/kafka/libs (first run only)"
    rm -rf "$KAFKA_LIBS"
    mkdir -p "$KAFKA_LIBS"
    if mvn -B -q -Dstyle.color=never -f "$SCRIPT_DIR/kafka/pom.xml" -Dkafka.version="$v" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >>"$MAVEN_LOG" 2>&1 &&
      compgen -G "$KAFKA_LIBS/kafka_2.13-$v.jar" >/dev/null; then
      printf '%s\n' "$v" >"$KAFKA_LIBS/.version"
      return 0
    fi
    warn "kafka: Kafka $v could not be fetched (details in $MAVEN_LOG)"
  done
  rm -rf "$KAFKA_LIBS"
  fail "kafka" "no Kafka version out of (${KAFKA_VERSIONS[*]}) could be fetched" "$MAVEN_LOG"
}

kafka_java() {
  java -cp "$KAFKA_LIBS/*" -Dlog4j.configuration="file:$SCRIPT_DIR/kafka/log4j.properties" "$@"
}

# Regenerated on every start so edits to the template apply; the data directory is kept.
write_kafka_config() {
  local config
  config=$(<"$SCRIPT_DIR/kafka/server.properties")
  config=${config//@KAFKA_DATA_DIR@/$KAFKA_DATA}
  config=${config//@ADMIN_PASSWORD@/$(kafka_password bvs-admin)}
  config=${config//@CONTROLLER_PASSWORD@/$(kafka_password bvs-controller)}
  (umask 077 && printf '%s\n' "$config" >"$KAFKA_CONF")
}

# Only once: re-formatting would throw away every topic and committed offset. The exception is
# storage without the admin's SCRAM credential (formatted before the broker authenticated, or
# before the admin's password file was made): the broker could never be administered again.
format_kafka_storage() {
  if [[ -f "$KAFKA_DATA/meta.properties" ]]; then
    [[ -f "$KAFKA_SCRAM_MARKER" && ! "$KAFKA_CREDENTIALS/bvs-admin" -nt "$KAFKA_SCRAM_MARKER" ]] && return 0
    say "kafka: the storage in $KAFKA_DATA has no admin credential; formatting it again (local topics and offsets are dropped)"
    rm -rf "$KAFKA_DATA"
  fi
  local cluster_id format_log="$LOG_DIR/kafka-format.log"
  : >"$format_log"
  cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$format_log" | grep -E '^[A-Za-z0-9_-]{22}$' | tail -n 1) ||
    fail "kafka" "could not generate a cluster id" "$format_log"
  mkdir -p "$KAFKA_DATA"
  kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONF" \
    --add-scram "SCRAM-SHA-512=[name=bvs-admin,password=$(kafka_password bvs-admin)]" >>"$format_log" 2>&1 ||
    fail "kafka" "formatting $KAFKA_DATA failed" "$format_log"
  : >"$KAFKA_SCRAM_MARKER"
  say "kafka: formatted new storage (cluster id $cluster_id)"
}

# Returns 0 when a start is needed, 1 when Kafka is already there.
# The configuration template a running broker was started with: a broker from before a change of
# it (the move to SASL, say) is restarted instead of being talked to in a way it does not speak.
KAFKA_TEMPLATE_STAMP="$RUN_DIR/kafka.template-sha256"

kafka_template_hash() {
  sha256sum "$SCRIPT_DIR/kafka/server.properties" | cut -d' ' -f1
}

kafka_needs_start() {
  clean_stale_pid "$KAFKA_PID" "$KAFKA_MARKER"
  local pid
  if pid=$(own_pid "$KAFKA_PID" "$KAFKA_MARKER") && [[ "$(cat "$KAFKA_TEMPLATE_STAMP" 2>/dev/null)" != "$(kafka_template_hash)" ]]; then
    say "kafka: pid $pid runs an older configuration (deploy/local/kafka/server.properties changed); restarting it"
    stop_part kafka "$KAFKA_PID" "$KAFKA_MARKER" kafka_ready
  fi
  if pid=$(own_pid "$KAFKA_PID" "$KAFKA_MARKER"); then
    if kafka_ready; then
      say "kafka: already up on $KAFKA_HOST:$KAFKA_PORT (pid $pid)"
    else
      say "kafka: pid $pid is still starting, waiting for it"
      wait_ready kafka "$KAFKA_PID" "$KAFKA_LOG" kafka_ready
      say "kafka: up on $KAFKA_HOST:$KAFKA_PORT (pid $pid)"
    fi
    return 1
  fi
  if tcp_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    kafka_ready || fail "kafka" "port $KAFKA_PORT is taken by something that does not answer Kafka metadata requests"
    say "kafka: a broker started outside this checkout already answers on $KAFKA_HOST:$KAFKA_PORT, using it"
    return 1
  fi
  return 0
}

launch_kafka() {
  need java
  fetch_kafka
  ensure_kafka_credentials
  write_kafka_config
  format_kafka_storage
  # Same JVM flags as kafka-server-start.sh minus JMX/GC logs; the heap is small because this is one
  # developer's broker on a 2-core machine.
  launch "$KAFKA_PID" "$KAFKA_LOG" \
    java "-Xms${KAFKA_HEAP_MB}m" "-Xmx${KAFKA_HEAP_MB}m" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR" \
    -Dlog4j.configuration="file:$SCRIPT_DIR/kafka/log4j.properties" \
    -cp "$KAFKA_LIBS/*" "$KAFKA_MARKER" "$KAFKA_CONF"
  kafka_template_hash >"$KAFKA_TEMPLATE_STAMP"
  say "kafka: starting Kafka $(<"$KAFKA_LIBS/.version") (pid $(<"$KAFKA_PID"), log .infra/logs/kafka.log)"
}

# Credentials, topics and ACLs as the access files declare them (KafkaProvisioner.java), on every
# start: it is idempotent, and it is also the check that an authenticated client gets an answer.
provision_kafka() {
  need javac
  fetch_kafka
  ensure_kafka_credentials
  local log="$LOG_DIR/kafka-provision.log" class="$KAFKA_PROVISIONER_CLASSES/KafkaProvisioner.class"
  if [[ ! -f "$class" || "$KAFKA_PROVISIONER_SOURCE" -nt "$class" || "$KAFKA_LIBS/.version" -nt "$class" ]]; then
    rm -rf "$KAFKA_PROVISIONER_CLASSES"
    javac -nowarn -cp "$KAFKA_LIBS/*" -d "$KAFKA_PROVISIONER_CLASSES" "$KAFKA_PROVISIONER_SOURCE" >"$log" 2>&1 ||
      fail "kafka" "could not compile the provisioner" "$log"
  fi
  java -cp "$KAFKA_PROVISIONER_CLASSES:$KAFKA_LIBS/*" -Dlog4j.configuration="file:$SCRIPT_DIR/kafka/log4j.properties" KafkaProvisioner \
    "$KAFKA_HOST:$KAFKA_PORT" "$KAFKA_CREDENTIALS" "${KAFKA_ACCESS_FILES[@]}" >"$log" 2>&1 ||
    fail "kafka" "setting up identities, topics and ACLs failed" "$log"
  say "$(tail -n 1 "$log")"
}

# ---------------------------------------------------------------------------------------------------
# Schema registry (Apicurio, Confluent-compatible API)

# Every registry command line holds the path of its jar under .infra/apicurio.
REGISTRY_MARKER="$APICURIO_HOME/"

registry_ready() {
  curl -fsS -o /dev/null --max-time 5 "$REGISTRY_URL/subjects" 2>/dev/null
}

# Apicurio 3.1+ is compiled for Java 21 (3.3.3 fails on 17 with UnsupportedClassVersionError);
# 3.0.x (Java 11 bytecode) and 2.6 still run on the machine's OpenJDK 17.
apicurio_java_major() {
  case "$1" in
    2.* | 3.0.*) printf '17\n' ;;
    *) printf '21\n' ;;
  esac
}

java_major() {
  local spec
  spec=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  case "$spec" in
    1.*) printf '%s\n' "${spec#1.}" ;;
    [0-9]*) printf '%s\n' "$spec" ;;
    *) printf '0\n' ;;
  esac
}

# Prints a java binary of at least the given major version: REGISTRY_JAVA if set, else `java` on PATH,
# else the newest JDK in JAVA_HOME or /usr/lib/jvm (this machine image ships Temurin 25 there).
find_java() {
  local want="$1" candidate major best="" best_major=0
  if [[ -n "${REGISTRY_JAVA:-}" ]]; then
    major=$(java_major "$REGISTRY_JAVA")
    ((major >= want)) && printf '%s\n' "$REGISTRY_JAVA" && return 0
    return 1
  fi
  if candidate=$(command -v java) && (($(java_major "$candidate") >= want)); then
    printf '%s\n' "$candidate"
    return 0
  fi
  for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java; do
    [[ -x "$candidate" ]] || continue
    major=$(java_major "$candidate")
    if ((major >= want && major > best_major)); then
      best="$candidate"
      best_major=$major
    fi
  done
  [[ -n "$best" ]] && printf '%s\n' "$best"
}

# Sets REGISTRY_VERSION, REGISTRY_JAR and REGISTRY_JAVA_BIN: the first version of the list that has
# a Java new enough to run it, downloaded and unpacked on first use.
fetch_registry() {
  local v dest archive jar java_bin
  for v in "${APICURIO_VERSIONS[@]}"; do
    if ! java_bin=$(find_java "$(apicurio_java_major "$v")"); then
      warn "schema-registry: Apicurio $v needs Java $(apicurio_java_major "$v")+ and none was found (REGISTRY_JAVA=/path/to/java sets one); trying the next version"
      continue
    fi
    dest="$APICURIO_HOME/$v"
    if [[ -f "$dest/.complete" && -f "$(<"$dest/.complete")" ]]; then
      REGISTRY_VERSION=$v REGISTRY_JAR=$(<"$dest/.complete") REGISTRY_JAVA_BIN=$java_bin
      return 0
    fi
    need mvn tar
    say "schema-registry: fetching Apicurio Registry $v from Maven Central (~110-160 MB, first run only)"
    rm -rf "$dest" "$APICURIO_HOME/download"
    mkdir -p "$dest" "$APICURIO_HOME/download"
    archive="$APICURIO_HOME/download/apicurio-registry-app-$v-all.tar.gz"
    # Run from .infra so Maven never picks up some pom.xml in the caller's directory.
    if (cd "$INFRA_DIR" && mvn -B -q -Dstyle.color=never dependency:copy \
      -Dartifact="io.apicurio:apicurio-registry-app:$v:tar.gz:all" \
      -DoutputDirectory="$APICURIO_HOME/download") >>"$MAVEN_LOG" 2>&1 &&
      [[ -f "$archive" ]] && tar -xzf "$archive" -C "$dest"; then
      rm -rf "$APICURIO_HOME/download"
      # The layout differs: 3.3 has quarkus-run.jar at the top, 3.1 under quarkus-app/, 3.0 ships a
      # legacy *-runner.jar instead.
      jar=$(find "$dest" \( -name quarkus-run.jar -o -name '*-runner.jar' \) -print -quit)
      if [[ -n "$jar" ]]; then
        printf '%s\n' "$jar" >"$dest/.complete"
        REGISTRY_VERSION=$v REGISTRY_JAR=$jar REGISTRY_JAVA_BIN=$java_bin
        return 0
      fi
    fi
    rm -rf "$dest" "$APICURIO_HOME/download"
    warn "schema-registry: Apicurio $v could not be fetched or unpacked (details in $MAVEN_LOG)"
  done
  fail "schema-registry" "no usable Apicurio version out of (${APICURIO_VERSIONS[*]})" "$MAVEN_LOG"
}

registry_needs_start() {
  clean_stale_pid "$REGISTRY_PID" "$REGISTRY_MARKER"
  local pid
  if pid=$(own_pid "$REGISTRY_PID" "$REGISTRY_MARKER"); then
    if registry_ready; then
      say "schema-registry: already up on $REGISTRY_URL (pid $pid)"
    else
      say "schema-registry: pid $pid is still starting, waiting for it"
      wait_ready schema-registry "$REGISTRY_PID" "$REGISTRY_LOG" registry_ready
      say "schema-registry: up on $REGISTRY_URL (pid $pid)"
    fi
    return 1
  fi
  if tcp_open "$REGISTRY_HOST" "$REGISTRY_PORT"; then
    registry_ready || fail "schema-registry" "port $REGISTRY_PORT is taken by something that does not serve $REGISTRY_URL"
    say "schema-registry: a registry started outside this checkout already answers on $REGISTRY_URL, using it"
    return 1
  fi
  return 0
}

ensure_registry_credentials() {
  mkdir -p "$REGISTRY_CREDENTIALS"
  chmod 700 "$REGISTRY_CREDENTIALS"
  [[ -s "$REGISTRY_CREDENTIALS/$REGISTRY_DEPLOY_USER" ]] ||
    (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$REGISTRY_CREDENTIALS/$REGISTRY_DEPLOY_USER")
}

launch_registry() {
  need curl
  fetch_registry
  ensure_registry_credentials
  local jdbc_host="$PG_HOST"
  # JDBC cannot use a Unix socket directory the way libpq can.
  [[ "$jdbc_host" == /* ]] && jdbc_host=127.0.0.1
  local jdbc_url="jdbc:postgresql://$jdbc_host:$PG_PORT/$REGISTRY_DATABASE"
  # PostgreSQL instead of the default in-memory H2: Kafka keeps messages that carry schema ids,
  # so the ids must survive a registry restart. Both key families are passed because the 2.6
  # fallback still uses registry.*; each version ignores the other's keys.
  # The pool is shrunk from Apicurio's 20 idle connections: the machine's PostgreSQL is shared.
  # Apicurio's own HTTP basic authentication with an embedded user, no identity provider needed:
  # reads stay anonymous, writes need the deploy user. Through the environment, not the command
  # line, so the password stays out of `ps`.
  launch "$REGISTRY_PID" "$REGISTRY_LOG" \
    env QUARKUS_HTTP_AUTH_BASIC=true QUARKUS_SECURITY_USERS_EMBEDDED_PLAIN_TEXT=true \
    "QUARKUS_SECURITY_USERS_EMBEDDED_USERS_${REGISTRY_DEPLOY_USER^^}=$(<"$REGISTRY_CREDENTIALS/$REGISTRY_DEPLOY_USER")" \
    "QUARKUS_SECURITY_USERS_EMBEDDED_ROLES_${REGISTRY_DEPLOY_USER^^}=sr-admin" \
    APICURIO_AUTH_ROLE_BASED_AUTHORIZATION=true APICURIO_AUTH_ANONYMOUS_READ_ACCESS_ENABLED=true \
    "$REGISTRY_JAVA_BIN" "-Xmx${REGISTRY_HEAP_MB}m" \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    "-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss} %p [%c{2.}] %m%n" \
    -Dquarkus.http.host="$REGISTRY_HOST" -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=postgresql \
    -Dapicurio.datasource.url="$jdbc_url" \
    -Dapicurio.datasource.username="$PG_USER" -Dapicurio.datasource.password="$PG_PASSWORD" \
    -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.datasource.jdbc.max-size=10 \
    -Dregistry.storage.db-kind=postgresql -Dregistry.datasource.url="$jdbc_url" \
    -Dregistry.datasource.username="$PG_USER" -Dregistry.datasource.password="$PG_PASSWORD" \
    -jar "$REGISTRY_JAR"
  say "schema-registry: starting Apicurio $REGISTRY_VERSION on Java $(java_major "$REGISTRY_JAVA_BIN") (pid $(<"$REGISTRY_PID"), log .infra/logs/schema-registry.log)"
}

# ---------------------------------------------------------------------------------------------------
# Commands

lock() {
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  exec 9>"$RUN_DIR/infra.lock"
  # Two shells running start at once would otherwise both launch a broker on the same data dir.
  flock -w "$START_TIMEOUT" 9 || fail "infra" "another infra.sh start/stop is still running"
}

# With a part named (kafka or schema-registry), only that part: tests and the chaos tooling stop
# and start one dependency while the others keep running.
cmd_start() {
  local part="${1:-all}" started=$SECONDS
  check_part "$part"
  lock
  [[ "$part" == all ]] && ensure_postgres
  [[ "$part" == all ]] && ensure_redis
  # Both Java servers are launched before waiting for either: they boot in parallel.
  local start_kafka=0 start_registry=0
  if [[ "$part" == all || "$part" == kafka ]] && kafka_needs_start; then
    start_kafka=1
    launch_kafka
  fi
  if [[ "$part" == all || "$part" == schema-registry ]] && registry_needs_start; then
    start_registry=1
    launch_registry
  fi
  if ((start_kafka)); then
    wait_ready kafka "$KAFKA_PID" "$KAFKA_LOG" kafka_ready
    say "kafka: up on $KAFKA_HOST:$KAFKA_PORT"
  fi
  if [[ "$part" == all || "$part" == kafka ]] && own_pid "$KAFKA_PID" "$KAFKA_MARKER" >/dev/null; then
    provision_kafka
  fi
  if ((start_registry)); then
    wait_ready schema-registry "$REGISTRY_PID" "$REGISTRY_LOG" registry_ready
    say "schema-registry: up on $REGISTRY_URL"
  fi
  say "infra: ready in $((SECONDS - started))s. Use: eval \"\$(bash deploy/local/infra.sh env)\""
}

check_part() {
  case "$1" in
    all | kafka | schema-registry) ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

cmd_stop() {
  local part="${1:-all}"
  check_part "$part"
  lock
  # The registry first: it is the one that may still be writing to PostgreSQL.
  if [[ "$part" == all || "$part" == schema-registry ]]; then
    stop_part schema-registry "$REGISTRY_PID" "$REGISTRY_MARKER" registry_ready
  fi
  if [[ "$part" == all || "$part" == kafka ]]; then
    stop_part kafka "$KAFKA_PID" "$KAFKA_MARKER" kafka_ready
  fi
  [[ "$part" == all ]] && say "postgresql: left running (it belongs to the machine)"
  return 0
}

status_line() {
  printf '%-16s %-5s %s\n' "$1" "$2" "$3"
}

cmd_status() {
  local all_up=0 pid note
  if pg_ready; then
    status_line postgresql up "$PG_HOST:$PG_PORT"
  else
    status_line postgresql down "$PG_HOST:$PG_PORT"
    all_up=1
  fi

  if redis_ready; then
    status_line redis up "$REDIS_HOST:$REDIS_PORT"
  else
    status_line redis down "$REDIS_HOST:$REDIS_PORT"
    all_up=1
  fi

  note=""
  if pid=$(own_pid "$KAFKA_PID" "$KAFKA_MARKER"); then note=" (pid $pid)"; fi
  if kafka_ready; then
    [[ -n "$note" ]] || note=" (started outside this checkout)"
    status_line kafka up "$KAFKA_HOST:$KAFKA_PORT$note"
  else
    [[ -n "$note" ]] && note="$note, not answering yet"
    status_line kafka down "$KAFKA_HOST:$KAFKA_PORT$note"
    all_up=1
  fi

  note=""
  if pid=$(own_pid "$REGISTRY_PID" "$REGISTRY_MARKER"); then note=" (pid $pid)"; fi
  if registry_ready; then
    [[ -n "$note" ]] || note=" (started outside this checkout)"
    status_line schema-registry up "$REGISTRY_URL$note"
  else
    [[ -n "$note" ]] && note="$note, not answering yet"
    status_line schema-registry down "$REGISTRY_URL$note"
    all_up=1
  fi
  return "$all_up"
}

cmd_env() {
  printf 'export KAFKA_BROKERS=%s\n' "$KAFKA_HOST:$KAFKA_PORT"
  # Only where the passwords are: each process picks its own identity (services theirs, tests and
  # tools bvs-test), so no shell carries one identity's password into everything it starts.
  printf 'export KAFKA_CREDENTIALS_DIR=%s\n' "$KAFKA_CREDENTIALS"
  printf 'export SCHEMA_REGISTRY_URL=%s\n' "$REGISTRY_URL"
  # The deploy step's registry password (user bvsdeploy); services never get it.
  printf 'export SCHEMA_REGISTRY_CREDENTIALS_DIR=%s\n' "$REGISTRY_CREDENTIALS"
  printf 'export DATABASE_ADMIN_URL=%s\n' "postgres://$PG_USER@$PG_HOST:$PG_PORT/postgres"
  printf 'export REDIS_URL=%s\n' "redis://$REDIS_HOST:$REDIS_PORT"
}

usage() {
  cat <<EOF
usage: bash deploy/local/infra.sh start|stop [kafka|schema-registry] | status | env
  start   start PostgreSQL if needed (and create the bvs_* databases), Kafka and the schema registry;
          with a part named, start only that one
  stop    stop Kafka and the schema registry (PostgreSQL is left alone); with a part named, only that one
  status  one line per part; exit 0 only if all are up
  env     print export lines: eval "\$(bash deploy/local/infra.sh env)"
State, logs and caches: $INFRA_DIR
EOF
}

main() {
  case "${1:-}" in
    start) cmd_start "${2:-all}" ;;
    stop) cmd_stop "${2:-all}" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
