#!/bin/bash
# replication.sh: creates mysqlctl's accounts on the primary, points a
# replica at it and keeps its receiver running, with the flavour's statement
# files (stmt-*.sql: the syntax per flavour is the sql package's, see
# docs/flavours.md). Sourced by sidecar.sh (and by the tests, which replace
# the client functions). Each *_sql function prints filled statements for
# sql_script.

# accounts_sql: mysqlctl's own account, with every privilege (MariaDB:
# READ_ONLY ADMIN included, so it can still change roles on read-only
# servers), the account replicas connect with (never root; TLS required),
# and the probes' account (replication status only).
accounts_sql() {
    sql_fill stmt-accounts.sql admin_user="$ADMIN_USER" admin_password="$ADMIN_PASSWORD" \
        replication_user="$REPLICATION_USER" replication_password="$REPLICATION_PASSWORD" \
        probe_user="${PROBE_USER:?}" probe_password="${PROBE_PASSWORD:?}"
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

# change_source_sql POSITION_FILE HOST: forget any old source and point at
# HOST, from the position in POSITION_FILE (a fresh clone's, or a former
# primary's own). Its key=value lines
# are passed on as they are: MariaDB's statements use gtid, MySQL 5.7's
# binlog_file and binlog_pos, MySQL 8's GTID auto-position none.
change_source_sql() {
    local line position=()
    while IFS= read -r line || [[ -n "$line" ]]; do
        if [[ "$line" == *=* ]]; then
            position+=("$line")
        fi
    done <"$1"
    sql_fill stmt-change-source.sql source_host="$2" source_port="$SERVER_PORT" \
        replication_user="$REPLICATION_USER" replication_password="$REPLICATION_PASSWORD" \
        source_ca="$TLS_DIR/ca.crt" ${position[@]+"${position[@]}"} ||
        die "cannot point replication at $2 from the position in $1: $(tr '\n' ' ' <"$1")"
}

start_replica_sql() { sql_fill stmt-start-replica.sql; }
start_io_thread_sql() { sql_fill stmt-start-io-thread.sql; }

# setup_replica points a replica at the recorded primary once, and is
# idempotent across restarts. It returns non-zero when it should be tried
# again later (no primary is recorded, or it does not answer as one yet):
#  - A replica whose status names a source already replicates: its live
#    position wins, and a leftover clone position file is only set aside.
#    Applying it again would rewind a replica that applied transactions
#    (MariaDB's gtid_slave_pos, 5.7's file and position; MySQL 8's
#    auto-position alone would survive it). This also covers the crash
#    window between CHANGE and the rename below, and a clone whose donor was
#    a replica and carried its replication settings: they are consistent
#    with the copied data (MariaDB's gtid_slave_pos and 5.7's applier
#    position are InnoDB tables, committed with each transaction). When
#    that source is not the recorded primary (a replica away during a
#    switchover), it is repointed once the recorded primary answers as one
#    (follow_recorded_primary).
#  - After a fresh clone (position file, no source yet): point at the
#    primary from the clone's position, set the file aside, then start.
#  - A configured replica stopped without an error (say, a restart in the
#    crash window above) is started; one stopped by an error is left to a
#    human (mysqlctl status and check show the error).
#  - Data but no source and no clone position: a former primary, after the
#    role moved (rejoin_former_primary).
setup_replica() {
    local cnf status src primary
    cnf=$(admin_cnf)
    if [[ -z "$(recorded_primary)" ]]; then
        log "no primary is recorded ($(describe_primary)): waiting for mysqlctl to record one"
        return 1
    fi
    primary=$(pod_host "$(recorded_primary)")
    status=$(replica_status "$cnf" "$SERVER_HOST") || die "cannot read the replica status of $SERVER_HOST:$SERVER_PORT"
    src=$(status_field "$SOURCE_HOST_FIELD" <<<"$status")
    if [[ -f "$SOURCE_POSITION" && -n "$src" ]]; then
        log "replication from $src is configured already ($POSITIONING_FIELD $(status_field "$POSITIONING_FIELD" <<<"$status")): its live position wins; the clone position ($(paste -sd ' ' "$SOURCE_POSITION")) is set aside, not applied again"
        retire_position
    fi
    if [[ -n "$src" ]]; then
        resume_replica "$cnf" "$status" "$src" || return 1
        follow_recorded_primary "$cnf"
        return 0
    fi
    source_is_primary "$cnf" "$primary" || return 1
    if [[ -f "$SOURCE_POSITION" ]]; then
        log "fresh clone: replicating from $primary, $(tr '\n' ' ' <"$SOURCE_POSITION")"
        change_source_sql "$SOURCE_POSITION" "$primary" | sql_script "$cnf" "$SERVER_HOST" || return 1
        retire_position
        start_replica_sql | sql_script "$cnf" "$SERVER_HOST" || return 1
    elif [[ "$FLAVOR" == mysql && ! -f "$BOOTSTRAP_MARKER" ]]; then
        log "not a replica yet: GTID auto-position needs no clone position"
        { change_source_sql /dev/null "$primary" && start_replica_sql; } | sql_script "$cnf" "$SERVER_HOST" || return 1
    else
        rejoin_former_primary "$cnf" "$primary"
    fi
}

# answers_as_primary CNF HOST: HOST answers as a primary (writable, no
# source of its own). Otherwise NOT_PRIMARY says why, for the caller's log.
answers_as_primary() {
    local status ro src
    NOT_PRIMARY=""
    if ! status=$(replica_status "$1" "$2" 2>/dev/null) || ! ro=$(sql_query "$1" "$2" stmt-read-only.sql 2>/dev/null); then
        NOT_PRIMARY="does not answer yet"
        return 1
    fi
    src=$(status_field "$SOURCE_HOST_FIELD" <<<"$status")
    if [[ -n "$src" || "$ro" != 0 ]]; then
        NOT_PRIMARY="is not writable yet (read_only $ro, source \"$src\")"
        return 1
    fi
}

# source_is_primary CNF HOST: HOST answers as a primary. The mounted record
# can lag a switchover by a minute: a replica never follows a server that
# is not a primary, it waits.
source_is_primary() {
    if ! answers_as_primary "$1" "$2"; then
        log "the recorded primary $2 $NOT_PRIMARY"
        return 1
    fi
}

# follow_recorded_primary CNF, on a replica (setup and every tick of the
# watch): a source that is not the recorded primary is replaced by it, by
# GTID from where this server's applier stands, once the recorded primary
# answers as the primary (the record lags a switchover, and the old
# primary, fenced, never answers as one: a replica is never pointed back).
# A replica whose source is neither the recorded primary nor answers as a
# primary (chained through a replica, whose applier may stop unseen) is
# marked for the readiness probe (WRONG_SOURCE) once two looks in a row
# found it so; the mark goes when it follows a primary again.
follow_recorded_primary() {
    local cnf=$1 status src primary
    primary=$(recorded_primary)
    [[ -n "$primary" ]] || return 0
    primary=$(pod_host "$primary")
    status=$(replica_status "$cnf" "$SERVER_HOST" 2>/dev/null) || return 0
    src=$(status_field "$SOURCE_HOST_FIELD" <<<"$status")
    if [[ -z "$src" || "$src" == "$primary" ]]; then
        source_verdict ""
        if [[ -z "$src" ]]; then
            rejoin_sourceless "$cnf" "$primary"
        else
            start_unstarted "$cnf" "$status"
        fi
        return 0
    fi
    if [[ "$FLAVOR" != mysql57 ]] && answers_as_primary "$cnf" "$primary"; then
        if ! refuse_errant "$cnf" "$primary"; then
            source_verdict "replicates from $src and holds transactions the recorded primary $primary lacks"
            return 0
        fi
        repoint_replica "$cnf" "$primary" "$src" && source_verdict ""
        return
    fi
    if answers_as_primary "$cnf" "$src"; then
        source_verdict "" # the record has not caught up with a switchover yet
        return 0
    fi
    source_verdict "replicates from $src, which $NOT_PRIMARY, and the recorded primary $primary does not answer as the primary"
}

# start_unstarted CNF STATUS starts a replica that was pointed at its
# source and never started since: both threads No, no log of the source
# read yet, no error (a repoint interrupted between its change of source
# and its start, as a role command killed mid-way leaves it). A replica a
# person stopped has read from its source (a log file name) and is left
# stopped, as is one with an error, and any while a role change is under
# way.
start_unstarted() {
    local cnf=$1 status=$2
    [[ "$(status_field "$IO_FIELD" <<<"$status")" == No && "$(status_field "$SQL_FIELD" <<<"$status")" == No ]] || return 0
    [[ "$status" == *"$SOURCE_LOG_FILE_FIELD:"* && -z "$(status_field "$SOURCE_LOG_FILE_FIELD" <<<"$status")" ]] || return 0
    [[ "$(status_field Last_IO_Errno <<<"$status")" == 0 && "$(status_field Last_SQL_Errno <<<"$status")" == 0 ]] || return 0
    if role_change_in_progress >/dev/null; then
        return 0
    fi
    log "pointed at its source but never started since (a repoint interrupted?): starting replication"
    start_replica_sql | sql_script "$cnf" "$SERVER_HOST" || true
}

# rejoin_sourceless CNF PRIMARY: a read-only server that is not the recorded
# primary and has no source (a repoint interrupted between its reset and its
# new source: a role command killed mid-way) rejoins PRIMARY as a former
# primary does, errant check first, once PRIMARY answers as the primary.
# A writable server (a new primary the mounted record has not caught up
# with) and any server while a role change is under way are left alone.
rejoin_sourceless() {
    local cnf=$1 primary=$2 ro
    [[ "$FLAVOR" != mysql57 ]] || return 0
    ro=$(sql_query "$cnf" "$SERVER_HOST" stmt-read-only.sql 2>/dev/null) || return 0
    [[ "$ro" == 1 ]] || return 0
    if role_change_in_progress >/dev/null || ! answers_as_primary "$cnf" "$primary"; then
        return 0
    fi
    log "read-only with no replication source (a repoint interrupted?), and $primary answers as the recorded primary"
    rejoin_former_primary "$cnf" "$primary" || true
}

# source_verdict WHY records what follow_recorded_primary found: "" is
# fine; the same complaint twice in a row becomes WRONG_SOURCE.
source_verdict() {
    if [[ -z "$1" ]]; then
        SOURCE_DOUBT=""
        rm -f "$WRONG_SOURCE"
        return 0
    fi
    if [[ "${SOURCE_DOUBT:-}" == "$1" && ! -f "$WRONG_SOURCE" ]]; then
        log "$1: not ready until it follows the primary"
        mkdir -p "$RUN_DIR" && printf '%s\n' "$1" >"$WRONG_SOURCE"
    fi
    SOURCE_DOUBT=$1
}

# repoint_replica CNF PRIMARY WAS points a running replica at PRIMARY from
# where its applier stands once stopped, read by the statement itself (a
# position read by an earlier query goes stale when mysqlctl starts the
# replica in between, and would make it apply again what it applied since:
# MariaDB's error 1950).
repoint_replica() {
    local cnf=$1 primary=$2
    log "replicates from $3, but the record names $primary, which answers as the primary: repointing by GTID"
    { change_source_here_sql "$primary" && start_replica_sql; } | sql_script "$cnf" "$SERVER_HOST" || return 1
    log "replicating from $primary, after its own transactions ($(own_position "$cnf"))"
}

# change_source_here_sql HOST: stop, forget any old source and point at
# HOST from where this server stands (MariaDB: its gtid_current_pos, what
# it wrote and what it replicated; MySQL: auto-position).
change_source_here_sql() {
    sql_fill stmt-change-source-here.sql source_host="$1" source_port="$SERVER_PORT" \
        replication_user="$REPLICATION_USER" replication_password="$REPLICATION_PASSWORD" \
        source_ca="$TLS_DIR/ca.crt"
}

# own_position CNF words where this server stands, for a log line.
own_position() {
    sql_query "$1" "$SERVER_HOST" stmt-executed-gtid.sql 2>/dev/null | tr '\n' ' ' || true
}

# rejoin_former_primary CNF HOST makes a server that was the primary a
# replica of the new one, asking for everything after its own last
# transaction (MariaDB: gtid_current_pos; MySQL: auto-position). When the
# new primary lacks any of this server's transactions (they were never
# sent before a promote), it is never pointed at it (refuse_errant; on
# MariaDB, gtid_strict_mode would stop it on its first event anyway,
# error 1950). It stays read-only and not ready:
# mysqlctl status reports it diverged, and mysqlctl reclone gives it the
# new primary's data.
rejoin_former_primary() {
    local cnf=$1 primary=$2
    if [[ ! -f "$CONFIG_DIR/stmt-change-source-here.sql" ]]; then
        die "this server has data but no replication source: it was the primary before $(describe_primary). MySQL 5.7 replicas are positioned by file and position, so it cannot rejoin: run mysqlctl reclone $HOSTNAME"
    fi
    refuse_errant "$cnf" "$primary" || return 1
    log "a former primary: rejoining $primary as a replica after its own transactions ($(own_position "$cnf"))"
    { change_source_here_sql "$primary" && start_replica_sql; } | sql_script "$cnf" "$SERVER_HOST" || return 1
}

# errant_transactions CNF SOURCE prints the transactions this server holds
# and SOURCE lacks (errant_on, lib.sh).
errant_transactions() { errant_on "$1" "$SERVER_HOST" "$2"; }

# refuse_errant CNF SOURCE fails when this server holds transactions SOURCE
# lacks, or when that cannot be read; it logs each new finding once (the
# sidecar asks again at every try).
refuse_errant() {
    local errant
    if ! errant=$(errant_transactions "$1" "$2"); then
        log "cannot compare this server's transactions with $2's yet"
        return 1
    fi
    if [[ -z "$errant" ]]; then
        ERRANT_LOGGED=""
        return 0
    fi
    if [[ "${ERRANT_LOGGED:-}" != "$errant" ]]; then
        log "holds transactions $2 lacks ($errant): it does not follow $2, which would keep them in a diverged copy; it stays read-only and not ready until mysqlctl reclone $HOSTNAME"
        ERRANT_LOGGED=$errant
    fi
    return 1
}

# retire_position sets the clone's position file aside, durably: a node
# crash must not bring it back once replication has moved on.
retire_position() {
    mv -f "$SOURCE_POSITION" "$SOURCE_POSITION.applied" && sync
}

# resume_replica CNF STATUS SOURCE starts a configured replica that stopped
# without an error, and leaves any other alone.
resume_replica() {
    local io sqlt errors
    io=$(status_field "$IO_FIELD" <<<"$2")
    sqlt=$(status_field "$SQL_FIELD" <<<"$2")
    errors="$(status_field Last_IO_Errno <<<"$2")$(status_field Last_SQL_Errno <<<"$2")"
    if [[ "$io" == No && "$sqlt" == No && "$errors" == 00 ]]; then
        log "replication from $3 is configured but stopped without an error: starting it"
        start_replica_sql | sql_script "$1" "$SERVER_HOST" || return 1
    else
        log "already replicating from $3 (IO $io, SQL $sqlt): left alone"
    fi
}

# CONNECTION_ERRNOS are the receiver errors that mean the source could not
# be reached, not that it refused us or sent something wrong: client errors
# 2003 (cannot connect), 2005 (unknown host: the primary's pod is gone from
# the headless Service's DNS while it restarts), 2006 (server gone away) and
# 2013 (connection lost), and server errors 1040 (too many connections) and
# 1053 (shutdown in progress). Both families use these numbers. Not here:
# 1045 (access denied: a wrong password stays wrong), 1236 and MySQL 8's
# 13114 (the source no longer has the binary logs the replica needs), 1593
# (fatal replica error, e.g. equal server ids), and every applier error
# (1062 duplicate key, ...): those stay stopped for a human.
# https://dev.mysql.com/doc/mysql-errors/8.4/en/client-error-reference.html
# https://dev.mysql.com/doc/mysql-errors/8.4/en/server-error-reference.html
# https://mariadb.com/kb/en/mariadb-error-code-reference/
CONNECTION_ERRNOS=" 2003 2005 2006 2013 1040 1053 "

# restart_stopped_receiver CNF starts the receiver (IO thread) of a replica
# that gave up on a connection error while its applier still runs; the
# retry count the replica is given makes that rare (see the sql package's
# retryForever). It changes nothing in any other case: a running or
# reconnecting receiver, a replica whose applier stopped too (a human's STOP,
# or an applier error), or a receiver error that is no connection error,
# which is logged once.
restart_stopped_receiver() {
    local status src io sqlt errno why
    status=$(replica_status "$1" "$SERVER_HOST" 2>/dev/null) || return 0 # the probes report a silent server
    src=$(status_field "$SOURCE_HOST_FIELD" <<<"$status")
    io=$(status_field "$IO_FIELD" <<<"$status")
    sqlt=$(status_field "$SQL_FIELD" <<<"$status")
    errno=$(status_field Last_IO_Errno <<<"$status")
    if [[ -z "$src" || "$io" != No || "$sqlt" != Yes ]]; then
        RECEIVER_LOGGED=""
        return 0
    fi
    why="error ${errno:-0}: $(status_field Last_IO_Error <<<"$status")"
    if [[ "$CONNECTION_ERRNOS" == *" $errno "* ]]; then
        log "the receiver from $src stopped on a connection error ($why): starting it again"
        start_io_thread_sql | sql_script "$1" "$SERVER_HOST"
    elif [[ "${RECEIVER_LOGGED:-}" != "$why" ]]; then
        log "the receiver from $src stopped ($why): not a connection error, left stopped for a human (mysqlctl status shows it)"
        RECEIVER_LOGGED=$why
    fi
}
