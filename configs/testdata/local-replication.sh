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
export FLAVOR=mariadb CLUSTER_NAME=lt ADMIN_USER=mysqlctl REPLICATION_USER=repl
export ADMIN_PASSWORD=adminPW1 REPLICATION_PASSWORD=replPW2 ROOT_PASSWORD=rootPW3
export DATA_OWNER=mysql:mysql CLONE_TIMEOUT=60

fail() {
    echo "FAIL: $*"
    exit 1
}

setup() {
    [[ -f "$ROOT/config/stmt-accounts.sql" ]] || fail "no statement files in $ROOT/config: run TestScriptsAgainstLocalMariaDB"
    cp "$SRC"/scripts/*.sh "$SRC"/cnf/mariadb/*.cnf "$ROOT/config/"
    { cat /etc/hosts; for n in 0 1 2 3; do echo "127.0.0.$((10 + n)) lt-$n.lt"; done; } >"$ROOT/hosts"
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

# init_db N does what the image's entrypoint does for an empty datadir.
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
ALTER USER root@localhost IDENTIFIED BY '$ROOT_PASSWORD';
CREATE USER root@'%' IDENTIFIED BY '$ROOT_PASSWORD';
GRANT ALL ON *.* TO root@'%' WITH GRANT OPTION;
SQL
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
    start_pod 2
    grep -q 'cloning from peer 1' "$ROOT/2/clone.log" || fail "pod 2 did not clone from the replica pod 1"
    q 0 "INSERT INTO app.t VALUES (2)"
    expect_rows 1 2 && expect_rows 2 2

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

    echo "== a datadir without the clone marker is cloned again"
    stop_pod 2
    rm -f "$ROOT/2/data/mysqlctl/clone-complete" "$ROOT/2/data/mysql/ibdata1"
    start_pod 2
    expect_rows 2 3

    echo "== a truncated backup stream is refused"
    stop_pod 1
    stop_pod 2
    (podenv 0 && bash "$ROOT/config/backup-stream.sh" 2>/dev/null) >"$ROOT/full.xb"
    kill "$(cat "$ROOT/0/sidecar.pid")"
    sleep 1
    socat -U TCP-LISTEN:3307,reuseaddr,fork,bind=127.0.0.10 "SYSTEM:head -c $(($(stat -c %s "$ROOT/full.xb") / 2)) $ROOT/full.xb" &
    FAKE_DONOR=$!
    rm -rf "$ROOT/3" && mkdir -p "$ROOT/3/run"
    if (podenv 3 && CLONE_TIMEOUT=1 bash "$ROOT/config/clone.sh") 2>>"$ROOT/3/clone.log"; then
        fail "clone.sh accepted a truncated stream"
    fi
    grep -q 'is incomplete\|broke off' "$ROOT/3/clone.log" || fail "no complaint about the truncated stream"
    [[ ! -e "$ROOT/3/data/mysqlctl/clone-complete" ]] || fail "a truncated clone was marked complete"
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
