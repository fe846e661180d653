#!/bin/bash
# clone.sh: second init container. Gives an empty replica the data of a
# healthy peer, so it can replicate from the primary's current position.
#
# - The recorded primary (lib.sh: recorded_primary) never clones: the image
#   initialises an empty datadir. Once the cluster held data
#   (CLUSTER_STATE_DIR/initialized, written by mysqlctl when the cluster was
#   first ready) an empty volume there means the primary's data was lost:
#   the script stops the pod, so the image never initialises an empty
#   writable primary that replicas would follow.
# - "Already cloned" is judged by CLONE_MARKER, written only after a clone
#   was received, prepared and moved into place; a half-received datadir
#   (no marker) is thrown away and cloned again. A former primary's datadir
#   (BOOTSTRAP_MARKER: its sidecar created the accounts there) is kept: the
#   sidecar rejoins it as a replica, or reports it diverged.
# - The donor is the most up-to-date replica that is replicating, else the
#   writable primary, whatever their ordinals: every pod the headless
#   Service lists is asked. A donor that fails is skipped for the next.
# - The clone lands in a temporary directory on the same volume and is moved
#   to DATA_ROOT/mysql (the server's datadir) only when complete.
# - Time: all attempts share one budget, CLONE_TIMEOUT (480 s). Each attempt
#   runs under coreutils' timeout for what is left of it, which ends the
#   attempt's whole process group (the stream, the unpacking, the temporary
#   mysqld); no attempt starts once the budget is spent. A stalled stream
#   ends after 180 s without data (clone-methods.sh). The probes of the peers
#   before each round take at most 15 s a peer (QUERY_TIMEOUT of 10 s, and 5
#   more to kill a client that ignores it), so a round that begins just
#   before the deadline ends at most that much later: with 3 peers, 525 s in
#   all. That leaves over a minute of the CLI's default 10-minute --timeout
#   for scheduling, the image pull, init-config, the server's start and the
#   readiness probe. A data set too large to copy within the budget needs a
#   larger CLONE_TIMEOUT (and --timeout).
#
# Tools: bash, coreutils, awk, sed, getent, the flavour's client; mariadb
# and mysql57: mariadb-backup/mbstream or xtrabackup/xbstream, and socat (TLS);
# mysql 8: mysqld and mysqladmin (the CLONE plugin).
set -euo pipefail
: "${QUERY_TIMEOUT:=10}"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=position.sh
source "$(dirname "${BASH_SOURCE[0]}")/position.sh"
# shellcheck source=clone-methods.sh
source "$(dirname "${BASH_SOURCE[0]}")/clone-methods.sh"
# shellcheck source=upgrade.sh
source "$(dirname "${BASH_SOURCE[0]}")/upgrade.sh"

: "${RESTORE_TIMEOUT:=3600}" # seconds the primary waits for a backup to restore
# Seconds between two rounds of asking the peers for a donor (an integer),
# on the wall clock's ticks (nap_to_tick). A clone of a new cluster's
# primary takes under a second, so a longer pause would be most of a new
# replica's start: the round itself is one query a peer.
: "${CLONE_RETRY_INTERVAL:=1}"
WORK="$STATE_DIR/clone.tmp"
ATTEMPT=""
PEERS_SEEN=""
WAIT_LOGGED=""

# donor_candidates prints "ADDRESS ROLE" lines, best donor first: the
# replicas that replicate (least behind first), then the writable primary.
# New replicas cloning at once choose the same best donor, which serves
# them all one backup (clone-donor.sh: those that connect within half a
# second of the first). One that arrives while that backup streams is
# refused and tries again until the next (the receiver's retries,
# CLONE_BUSY_WAIT, 3 s), then moves on to the next donor, so long clones
# spread over the donors by themselves. Assigning donors by ordinal instead
# was tried and did not measurably help on 2 cores: scale 3->5 took 7 to
# 12 s either way, two backups and two prepares sharing the same CPUs.
# Health is asked of each server, not of Kubernetes: a replica counts when
# both replication threads run (the same rule as its readiness probe), and
# when it holds no transaction the recorded primary lacks (errant_on; on
# MariaDB, strict mode stops such a replica's applier too, but only once
# the primary writes again). A primary that does not answer
# cannot be compared with: its replicas count, as they must for a cluster
# whose primary is away.
donor_candidates() {
    local cnf addr status io sqlt lag ro found="" primary="" recorded errant
    cnf=$(admin_cnf)
    recorded=$(recorded_primary)
    while read -r -u 4 addr; do
        [[ -n "$addr" ]] || continue
        if ! status=$(replica_status "$cnf" "$addr" 2>/dev/null); then
            log "peer $addr: not answering"
            continue
        fi
        if [[ -n "$(status_field "$SOURCE_HOST_FIELD" <<<"$status")" ]]; then
            io=$(status_field "$IO_FIELD" <<<"$status")
            sqlt=$(status_field "$SQL_FIELD" <<<"$status")
            lag=$(status_field "$LAG_FIELD" <<<"$status")
            if [[ "$io" == Yes && "$sqlt" == Yes && "$lag" =~ ^[0-9]+$ ]] &&
                errant=$(errant_against "$cnf" "$addr" "$recorded") && [[ -n "$errant" ]]; then
                log "peer $addr: holds transactions the primary $recorded lacks ($errant): not a donor"
            elif [[ "$io" == Yes && "$sqlt" == Yes && "$lag" =~ ^[0-9]+$ ]]; then
                log "peer $addr: replicating, ${lag}s behind"
                found+="$lag $addr"$'\n'
            else
                log "peer $addr: not replicating (IO ${io:-none}, SQL ${sqlt:-none})"
            fi
        elif ro=$(sql_query "$cnf" "$addr" stmt-read-only.sql 2>/dev/null) && [[ "$ro" == 0 ]]; then
            log "peer $addr: writable primary"
            primary+="$addr primary"$'\n'
        else
            log "peer $addr: neither replicating nor a writable primary (read_only ${ro:-unknown})"
        fi
    done 4< <(peer_addresses)
    if [[ -n "$found" ]]; then
        printf '%s' "$found" | sort -k1,1n -k2,2 | awk '{ print $2, "replica" }'
    fi
    printf '%s' "$primary"
}

# errant_against CNF ADDR PRIMARY prints the transactions the server at ADDR
# holds that the recorded PRIMARY lacks; nothing when there are none, when
# the flavour does not ask (errant_on), or when PRIMARY does not answer.
errant_against() {
    local cnf=$1 addr=$2 primary=$3
    [[ -n "$primary" && -f "$CONFIG_DIR/stmt-errant-gtid.sql" ]] || return 0
    errant_on "$cnf" "$addr" "$(pod_host "$primary")" 2>/dev/null || return 0
}

# install_clone moves the prepared clone into place, then writes the
# replication start and, last, the marker: a crash before the marker
# means a new clone, never a partial datadir taken for a whole one.
# It runs where errexit does not apply (under `until`): every step is checked.
install_clone() {
    local donor=$1
    log "installing the clone from $donor into $DATA_ROOT/mysql"
    rm -rf "$DATA_ROOT/mysql" &&
        mv "$CLONED_DATA" "$DATA_ROOT/mysql" &&
        own -R "$DATA_ROOT/mysql" &&
        mv -f "$STATE_DIR/clone.position" "$SOURCE_POSITION" &&
        rm -rf "$WORK" &&
        sync || return 1
    printf 'donor=%s\ntime=%s\n' "$donor" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$CLONE_MARKER.tmp" &&
        mv -f "$CLONE_MARKER.tmp" "$CLONE_MARKER" &&
        sync || return 1
    log "clone complete: $(tr '\n' ' ' <"$SOURCE_POSITION")"
}

# attempt DONOR ROLE SECONDS runs one clone from DONOR (clone_from, then
# install_clone) as a child of coreutils' timeout, so that at the deadline
# the whole attempt ends, whatever it was waiting for. It runs in the
# background, so a SIGTERM to this script is handled at once (stop_attempt).
attempt() {
    local rc=0
    timeout -k 10 "$3" bash "${BASH_SOURCE[0]}" --attempt "$1" "$2" &
    ATTEMPT=$!
    wait "$ATTEMPT" || rc=$?
    ATTEMPT=""
    if ((rc == 124 || rc == 137)); then
        log "the clone from $1 did not finish within the ${3}s left of CLONE_TIMEOUT=${CLONE_TIMEOUT}s"
    fi
    return "$rc"
}

stop_attempt() {
    if [[ -n "$ATTEMPT" ]]; then
        kill "$ATTEMPT" 2>/dev/null || true # timeout passes the TERM on to the attempt
    fi
    exit 143
}

# try_donors DEADLINE tries each candidate once, until DEADLINE (in
# SECONDS); success ends the script. What the peers answered is logged when
# it differs from the round before: a replica waiting for its first donor
# asks every second.
try_donors() {
    local deadline=$1 candidates donor role report line left seen=""
    candidates=$(donor_candidates 2>"$STATE_DIR/peers.log")
    report=$(<"$STATE_DIR/peers.log")
    while IFS= read -r line; do
        seen+="${line#* }"$'\n' # without its time
    done <<<"$report"
    if [[ "$seen" != "$PEERS_SEEN" ]]; then
        [[ -z "$report" ]] || printf '%s\n' "$report" >&2
        PEERS_SEEN=$seen
    fi
    while read -r -u 3 donor role; do
        [[ -n "$donor" ]] || continue
        left=$((deadline - SECONDS)) # never 0: timeout 0 means no limit
        if ((left <= 0)); then
            return 1
        fi
        log "cloning from $donor (a $role)"
        if attempt "$donor" "$role" "$left"; then
            return 0
        fi
        log "clone from $donor failed; trying the next donor"
    done 3<<<"$candidates"
    return 1
}

# datadir_initialised: the test the official images' entrypoints use to
# skip their initialisation ([ -d "$DATADIR/mysql" ], the system schema).
datadir_initialised() { [[ -d "$DATA_ROOT/mysql/mysql" ]]; }

# refuse_empty_primary stops the recorded primary when its volume is empty
# although the cluster held data before: the image would otherwise
# initialise an empty, writable primary, and replicas would follow it. The
# record says so once mysqlctl saw the primary ready (initialized); until
# then (a first up interrupted), a peer whose server answers says so too:
# in a new cluster no replica runs a server before the primary has data to
# clone.
refuse_empty_primary() {
    local since addr
    if datadir_initialised; then
        return 0
    fi
    if [[ -f "$CLUSTER_STATE_DIR/initialized" ]]; then
        since=$(head -c 64 "$CLUSTER_STATE_DIR/initialized" | tr -d '\n')
        die "the primary's data volume is empty, but this cluster has held data since ${since:-its first start}: refusing to initialise an empty writable primary. The replicas hold the data, and \`mysqlctl status\` shows which of them is the most up to date (a cluster without replicas needs its data restored)"
    fi
    while read -r -u 4 addr; do
        if [[ -n "$addr" ]] && server_alive "$addr"; then
            die "the primary's data volume is empty, but the server at $addr already runs, so this cluster held data: refusing to initialise an empty writable primary. \`mysqlctl status\` shows which server is the most up to date, and \`mysqlctl promote POD\` makes it the primary"
        fi
    done 4< <(peer_addresses)
}

# wait_for_restore keeps the primary's pod here while `mysqlctl up
# --from-backup` streams the backup into it (restore.sh, run through the
# API in this container), until the restored datadir is in place.
wait_for_restore() {
    local waited=0
    log "waiting for mysqlctl up --from-backup to stream the backup ($(head -c 200 "$CLUSTER_STATE_DIR/restore" | tr -d '\n'))"
    until datadir_initialised; do
        if ((waited >= RESTORE_TIMEOUT)); then
            die "no backup arrived within ${RESTORE_TIMEOUT}s: run mysqlctl up --from-backup again"
        fi
        nap 2
        waited=$((waited + 2))
    done
}

# restart_interrupted_init empties the recorded primary's datadir when the
# image initialised it but mysqlctl never bootstrapped it (no accounts, no
# bootstrap marker, not a clone, not a restore): its initialisation was
# cut short, maybe before root had a password. No client can have written
# there, since a primary is made writable only after its bootstrap, so the
# image simply initialises it again.
restart_interrupted_init() {
    if datadir_initialised && [[ ! -f "$BOOTSTRAP_MARKER" && ! -f "$CLONE_MARKER" && ! -f "$STATE_DIR/restored" ]]; then
        log "the datadir was initialised but never bootstrapped (an interrupted first start): initialising it again"
        if ! { rm -rf "$DATA_ROOT/mysql" && mkdir -p "$DATA_ROOT/mysql"; }; then
            die "could not empty $DATA_ROOT/mysql"
        fi
    fi
}

# make_backup_dir: MySQL's server writes its backup copy (backup-stream.sh)
# into the volume's BACKUP_SUBDIR, mounted in its container. The server's
# user makes it, as the datadir below: one the kubelet made for the subPath
# mount would be root's, and the server could not write there.
make_backup_dir() {
    if [[ "$FLAVOR" == mysql ]]; then
        mkdir -p "$DATA_ROOT/$BACKUP_SUBDIR"
    fi
}

main() {
    local deadline
    if [[ "${1:-}" == --attempt ]]; then # one attempt, run by attempt()
        clone_from "$2" "$3" && install_clone "$2"
        return
    fi
    pod_ordinal >/dev/null
    make_backup_dir
    if is_recorded_primary; then
        if ! datadir_initialised && [[ -f "$CLUSTER_STATE_DIR/restore" ]]; then
            wait_for_restore
        fi
        restart_interrupted_init
        refuse_empty_primary
        # The server's user makes its datadir: one the kubelet made for the
        # subPath mount would be root's, which the image may try to chown.
        mkdir -p "$DATA_ROOT/mysql"
        log "$HOSTNAME is the recorded primary: it never clones"
        return 0
    fi
    if [[ -f "$CLONE_MARKER" ]]; then
        log "datadir already cloned ($(tr '\n' ' ' <"$CLONE_MARKER")): nothing to do"
        return 0
    fi
    if datadir_initialised && [[ -f "$BOOTSTRAP_MARKER" ]]; then
        log "a former primary's datadir (accounts created $(head -c 64 "$BOOTSTRAP_MARKER" | tr -d '\n')): kept, the sidecar rejoins it as a replica of the recorded primary, $(describe_primary)"
        return 0
    fi
    mkdir -p "$STATE_DIR"
    trap stop_attempt TERM
    deadline=$((SECONDS + CLONE_TIMEOUT))
    until try_donors "$deadline"; do
        if ((SECONDS + CLONE_RETRY_INTERVAL >= deadline)); then
            rm -rf "$WORK"
            die "no peer could be cloned within ${CLONE_TIMEOUT}s (each attempt is logged above): a replica needs a writable primary (recorded: $(describe_primary)) or a replicating peer to clone from"
        fi
        if [[ "$PEERS_SEEN" != "$WAIT_LOGGED" ]]; then
            log "no peer could be cloned yet; asking again every ${CLONE_RETRY_INTERVAL}s"
            WAIT_LOGGED=$PEERS_SEEN
        fi
        nap_to_tick "$CLONE_RETRY_INTERVAL"
    done
}

# nap_to_tick N sleeps until the wall clock's next multiple of N seconds
# (the pods of a node share its clock). Replicas that wait for a donor then
# ask at the same moments, find it in the same round and join the same
# backup (clone-donor.sh gathers those that connect within half a second).
nap_to_tick() {
    local now step=$(($1 * 1000000)) left
    now=$(now_us)
    left=$((step - now % step))
    nap "$(seconds_of "$left")"
}

# Run, unless sourced (the tests call its functions).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
