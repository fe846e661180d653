#!/bin/bash
# probe.sh live|ready: the server container's probes.
#   live   the server process answers (startup and liveness probes).
#          mysqladmin ping succeeds even on "access denied": alive is alive.
#   ready  the sidecar finished its setup, and
#          - a replica serves reads (<name>-read) while it follows a
#            primary (the sidecar marks WRONG_SOURCE when its source is
#            neither the recorded primary nor answers as one), and its data is at most
#            MAX_READ_LAG seconds old: its applier runs, and its receiver
#            is either connected with a lag of at most MAX_READ_LAG, or has
#            lost its source (a primary restarting) for at most MAX_READ_LAG
#            since this probe last saw it connected and caught up. A
#            replica that never caught up since its pod started is not
#            ready, nor is a delayed one (MASTER_DELAY) behind by more.
#          - a server that is no replica is writable (a primary).
# The probes log in as the probe account, which may only read replication
# status: the server container holds no admin password. A cluster made
# before that account existed has no password for it, or no account: root
# answers then (the container holds root's password for the image's first
# initialisation anyway). Credentials go through an option file, never the
# command line. Each client call ends after
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

# sidecar_done waits up to 2 s for the sidecar's setup: the kubelet runs
# the first readiness probe as soon as the startup probe passes, usually
# a fraction of a second before the sidecar has set the new server's role,
# and the next one only a period later.
sidecar_done() {
    local i
    for ((i = 0; i < 20; i++)); do
        [[ -f "$SIDECAR_READY" ]] && return 0
        sleep 0.1
    done
    return 1
}

ready() {
    local cnf status io sqlt lag ro since
    sidecar_done || fail "the sidecar has not finished its setup"
    cnf=$(probe_login)
    status=$(replica_status "$cnf" "$SERVER_HOST") || fail "the server does not answer queries"
    if [[ -n "$(status_field "$SOURCE_HOST_FIELD" <<<"$status")" ]]; then
        if [[ -f "$WRONG_SOURCE" ]]; then
            fail "$(<"$WRONG_SOURCE")"
        fi
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

# probe_login prints the option file the probes log in with: the probe
# account's once it logged in (PROBE_OK, kept for the pod's life); root's
# while it is refused (a new primary before the sidecar made the account,
# a cluster made before it existed) or has no password here.
probe_login() {
    local ok="$RUN_DIR/probe-ok" out
    if [[ -n "${PROBE_PASSWORD:-}" ]]; then
        if [[ -f "$ok" ]] || out=$(sql_query "$(probe_cnf)" "$SERVER_HOST" stmt-read-only.sql 2>&1) && : >"$ok"; then
            probe_cnf
            return
        fi
        if [[ "$out" != *"Access denied"* ]]; then
            probe_cnf # the server does not answer: the caller reports that
            return
        fi
    fi
    root_cnf
}

case "${1:-}" in
live) exec timeout -k 1 "$QUERY_TIMEOUT" "$ADMIN_TOOL" --defaults-extra-file="$(probe_login)" --connect-timeout=3 ping ;;
ready) ready ;;
*)
    echo "usage: probe.sh live|ready" >&2
    exit 2
    ;;
esac
