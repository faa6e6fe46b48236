# Sourced by the deploy/local entry points: Node 24 on PATH and the npm dependencies installed,
# both from the registries only, both inside the project.
# shellcheck source=./node.sh
source "$(dirname "${BASH_SOURCE[0]}")/node.sh"

ensure_dependencies() {
  local root="$1"
  local stamp="$root/node_modules/.package-lock.json"
  # npm ci only when the lock file changed since the last install: it wipes node_modules.
  if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ]; then
    echo "workspace: installing npm dependencies (npm ci)" >&2
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error) || {
      echo "workspace: npm ci failed" >&2
      return 1
    }
  fi
}

prepare_workspace() {
  local root="$1"
  ensure_node "$root" && ensure_dependencies "$root"
}

build_services() {
  local root="$1"
  echo "workspace: building libs and services" >&2
  (cd "$root" && npx --no-install nx run-many -t build --outputStyle=static >/dev/null) || {
    echo "workspace: build failed; run 'npx nx run-many -t build' to see why" >&2
    return 1
  }
}
