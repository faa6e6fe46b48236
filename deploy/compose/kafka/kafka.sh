#!/usr/bin/env bash
# DEV ONLY. The compose broker, secured like every other one (ADR 0006), in the apache/kafka image.
#   kafka.sh broker   writes the broker's configuration, formats the storage once with the admin's
#                     SCRAM credential, and runs the broker (the `kafka` service)
#   kafka.sh setup    as the admin: each service's SCRAM credential, the declared topics and the
#                     ACLs of deploy/kafka/access.conf (the one-shot `kafka-setup` service)
# Passwords come from /run/kafka-credentials/<volume>/<identity>, made by the jwt-keys service; each
# container mounts only the volumes it needs. After an upgrade from a compose broker that had no
# authentication, `docker compose down -v` once: its storage holds no admin credential.
set -euo pipefail

# The paths of the compose services; overridable to try the script against another broker.
CREDENTIALS=${KAFKA_CREDENTIALS_ROOT:-/run/kafka-credentials}
ACCESS=${KAFKA_ACCESS_FILE:-/etc/bvs/access.conf}
KAFKA=${KAFKA_HOME:-/opt/kafka}
BOOTSTRAP=${KAFKA_BOOTSTRAP:-kafka:9092}
CONFIG=/tmp/server.properties
ADMIN_CONFIG=/tmp/admin.properties

password() {
  local file value=""
  for file in "$CREDENTIALS"/*/"$1"; do
    [[ -f "$file" ]] && value=$(<"$file")
  done
  [[ -n "$value" ]] || { echo "kafka.sh: no password for $1 under $CREDENTIALS" >&2; exit 1; }
  printf '%s' "$value"
}

write_admin_config() {
  cat >"$ADMIN_CONFIG" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bvs-admin" password="$(password bvs-admin)";
EOF
}

broker() {
  local admin controller
  admin=$(password bvs-admin)
  controller=$(password bvs-controller)
  cat >"$CONFIG" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@kafka:9093
listeners=CLIENT://:9092,CONTROLLER://:9093
advertised.listeners=CLIENT://kafka:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bvs-admin" password="$admin";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="bvs-controller" password="$controller" user_bvs-controller="$controller";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:bvs-admin;User:bvs-controller
allow.everyone.if.no.acl.found=false
log.dirs=/var/lib/kafka/data
auto.create.topics.enable=false
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
EOF
  # For the healthcheck, which asks the broker as the admin.
  write_admin_config
  # Any fixed id: the storage is formatted once, on the first start, and kept in the kafka-data volume.
  "$KAFKA/bin/kafka-storage.sh" format --ignore-formatted -t MkU3OEVBNTcwNTJENDM2Qk -c "$CONFIG" \
    --add-scram "SCRAM-SHA-512=[name=bvs-admin,password=$admin]"
  exec "$KAFKA/bin/kafka-server-start.sh" "$CONFIG"
}

setup() {
  write_admin_config
  local kind identity operations type pattern partitions name
  local -a names
  # Every identity named in an allow line gets its SCRAM credential (upserted, so a rerun is harmless).
  for identity in $(awk '$1 == "allow" { print $2 }' "$ACCESS" | sort -u); do
    "$KAFKA/bin/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --alter \
      --entity-type users --entity-name "$identity" \
      --add-config "SCRAM-SHA-512=[iterations=4096,password=$(password "$identity")]"
  done
  while read -r kind name partitions _; do
    [[ "$kind" == topic ]] || continue
    "$KAFKA/bin/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --create --if-not-exists \
      --topic "$name" --partitions "$partitions" --replication-factor 1
  done <"$ACCESS"
  while read -r kind identity operations type pattern names_line; do
    [[ "$kind" == allow ]] || continue
    read -r -a names <<<"$names_line"
    local -a args=(--bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CONFIG" --add --allow-principal "User:$identity" --resource-pattern-type "$pattern")
    local operation
    # The CLI spells operations as Kafka's docs do: Read, Write.
    for operation in ${operations//,/ }; do operation=${operation,,}; args+=(--operation "${operation^}"); done
    for name in "${names[@]}"; do args+=("--$type" "$name"); done
    "$KAFKA/bin/kafka-acls.sh" "${args[@]}" >/dev/null
  done <"$ACCESS"
  echo "kafka-setup: identities, topics and ACLs of access.conf are in place"
}

case "${1:-}" in
  broker) broker ;;
  setup) setup ;;
  *)
    echo "usage: kafka.sh broker|setup" >&2
    exit 2
    ;;
esac
