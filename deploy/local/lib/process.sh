# Sourced by deploy/local/infra.sh and up.sh: what both ask of a process they started.

# Alive and not a zombie. A process killed a moment ago lingers as a zombie until its parent reaps
# it, and kill -0 still succeeds on one, so a zombie counts as gone.
alive() {
  kill -0 "$1" 2>/dev/null && [[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]]
}
