#!/bin/bash
# clone.sh: second init container. Gives an empty replica the data of a
# healthy peer, so it can replicate from the primary's current position.
#
# - Ordinal 0 is the primary: it never clones (the image initialises it).
# - "Already cloned" is judged by CLONE_MARKER, written only after a clone
#   was received, prepared and moved into place; a half-received datadir
#   (no marker) is thrown away and cloned again.
# - The donor is the most up-to-date replica that is replicating, else the
#   primary if it is writable; a donor that fails is skipped for the next.
# - The clone lands in a temporary directory on the same volume and is moved
#   to DATA_ROOT/mysql (the server's datadir) only when complete.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=position.sh
source "$(dirname "${BASH_SOURCE[0]}")/position.sh"
# shellcheck source=clone-methods.sh
source "$(dirname "${BASH_SOURCE[0]}")/clone-methods.sh"

: "${CLONE_TIMEOUT:=900}" # seconds to wait for a donor before giving up
WORK="$STATE_DIR/clone.tmp"

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

# try_donors SELF tries each candidate once; success ends the script.
try_donors() {
    local self=$1 candidates donor
    candidates=$(donor_candidates "$self")
    while read -r -u 3 donor; do
        [[ -n "$donor" ]] || continue
        log "cloning from peer $donor ($(peer_host "$donor"))"
        if clone_from "$donor" && install_clone "$donor"; then
            return 0
        fi
        log "clone from peer $donor failed; trying the next donor"
    done 3<<<"$candidates"
    return 1
}

main() {
    local self deadline
    self=$(pod_ordinal)
    if ((self == 0)); then
        log "ordinal 0 is the primary: it never clones"
        return 0
    fi
    if [[ -f "$CLONE_MARKER" ]]; then
        log "datadir already cloned ($(tr '\n' ' ' <"$CLONE_MARKER")): nothing to do"
        return 0
    fi
    mkdir -p "$STATE_DIR"
    trap 'exit 143' TERM
    deadline=$((SECONDS + CLONE_TIMEOUT))
    until try_donors "$self"; do
        if ((SECONDS >= deadline)); then
            rm -rf "$WORK"
            die "no peer could be cloned within ${CLONE_TIMEOUT}s (each attempt is logged above): a replica needs a writable primary $(peer_host 0) or a replicating peer to clone from"
        fi
        log "no peer could be cloned yet; retrying in 5s"
        nap 5
    done
}

main "$@"
