#!/bin/bash
# lib.sh: helpers shared by mysqlctl's pod scripts, sourced by each of them.
#
# The pod's environment (set by mysqlctl's StatefulSet) chooses the flavour:
#   FLAVOR            mysql | mariadb | mysql57
#   CLUSTER_NAME      StatefulSet and headless Service name: peers are
#                     <CLUSTER_NAME>-<i>.<CLUSTER_NAME>
#   CLUSTER_STATE_DIR mysqlctl's record of the cluster (a ConfigMap): its
#                     file "primary" names the pod that takes writes
#   ADMIN_USER, REPLICATION_USER, PROBE_USER  mysqlctl's own account, the
#                     replicas' and the probes' (status only)
# Passwords are files of the credentials Secret in SECRETS_DIR, one a key
# (admin-password, replication-password, root-password, probe-password),
# read into shell variables that are never exported: no process's
# environment holds one. (Tests may set ADMIN_PASSWORD, REPLICATION_PASSWORD,
# ROOT_PASSWORD and PROBE_PASSWORD in the environment instead.) TLS_DIR
# holds the servers' certificate (tls.crt, tls.key) and the CA (ca.crt).
# The paths below default to the pod's mounts; tests override them. Every
# SQL statement comes from the flavour's statement files in CONFIG_DIR
# (stmt-*.sql, rendered by mysqlctl's sql package; see statements.sh).
#
# Tools the scripts assume in their image (docs/flavours.md lists them per
# script): bash, coreutils (timeout, sync, mktemp, install, sort, tr, paste,
# head, date, sleep, mv, rm, chown), awk and sed, and the flavour's client
# and admin tool. Every client call runs under coreutils' timeout: a server
# that takes a connection and then hangs never stalls a script.
# shellcheck disable=SC2034 # the flavour table is read by the sourcing scripts

: "${DATA_ROOT:=/data}"            # the whole data volume (init and sidecar)
: "${DATADIR:=/var/lib/mysql}"     # the server's datadir: volume subPath mysql
: "${CONF_DIR:=/etc/mysql/conf.d}" # the cnf files init-config writes
: "${CONFIG_DIR:=/mnt/mysqlctl}"   # this ConfigMap: scripts and cnf templates
: "${RUN_DIR:=/run/mysqlctl}"      # in-memory volume shared by the containers
: "${SERVER_HOST:=127.0.0.1}"      # where this pod's server answers
: "${SERVER_PORT:=3306}"
: "${CLONE_PORT:=3307}"
: "${LISTEN_ADDRESS:=}"          # where backups are served: empty = all addresses
: "${DATA_OWNER:=mysql:mysql}"     # owner of the datadir the server runs as
: "${QUERY_TIMEOUT:=30}"           # seconds one client call may take, login included
: "${CLONE_TIMEOUT:=480}"          # seconds a whole clone may take: see clone.sh
: "${CLUSTER_STATE_DIR:=/mnt/mysqlctl-cluster}" # mysqlctl's record of the cluster (read-only)
: "${SECRETS_DIR:=/etc/mysqlctl/secrets}" # the credentials Secret (read-only)
: "${TLS_DIR:=/etc/mysqlctl/tls}"         # the TLS Secret (read-only)
: "${SERVER_BACKUP_DIR:=/var/lib/mysqlctl-backup}" # DATA_ROOT/BACKUP_SUBDIR as the server container mounts it
# SEMI_SYNC_CNF holds init-config's semi-sync settings when the spec asks
# for semi-sync, and nothing otherwise: a non-empty one tells the sidecar
# that this start of the server waits for replicas' acknowledgements once
# it is the primary.
SEMI_SYNC_CNF="$CONF_DIR/40-mysqlctl-semisync.cnf"

STATE_DIR="$DATA_ROOT/mysqlctl"                # on the volume, outside the datadir
CLONE_MARKER="$STATE_DIR/clone-complete"       # written only after a whole clone
SOURCE_POSITION="$STATE_DIR/replication-source" # where a fresh clone replicates from
BOOTSTRAP_MARKER="$STATE_DIR/bootstrap-complete"
FENCE_MARKER="$STATE_DIR/fenced"               # mysqlctl fenced this server: see fenced
SIDECAR_READY="$RUN_DIR/sidecar-ready"          # readiness waits for the sidecar
CAUGHT_UP="$RUN_DIR/caught-up"                  # when readiness last saw the replica caught up
WRONG_SOURCE="$RUN_DIR/wrong-source"            # why the replica follows no primary (readiness fails)
BACKUP_SUBDIR=backup                            # MySQL's backup copy, in DATA_ROOT (backup-stream.sh)
BACKUP_POSITION_FILE="mysqlctl_backup_position" # in that copy: its binlog file, position and GTID set

# The replica status columns the scripts read, as stmt-replica-status.sql
# names them (SHOW REPLICA STATUS renamed Slave/Master to Replica/Source).
# POSITIONING_FIELD says how the replica finds its place in the source's log
# (MariaDB's Using_Gtid, MySQL's Auto_Position); the scripts only log it.
case "${FLAVOR:-}" in
mariadb)
    SERVER_BIN=mariadbd
    CLIENT=mariadb ADMIN_TOOL=mariadb-admin BACKUP_TOOL=mariadb-backup STREAM_TOOL=mbstream UPGRADE_TOOL=mariadb-upgrade
    IO_FIELD=Slave_IO_Running SQL_FIELD=Slave_SQL_Running SOURCE_LOG_FILE_FIELD=Master_Log_File
    SOURCE_HOST_FIELD=Master_Host LAG_FIELD=Seconds_Behind_Master POSITIONING_FIELD=Using_Gtid
    ;;
mysql57)
    SERVER_BIN=mysqld
    CLIENT=mysql ADMIN_TOOL=mysqladmin BACKUP_TOOL=xtrabackup STREAM_TOOL=xbstream UPGRADE_TOOL=""
    IO_FIELD=Slave_IO_Running SQL_FIELD=Slave_SQL_Running SOURCE_LOG_FILE_FIELD=Master_Log_File
    SOURCE_HOST_FIELD=Master_Host LAG_FIELD=Seconds_Behind_Master POSITIONING_FIELD=Auto_Position
    ;;
mysql)
    SERVER_BIN=mysqld
    CLIENT=mysql ADMIN_TOOL=mysqladmin BACKUP_TOOL="" STREAM_TOOL="" UPGRADE_TOOL=""
    IO_FIELD=Replica_IO_Running SQL_FIELD=Replica_SQL_Running SOURCE_LOG_FILE_FIELD=Source_Log_File
    SOURCE_HOST_FIELD=Source_Host LAG_FIELD=Seconds_Behind_Source POSITIONING_FIELD=Auto_Position
    ;;
*)
    printf 'FLAVOR must be mysql, mariadb or mysql57, got "%s"\n' "${FLAVOR:-}" >&2
    exit 2
    ;;
esac

# shellcheck source=statements.sh
source "$(dirname "${BASH_SOURCE[0]}")/statements.sh"

log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${0##*/}" "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

# now_us prints the wall clock in microseconds (whatever the locale's
# decimal separator).
now_us() { printf '%s' "${EPOCHREALTIME//[!0-9]/}"; }

# seconds_of US prints microseconds as seconds ("0.250000"), the form
# sleep and read -t take.
seconds_of() { printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)); }

# nap sleeps in the background so a SIGTERM trap runs at once, not after it.
nap() {
    sleep "$1" &
    wait "$!" || true
}

# own [-R] PATH hands PATH to the server's user. The pods run as that user
# already (everything they write is its); only a root caller (the local
# tests) changes anything.
own() {
    if ((EUID == 0)); then
        chown "${@:1:$#-1}" "$DATA_OWNER" "${@: -1}"
    fi
}

# pod_ordinal prints the StatefulSet ordinal from the pod's hostname.
pod_ordinal() {
    [[ "${HOSTNAME:-}" =~ -([0-9]+)$ ]] || die "hostname \"${HOSTNAME:-}\" does not end in -<ordinal>: not a StatefulSet pod"
    printf '%d\n' "$((10#${BASH_REMATCH[1]}))"
}

# peer_host prints the stable DNS name of the pod with ordinal $1.
peer_host() { printf '%s-%d.%s\n' "$CLUSTER_NAME" "$1" "$CLUSTER_NAME"; }

# pod_host prints the stable DNS name of the pod named $1.
pod_host() { printf '%s.%s\n' "$1" "$CLUSTER_NAME"; }

# recorded_primary prints the name of the pod the cluster's record names as
# its primary (mysqlctl up records ordinal 0, switchover and promote move
# it), or nothing when the record is missing or names no pod of this
# cluster: then no server may take writes, and every one stays read-only
# until mysqlctl records a primary again. The role is never the ordinal's.
# The mounted record may lag a change by a minute; every decision taken
# from it is also checked against the servers themselves (see sidecar.sh).
recorded_primary() {
    local name=""
    if [[ -f "$CLUSTER_STATE_DIR/primary" ]]; then
        read -r name <"$CLUSTER_STATE_DIR/primary" || true
    fi
    if [[ "$name" =~ ^${CLUSTER_NAME}-[0-9]+$ ]]; then
        printf '%s\n' "$name"
    fi
}

# describe_primary words the record's primary for a log line.
describe_primary() {
    local p
    p=$(recorded_primary)
    printf '%s\n' "${p:-none (the record is missing or names no pod: every server stays read-only)}"
}

# is_recorded_primary: this pod is the one the record names.
is_recorded_primary() {
    local p
    p=$(recorded_primary)
    [[ -n "$p" && "$p" == "${HOSTNAME:-}" ]]
}

# role_change_in_progress prints the role change the record says is under
# way (mysqlctl writes it before it fences anything, and removes it once the
# new primary is recorded), and fails when there is none.
role_change_in_progress() {
    local change=""
    if [[ -f "$CLUSTER_STATE_DIR/change" ]]; then
        change=$(head -c 300 "$CLUSTER_STATE_DIR/change" | tr -d '\n')
    fi
    [[ -n "$change" ]] && printf '%s\n' "$change"
}

# fenced prints why this server was fenced (FENCE_MARKER, written by
# mysqlctl on the volume before it fences a primary, removed only when
# mysqlctl makes this server the primary again), and fails when it was not.
# It outlives every restart of the server and of the pod, and the mounted
# record's lag: a fenced server never makes itself writable.
fenced() {
    [[ -f "$FENCE_MARKER" ]] && head -c 300 "$FENCE_MARKER" | tr -d '\n' && echo
}

# peer_addresses prints the address of every pod of the cluster, this one
# included, as the headless Service's DNS lists them: it publishes pods that
# are not ready too, so a starting pod finds every peer, whatever its ordinal.
peer_addresses() {
    getent ahosts "$CLUSTER_NAME" | awk '{ print $1 }' | sort -u
}

# load_secret NAME KEY sets the shell variable NAME (not exported) to the
# Secret's value of KEY, unless the environment set it first (tests). It
# reads the file again at every call: mysqlctl rotate-passwords changes the
# Secret under running pods, and the kubelet rewrites the files. A key this
# container does not mount leaves it empty.
load_secret() {
    local file="$SECRETS_DIR/$2" from_file="${1}_FROM_FILE"
    if [[ -r "$file" && (-z "${!1:-}" || -n "${!from_file:-}") ]]; then
        printf -v "$1" '%s' "$(<"$file")"
        printf -v "$from_file" yes
    fi
}

# load_secrets reads every password the pod scripts use; a long-running
# script (the sidecar) calls it again before each round of work.
load_secrets() {
    load_secret ADMIN_PASSWORD admin-password
    load_secret REPLICATION_PASSWORD replication-password
    load_secret ROOT_PASSWORD root-password
    load_secret PROBE_PASSWORD probe-password
}
load_secrets

# client_cnf prints the path of an option file holding the credentials of
# account $2 (password $3), writing it first if needed. Passwords go through
# files so they never show in a process list. [xtrabackup] repeats [client]
# for XtraBackup 2.4, which does not read [client]. With the cluster's CA
# mounted, every connection uses TLS and checks the server's certificate
# against it (the servers may refuse plain connections: tls: required).
client_cnf() {
    local file="$RUN_DIR/$1.cnf" tmp pw section tls="" content=""
    pw=${3//\\/\\\\}
    if [[ -r "$TLS_DIR/ca.crt" ]]; then
        tls="ssl-ca=$TLS_DIR/ca.crt"$'\n'
    fi
    for section in client xtrabackup; do
        content+=$(printf '[%s]\nuser=%s\npassword="%s"\nhost=%s\nport=%s\n%s' \
            "$section" "$2" "$pw" "$SERVER_HOST" "$SERVER_PORT" "$tls")$'\n'
    done
    # Written again only when it changed (a rotated password): the probes
    # call this every few seconds.
    if [[ ! -s "$file" || "$(<"$file")" != "${content%$'\n'}" ]]; then
        mkdir -p "$RUN_DIR"
        tmp=$(mktemp "$RUN_DIR/.$1.XXXXXX")
        printf '%s' "$content" >"$tmp"
        mv -f "$tmp" "$file"
    fi
    printf '%s\n' "$file"
}

# tls_options are socat's options for the clone stream: this pod's
# certificate and key, and the CA the peer's certificate must come from.
tls_options() { printf 'cert=%s,key=%s,cafile=%s' "$TLS_DIR/tls.crt" "$TLS_DIR/tls.key" "$TLS_DIR/ca.crt"; }

admin_cnf() { client_cnf admin "${ADMIN_USER:?}" "${ADMIN_PASSWORD:?}"; }
root_cnf() { client_cnf root root "${ROOT_PASSWORD:?}"; }
probe_cnf() { client_cnf probe "${PROBE_USER:?}" "${PROBE_PASSWORD:?}"; }

# run_client CNF HOST ARG... runs the flavour's client against HOST, ended after
# QUERY_TIMEOUT seconds (and killed 5 s later if it ignores the TERM).
run_client() {
    local cnf=$1 host=$2
    shift 2
    timeout -k 5 "$QUERY_TIMEOUT" "$CLIENT" --defaults-extra-file="$cnf" --host="$host" \
        --port="$SERVER_PORT" --connect-timeout=5 --batch "$@"
}

# sql_query CNF HOST FILE runs a statement file that only reads (one of
# CONFIG_DIR/stmt-*.sql, without placeholders) and prints its rows, batch
# output without column names.
sql_query() { run_client "$1" "$2" --skip-column-names <"$CONFIG_DIR/$3"; }

# sql_script CNF HOST runs the statements on stdin, as sql_fill prints them
# (passwords stay off argv).
sql_script() { run_client "$1" "$2"; }

# replica_status CNF HOST prints the server's replica status as "Field: value"
# lines (empty output: not a replica). Read fields with status_field, by
# name: columns move between versions. (--skip-column-names would drop the
# names from vertical output, so no sql_query here.)
replica_status() { run_client "$1" "$2" --vertical <"$CONFIG_DIR/stmt-replica-status.sql"; }

# executed_gtid CNF HOST prints HOST's executed GTID set (MariaDB: its
# gtid_current_pos), where the flavour asks for it to find errant
# transactions (stmt-errant-gtid.sql: not MySQL 5.7). The client's batch
# output writes the newlines of a set with several UUIDs as "\n": they are
# dropped.
executed_gtid() {
    local set
    set=$(sql_query "$1" "$2" stmt-executed-gtid.sql) || return 1
    printf '%s\n' "${set//\\n/}"
}

# errant_on CNF HOST SOURCE prints the transactions HOST holds that SOURCE
# lacks; nothing where the flavour has no stmt-errant-gtid.sql. HOST's own
# set is read first: read after SOURCE's, it could hold what HOST received
# from SOURCE in between, which would look errant under steady writes.
errant_on() {
    local own theirs mine
    [[ -f "$CONFIG_DIR/stmt-errant-gtid.sql" ]] || return 0
    own=$(sql_query "$1" "$2" stmt-own-gtid.sql) || return 1
    theirs=$(executed_gtid "$1" "$3") || return 1
    mine=$(sql_fill stmt-errant-gtid.sql own_gtid="${own//\\n/}" source_gtid="$theirs" |
        run_client "$1" "$2" --skip-column-names) || return 1
    printf '%s\n' "${mine//\\n/}"
}

# status_field NAME reads "Name: value" lines on stdin and prints the value.
status_field() {
    awk -v k="$1" '{ sub(/^ +/, ""); n = index($0, ": ");
        if (n > 0 && substr($0, 1, n - 1) == k) { print substr($0, n + 2); exit } }'
}

# server_alive HOST: the server answers (an access error still means alive).
server_alive() {
    timeout -k 2 10 "$ADMIN_TOOL" --defaults-extra-file="$(admin_cnf)" --host="$1" --port="$SERVER_PORT" \
        --connect-timeout=3 ping >/dev/null 2>&1
}
