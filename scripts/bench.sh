#!/usr/bin/env bash
# The benchmark (not part of `npm test`): the same bootstrap as `npm test`, the tools it drives (wrk
# and a docker compose: Debian's packages, installed when missing), then bench/run.js. With --render
# or --help, bench/run.js alone. docs/performance.md explains the numbers.
# Usage: scripts/bench.sh [--reps N] [--duration S] [--only cycle|throughput] [--out DIR] [--render]
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
case " $* " in *" --render "* | *" --help "* | *" -h "*) exec node "$here/../bench/run.js" "$@" ;; esac
export SCRIPT_START=$(date +%s)
"$here/bootstrap.sh" >&2
source "$here/env.sh"
STEP=bench
cd "$REPO_ROOT"
missing=()
command -v wrk >/dev/null || missing+=(wrk)
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "needs Debian packages: apt-get install ${missing[*]}"
  say "installing ${missing[*]} (Debian's packages)" >&2
  apt_install "${missing[@]}"
fi
say "node bench/run.js $*" >&2
exec node bench/run.js "$@"
