#!/bin/bash
# restore.sh: run by `mysqlctl up --from-backup` through the Kubernetes API
# (exec in the recorded primary's clone container, which waits for it while
# the cluster's record asks for a restore: CLUSTER_STATE_DIR/restore). Reads
# a hot backup stream (mbstream, xbstream; MySQL 8/9: the tar of a CLONE
# LOCAL copy, see backup-stream.sh) on stdin, prepares it, and moves
# it into place as the primary's datadir: the image then starts the server
# on it, and replicas clone it as usual.
#   --reset-passwords  the backup's accounts get this cluster's passwords
#                      (a temporary server without grant tables, started
#                      on the prepared data, runs stmt-reset-passwords.sql);
#                      without it they keep the backed-up cluster's, which
#                      mysqlctl then put in this cluster's Secret.
# On MariaDB the temporary server also starts the binary log at the GTID of
# the backup's last transaction (stmt-restore-gtid.sql), so the history
# goes on. Nothing is moved into place unless every step succeeded; the
# datadir stays empty and a later `up --from-backup` starts over.
#
# Tools: bash, coreutils, awk, sed, the flavour's stream and backup tools;
# with --reset-passwords the server and its client (mariadb and mysql: the
# mysql57 flavour's XtraBackup image has no server); tar on MySQL.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=position.sh
source "$(dirname "${BASH_SOURCE[0]}")/position.sh"

WORK="$STATE_DIR/restore.tmp"
RESTORE_MARKER="$STATE_DIR/restored"
TEMP_PID=""

stop_temp_server() {
    if [[ -n "$TEMP_PID" ]]; then
        kill "$TEMP_PID" 2>/dev/null || true
        wait "$TEMP_PID" 2>/dev/null || true
    fi
}

# receive unpacks the stream on stdin and checks it is whole.
receive() {
    rm -rf "$WORK" && mkdir -p "$WORK"
    log "receiving the backup"
    if [[ "$FLAVOR" == mysql ]]; then
        receive_local_clone
        return
    fi
    "$STREAM_TOOL" -x -C "$WORK" || die "the backup stream broke off: nothing restored"
    if ! first_existing "$WORK" mariadb_backup_checkpoints xtrabackup_checkpoints >/dev/null ||
        ! first_existing "$WORK" mariadb_backup_info xtrabackup_info >/dev/null; then
        die "the backup stream is incomplete (no checkpoints/info file): nothing restored"
    fi
}

# receive_local_clone (MySQL 8 and 9): the tar of a CLONE LOCAL copy
# (backup-stream.sh), whose position file is written last but for the tar
# itself, and whose data dictionary (mysql.ibd) a server needs to start.
receive_local_clone() {
    tar -x -C "$WORK" || die "the backup stream broke off: nothing restored"
    [[ -f "$WORK/mysql.ibd" && -f "$WORK/$BACKUP_POSITION_FILE" ]] ||
        die "the backup stream is incomplete (no mysql.ibd or $BACKUP_POSITION_FILE): nothing restored"
}

# restored_position prints the backup's position as key=value lines: from
# the backup tool's files, or the copy's own position file.
restored_position() {
    if [[ "$FLAVOR" == mysql ]]; then
        cat "$WORK/$BACKUP_POSITION_FILE"
    else
        backup_position "$WORK" no
    fi
}

# prepare makes the backup a datadir: the backup tool applies its redo log;
# a CLONE LOCAL copy is one already.
prepare() {
    [[ "$FLAVOR" != mysql ]] || return 0
    "$BACKUP_TOOL" --prepare --target-dir="$WORK" || die "preparing the backup failed: nothing restored"
}

# temp_server starts a temporary server on the prepared data, without grant
# tables or network; temp_sql runs statements on it. It runs as this
# container's user, the server's own (a root caller, the local tests, must
# say so with --user=root, and hands what it wrote to DATA_OWNER later).
temp_server() {
    local sock="$WORK.sock" i user=()
    if ((EUID == 0)); then
        user=(--user=root)
    fi
    # MariaDB writes the restored GTID state into a binary log; MySQL's
    # copy holds its GTID set in mysql.gtid_executed already.
    local logging=(--log-bin=mysql-bin) flavoured=()
    if [[ "$FLAVOR" == mysql ]]; then
        logging=(--skip-log-bin) flavoured=(--mysqlx=OFF --secure-file-priv=NULL --skip-replica-start)
    fi
    "$SERVER_BIN" --no-defaults ${user[@]+"${user[@]}"} --datadir="$WORK" --socket="$sock" --pid-file="$WORK.pid" \
        --skip-networking --skip-grant-tables "${logging[@]}" ${flavoured[@]+"${flavoured[@]}"} \
        --server-id="$((100 + $(pod_ordinal)))" --log-error="$WORK.err" &
    TEMP_PID=$!
    for ((i = 0; i < 120; i++)); do
        if "$ADMIN_TOOL" --no-defaults --socket="$sock" ping >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$TEMP_PID" 2>/dev/null || die "the temporary server exited: $(grep -m 3 ERROR "$WORK.err" 2>/dev/null | tr '\n' ' ')"
        nap 1
    done
    die "the temporary server did not answer within 120s"
}

temp_sql() { "$CLIENT" --no-defaults --socket="$WORK.sock" --batch; }

# reset GTID PASSWORDS makes the restored server replicate from nobody
# (MySQL), gives the accounts this cluster's passwords when PASSWORDS is
# yes and, on MariaDB, continues the backup's GTID history, in one
# session: once its FLUSH
# PRIVILEGES loads the grant tables, a new login would need the new
# passwords. A TERM then shuts the server down cleanly.
reset() {
    local gtid=$1 passwords=$2
    temp_server
    {
        if [[ -f "$CONFIG_DIR/stmt-restore-forget-source.sql" ]]; then
            sql_fill stmt-restore-forget-source.sql
        fi
        if [[ -f "$CONFIG_DIR/stmt-restore-gtid.sql" && -n "$gtid" ]]; then
            sql_fill stmt-restore-gtid.sql gtid="$gtid"
        fi
        if [[ "$passwords" == yes ]]; then
            sql_fill stmt-reset-passwords.sql root_password="${ROOT_PASSWORD:?}" admin_user="$ADMIN_USER" \
                admin_password="$ADMIN_PASSWORD" replication_user="$REPLICATION_USER" replication_password="${REPLICATION_PASSWORD:?}" \
                probe_user="$PROBE_USER" probe_password="${PROBE_PASSWORD:?}"
        fi
    } | temp_sql || die "the restored server could not forget the backed-up replica's source, take this cluster's passwords, or start its binary log at GTID ${gtid:-none}"
    log "the restored server replicates from nobody${gtid:+; its binary log goes on from GTID $gtid}$([[ "$passwords" == yes ]] && echo "; the accounts have this cluster's passwords")"
    kill "$TEMP_PID"
    wait "$TEMP_PID" || true
    TEMP_PID=""
    rm -f "$WORK.err" "$WORK.pid" "$WORK.sock"
}

main() {
    local reset_passwords=no position gtid
    [[ "${1:-}" == --reset-passwords ]] && reset_passwords=yes
    trap stop_temp_server EXIT
    is_recorded_primary || die "$HOSTNAME is not the recorded primary ($(describe_primary)): only the primary is restored"
    [[ ! -d "$DATA_ROOT/mysql/mysql" ]] || die "$HOSTNAME already holds data: nothing restored"
    [[ -f "$CLUSTER_STATE_DIR/restore" ]] || die "the cluster's record asks for no restore"
    mkdir -p "$STATE_DIR"
    receive
    position=$(restored_position) || die "the backup records no binary log position"
    gtid=$(sed -n 's/^gtid=//p' <<<"$position")
    log "preparing the backup ($(tr '\n' ' ' <<<"$position"))"
    prepare
    # A MySQL copy of a replica carries its replication settings (InnoDB
    # tables): the restored server forgets them whatever the passwords.
    if [[ "$reset_passwords" == yes || "$FLAVOR" == mysql ]]; then
        case "$FLAVOR" in
        mariadb | mysql) reset "$gtid" "$reset_passwords" ;;
        *) die "--reset-passwords needs the flavour's server in this image; restore with the backed-up cluster's Secret instead" ;;
        esac
    fi
    if ! { rm -rf "$DATA_ROOT/mysql" && mv "$WORK" "$DATA_ROOT/mysql" && own -R "$DATA_ROOT/mysql" && sync; }; then
        die "the restored data could not be moved into place"
    fi
    printf 'time=%s\n%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$position" >"$RESTORE_MARKER"
    sync
    log "restored: the server starts on the backup's data"
}

main "$@"
