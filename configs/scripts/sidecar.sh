#!/bin/bash
# sidecar.sh: runs beside the server for the pod's whole life.
#  1. Waits for the server to answer.
#  2. Primary (ordinal 0): creates mysqlctl's admin and replication accounts
#     once (and on MariaDB takes READ_ONLY ADMIN from root). Every statement
#     comes from the flavour's stmt-*.sql files (see replication.sh).
#     Replica: after a fresh clone, points replication at the primary from
#     the clone's position; a replica already replicating is left alone
#     (setup_replica in replication.sh).
#  3. Marks the pod's setup done (the readiness probe waits for it).
#  4. Replica: every IO_WATCH_INTERVAL seconds, in the background, starts
#     the receiver again if it stopped on a connection error (never after
#     any other error: restart_stopped_receiver in replication.sh).
#  5. Serves hot backups to new replicas on CLONE_PORT (mariadb, mysql57),
#     one at a time; mysql 8 replicas clone over 3306, so it only idles.
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

: "${IO_WATCH_INTERVAL:=30}"

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

wait_for_server() {
    local waited=0
    until server_alive "$SERVER_HOST"; do
        if ((waited % 30 == 0)); then
            log "waiting for the server on $SERVER_HOST:$SERVER_PORT"
        fi
        nap 2
        waited=$((waited + 2))
    done
}

# bootstrap_primary creates the accounts once. It logs in as the admin
# account when that exists already (a rerun after a crash: on MariaDB root
# may have lost READ_ONLY ADMIN and could no longer grant ALL), else as root.
bootstrap_primary() {
    local cnf
    if [[ -f "$BOOTSTRAP_MARKER" ]]; then
        log "accounts were created before: nothing to do"
        return 0
    fi
    cnf=$(root_cnf)
    # Any query proves the admin account can log in.
    if sql_query "$(admin_cnf)" "$SERVER_HOST" stmt-read-only.sql >/dev/null 2>&1; then
        cnf=$(admin_cnf)
    fi
    log "creating the $ADMIN_USER and $REPLICATION_USER accounts"
    accounts_sql | sql_script "$cnf" "$SERVER_HOST"
    if [[ -f "$CONFIG_DIR/stmt-restrict-root.sql" ]]; then
        log "revoking READ_ONLY ADMIN from root, so read-only replicas refuse its writes"
        cnf=$(admin_cnf)
        restrict_root_sql "$cnf" | sql_script "$cnf" "$SERVER_HOST"
    fi
    mkdir -p "$STATE_DIR"
    date -u +%Y-%m-%dT%H:%M:%SZ >"$BOOTSTRAP_MARKER"
}

# watch_receiver runs in the background on replicas for the pod's life: the
# server reconnects by itself, this only covers a receiver that gave up.
watch_receiver() {
    local cnf
    cnf=$(admin_cnf)
    while true; do
        nap "$IO_WATCH_INTERVAL"
        restart_stopped_receiver "$cnf" || log "could not start the receiver again; next try in ${IO_WATCH_INTERVAL}s"
    done
}

serve_clones() {
    local script="$CONFIG_DIR/backup-stream.sh" bind="" ncat_address=()
    if [[ -n "$LISTEN_ADDRESS" ]]; then
        bind=",bind=$LISTEN_ADDRESS" ncat_address=("$LISTEN_ADDRESS")
    fi
    log "serving hot backups on port $CLONE_PORT"
    while true; do
        # One connection at a time (no fork): two backups of one server at
        # once would compete for its backup locks.
        if command -v socat >/dev/null; then
            socat -U "TCP-LISTEN:$CLONE_PORT,reuseaddr$bind" "SYSTEM:bash $script" &
        else
            ncat --listen --send-only ${ncat_address[@]+"${ncat_address[@]}"} "$CLONE_PORT" --sh-exec "bash $script" &
        fi
        CHILD=$!
        wait "$CHILD" || log "the backup server exited with status $?; listening again"
        CHILD=""
        nap 1
    done
}

main() {
    local ordinal
    trap on_term TERM INT
    trap stop_children EXIT
    ordinal=$(pod_ordinal)
    rm -f "$SIDECAR_READY"
    wait_for_server
    if ((ordinal == 0)); then
        bootstrap_primary
    else
        setup_replica
        watch_receiver &
        WATCHER=$!
    fi
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
