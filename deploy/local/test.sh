#!/usr/bin/env bash
# Runs every check and every test on a fresh clone: installs Node 24 and the dependencies if
# missing, builds, starts the real infrastructure when no addresses are given (KAFKA_BROKERS,
# KAFKA_CREDENTIALS_DIR, SCHEMA_REGISTRY_URL, DATABASE_ADMIN_URL), then lint, type-check, unit, integration,
# end-to-end and security tests, and the chaos suite's short profile. Exits non-zero as soon as any of them fails.
#   bash deploy/local/test.sh
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=./lib/workspace.sh
source "$ROOT/deploy/local/lib/workspace.sh"
cd "$ROOT"

prepare_workspace "$ROOT"
build_services "$ROOT"

echo "== lint and type-check"
npx --no-install nx run-many -t lint typecheck --outputStyle=static
npm run --silent validate:deploy
npm run --silent lint:openapi

# Jest's global setup would start the infrastructure too; doing it here once keeps its output
# out of the test report and lets the three runs share it.
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${KAFKA_CREDENTIALS_DIR:-}" ] || [ -z "${SCHEMA_REGISTRY_URL:-}" ] || [ -z "${DATABASE_ADMIN_URL:-}" ]; then
  if ! node -e "require('testcontainers').getContainerRuntimeClient().then(()=>process.exit(0),()=>process.exit(1))" 2>/dev/null; then
    bash deploy/local/infra.sh start
    eval "$(bash deploy/local/infra.sh env)"
  fi
fi

results="$ROOT/.infra/test-results"
mkdir -p "$results"
rm -f "$results"/*.json
run_kind() {
  local kind="$1"
  shift
  echo "== $kind tests"
  npx --no-install jest --selectProjects "$kind" --json --outputFile="$results/$kind.json" "$@"
}
status=0
run_kind unit || status=1
# Integration and end-to-end tests share one broker and one PostgreSQL: one file at a time.
run_kind int --runInBand || status=1
run_kind e2e --runInBand || status=1
# The trust boundaries tried from outside, as the security review did (npm run test:security).
run_kind security --runInBand || status=1
# Faults injected under load, with the books judged after each (npm run chaos; the full profile
# runs on demand). It starts its own system with two instances of each service, and stops it.
echo "== chaos suite (short profile)"
npm run --silent chaos -- --profile short || status=1

node -e '
  const fs = require("fs"), dir = process.argv[1];
  let passed = 0, failed = 0, skipped = 0;
  for (const file of fs.readdirSync(dir)) {
    const r = JSON.parse(fs.readFileSync(dir + "/" + file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results"
exit $status
