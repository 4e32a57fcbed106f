#!/usr/bin/env bash
# Makes sure a Docker engine answers (DOCKER_HOST is respected). With none, as root on Debian:
# installs docker.io if needed and starts dockerd in the background, logging to
# $LOG_DIR/dockerd.log. Otherwise stops with what to install. Usage: scripts/docker-engine.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

engine_answers() { docker version --format '{{.Server.Version}}' 2>/dev/null; }

if command -v docker >/dev/null 2>&1 && version=$(engine_answers); then
  say "engine: Docker $version answers${DOCKER_HOST:+ at $DOCKER_HOST}"
  exit 0
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  die "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST"
fi
if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  die "no Docker engine answers: install Docker Engine (Debian: apt-get install docker.io), start it, and make sure this user may use it"
fi

if ! command -v dockerd >/dev/null 2>&1; then
  say "engine: installing docker.io from Debian's packages"
  apt_install docker.io
fi
mkdir -p "$LOG_DIR"
say "engine: starting dockerd (log: $LOG_DIR/dockerd.log)"
nohup dockerd >>"$LOG_DIR/dockerd.log" 2>&1 </dev/null &
deadline=$(($(date +%s) + 60))
until version=$(engine_answers); do
  [ "$(date +%s)" -lt "$deadline" ] || die "dockerd did not answer within 60s; see $LOG_DIR/dockerd.log"
  sleep 0.5
done
say "engine: Docker $version started"
