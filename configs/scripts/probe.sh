#!/bin/bash
# probe.sh live|ready: the server container's probes.
#   live   the server process answers (startup and liveness probes).
#          mysqladmin ping succeeds even on "access denied": alive is alive.
#   ready  the sidecar finished its setup, and
#          - a replica serves reads (<name>-read) while its data is at most
#            MAX_READ_LAG seconds old: its applier runs, and its receiver
#            is either connected with a lag of at most MAX_READ_LAG, or has
#            lost its source (a primary restarting) for at most MAX_READ_LAG
#            since this probe last saw it connected and caught up. A
#            replica that never caught up since its pod started is not
#            ready, nor is a delayed one (MASTER_DELAY) behind by more.
#          - a server that is no replica is writable (a primary).
# Credentials come from the container's environment (a secretKeyRef), through
# an option file, never from the command line. Each client call ends after
# QUERY_TIMEOUT seconds, within the probes' own timeout (5 s, set by the
# StatefulSet; the kubelet ends the whole probe then).
set -euo pipefail
: "${QUERY_TIMEOUT:=4}"
: "${MAX_READ_LAG:=30}" # seconds: the spec's maxReadLag
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fail() {
    echo "not ready: $*"
    exit 1
}

ready() {
    local cnf status io sqlt lag ro since
    [[ -f "$SIDECAR_READY" ]] || fail "the sidecar has not finished its setup"
    cnf=$(admin_cnf)
    status=$(replica_status "$cnf" "$SERVER_HOST") || fail "the server does not answer queries"
    if [[ -n "$(status_field "$SOURCE_HOST_FIELD" <<<"$status")" ]]; then
        io=$(status_field "$IO_FIELD" <<<"$status")
        sqlt=$(status_field "$SQL_FIELD" <<<"$status")
        lag=$(status_field "$LAG_FIELD" <<<"$status")
        [[ "$sqlt" == Yes ]] || fail "the applier (SQL thread) is ${sqlt:-not running}"
        if [[ "$io" == Yes ]]; then
            [[ "$lag" =~ ^[0-9]+$ ]] || fail "replicating, lag unknown"
            ((lag <= MAX_READ_LAG)) || fail "${lag}s behind its source, more than MAX_READ_LAG=${MAX_READ_LAG}s"
            : >"$CAUGHT_UP"
            return 0
        fi
        [[ -f "$CAUGHT_UP" ]] || fail "replication threads IO ${io:-none}, SQL $sqlt, never caught up since the pod started"
        since=$(($(date +%s) - $(date -r "$CAUGHT_UP" +%s)))
        ((since <= MAX_READ_LAG)) || fail "the receiver is ${io:-stopped} (no source) for ${since}s, more than MAX_READ_LAG=${MAX_READ_LAG}s"
        return 0
    fi
    ro=$(sql_query "$cnf" "$SERVER_HOST" stmt-read-only.sql) || fail "the server does not answer queries"
    [[ "$ro" == 0 ]] || fail "not a replica, yet read-only"
}

case "${1:-}" in
live) exec timeout -k 1 "$QUERY_TIMEOUT" "$ADMIN_TOOL" --defaults-extra-file="$(admin_cnf)" --connect-timeout=3 ping ;;
ready) ready ;;
*)
    echo "usage: probe.sh live|ready" >&2
    exit 2
    ;;
esac
