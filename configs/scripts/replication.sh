#!/bin/bash
# replication.sh: the SQL each flavour needs to create mysqlctl's accounts on
# the primary and to point a replica at it. Sourced by sidecar.sh. Every
# statement is printed, then piped to the client: passwords never reach argv.
# Syntax per flavour: MYSQL-FLAVOURS.md, "Replication control".

# admin_account_sql: mysqlctl's own account, with every privilege (MariaDB:
# READ_ONLY ADMIN included, so it can still change roles on read-only servers).
admin_account_sql() {
    local who
    who="$(sql_quote "$ADMIN_USER")@'%'"
    printf 'CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s;\n' "$who" "$(sql_quote "$ADMIN_PASSWORD")"
    printf 'GRANT ALL PRIVILEGES ON *.* TO %s WITH GRANT OPTION;\n' "$who"
}

# replication_account_sql: the account replicas connect with (never root).
replication_account_sql() {
    local who privileges="REPLICATION SLAVE, REPLICATION CLIENT"
    who="$(sql_quote "$REPLICATION_USER")@'%'"
    if [[ "$FLAVOR" == mariadb ]]; then
        privileges="REPLICATION SLAVE" # REPLICATION CLIENT is BINLOG MONITOR there, not needed
    fi
    printf 'CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s;\n' "$who" "$(sql_quote "$REPLICATION_PASSWORD")"
    printf 'GRANT %s ON *.* TO %s;\n' "$privileges" "$who"
}

# restrict_root_sql CNF (MariaDB): MariaDB has no super_read_only, and
# read_only does not stop accounts holding READ_ONLY ADMIN, which root holds
# by default. Revoking it from every root account makes a replica refuse
# root's writes with error 1290 like any client's. Roles still change
# through the admin account (which keeps READ_ONLY ADMIN) and the role's cnf.
restrict_root_sql() {
    local host
    # Under skip-name-resolve, accounts for host names are never matched (and
    # REVOKE cannot find them): only those that can log in matter.
    sql "$1" "$SERVER_HOST" "SELECT Host FROM mysql.user WHERE User = 'root' AND (@@skip_name_resolve = 0 OR Host = 'localhost' OR Host REGEXP '^[0-9.:%_/]+\$')" |
        while IFS= read -r host; do
            printf 'REVOKE READ_ONLY ADMIN ON *.* FROM root@%s;\n' "$(sql_quote "$host")"
        done
}

# change_source_sql POSITION_FILE: forget any old source and point at the
# primary, from the position a fresh clone recorded (MariaDB: GTID, MySQL
# 5.7: file and position, MySQL 8: GTID auto-position needs none).
change_source_sql() {
    local primary user password gtid file pos
    primary=$(sql_quote "$(peer_host 0)")
    user=$(sql_quote "$REPLICATION_USER")
    password=$(sql_quote "$REPLICATION_PASSWORD")
    case "$FLAVOR" in
    mysql)
        printf 'STOP REPLICA;\nRESET REPLICA ALL;\n'
        printf 'CHANGE REPLICATION SOURCE TO SOURCE_HOST=%s, SOURCE_PORT=%d, SOURCE_USER=%s, SOURCE_PASSWORD=%s, SOURCE_CONNECT_RETRY=10, SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1;\n' \
            "$primary" "$SERVER_PORT" "$user" "$password"
        ;;
    mariadb)
        gtid=$(read_position "$1" gtid) || die "no gtid in $1"
        printf 'STOP SLAVE;\nRESET SLAVE ALL;\nSET GLOBAL gtid_slave_pos = %s;\n' "$(sql_quote "$gtid")"
        printf 'CHANGE MASTER TO MASTER_HOST=%s, MASTER_PORT=%d, MASTER_USER=%s, MASTER_PASSWORD=%s, MASTER_CONNECT_RETRY=10, MASTER_USE_GTID=slave_pos;\n' \
            "$primary" "$SERVER_PORT" "$user" "$password"
        ;;
    mysql57)
        file=$(read_position "$1" binlog_file) || die "no binlog_file in $1"
        pos=$(read_position "$1" binlog_pos) || die "no binlog_pos in $1"
        printf 'STOP SLAVE;\nRESET SLAVE ALL;\n'
        printf 'CHANGE MASTER TO MASTER_HOST=%s, MASTER_PORT=%d, MASTER_USER=%s, MASTER_PASSWORD=%s, MASTER_CONNECT_RETRY=10, MASTER_LOG_FILE=%s, MASTER_LOG_POS=%d;\n' \
            "$primary" "$SERVER_PORT" "$user" "$password" "$(sql_quote "$file")" "$pos"
        ;;
    esac
}

start_replica_sql() {
    if [[ "$FLAVOR" == mysql ]]; then
        echo 'START REPLICA;'
    else
        echo 'START SLAVE;'
    fi
}
