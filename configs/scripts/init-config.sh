#!/bin/bash
# init-config.sh: first init container. Writes the server's cnf files into
# CONF_DIR (mounted at /etc/mysql/conf.d in the server and the sidecar):
# the flavour's common.cnf, server-id = 100 + ordinal with a report_host that
# names the pod through the headless Service, and the role's cnf: primary.cnf
# for ordinal 0, replica.cnf (read-only) for every other ordinal.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    local ordinal role
    ordinal=$(pod_ordinal)
    role=replica
    if ((ordinal == 0)); then
        role=primary
    fi
    mkdir -p "$CONF_DIR"
    install -m 0644 "$CONFIG_DIR/common.cnf" "$CONF_DIR/10-mysqlctl-common.cnf"
    # server-id 0 would refuse replication; 100+ leaves room below for others.
    printf '[mysqld]\nserver-id=%d\nreport_host=%s\n' "$((100 + ordinal))" "$(peer_host "$ordinal")" \
        >"$CONF_DIR/20-mysqlctl-server.cnf"
    chmod 0644 "$CONF_DIR/20-mysqlctl-server.cnf"
    install -m 0644 "$CONFIG_DIR/$role.cnf" "$CONF_DIR/30-mysqlctl-role.cnf"
    log "ordinal $ordinal: server-id $((100 + ordinal)), role $role"
}

main "$@"
