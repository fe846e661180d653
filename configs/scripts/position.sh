#!/bin/bash
# position.sh: reads where a fresh clone must start replicating, from the
# files the backup tool leaves in the backup. Sourced by clone.sh; kept apart
# so tests can feed it real files. The file names changed in MariaDB 11.1
# (xtrabackup_* became mariadb_backup_*): both are read.
# Each function prints "key=value" lines that sidecar.sh reads back.

# first_existing DIR NAME... prints the first DIR/NAME that exists.
first_existing() {
    local dir=$1 name
    shift
    for name in "$@"; do
        if [[ -f "$dir/$name" ]]; then
            printf '%s\n' "$dir/$name"
            return 0
        fi
    done
    return 1
}

# position_from_binlog_info FILE: "<file> <position> [<gtid>]" separated by
# tabs or spaces, from a clone of the primary. Fields are split explicitly:
# the tutorial's regex was greedy and broke on MariaDB's third column.
position_from_binlog_info() {
    local file pos gtid rest
    read -r file pos gtid rest <"$1" || [[ -n "${file:-}" ]] || return 1
    [[ -n "$file" && "$pos" =~ ^[0-9]+$ ]] || return 1
    printf 'binlog_file=%s\nbinlog_pos=%s\ngtid=%s\n' "$file" "$pos" "${gtid:-}"
}

# position_from_slave_info FILE: the source's position as the donor replica
# had executed it. MariaDB with GTID writes
#   SET GLOBAL gtid_slave_pos = '0-100-5';
#   CHANGE MASTER TO master_use_gtid = slave_pos
# XtraBackup 2.4 without GTID writes
#   CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000003', MASTER_LOG_POS=154
position_from_slave_info() {
    local text gtid file pos
    text=$(tr '\n' ' ' <"$1")
    gtid=$(sed -n "s/.*gtid_slave_pos *= *'\([^']*\)'.*/\1/p" <<<"$text")
    file=$(sed -n "s/.*MASTER_LOG_FILE *= *'\([^']*\)'.*/\1/Ip" <<<"$text")
    pos=$(sed -n 's/.*MASTER_LOG_POS *= *\([0-9][0-9]*\).*/\1/Ip' <<<"$text")
    if [[ -n "$gtid" ]]; then
        printf 'gtid=%s\n' "$gtid"
    elif [[ -n "$file" && -n "$pos" ]]; then
        printf 'binlog_file=%s\nbinlog_pos=%s\n' "$file" "$pos"
    else
        return 1
    fi
}

# backup_position DIR FROM_REPLICA prints the replication start of a prepared
# backup: the slave_info file when the donor was a replica (its own binlog
# is not the primary's), the binlog_info file when it was the primary.
backup_position() {
    local dir=$1 from_replica=$2 f
    if [[ "$from_replica" == yes ]]; then
        f=$(first_existing "$dir" mariadb_backup_slave_info xtrabackup_slave_info) ||
            { log "no slave_info file in the backup of a replica"; return 1; }
        position_from_slave_info "$f" || { log "cannot parse $f: $(head -c 300 "$f")"; return 1; }
    else
        f=$(first_existing "$dir" mariadb_backup_binlog_info xtrabackup_binlog_info) ||
            { log "no binlog_info file in the backup of the primary"; return 1; }
        position_from_binlog_info "$f" || { log "cannot parse $f: $(head -c 300 "$f")"; return 1; }
    fi
}

# read_position FILE KEY prints the value of KEY in a key=value file.
read_position() {
    local key value
    while IFS='=' read -r key value; do
        if [[ "$key" == "$2" ]]; then
            printf '%s\n' "$value"
            return 0
        fi
    done <"$1"
    return 1
}
