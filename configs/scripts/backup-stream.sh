#!/bin/bash
# backup-stream.sh: run by the sidecar's socat for each authenticated connection on
# CLONE_PORT, and by `mysqlctl backup` through the Kubernetes API (exec in
# the sidecar); writes a hot backup of this pod's server to stdout:
#  - MariaDB and MySQL 5.7: the backup tool's xbstream (mbstream on
#    MariaDB). --slave-info records, when this pod is a replica, the
#    primary's position matching the backup (position.sh reads it on the
#    receiving side).
#  - MySQL 8 and 9, whose image has no backup tool: the server copies its
#    own data with CLONE LOCAL into the volume's BACKUP_SUBDIR (outside
#    the datadir, as CLONE requires; the server container mounts it at
#    SERVER_BACKUP_DIR), which is streamed as tar and removed. The copy is a datadir a server starts on
#    as it is; its position goes to stderr in the backup tools' words,
#    where mysqlctl reads it, and into the copy (BACKUP_POSITION_FILE).
#    The volume needs room for one more copy of the data while it runs.
# The backup ends after CLONE_TIMEOUT, when no receiver waits for it any
# more: a backup stuck on a lock never blocks the next new replica.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# stream_local_clone copies the server into COPY and streams it.
# One backup at a time: the server runs one clone at once, and a copy
# left by a backup that died is removed first.
COPY="$DATA_ROOT/$BACKUP_SUBDIR/copy"
stream_local_clone() {
    local dir=$COPY cnf file pos gtid
    cnf=$(admin_cnf)
    trap 'rm -rf "$COPY"' EXIT
    rm -rf "$dir"
    log "copying the server's data with CLONE LOCAL into $dir"
    sql_fill stmt-clone-local.sql clone_dir="$SERVER_BACKUP_DIR/copy" | QUERY_TIMEOUT=$CLONE_TIMEOUT sql_script "$cnf" "$SERVER_HOST" ||
        die "CLONE LOCAL failed: nothing streamed"
    IFS=$'\t' read -r file pos gtid < <(sql_query "$cnf" "$SERVER_HOST" stmt-clone-status.sql) ||
        die "the server reports no completed clone: nothing streamed"
    gtid=${gtid//\\n/}
    printf 'binlog_file=%s\nbinlog_pos=%s\ngtid_executed=%s\n' "$file" "$pos" "$gtid" >"$dir/$BACKUP_POSITION_FILE"
    log "MySQL binlog position: filename '$file', position '$pos', GTID of the last change '$gtid'"
    timeout -k 10 "$CLONE_TIMEOUT" tar -C "$dir" -cf - .
}

if [[ "$FLAVOR" == mysql ]]; then
    stream_local_clone
else
    log "streaming a hot backup of $DATADIR"
    exec timeout -k 10 "$CLONE_TIMEOUT" "$BACKUP_TOOL" --defaults-extra-file="$(admin_cnf)" --backup --slave-info \
        --stream=xbstream --datadir="$DATADIR" --target-dir="${TMPDIR:-/tmp}"
fi
