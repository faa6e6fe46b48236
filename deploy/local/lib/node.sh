# Sourced by the deploy/local scripts. Puts Node 24 LTS first on PATH.
# The machine's own Node may be older (Node 20 is end-of-life); the npm registry ships the
# official binaries as node-linux-<arch> packages (no install script), so we fetch one into the
# project's ignored cache and touch nothing outside the project.
NODE_MAJOR_WANTED=24

ensure_node() {
  local root="$1"
  local current_major=0
  if command -v node >/dev/null 2>&1; then
    current_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  fi
  if [ "$current_major" -eq "$NODE_MAJOR_WANTED" ]; then
    return 0
  fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "node.sh: no Node $NODE_MAJOR_WANTED package for $(uname -m); install Node $NODE_MAJOR_WANTED yourself" >&2; return 1 ;;
  esac
  local prefix="$root/.cache/node$NODE_MAJOR_WANTED"
  local bin="$prefix/node_modules/node-linux-$arch/bin"
  if [ ! -x "$bin/node" ]; then
    echo "node.sh: fetching Node $NODE_MAJOR_WANTED (node-linux-$arch) into $prefix" >&2
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "node-linux-$arch@$NODE_MAJOR_WANTED" >&2 || {
      echo "node.sh: could not fetch Node $NODE_MAJOR_WANTED from the npm registry" >&2
      return 1
    }
  fi
  export PATH="$bin:$PATH"
  echo "node.sh: using Node $(node --version) from $bin" >&2
}
