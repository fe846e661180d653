#!/bin/bash
# local-replication.sh: runs the MariaDB pod scripts against real mariadbd
# processes on this machine, without Kubernetes. Pod N is a mariadbd on
# 127.0.0.(10+N) with its own "volume" under ROOT, the init scripts run
# before it and the sidecar beside it; peers resolve through a private
# /etc/hosts, so run it as root inside `unshare -m --propagation private`.
# Run by TestScriptsAgainstLocalMariaDB, which first renders the statement
# files (stmt-*.sql, from the sql package) into ROOT/config, as the
# ConfigMap carries them next to the scripts.
set -euo pipefail
: "${ROOT:?temporary directory}" "${SRC:?the configs directory}"
export FLAVOR=mariadb CLUSTER_NAME=lt ADMIN_USER=mysqlctl REPLICATION_USER=repl PROBE_USER=mysqlctl_probe
export ADMIN_PASSWORD=adminPW1 REPLICATION_PASSWORD=replPW2 ROOT_PASSWORD=rootPW3 PROBE_PASSWORD=probePW4
export TLS_DIR=$ROOT/tls # the TLS Secret's mount: written by TestScriptsAgainstLocalMariaDB
export DATA_OWNER=mysql:mysql CLONE_TIMEOUT=60 BINLOG_EXPIRE_SECONDS=604800 IO_WATCH_INTERVAL=1
export CLUSTER_STATE_DIR=$ROOT/state # the state ConfigMap's mount, shared by every pod

fail() {
    echo "FAIL: $*"
    exit 1
}

setup() {
    [[ -f "$ROOT/config/stmt-accounts.sql" ]] || fail "no statement files in $ROOT/config: run TestScriptsAgainstLocalMariaDB"
    cp "$SRC"/scripts/*.sh "$SRC"/cnf/mariadb/*.cnf "$ROOT/config/"
    mkdir -p "$CLUSTER_STATE_DIR" # a brand-new cluster: up records its first primary before any pod starts
    echo lt-0 >"$CLUSTER_STATE_DIR/primary"
    { cat /etc/hosts; for n in 0 1 2 3; do echo "127.0.0.$((10 + n)) lt-$n.lt"; done
        for n in 0 1 2 3; do echo "127.0.0.$((10 + n)) lt"; done; } >"$ROOT/hosts"
    mount --bind "$ROOT/hosts" /etc/hosts
}

# podenv N: the environment the StatefulSet and mounts give pod N.
podenv() {
    export HOSTNAME=lt-$1 DATA_ROOT=$ROOT/$1/data DATADIR=$ROOT/$1/data/mysql CONF_DIR=$ROOT/$1/conf.d
    export CONFIG_DIR=$ROOT/config RUN_DIR=$ROOT/$1/run SERVER_HOST=127.0.0.$((10 + $1)) LISTEN_ADDRESS=127.0.0.$((10 + $1))
}

server_cnf() {
    cat >"$ROOT/$1/my.cnf" <<CNF
[mysqld]
datadir=$ROOT/$1/data/mysql
socket=$ROOT/$1/srv/mysqld.sock
pid-file=$ROOT/$1/srv/mysqld.pid
log-error=$ROOT/$1/srv/mysqld.err
bind-address=127.0.0.$((10 + $1))
port=3306
user=mysql
!includedir $ROOT/$1/conf.d
CNF
}

# init_db N does what the image's entrypoint does for an empty datadir, with
# root's password left empty and then set by initdb-root-password.sh, as
# the pods' server container does.
init_db() {
    local pid sock="$ROOT/$1/srv/mysqld.sock"
    mariadb-install-db --defaults-file="$ROOT/$1/my.cnf" --skip-name-resolve --skip-test-db \
        --auth-root-authentication-method=normal >/dev/null 2>&1
    mariadbd --defaults-file="$ROOT/$1/my.cnf" --skip-networking --skip-log-bin &
    pid=$!
    until mariadb-admin --no-defaults -S "$sock" -uroot ping >/dev/null 2>&1; do sleep 0.5; done
    mariadb --no-defaults -S "$sock" -uroot <<SQL
SET @@SESSION.SQL_LOG_BIN=0;
DROP USER IF EXISTS root@'127.0.0.1', root@'::1', root@'$(hostname)';
CREATE USER root@'%';
GRANT ALL ON *.* TO root@'%' WITH GRANT OPTION;
SQL
    (podenv "$1" && INIT_SOCKET=$sock bash "$ROOT/config/initdb-root-password.sh") ||
        fail "initdb-root-password.sh could not set root's password on lt-$1"
    kill "$pid"
    wait "$pid" || true
}

start_sidecar() {
    (podenv "$1" && exec bash "$ROOT/config/sidecar.sh") 2>>"$ROOT/$1/sidecar.log" &
    echo $! >"$ROOT/$1/sidecar.pid"
}

start_pod() {
    mkdir -p "$ROOT/$1/data" "$ROOT/$1/conf.d" "$ROOT/$1/run" "$ROOT/$1/srv"
    chown mysql:mysql "$ROOT/$1/srv"
    (podenv "$1" && bash "$ROOT/config/init-config.sh") 2>>"$ROOT/$1/init.log"
    (podenv "$1" && bash "$ROOT/config/clone.sh") 2>>"$ROOT/$1/clone.log" ||
        fail "clone.sh of pod $1: $(grep clone.sh "$ROOT/$1/clone.log" | tail -5)"
    server_cnf "$1"
    mkdir -p "$ROOT/$1/data/mysql" && chown mysql:mysql "$ROOT/$1/data/mysql"
    if [[ ! -d "$ROOT/$1/data/mysql/mysql" ]]; then init_db "$1"; fi
    mariadbd --defaults-file="$ROOT/$1/my.cnf" &
    echo $! >"$ROOT/$1/server.pid"
    start_sidecar "$1"
    wait_ready "$1"
}

wait_ready() {
    local i out=""
    for ((i = 0; i < 60; i++)); do
        if out=$(podenv "$1" && bash "$ROOT/config/probe.sh" ready 2>&1); then
            echo "pod $1 ready after ${i}s"
            return 0
        fi
        sleep 1
    done
    fail "pod $1 not ready: $out; $(grep sidecar.sh "$ROOT/$1/sidecar.log" | tail -5)"
}

stop_pod() {
    kill "$(cat "$ROOT/$1/sidecar.pid" 2>/dev/null)" 2>/dev/null || true
    kill "$(cat "$ROOT/$1/server.pid" 2>/dev/null)" 2>/dev/null || true
    while pgrep -f "defaults-file=$ROOT/$1/my.cnf" >/dev/null; do sleep 0.2; done
}

q() {
    local n=$1
    shift
    mariadb --no-defaults -h "127.0.0.$((10 + n))" -P 3306 -uroot -p"$ROOT_PASSWORD" -N -B -e "$*"
}

# status_of N FIELD prints a field of pod N's replica status.
status_of() {
    mariadb --no-defaults -h "127.0.0.$((10 + $1))" -P 3306 -uroot -p"$ROOT_PASSWORD" -E -e "SHOW SLAVE STATUS" |
        awk -v k="$2" '{ sub(/^ +/, "") } index($0, k ": ") == 1 { print substr($0, length(k) + 3) }'
}

# rejoined_since N COUNT: pod N's sidecar logged more sourceless rejoins
# than COUNT.
rejoined_since() { (($(grep -c 'read-only with no replication source' "$ROOT/$1/sidecar.log" || true) > $2)); }

# replicates_from N HOST: pod N's both threads run, from HOST.
replicates_from() {
    [[ "$(status_of "$1" Master_Host)" == "$2" && "$(status_of "$1" Slave_IO_Running)" == Yes && "$(status_of "$1" Slave_SQL_Running)" == Yes ]]
}

# io_errno_is N ERRNO: pod N's receiver's last error is ERRNO.
io_errno_is() { [[ "$(status_of "$1" Last_IO_Errno)" == "$2" ]]; }

# wait_for N WHAT CMD... polls CMD for 20 s.
wait_for() {
    local n=$1 what=$2 i
    shift 2
    for ((i = 0; i < 40; i++)); do
        if "$@"; then return 0; fi
        sleep 0.5
    done
    fail "pod $n: $what; $(grep sidecar.sh "$ROOT/$n/sidecar.log" | tail -3)"
}

# qa N SQL runs SQL on pod N as mysqlctl's admin account (READ_ONLY ADMIN).
qa() {
    local n=$1
    shift
    mariadb --no-defaults -h "127.0.0.$((10 + n))" -P 3306 -u"$ADMIN_USER" -p"$ADMIN_PASSWORD" -N -B -e "$*"
}

# move_primary FROM TO does by hand what mysqlctl switchover does: fence
# FROM, let TO catch up, make TO writable and record it.
move_primary() {
    qa "$1" "SET GLOBAL read_only = ON"
    [[ "$(qa "$2" "SELECT MASTER_GTID_WAIT('$(q "$1" "SELECT @@gtid_binlog_pos")', 20)")" == 0 ]] || fail "pod $2 did not catch up"
    qa "$2" "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF"
    echo "lt-$2" >"$CLUSTER_STATE_DIR/primary"
}

# restart_server N restarts pod N's server only, as a crash would; the
# sidecar keeps running.
restart_server() {
    kill "$(cat "$ROOT/$1/server.pid")"
    while pgrep -f "defaults-file=$ROOT/$1/my.cnf" >/dev/null; do sleep 0.2; done
    mariadbd --defaults-file="$ROOT/$1/my.cnf" &
    echo $! >"$ROOT/$1/server.pid"
}

expect_rows() {
    local n=$1 want=$2 i got=""
    for ((i = 0; i < 30; i++)); do
        got=$(q "$n" "SELECT COUNT(*) FROM app.t")
        [[ "$got" == "$want" ]] && return 0
        sleep 0.5
    done
    fail "pod $n has $got rows, want $want"
}

scenario() {
    setup
    start_pod 0
    q 0 "CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY); INSERT INTO app.t VALUES (1)"
    start_pod 1
    # Pod 2's receiver gives up after one failed reconnection, so the
    # sidecar's watch has something to restart when the primary restarts.
    mkdir -p "$ROOT/2/conf.d" && printf '[mysqld]\nmaster_retry_count=1\n' >"$ROOT/2/conf.d/90-test-gives-up.cnf"
    start_pod 2
    grep -q 'cloning from 127.0.0.11 (a replica)' "$ROOT/2/clone.log" || fail "pod 2 did not clone from the replica pod 1"
    for n in 1 2; do
        grep -q 'fresh clone: replicating from lt-0.lt' "$ROOT/$n/sidecar.log" || fail "pod $n did not start from its clone's position"
    done
    date -u +%Y-%m-%dT%H:%M:%SZ >"$CLUSTER_STATE_DIR/initialized" # what mysqlctl records once the cluster is ready
    q 0 "INSERT INTO app.t VALUES (2)"
    expect_rows 1 2 && expect_rows 2 2

    echo "== a new primary's sidecar does not take the server's first start for a restart"
    ! grep -q 'the server restarted' "$ROOT/0/sidecar.log" ||
        fail "pod 0's sidecar saw a restart that did not happen: $(grep -h 'sidecar.sh' "$ROOT/0/sidecar.log" | head -8)"

    echo "== no password in any binary log; the replicas have the accounts from their clone"
    for n in 0 1 2; do
        events=$(mariadb-binlog -v "$ROOT/$n/data/mysql"/mysql-bin.[0-9]*)
        [[ "$events" == *"INSERT INTO app.t VALUES (2)"* ]] || fail "pod $n: its binary log was not read"
        for pw in "$ADMIN_PASSWORD" "$REPLICATION_PASSWORD" "$ROOT_PASSWORD"; do
            [[ "$events" != *"$pw"* ]] || fail "pod $n: a password is in its binary log"
        done
        mariadb --no-defaults -h "127.0.0.$((10 + n))" -u"$ADMIN_USER" -p"$ADMIN_PASSWORD" -e 'SELECT 1' >/dev/null ||
            fail "pod $n: the admin account cannot log in"
    done

    echo "== root's writes on a replica fail with 1290, on the primary succeed"
    out=$(q 1 "INSERT INTO app.t VALUES (99)" 2>&1) && fail "root wrote on a replica"
    [[ "$out" == *"ERROR 1290"* ]] || fail "root's write on a replica: $out, want ERROR 1290"
    q 0 "INSERT INTO app.t VALUES (3)"

    echo "== SIGTERM ends the sidecar at once; a new one leaves replication alone"
    start=$SECONDS
    kill -TERM "$(cat "$ROOT/2/sidecar.pid")"
    while kill -0 "$(cat "$ROOT/2/sidecar.pid")" 2>/dev/null; do sleep 0.1; done
    ((SECONDS - start <= 2)) || fail "the sidecar took $((SECONDS - start))s to stop"
    start_sidecar 2
    sleep 3
    grep -q 'already replicating from lt-0.lt' "$ROOT/2/sidecar.log" || fail "a restarted sidecar did not leave replication alone"

    echo "== a stale clone position never rewinds a replica that applied transactions"
    cp "$ROOT/2/data/mysqlctl/replication-source.applied" "$ROOT/2/data/mysqlctl/replication-source"
    kill -TERM "$(cat "$ROOT/2/sidecar.pid")"
    while kill -0 "$(cat "$ROOT/2/sidecar.pid")" 2>/dev/null; do sleep 0.1; done
    start_sidecar 2
    wait_for 2 "the sidecar did not keep the live position" grep -q 'its live position wins' "$ROOT/2/sidecar.log"
    wait_ready 2
    [[ ! -e "$ROOT/2/data/mysqlctl/replication-source" ]] || fail "the stale position file was left in place"
    q 0 "INSERT INTO app.t VALUES (4)"
    expect_rows 2 4
    [[ "$(status_of 2 Slave_SQL_Running)" == Yes ]] || fail "pod 2's applier stopped: $(status_of 2 Last_SQL_Error)"

    echo "== a receiver that gave up on a connection error is started again; pod 1 reconnects by itself"
    wait_ready 1 # the kubelet runs the probe every 3 s: it saw pod 1 caught up
    stop_pod 0
    (podenv 1 && bash "$ROOT/config/probe.sh" ready) || fail "a replica left the read Service as soon as its primary stopped"
    wait_for 2 "the sidecar did not start the receiver again" grep -q 'stopped on a connection error (error 20' "$ROOT/2/sidecar.log"
    start_pod 0
    q 0 "INSERT INTO app.t VALUES (5)"
    expect_rows 2 5 && expect_rows 1 5

    echo "== the primary moves to lt-1 by the record: restarted servers take the role it names"
    move_primary 0 1
    stop_pod 0
    start_pod 0
    grep -q 'a former primary: rejoining lt-1.lt' "$ROOT/0/sidecar.log" || fail "pod 0 did not rejoin lt-1 as a replica"
    [[ "$(q 0 "SELECT @@read_only")" == 1 ]] || fail "the former primary came back writable"
    q 1 "INSERT INTO app.t VALUES (50)"
    expect_rows 0 6 && expect_rows 2 6
    echo "== the recorded primary's server restarts alone: its sidecar makes it writable again"
    restart_server 1
    wait_for 1 "the restarted primary was not made writable" grep -q 'the server restarted: setting its role again' "$ROOT/1/sidecar.log"
    wait_ready 1
    [[ "$(q 1 "SELECT @@read_only")" == 0 ]] || fail "the restarted recorded primary stayed read-only"
    echo "== a second writable server keeps the recorded primary read-only"
    qa 0 "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF"
    restart_server 1
    wait_for 1 "the sidecar did not see the other writer" grep -q 'another server takes writes, 127.0.0.10' "$ROOT/1/sidecar.log"
    [[ "$(q 1 "SELECT @@read_only")" == 1 ]] || fail "two servers took writes"
    rejoins_before=$(grep -c 'read-only with no replication source' "$ROOT/0/sidecar.log" || true)
    qa 0 "SET GLOBAL read_only = ON"
    wait_ready 1
    # Read-only with no source while lt-1 answers as the recorded primary:
    # pod 0's own sidecar rejoins it (rejoin_sourceless). Doing it here by
    # hand raced the sidecar (error 1198 when it came first).
    wait_for 0 "the read-only, sourceless pod 0 did not rejoin lt-1" rejoined_since 0 "$rejoins_before"
    wait_for 0 "pod 0 does not replicate from lt-1" replicates_from 0 lt-1.lt
    echo "== and back to lt-0"
    move_primary 1 0
    stop_pod 1
    start_pod 1
    grep -q 'a former primary: rejoining lt-0.lt' "$ROOT/1/sidecar.log" || fail "pod 1 did not rejoin lt-0 as a replica"
    q 0 "INSERT INTO app.t VALUES (51)"
    expect_rows 1 7 && expect_rows 2 7
    q 0 "DELETE FROM app.t WHERE id >= 50"
    expect_rows 1 5 && expect_rows 2 5

    echo "== a receiver stopped by another error (1236: binary logs purged) is left for a human"
    q 2 "STOP SLAVE IO_THREAD"
    q 0 "INSERT INTO app.t VALUES (6); FLUSH BINARY LOGS; INSERT INTO app.t VALUES (7); FLUSH BINARY LOGS"
    expect_rows 1 7
    q 0 "PURGE BINARY LOGS TO '$(q 0 "SHOW MASTER STATUS" | cut -f1)'"
    q 2 "START SLAVE IO_THREAD"
    wait_for 2 "no error 1236" io_errno_is 2 1236
    sleep 3
    [[ "$(status_of 2 Slave_IO_Running)" == No ]] || fail "the receiver stopped by error 1236 was started again"
    grep -q 'stopped (error 1236: .*left stopped for a human' "$ROOT/2/sidecar.log" || fail "the sidecar did not log the 1236"

    echo "== a datadir without the clone marker is cloned again"
    stop_pod 2
    rm -f "$ROOT/2/data/mysqlctl/clone-complete" "$ROOT/2/data/mysql/ibdata1"
    start_pod 2
    expect_rows 2 7

    echo "== two replicas that clone one donor at once share one backup; a receiver that leaves stops neither"
    # The donors gather receivers for 5 s here, not 0.5: a busy machine's
    # uneven starts still meet in one batch.
    for n in 1 2; do
        kill -TERM "$(cat "$ROOT/$n/sidecar.pid")"
        while kill -0 "$(cat "$ROOT/$n/sidecar.pid")" 2>/dev/null; do sleep 0.1; done
        (export CLONE_GATHER_WAIT=5 && start_sidecar "$n")
        wait_ready "$n"
    done
    backups_before=$(cat "$ROOT"/[12]/sidecar.log | grep -c 'backup-stream.sh: streaming a hot backup')
    rm -rf "$ROOT/3" "$ROOT/3b" && mkdir -p "$ROOT/3/run" "$ROOT/3b/run"
    (podenv 3 && CLONE_BUSY_WAIT=30 bash "$ROOT/config/clone.sh") 2>>"$ROOT/3/clone.log" &
    first=$!
    (podenv 3 && CLONE_BUSY_WAIT=30 DATA_ROOT=$ROOT/3b/data RUN_DIR=$ROOT/3b/run bash "$ROOT/config/clone.sh") 2>>"$ROOT/3b/clone.log" &
    second=$!
    # A third receiver with the cluster's certificate connects and leaves
    # before the stream starts.
    timeout 2 socat -u "OPENSSL:127.0.0.11:3307,retry=10,interval=0.2,cert=$TLS_DIR/tls.crt,key=$TLS_DIR/tls.key,cafile=$TLS_DIR/ca.crt,commonname=lt" STDOUT >/dev/null 2>&1 || true
    wait "$first" || fail "the first of two simultaneous clones failed: $(tail -3 "$ROOT/3/clone.log")"
    wait "$second" || fail "the second of two simultaneous clones failed: $(tail -3 "$ROOT/3b/clone.log")"
    donors=$(grep -ho 'cloning from [0-9.]*' "$ROOT/3/clone.log" "$ROOT/3b/clone.log" | sort -u)
    [[ "$(wc -l <<<"$donors")" == 1 ]] || fail "the two clones came from more than one donor: ${donors//$'\n'/, }"
    for d in 3 3b; do
        [[ -f "$ROOT/$d/data/mysqlctl/clone-complete" ]] || fail "clone $d has no completion marker"
        ! grep -q 'trying the next donor' "$ROOT/$d/clone.log" ||
            fail "a replica gave up on the donor: $(grep -h 'clone.sh' "$ROOT/$d/clone.log" | tail -4)"
    done
    backups=$(($(cat "$ROOT"/[12]/sidecar.log | grep -c 'backup-stream.sh: streaming a hot backup') - backups_before))
    ((backups == 1)) || fail "the donor ran $backups backups for two replicas that asked at once, want 1"
    grep -q 'streaming one hot backup to 3 replica(s)' "$ROOT/1/sidecar.log" ||
        fail "the batch did not take both replicas and the receiver that left: $(grep -h 'clone-donor\|streaming one' "$ROOT/1/sidecar.log" | tail -3)"
    rm -rf "$ROOT/3b"

    echo "== a truncated backup stream is refused"
    stop_pod 1
    stop_pod 2
    (podenv 0 && bash "$ROOT/config/backup-stream.sh" 2>/dev/null) >"$ROOT/full.xb"
    kill "$(cat "$ROOT/0/sidecar.pid")"
    sleep 1
    # The same mutual TLS as a real donor: only the stream's end is missing.
    socat -U "OPENSSL-LISTEN:3307,reuseaddr,fork,bind=127.0.0.10,cert=$TLS_DIR/tls.crt,key=$TLS_DIR/tls.key,cafile=$TLS_DIR/ca.crt,verify=1" \
        "SYSTEM:head -c $(($(stat -c %s "$ROOT/full.xb") / 2)) $ROOT/full.xb" &
    FAKE_DONOR=$!
    rm -rf "$ROOT/3" && mkdir -p "$ROOT/3/run"
    if (podenv 3 && CLONE_TIMEOUT=3 bash "$ROOT/config/clone.sh") 2>>"$ROOT/3/clone.log"; then
        fail "clone.sh accepted a truncated stream"
    fi
    grep -q 'is incomplete\|broke off' "$ROOT/3/clone.log" || fail "no complaint about the truncated stream"
    ! grep -q 'SSL_connect' "$ROOT/3/clone.log" || fail "the fake donor's TLS handshake failed, so the truncation was not tested: $(grep SSL_connect "$ROOT/3/clone.log" | head -1)"
    [[ ! -e "$ROOT/3/data/mysqlctl/clone-complete" ]] || fail "a truncated clone was marked complete"

    echo "== the primary's lost volume is refused once the cluster held data"
    stop_pod 0
    mv "$ROOT/0/data" "$ROOT/0/data.lost" && mkdir -p "$ROOT/0/data"
    if (podenv 0 && bash "$ROOT/config/clone.sh") 2>>"$ROOT/0/clone.log"; then
        fail "clone.sh let an empty primary start in an initialised cluster"
    fi
    grep -q "ERROR: the primary's data volume is empty.*The replicas hold the data.*mysqlctl status" "$ROOT/0/clone.log" ||
        fail "no clear refusal: $(tail -1 "$ROOT/0/clone.log")"
    [[ -z "$(ls -A "$ROOT/0/data")" ]] || fail "clone.sh wrote into the empty volume"
    echo "PASS"
}

FAKE_DONOR=""
cleanup() {
    local n
    if [[ -n "$FAKE_DONOR" ]]; then kill "$FAKE_DONOR" 2>/dev/null || true; fi
    for n in 0 1 2 3; do stop_pod "$n"; done
}
trap cleanup EXIT
scenario
