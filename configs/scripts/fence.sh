#!/bin/bash
# fence.sh fence REASON | unfence: run by mysqlctl in a pod's sidecar
# through the API, around a role change.
#   fence    writes FENCE_MARKER on the data volume, before mysqlctl makes
#            the server read-only: from then on the sidecar never makes this
#            server writable again by itself, whatever the mounted record
#            (which lags a change by up to a minute) still says, across
#            restarts of the server and re-creations of the pod.
#   unfence  removes it, before mysqlctl makes this server the primary (or
#            gives a failed switchover's old primary its writes back).
# Both are idempotent, and durable once they return (sync): a node crash
# cannot bring back a marker that was removed, nor lose one that was
# written.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1:-}" in
fence)
    [[ -n "${2:-}" ]] || die "usage: fence.sh fence REASON"
    mkdir -p "$STATE_DIR"
    printf '%s\n' "$2" >"$FENCE_MARKER.tmp"
    sync "$FENCE_MARKER.tmp"
    mv -f "$FENCE_MARKER.tmp" "$FENCE_MARKER"
    sync "$STATE_DIR"
    log "fenced: $2"
    ;;
unfence)
    if [[ -f "$FENCE_MARKER" ]]; then
        rm -f "$FENCE_MARKER"
        sync "$STATE_DIR"
        log "unfenced: mysqlctl makes this server the primary"
    fi
    ;;
*)
    echo "usage: fence.sh fence REASON | unfence" >&2
    exit 2
    ;;
esac
