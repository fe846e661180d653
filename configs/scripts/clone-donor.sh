#!/bin/bash
# clone-donor.sh: the sidecar's clone donor (mariadb, mysql57), sourced by
# sidecar.sh. It serves hot backups on CLONE_PORT to peers that prove they
# are pods of this cluster: mutual TLS, where the peer must present a
# certificate of the cluster's CA (which only its pods mount). socat starts
# a receiver's part only after the handshake; a peer that fails it gets
# nothing, and socat logs its address and the reason ("accepting
# connection from", "SSL_accept(): ... certificate verify failed").
#
# One backup serves every replica that asks at about the same time: the
# first receiver starts a batch and its backup at once; others that connect
# within CLONE_GATHER_WAIT seconds join it, and the one stream goes to all
# of them (coreutils' tee). A new cluster's replicas ask together, so they
# share one backup instead of queueing for one each; the wait costs a lone
# receiver little, since the backup starts meanwhile (its first bytes wait
# in a pipe). Two backups of one server never run at once: they would
# compete for its backup locks. A receiver that arrives while a batch
# streams is refused, and its socat tries again (clone-methods.sh
# receive_stream) until the next batch opens. A receiver that leaves
# mid-stream is dropped; the others go on.
#
# A batch lives in a directory of FIFOs: "events", where the receivers
# announce themselves ("accepted ID"); "stream", the backup's output; and
# one per receiver, r.ID, which clone-send.sh made and copies to its
# connection. The listener forks a child per connection, so a slow or
# failed handshake holds up no one; the children outlive the listener,
# which stops when the gathering ends.

: "${CLONE_GATHER_WAIT:=0.5}"  # seconds a batch takes receivers after its first
: "${CLONE_MAX_RECEIVERS:=16}"  # connections a batch serves at once (handshakes included)

# serve_clones serves batches one after another, for the pod's life. After
# a batch that failed (the port in use) it pauses a second.
serve_clones() {
    local rc
    log "serving hot backups on port $CLONE_PORT to peers with a certificate of the cluster's CA"
    while true; do
        serve_batch &
        CHILD=$!
        rc=0
        wait "$CHILD" || rc=$?
        CHILD=""
        if ((rc != 0)); then
            log "the backup server exited with status $rc; listening again in 1s"
            nap 1
        fi
    done
}

# serve_batch runs in a subshell of its own: its globals are the batch's.
serve_batch() {
    local event id
    BATCH=$(mktemp -d "$RUN_DIR/clone-batch.XXXXXX") || return 1
    LISTENER="" REFUSER="" FANOUT="" BACKUP="" RECEIVERS=() OUTS=() SOURCE=""
    trap end_batch EXIT
    trap 'exit 143' TERM
    mkfifo "$BATCH/events" "$BATCH/stream" || return 1
    exec {EVENTS}<>"$BATCH/events"
    listen
    read -r -u "$EVENTS" event id || return 1
    if [[ "$event" != accepted ]]; then
        return 1 # the listener ended (socat logged why)
    fi
    RECEIVERS+=("$id")
    start_backup
    gather
    stream
}

# listen starts the batch's listener, which says "ended" when it fails.
listen() {
    local bind=""
    if [[ -n "$LISTEN_ADDRESS" ]]; then
        bind=",bind=$LISTEN_ADDRESS"
    fi
    (
        pid="" stop=""
        trap 'stop=yes; if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null; fi' TERM
        socat -d -d -U -T 120 "OPENSSL-LISTEN:$CLONE_PORT,reuseaddr,fork,max-children=$CLONE_MAX_RECEIVERS$bind,$(tls_options),verify=1" \
            "SYSTEM:bash $CONFIG_DIR/clone-send.sh $BATCH" &
        pid=$!
        if [[ -n "$stop" ]]; then
            kill "$pid" 2>/dev/null
        fi
        rc=0
        wait "$pid" || rc=$?
        printf 'ended %s\n' "$rc" 1<>"$BATCH/events"
    ) &
    LISTENER=$!
}

# start_backup starts the batch's backup into the stream FIFO at once; what
# it writes before the gathering ends waits in the pipe. Both ends are
# opened here, through a read-write one, so no open blocks; the backup
# holds only the write end, so it ends (SIGPIPE) if every receiver left.
start_backup() {
    local hold out
    exec {hold}<>"$BATCH/stream"
    exec {out}>"$BATCH/stream"
    exec {SOURCE}<"$BATCH/stream"
    exec {hold}<&-
    (exec {SOURCE}<&- {EVENTS}>&- && exec bash "$CONFIG_DIR/backup-stream.sh" >&"$out" {out}>&-) &
    BACKUP=$!
    exec {out}>&-
}

# gather takes the receivers that connect within CLONE_GATHER_WAIT seconds
# of the first, or until every other pod the headless Service lists came
# (a new cluster's replicas), then stops the listener. Receivers whose
# handshake ends after that are refused (refuse_late) until the batch ends.
gather() {
    local event id left deadline peers=()
    mapfile -t peers < <(peer_addresses)
    deadline=$(($(uptime_us) + $(micros "$CLONE_GATHER_WAIT")))
    while ((${#peers[@]} == 0 || ${#RECEIVERS[@]} < ${#peers[@]} - 1)) && left=$((deadline - $(uptime_us))) && ((left > 0)); do
        read -r -t "$(seconds_of "$left")" -u "$EVENTS" event id || break
        if [[ "$event" == accepted ]]; then
            RECEIVERS+=("$id")
        fi
    done
    stop_listener
    refuse_late &
    REFUSER=$!
}

# refuse_late answers every receiver that announces itself from now on
# with "no": it closes the connection, and the receiver tries its next
# donor instead of waiting CLONE_SEND_WAIT for a go-ahead.
refuse_late() {
    local event id
    keep_only "$EVENTS"
    while read -r -u "$EVENTS" event id; do
        if [[ "$event" == accepted ]]; then
            printf 'no' 1<>"$BATCH/r.$id" || true
        fi
    done
}

stop_listener() {
    if [[ -n "$LISTENER" ]]; then
        kill "$LISTENER" 2>/dev/null || true
        wait "$LISTENER" || true
        LISTENER=""
    fi
}

# stream copies the backup to every receiver and reports how it went. Each
# receiver's FIFO is opened both ways first (no open blocks, even if the
# receiver is gone), the go-ahead goes in, a write-only end is opened, and
# the other is closed: then a receiver that left fails its writes (EPIPE)
# instead of filling a pipe nobody reads. The copy runs in the background,
# so a SIGTERM ends the batch at once. One receiver that stops reading
# holds up the others (tee writes to each in turn) until its connection
# is dropped after 120 s without progress (socat -T; receivers wait 180).
stream() {
    local id rw w rc=0
    for id in "${RECEIVERS[@]}"; do
        exec {rw}<>"$BATCH/r.$id"
        printf 'go' >&"$rw"
        exec {w}>"$BATCH/r.$id"
        exec {rw}<&-
        OUTS+=("$w")
    done
    log "streaming one hot backup to ${#OUTS[@]} replica(s)"
    fan_out "${OUTS[@]}" <&"$SOURCE" &
    FANOUT=$!
    for w in "${OUTS[@]}" "$SOURCE"; do
        exec {w}>&-
    done
    OUTS=() SOURCE=""
    wait "$FANOUT" || true
    FANOUT=""
    wait "$BACKUP" || rc=$?
    BACKUP=""
    if ((rc != 0)); then
        log "the backup for ${#RECEIVERS[@]} replica(s) ended with status $rc (each receiver checks that its stream is whole)"
    fi
}

# fan_out FD... copies stdin to every FD. An output whose reader left is
# dropped and the others go on; it ends when stdin does, or when no output
# is left (which ends the backup early). Each copying process keeps only
# the ends it writes to.
fan_out() {
    keep_only "$@"
    if (($# == 1)); then
        exec cat >&"$1"
    fi
    local fd=$1
    shift
    tee --output-error=warn-nopipe >(keep_only "$fd" && exec cat >&"$fd") | fan_out "$@"
}

# keep_only FD... closes, in a child, the batch's fds other than FD...
keep_only() {
    local fd
    for fd in "${OUTS[@]}" "$SOURCE" "$EVENTS"; do
        if [[ -n "$fd" && " $* " != *" $fd "* ]]; then
            exec {fd}>&-
        fi
    done
}

# end_batch stops what the batch still runs (after a failure or a SIGTERM)
# and removes its FIFOs; a receiver still waiting for its go-ahead gives up
# within CLONE_SEND_WAIT and tries its next donor.
end_batch() {
    local pid
    for pid in "$LISTENER" "$REFUSER" "$FANOUT" "$BACKUP"; do
        if [[ -n "$pid" ]]; then
            kill "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$BATCH"
}

# uptime_us is a clock that no time adjustment moves (10 ms steps).
uptime_us() {
    local up
    read -r up _ </proc/uptime
    printf '%d' $((10#${up%.*} * 1000000 + 10#${up#*.} * 10000))
}

# micros SECONDS converts "0.5" or "2" to microseconds.
micros() {
    local whole=${1%.*} frac=""
    if [[ "$1" == *.* ]]; then
        frac=${1#*.}
    fi
    frac="${frac}000000"
    printf '%d' $((10#${whole:-0} * 1000000 + 10#${frac:0:6}))
}
