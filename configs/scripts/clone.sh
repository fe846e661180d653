#!/bin/bash
# clone.sh: second init container. Gives an empty replica the data of a
# healthy peer, so it can replicate from the primary's current position.
#
# - Ordinal 0 is the primary: it never clones (the image initialises an
#   empty datadir). Once the cluster held data (CLUSTER_STATE_DIR/initialized,
#   written by mysqlctl when the cluster was first ready) an empty volume at
#   ordinal 0 means the primary's data was lost: the script stops the pod
#   there, so the image never initialises an empty writable primary that
#   replicas would follow.
# - "Already cloned" is judged by CLONE_MARKER, written only after a clone
#   was received, prepared and moved into place; a half-received datadir
#   (no marker) is thrown away and cloned again.
# - The donor is the most up-to-date replica that is replicating, else the
#   primary if it is writable; a donor that fails is skipped for the next.
# - The clone lands in a temporary directory on the same volume and is moved
#   to DATA_ROOT/mysql (the server's datadir) only when complete.
# - Time: all attempts share one budget, CLONE_TIMEOUT (480 s). Each attempt
#   runs under coreutils' timeout for what is left of it, which ends the
#   attempt's whole process group (the stream, the unpacking, the temporary
#   mysqld); no attempt starts once the budget is spent. A stalled stream
#   ends after 120 s without data (clone-methods.sh). The probes of the peers
#   before each round take at most 15 s a peer (QUERY_TIMEOUT of 10 s, and 5
#   more to kill a client that ignores it), so a round that begins just
#   before the deadline ends at most that much later: with 3 peers, 525 s in
#   all. That leaves over a minute of the CLI's default 10-minute --timeout
#   for scheduling, the image pull, init-config, the server's start and the
#   readiness probe. A data set too large to copy within the budget needs a
#   larger CLONE_TIMEOUT (and --timeout).
#
# Tools: bash, coreutils, awk, sed, the flavour's client; mariadb and mysql57:
# mariadb-backup/mbstream or xtrabackup/xbstream, and socat or ncat; mysql 8:
# mysqld and mysqladmin (the CLONE plugin).
set -euo pipefail
: "${QUERY_TIMEOUT:=10}"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=position.sh
source "$(dirname "${BASH_SOURCE[0]}")/position.sh"
# shellcheck source=clone-methods.sh
source "$(dirname "${BASH_SOURCE[0]}")/clone-methods.sh"

: "${CLUSTER_STATE_DIR:=/mnt/mysqlctl-cluster}" # mysqlctl's record of the cluster (read-only)
WORK="$STATE_DIR/clone.tmp"
ATTEMPT=""

# donor_candidates SELF prints the ordinals worth cloning from, best first.
# Health is asked of each server, not of Kubernetes: a replica counts when
# both replication threads run (the same rule as its readiness probe).
donor_candidates() {
    local self=$1 cnf i host status io sqlt lag ro found=""
    cnf=$(admin_cnf)
    for ((i = self - 1; i >= 1; i--)); do
        host=$(peer_host "$i")
        if ! status=$(replica_status "$cnf" "$host" 2>/dev/null); then
            log "peer $i ($host): not answering"
            continue
        fi
        io=$(status_field "$IO_FIELD" <<<"$status")
        sqlt=$(status_field "$SQL_FIELD" <<<"$status")
        lag=$(status_field "$LAG_FIELD" <<<"$status")
        if [[ "$io" == Yes && "$sqlt" == Yes && "$lag" =~ ^[0-9]+$ ]]; then
            log "peer $i ($host): replicating, ${lag}s behind"
            found+="$lag $i"$'\n'
        else
            log "peer $i ($host): not replicating (IO ${io:-none}, SQL ${sqlt:-none})"
        fi
    done
    if [[ -n "$found" ]]; then
        printf '%s' "$found" | sort -k1,1n -k2,2nr | awk '{ print $2 }'
    fi
    host=$(peer_host 0)
    if ro=$(sql_query "$cnf" "$host" stmt-read-only.sql 2>/dev/null) && [[ "$ro" == 0 ]]; then
        log "peer 0 ($host): writable primary"
        echo 0
    else
        log "peer 0 ($host): not a writable primary (${ro:-not answering})"
    fi
}

# install_clone moves the prepared clone into place, then writes the
# replication start and, last, the marker: a crash before the marker
# means a new clone, never a partial datadir taken for a whole one.
# It runs where errexit does not apply (under `until`): every step is checked.
install_clone() {
    local donor=$1
    log "installing the clone from peer $donor into $DATA_ROOT/mysql"
    rm -rf "$DATA_ROOT/mysql" &&
        mv "$CLONED_DATA" "$DATA_ROOT/mysql" &&
        chown -R "$DATA_OWNER" "$DATA_ROOT/mysql" &&
        mv -f "$STATE_DIR/clone.position" "$SOURCE_POSITION" &&
        rm -rf "$WORK" &&
        sync || return 1
    printf 'donor=%s\ntime=%s\n' "$(peer_host "$donor")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$CLONE_MARKER.tmp" &&
        mv -f "$CLONE_MARKER.tmp" "$CLONE_MARKER" &&
        sync || return 1
    log "clone complete: $(tr '\n' ' ' <"$SOURCE_POSITION")"
}

# attempt DONOR SECONDS runs one clone from DONOR (clone_from, then
# install_clone) as a child of coreutils' timeout, so that at the deadline
# the whole attempt ends, whatever it was waiting for. It runs in the
# background, so a SIGTERM to this script is handled at once (stop_attempt).
attempt() {
    local rc=0
    timeout -k 10 "$2" bash "${BASH_SOURCE[0]}" --attempt "$1" &
    ATTEMPT=$!
    wait "$ATTEMPT" || rc=$?
    ATTEMPT=""
    if ((rc == 124 || rc == 137)); then
        log "the clone from peer $1 did not finish within the ${2}s left of CLONE_TIMEOUT=${CLONE_TIMEOUT}s"
    fi
    return "$rc"
}

stop_attempt() {
    if [[ -n "$ATTEMPT" ]]; then
        kill "$ATTEMPT" 2>/dev/null || true # timeout passes the TERM on to the attempt
    fi
    exit 143
}

# try_donors SELF DEADLINE tries each candidate once, until DEADLINE (in
# SECONDS); success ends the script.
try_donors() {
    local self=$1 deadline=$2 candidates donor
    candidates=$(donor_candidates "$self")
    while read -r -u 3 donor; do
        [[ -n "$donor" ]] || continue
        if ((SECONDS >= deadline)); then
            return 1
        fi
        log "cloning from peer $donor ($(peer_host "$donor"))"
        if attempt "$donor" "$((deadline - SECONDS))"; then
            return 0
        fi
        log "clone from peer $donor failed; trying the next donor"
    done 3<<<"$candidates"
    return 1
}

# datadir_initialised: the test the official images' entrypoints use to
# skip their initialisation ([ -d "$DATADIR/mysql" ], the system schema).
datadir_initialised() { [[ -d "$DATA_ROOT/mysql/mysql" ]]; }

# refuse_empty_primary stops ordinal 0 when its volume is empty although the
# cluster held data before: the image would otherwise initialise an empty,
# writable primary, and replicas would follow it.
refuse_empty_primary() {
    local since
    if datadir_initialised || [[ ! -f "$CLUSTER_STATE_DIR/initialized" ]]; then
        return 0
    fi
    since=$(head -c 64 "$CLUSTER_STATE_DIR/initialized" | tr -d '\n')
    die "the primary's data volume is empty, but this cluster has held data since ${since:-its first start}: refusing to initialise an empty writable primary. The replicas hold the data, and \`mysqlctl status\` shows which of them is the most up to date (a cluster without replicas needs its data restored)"
}

main() {
    local self deadline
    if [[ "${1:-}" == --attempt ]]; then # one attempt, run by attempt()
        clone_from "$2" && install_clone "$2"
        return
    fi
    self=$(pod_ordinal)
    if ((self == 0)); then
        refuse_empty_primary
        log "ordinal 0 is the primary: it never clones"
        return 0
    fi
    if [[ -f "$CLONE_MARKER" ]]; then
        log "datadir already cloned ($(tr '\n' ' ' <"$CLONE_MARKER")): nothing to do"
        return 0
    fi
    mkdir -p "$STATE_DIR"
    trap stop_attempt TERM
    deadline=$((SECONDS + CLONE_TIMEOUT))
    until try_donors "$self" "$deadline"; do
        if ((SECONDS + 5 >= deadline)); then
            rm -rf "$WORK"
            die "no peer could be cloned within ${CLONE_TIMEOUT}s (each attempt is logged above): a replica needs a writable primary $(peer_host 0) or a replicating peer to clone from"
        fi
        log "no peer could be cloned yet; retrying in 5s"
        nap 5
    done
}

main "$@"
