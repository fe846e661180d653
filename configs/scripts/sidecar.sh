#!/bin/bash
# sidecar.sh: runs beside the server for the pod's whole life.
#  1. Waits for the server to answer.
#  2. Makes every later start of the server read-only (start_read_only):
#     only a new cluster's first start runs writable, for the image's own
#     initialisation. On MariaDB, upgrades the data directory's system
#     tables to a newer server series (upgrade_datadir, upgrade.sh).
#  3. Decides the server's role from the cluster's record (setup_role), at
#     this start and again at every start of the server (a crash, an OOM
#     kill), whatever its ordinal:
#     - The recorded primary creates mysqlctl's admin and replication
#       accounts on a new datadir (and on MariaDB takes READ_ONLY ADMIN from
#       root), then becomes writable, unless it was fenced, a role change is
#       under way, it replicates from a source or another server of the
#       cluster is writable (claim_writes).
#     - Any other server replicates from the recorded primary: after a fresh
#       clone from the clone's position, as a former primary from its own;
#       a replica already replicating is left alone (replication.sh).
#     Every statement comes from the flavour's stmt-*.sql files.
#  4. Marks the pod's setup done (the readiness probe waits for it).
#  5. Every ROLE_WATCH_INTERVAL seconds, in the background: sets the role
#     again when the server restarted; repoints a replica whose source is
#     not the recorded primary once that one answers as the primary
#     (follow_recorded_primary); and every IO_WATCH_INTERVAL seconds
#     starts a replica's receiver again if it stopped on a connection error
#     (never after any other error: restart_stopped_receiver).
#  6. Serves hot backups to new replicas on CLONE_PORT (mariadb, mysql57),
#     one backup to all that ask at once (clone-donor.sh); mysql 8
#     replicas clone over 3306, so it only idles.
# SIGTERM ends it at once: bash runs traps only between commands, so every
# long wait is a background child the trap can kill. Each client call ends
# after QUERY_TIMEOUT seconds (lib.sh).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=position.sh
source "$(dirname "${BASH_SOURCE[0]}")/position.sh"
# shellcheck source=replication.sh
source "$(dirname "${BASH_SOURCE[0]}")/replication.sh"
# shellcheck source=clone-donor.sh
source "$(dirname "${BASH_SOURCE[0]}")/clone-donor.sh"
# shellcheck source=upgrade.sh
source "$(dirname "${BASH_SOURCE[0]}")/upgrade.sh"

: "${IO_WATCH_INTERVAL:=30}"
: "${ROLE_WATCH_INTERVAL:=2}"

CHILD="" WATCHER=""

on_term() {
    log "stopping"
    exit 0
}

# stop_children ends the background jobs when the sidecar exits, however.
stop_children() {
    local pid
    for pid in "$CHILD" "$WATCHER"; do
        if [[ -n "$pid" ]]; then
            kill "$pid" 2>/dev/null || true
        fi
    done
}

# wait_for_server asks four times a second: the server is up a moment
# after its container starts, and the pod's readiness waits for this
# script's setup.
wait_for_server() {
    local asked=0
    until server_alive "$SERVER_HOST"; do
        if ((asked % 120 == 0)); then
            log "waiting for the server on $SERVER_HOST:$SERVER_PORT"
        fi
        nap 0.25
        asked=$((asked + 1))
    done
}

# bootstrap_primary sets root's password on every root account (MySQL's
# image left root@localhost's empty, see initdb-root-password.sh) and
# creates the accounts once, on a datadir the image initialised (a cloned one has them already: a promoted replica). It logs in as the admin
# account when that exists already (a rerun after a crash: on MariaDB root
# may have lost READ_ONLY ADMIN and could no longer grant ALL), else as root.
bootstrap_primary() {
    local cnf
    if [[ -f "$BOOTSTRAP_MARKER" || -f "$CLONE_MARKER" ]]; then
        return 0
    fi
    cnf=$(root_cnf)
    # Any query proves the admin account can log in.
    if sql_query "$(admin_cnf)" "$SERVER_HOST" stmt-read-only.sql >/dev/null 2>&1; then
        cnf=$(admin_cnf)
    fi
    log "setting root's password on every root account, creating the $ADMIN_USER and $REPLICATION_USER accounts"
    sql_fill stmt-root-password.sql root_password="${ROOT_PASSWORD:?}" | sql_script "$cnf" "$SERVER_HOST" || return 1
    accounts_sql | sql_script "$cnf" "$SERVER_HOST" || return 1
    if [[ -f "$CONFIG_DIR/stmt-restrict-root.sql" ]]; then
        log "revoking READ_ONLY ADMIN from root, so read-only replicas refuse its writes"
        cnf=$(admin_cnf)
        restrict_root_sql "$cnf" | sql_script "$cnf" "$SERVER_HOST" || return 1
    fi
    mkdir -p "$STATE_DIR"
    date -u +%Y-%m-%dT%H:%M:%SZ >"$BOOTSTRAP_MARKER"
}

# start_read_only makes the server start read-only from now on, whatever
# its pod: init-config gave a new cluster's recorded primary a writable
# role cnf for the image's initialisation, and the emptyDir keeps it for
# the pod's whole life. Once the server answers over the network its
# initialisation is over; any later start (a crash, an OOM kill) must wait
# for claim_writes, which checks the record, the fence and the peers first.
start_read_only() {
    local role="$CONF_DIR/30-mysqlctl-role.cnf" tmp
    if [[ -f "$role" && "$(<"$role")" == "$(<"$CONFIG_DIR/replica.cnf")" ]]; then
        return 0
    fi
    # The server runs as this container's user: mktemp's 0600 lets it read.
    tmp=$(mktemp "$CONF_DIR/.role.XXXXXX")
    printf '%s\n' "$(<"$CONFIG_DIR/replica.cnf")" >"$tmp"
    mv -f "$tmp" "$role"
    log "the server's next start is read-only (its role cnf is now replica.cnf): only the sidecar makes the recorded primary writable"
}

# other_writable_server CNF prints the first other server of the cluster
# that takes writes (its address), and fails when there is none. A peer
# that does not answer cannot be asked: a partitioned writable server is
# mysqlctl status's to report.
other_writable_server() {
    local addr role id ro own
    own=$(sql_query "$1" "$SERVER_HOST" stmt-server-role.sql | awk '{ print $1 }') || return 1
    while read -r -u 4 addr; do
        [[ -n "$addr" ]] || continue
        role=$(sql_query "$1" "$addr" stmt-server-role.sql 2>/dev/null) || continue
        read -r id ro <<<"$role"
        if [[ "$id" != "$own" && "$ro" == 0 ]]; then
            printf '%s (server-id %s)\n' "$addr" "$id"
            return 0
        fi
    done 4< <(peer_addresses)
    return 1
}

# claim_writes makes the recorded primary writable. Every server starts
# read-only; this is the only place a pod lifts that itself, and only when
# mysqlctl did not fence it, the record shows no role change under way, the
# server replicates from nobody and no other server is writable: a primary
# restarted during a switchover, or re-created while the record still
# names it after mysqlctl promoted another server, stays read-only (and not
# ready) instead. Staying read-only is not a failure: the server waits for
# mysqlctl (mysqlctl check names what to run).
claim_writes() {
    local cnf status src writer ro why change
    cnf=$(admin_cnf)
    if why=$(fenced); then
        log "the record names this pod the primary, but mysqlctl fenced it ($why): stays read-only until mysqlctl makes it the primary again"
        return 0
    fi
    if change=$(role_change_in_progress); then
        log "a role change is under way ($change): stays read-only until mysqlctl finishes it"
        return 0
    fi
    status=$(replica_status "$cnf" "$SERVER_HOST") || return 1
    src=$(status_field "$SOURCE_HOST_FIELD" <<<"$status")
    if [[ -n "$src" ]]; then
        log "the record names this pod the primary, but its server replicates from $src: left a replica (mysqlctl switchover and promote move the role)"
        return 0
    fi
    if writer=$(other_writable_server "$cnf"); then
        log "another server takes writes, $writer: this one stays read-only until only one does (mysqlctl status shows both)"
        return 1
    fi
    ro=$(sql_query "$cnf" "$SERVER_HOST" stmt-read-only.sql) || return 1
    # Semi-sync first, so acknowledged commits wait for a replica from the
    # first one; also on a new cluster's first primary, which starts
    # writable.
    if [[ -s "$SEMI_SYNC_CNF" ]]; then
        sql_fill stmt-semisync-source-on.sql | sql_script "$cnf" "$SERVER_HOST" || return 1
    fi
    if [[ "$ro" != 0 ]]; then
        sql_fill stmt-make-writable.sql | sql_script "$cnf" "$SERVER_HOST" || return 1
        log "writable: this is the recorded primary, and no other server takes writes"
    fi
}

# setup_role gives the server the role the record names for this pod.
setup_role() {
    if is_recorded_primary; then
        bootstrap_primary && claim_writes
    else
        setup_replica
    fi
}

# server_started [CNF] prints when the server last started (Unix seconds) and
# the id of the connection that asked (ids start again at every start), as
# the admin account unless CNF names another.
server_started() { sql_query "${1:-$(admin_cnf)}" "$SERVER_HOST" stmt-server-start.sql 2>/dev/null; }

# watch_server STARTED CONNECTION runs in the background for the pod's
# life. A server that restarted (a connection id lower than the last one
# seen, or a start that moved by more than the second Uptime is counted
# in) gets its role set again, until that succeeds; a replica's receiver
# that gave up on a connection error is started again (the server
# reconnects by itself, this only covers a receiver that gave up). A
# server that merely missed a query (say, fenced by a switchover) did not
# restart: its role is mysqlctl's to change, never this loop's.
watch_server() {
    local cnf out started conn handled=${1:-0} last=${2:-0} pending=no ticks=0 every
    cnf=$(admin_cnf)
    every=$(((IO_WATCH_INTERVAL + ROLE_WATCH_INTERVAL - 1) / ROLE_WATCH_INTERVAL))
    while true; do
        nap "$ROLE_WATCH_INTERVAL"
        load_secrets # a rotated password reaches the files under a running pod
        cnf=$(admin_cnf)
        out=$(server_started) || continue
        read -r started conn <<<"$out"
        started=${started%%.*}
        [[ "$started" =~ ^[0-9]+$ && "$conn" =~ ^[0-9]+$ ]] || continue
        if ((conn < last || started - handled >= 2)); then
            log "the server restarted: setting its role again"
            handled=$started pending=yes
        fi
        last=$conn
        if [[ "$pending" == yes ]]; then
            if setup_role; then pending=no; else log "the role is not set yet; trying again in ${ROLE_WATCH_INTERVAL}s"; fi
            # The connections setup_role made count: a restart right after
            # it must still find a lower id than the last one seen.
            if out=$(server_started); then
                read -r _ conn <<<"$out"
                [[ "$conn" =~ ^[0-9]+$ ]] && last=$conn
            fi
        fi
        ticks=$((ticks + 1))
        if ! is_recorded_primary; then
            follow_recorded_primary "$cnf" || true
            if ((ticks % every == 0)); then
                restart_stopped_receiver "$cnf" || log "could not start the receiver again; next try in ${IO_WATCH_INTERVAL}s"
            fi
        fi
    done
}

main() {
    local started conn
    trap on_term TERM INT
    trap stop_children EXIT
    pod_ordinal >/dev/null
    rm -f "$SIDECAR_READY"
    wait_for_server
    # A new primary has no admin account yet (bootstrap_primary makes it):
    # its start is read as root, or the first tick would take it for a
    # restart and set the role again.
    started=$(server_started) || started=$(server_started "$(root_cnf)") || started="0 0"
    start_read_only
    if [[ -n "$UPGRADE_TOOL" ]]; then
        until upgrade_datadir; do
            log "the data directory is not upgraded yet; trying again in 5s"
            nap 5
        done
    fi
    log "recorded primary: $(describe_primary)"
    until setup_role; do
        log "the role is not set yet; trying again in 5s"
        nap 5
    done
    read -r started conn <<<"$started"
    watch_server "${started%%.*}" "$conn" &
    WATCHER=$!
    mkdir -p "$RUN_DIR" && touch "$SIDECAR_READY"
    log "setup done"
    if [[ -n "$STREAM_TOOL" ]]; then
        serve_clones
    fi
    while true; do
        nap 3600
    done
}

main "$@"
