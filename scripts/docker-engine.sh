#!/usr/bin/env bash
# Makes sure a Docker engine answers. CONTAINER_LINKS_ENGINE=20.10|28|29 picks one that
# scripts/engine.sh provides and starts (stopping the other one it started). Without it, the engine
# at DOCKER_HOST (or the standard socket) is used; where none answers, as root on Debian, bookworm's
# docker.io (20.10) is installed and started, logging to $LOG_DIR/dockerd-20.10.log; otherwise it
# stops with what to install. It warns about bridges no running engine owns.
# Usage: scripts/docker-engine.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
engine_sh=$REPO_ROOT/scripts/engine.sh

if [ -n "${CONTAINER_LINKS_ENGINE:-}" ]; then
  engine_known "$CONTAINER_LINKS_ENGINE" ||
    die "CONTAINER_LINKS_ENGINE must be 20.10, 28 or 29, not '$CONTAINER_LINKS_ENGINE'"
  socket=unix://$(engine_socket "$CONTAINER_LINKS_ENGINE")
  if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != "$socket" ]; then
    die "DOCKER_HOST=$DOCKER_HOST is not engine $CONTAINER_LINKS_ENGINE ($socket): unset one of them"
  fi
  exec "$engine_sh" start "$CONTAINER_LINKS_ENGINE"
fi

engine_answers() { docker version --format '{{.Server.Version}}' 2>/dev/null; }

if command -v docker >/dev/null 2>&1 && version=$(engine_answers); then
  say "engine: Docker $version answers${DOCKER_HOST:+ at $DOCKER_HOST}"
  exec "$engine_sh" check
fi
if [ -n "${DOCKER_HOST:-}" ]; then
  die "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST"
fi
if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  die "no Docker engine answers: install Docker Engine (Debian: apt-get install docker.io), start it, and make sure this user may use it"
fi
exec "$engine_sh" start 20.10
