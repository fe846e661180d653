#!/bin/bash
# replication.sh: creates mysqlctl's accounts on the primary and points a
# replica at it, with the flavour's statement files (stmt-*.sql: the syntax
# per flavour is the sql package's, see docs/flavours.md). Sourced by
# sidecar.sh. Each *_sql function prints filled statements for sql_script.

# accounts_sql: mysqlctl's own account, with every privilege (MariaDB:
# READ_ONLY ADMIN included, so it can still change roles on read-only
# servers), and the account replicas connect with (never root).
accounts_sql() {
    sql_fill stmt-accounts.sql admin_user="$ADMIN_USER" admin_password="$ADMIN_PASSWORD" \
        replication_user="$REPLICATION_USER" replication_password="$REPLICATION_PASSWORD"
}

# restrict_root_sql CNF, where the flavour has stmt-restrict-root.sql
# (MariaDB: no super_read_only, and root's READ_ONLY ADMIN lets it write on
# a read-only replica): the statements for each root account that can log
# in. Roles still change through the admin account and the role's cnf.
restrict_root_sql() {
    local host
    sql_query "$1" "$SERVER_HOST" stmt-root-hosts.sql |
        while IFS= read -r host; do
            sql_fill stmt-restrict-root.sql root_host="$host" || return 1
        done
}

# change_source_sql POSITION_FILE: forget any old source and point at the
# primary, from the position a fresh clone recorded. Its key=value lines
# are passed on as they are: MariaDB's statements use gtid, MySQL 5.7's
# binlog_file and binlog_pos, MySQL 8's GTID auto-position none.
change_source_sql() {
    local line position=()
    while IFS= read -r line || [[ -n "$line" ]]; do
        if [[ "$line" == *=* ]]; then
            position+=("$line")
        fi
    done <"$1"
    sql_fill stmt-change-source.sql source_host="$(peer_host 0)" source_port="$SERVER_PORT" \
        replication_user="$REPLICATION_USER" replication_password="$REPLICATION_PASSWORD" \
        ${position[@]+"${position[@]}"} ||
        die "cannot point replication at $(peer_host 0) from the position in $1: $(tr '\n' ' ' <"$1")"
}

start_replica_sql() { sql_fill stmt-start-replica.sql; }
