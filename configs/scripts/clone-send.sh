#!/bin/bash
# clone-send.sh BATCH: run by the donor's listener (clone-donor.sh) for
# each receiver, once its TLS handshake succeeded, with the connection as
# stdin and stdout. It makes the receiver's FIFO and opens it both ways (so
# no open blocks), tells the batch, and waits for the batch's two-byte
# go-ahead ("go"): then the batch's end is open, its own writing end can close,
# and the FIFO ends when the stream does. Anything else (the batch had
# started without it), or nothing within CLONE_SEND_WAIT seconds (the batch
# ended), closes the connection: the receiver asks again.
set -euo pipefail
: "${CLONE_SEND_WAIT:=30}"
fifo="$1/r.$$"
mkfifo "$fifo"
# shellcheck disable=SC2094 # one FIFO, opened both ways on purpose
exec 4<>"$fifo" 3<"$fifo"
printf 'accepted %s\n' "$$" 1<>"$1/events"
go=""
read -r -N 2 -t "$CLONE_SEND_WAIT" -u 3 go || true
if [[ "$go" != go ]]; then
    exit 1
fi
exec 4<&-
exec cat <&3
