#!/bin/bash
# clone-methods.sh: how each flavour copies a running peer, sourced by
# clone.sh. clone_from HOST ROLE (ROLE: primary or replica) leaves a complete datadir in CLONED_DATA and
# the replication start in STATE_DIR/clone.position, or returns non-zero.
# These functions run under `&&`, where errexit does not apply: each step
# that matters is checked explicitly. clone.sh runs them as one attempt
# under coreutils' timeout, so none of them waits without an end.
# shellcheck disable=SC2034 # CLONED_DATA is clone.sh's result variable
: "${CLONE_BUSY_WAIT:=3}" # seconds a replica waits for a busy donor before trying the next

clone_from() {
    case "$FLAVOR" in
    mysql) clone_with_plugin "$1" ;;
    *) clone_with_stream "$1" "$2" ;;
    esac
}

# receive_stream HOST copies the donor's backup stream to stdout, over
# mutual TLS: this pod proves it belongs to the cluster with its
# certificate, and the donor must present one of the cluster's CA, for the
# cluster's name (the donor is reached by address). A transfer that stalls
# for 180 s ends here, sooner than the attempt's own deadline, and later
# than the donor drops a receiver that stalls its batch (120 s). A donor
# streams one backup at a time, to every receiver that connected within
# half a second of the first, and refuses connections while it streams:
# the connection is tried again every 0.2 s for CLONE_BUSY_WAIT seconds, so
# a replica that came late joins the next backup without a pause, and one
# that waits longer moves on to the next donor. Each try may take 2 s to
# connect (one lost SYN: the donor answered a query a moment ago), so a
# donor that vanished costs at most 35 s. A failed handshake is retried
# too, and only the last error shows here ("Connection refused" while the
# donor pauses after it): the donor's sidecar log has the cause.
receive_stream() {
    socat -u -T 180 "OPENSSL:$1:$CLONE_PORT,connect-timeout=2,retry=$((CLONE_BUSY_WAIT * 5)),interval=0.2,$(tls_options),commonname=$CLUSTER_NAME" STDOUT
}

# clone_with_stream HOST ROLE (mariadb, mysql57): the donor's sidecar streams a
# hot backup (mariadb-backup / XtraBackup 2.4) on CLONE_PORT; it is unpacked
# with pipefail, checked for completeness, then prepared.
clone_with_stream() {
    local host=$1 from_replica=no
    rm -rf "$WORK" && mkdir -p "$WORK" || return 1
    log "receiving a hot backup from $host:$CLONE_PORT"
    if ! receive_stream "$host" | "$STREAM_TOOL" -x -C "$WORK"; then
        log "the backup stream from $host broke off"
        return 1
    fi
    # The checkpoints and info files come last in the stream: without them
    # the donor stopped early, even if the transfer itself ended cleanly.
    if ! first_existing "$WORK" mariadb_backup_checkpoints xtrabackup_checkpoints >/dev/null ||
        ! first_existing "$WORK" mariadb_backup_info xtrabackup_info >/dev/null; then
        log "the backup stream from $host is incomplete (no checkpoints/info file)"
        return 1
    fi
    if [[ "$2" == replica ]]; then
        from_replica=yes
    fi
    backup_position "$WORK" "$from_replica" >"$STATE_DIR/clone.position" || return 1
    log "preparing the backup"
    if ! "$BACKUP_TOOL" --prepare --target-dir="$WORK"; then
        log "preparing the backup from $host failed"
        return 1
    fi
    if [[ -n "$UPGRADE_TOOL" ]]; then
        record_donor_series "$WORK"
    fi
    CLONED_DATA=$WORK
}

# clone_with_plugin HOST (mysql 8): the official image has no xtrabackup,
# socat or ncat, so a temporary, network-less mysqld with the CLONE plugin
# pulls the donor over its normal port into a directory of its own
# (CLONE ... DATA DIRECTORY ... REQUIRE SSL, verifying the donor's
# certificate against the cluster's CA), then stops. GTID auto-position
# makes the replication start implicit.
clone_with_plugin() {
    local host=$1 boot sock pid rc=0
    rm -rf "$WORK" && mkdir -p "$WORK" && own "$WORK" || return 1
    boot="$WORK/bootstrap" sock="$WORK/mysqld.sock"
    log "initialising a temporary server to receive the clone"
    if ! mysqld --no-defaults --initialize-insecure --user=mysql --datadir="$boot" --log-error="$WORK/initialize.err"; then
        log "mysqld --initialize-insecure failed: $(tail -n 5 "$WORK/initialize.err" 2>/dev/null)"
        return 1
    fi
    mysqld --no-defaults --user=mysql --datadir="$boot" --socket="$sock" --pid-file="$WORK/mysqld.pid" \
        --skip-networking --mysqlx=OFF --skip-log-bin --plugin-load-add=mysql_clone.so \
        --clone-ssl-ca="$TLS_DIR/ca.crt" --clone-ssl-cert="$TLS_DIR/tls.crt" --clone-ssl-key="$TLS_DIR/tls.key" \
        --log-error="$WORK/mysqld.err" &
    pid=$!
    wait_for_socket "$sock" "$pid" || return 1
    clone_sql "$host" | mysql --no-defaults --user=root --socket="$sock" --batch || rc=$?
    mysqladmin --no-defaults --user=root --socket="$sock" shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    wait "$pid" || true
    if ((rc != 0)); then
        log "CLONE INSTANCE from $host failed: $(tail -n 5 "$WORK/mysqld.err" 2>/dev/null)"
        return 1
    fi
    printf 'auto_position=1\n' >"$STATE_DIR/clone.position"
    CLONED_DATA="$WORK/data"
}

# clone_sql HOST prints the statements of a clone from HOST into WORK/data.
clone_sql() {
    sql_fill stmt-clone.sql valid_donors="$1:$SERVER_PORT" donor_host="$1" donor_port="$SERVER_PORT" \
        admin_user="$ADMIN_USER" admin_password="$ADMIN_PASSWORD" clone_dir="$WORK/data"
}

# wait_for_socket SOCKET PID waits up to 120 s for the temporary server.
wait_for_socket() {
    local i
    for ((i = 0; i < 120; i++)); do
        if mysqladmin --no-defaults --user=root --socket="$1" ping >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$2" 2>/dev/null; then
            log "the temporary server exited: $(tail -n 5 "$WORK/mysqld.err" 2>/dev/null)"
            return 1
        fi
        nap 1
    done
    log "the temporary server did not answer within 120s"
    kill "$2" 2>/dev/null || true
    return 1
}
