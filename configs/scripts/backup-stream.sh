#!/bin/bash
# backup-stream.sh: run by the sidecar's socat for each authenticated connection on
# CLONE_PORT, and by `mysqlctl backup` through the Kubernetes API (exec in
# the sidecar); writes a hot backup of this pod's server to stdout as
# xbstream (mbstream on MariaDB).
# --slave-info records, when this pod is a replica, the primary's position
# matching the backup (position.sh reads it on the receiving side). The
# backup ends after CLONE_TIMEOUT, when no receiver waits for it any more:
# a backup stuck on a lock never blocks the next new replica.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

log "streaming a hot backup of $DATADIR"
exec timeout -k 10 "$CLONE_TIMEOUT" "$BACKUP_TOOL" --defaults-extra-file="$(admin_cnf)" --backup --slave-info \
    --stream=xbstream --datadir="$DATADIR" --target-dir="${TMPDIR:-/tmp}"
