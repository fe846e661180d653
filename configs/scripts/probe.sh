#!/bin/bash
# probe.sh live|ready: the server container's probes.
#   live   the server process answers (startup and liveness probes).
#          mysqladmin ping succeeds even on "access denied": alive is alive.
#   ready  the sidecar finished its setup, and
#          - a replica has both replication threads running, so <name>-read
#            never routes to a replica that stopped replicating;
#          - a server that is no replica is writable (a primary).
# Credentials come from the container's environment (a secretKeyRef), through
# an option file, never from the command line. Each client call ends after
# QUERY_TIMEOUT seconds, within the probes' own timeout (5 s, set by the
# StatefulSet; the kubelet ends the whole probe then).
set -euo pipefail
: "${QUERY_TIMEOUT:=4}"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fail() {
    echo "not ready: $*"
    exit 1
}

ready() {
    local cnf status io sqlt ro
    [[ -f "$SIDECAR_READY" ]] || fail "the sidecar has not finished its setup"
    cnf=$(admin_cnf)
    status=$(replica_status "$cnf" "$SERVER_HOST") || fail "the server does not answer queries"
    if [[ -n "$(status_field "$SOURCE_HOST_FIELD" <<<"$status")" ]]; then
        io=$(status_field "$IO_FIELD" <<<"$status")
        sqlt=$(status_field "$SQL_FIELD" <<<"$status")
        [[ "$io" == Yes && "$sqlt" == Yes ]] || fail "replication threads IO $io, SQL $sqlt"
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
