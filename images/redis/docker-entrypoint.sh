#!/bin/sh
# As the official image's entrypoint does: started as root to run redis-server, first make the
# redis user the owner of /data (a volume written by another image's redis, whose uid differs, stays
# usable), then run as that user.
set -e
if [ "$(id -u)" = 0 ] && [ "${1:-}" = redis-server ]; then
  find /data ! -user redis -exec chown redis:redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
