#!/bin/bash
# init-config.sh: first init container. Writes the server's cnf files into
# CONF_DIR (mounted at /etc/mysql/conf.d in the server and the sidecar):
# the flavour's common.cnf, server-id = 100 + ordinal with a report_host that
# names the pod through the headless Service and the binary log retention,
# and the role's cnf. Every server starts read-only (replica.cnf), and the
# sidecar makes the recorded primary writable once it checked that no other
# server is (sidecar.sh). The one exception is the recorded primary on an
# empty volume, the first start of a new cluster: primary.cnf, because the
# image initialises the datadir with its own accounts and MySQL's
# super_read_only would refuse them. (An empty volume on a primary that
# held data never starts: clone.sh stops it first.)
#
# BINLOG_EXPIRE_SECONDS (set by the StatefulSet from the spec's
# binlogRetention) is how long a binary log is kept: at least 3600 s, at most
# what the server accepts. A missing or invalid value stops the pod here,
# before a server runs with a retention nobody asked for.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# binlog_retention_cnf prints the retention setting of the flavour:
#  - MySQL 8 and MariaDB 10.6+: binlog_expire_logs_seconds. MySQL accepts up
#    to 4294967295; MariaDB up to 8553600 (99 days) and silently lowers a
#    larger value, so it is refused here instead.
#    https://dev.mysql.com/doc/refman/8.4/en/replication-options-binary-log.html
#    https://mariadb.com/kb/en/replication-and-binary-log-system-variables/#binlog_expire_logs_seconds
#  - MySQL 5.7 has only expire_logs_days (whole days, 1 to 99): rounded up,
#    so a log is never purged earlier than asked.
#    https://dev.mysql.com/doc/refman/5.7/en/replication-options-binary-log.html
binlog_retention_cnf() {
    local secs=${BINLOG_EXPIRE_SECONDS:-} max=4294967295 days
    case "$FLAVOR" in
    mariadb | mysql57) max=8553600 ;;
    esac
    if [[ ! "$secs" =~ ^[0-9]{1,10}$ ]] || ((10#$secs < 3600 || 10#$secs > max)); then
        die "BINLOG_EXPIRE_SECONDS must be a whole number of seconds from 3600 to $max for $FLAVOR, got \"$secs\": the binary log retention (spec key binlogRetention) is missing or invalid"
    fi
    secs=$((10#$secs))
    if [[ "$FLAVOR" == mysql57 ]]; then
        days=$(((secs + 86399) / 86400))
        printf 'expire_logs_days=%d\n' "$days"
    else
        printf 'binlog_expire_logs_seconds=%d\n' "$secs"
    fi
}

# tls_cnf prints the server's TLS settings: the certificate of the mounted
# TLS Secret, and with CLIENT_TLS=required (the spec's tls key) no login
# without TLS (a local socket still counts as secure). Replication needs
# TLS whatever the key says: its account is REQUIRE SSL.
tls_cnf() {
    printf 'ssl_ca=%s\nssl_cert=%s\nssl_key=%s\n' "$TLS_DIR/ca.crt" "$TLS_DIR/tls.crt" "$TLS_DIR/tls.key"
    if [[ "${CLIENT_TLS:-preferred}" == required ]]; then
        printf 'require_secure_transport=ON\n'
    fi
}

# semisync_cnf prints the semi-sync settings when the spec asks for them
# (SEMI_SYNC_TIMEOUT_MS set, in milliseconds), nothing otherwise. The
# replica side is on, so a receiver acknowledges whenever it replicates;
# the source side is off, as every start is read-only: the sidecar turns it
# on before it makes the recorded primary writable, and mysqlctl before a
# switchover's or a promote's target takes writes. AFTER_SYNC: no client
# sees a commit that no replica has received. MySQL loads its two plugins.
# https://mariadb.com/kb/en/semisynchronous-replication/
# https://dev.mysql.com/doc/refman/8.4/en/replication-semisync.html
semisync_cnf() {
    local ms=${SEMI_SYNC_TIMEOUT_MS:-} source=master replica=slave loose=""
    [[ -n "$ms" ]] || return 0
    if [[ ! "$ms" =~ ^[0-9]{1,10}$ ]]; then
        die "SEMI_SYNC_TIMEOUT_MS must be a whole number of milliseconds, got \"$ms\": the semi-sync timeout (spec key semiSyncTimeout) is invalid"
    fi
    case "$FLAVOR" in
    mysql)
        # loose-: the image's mysqld --initialize reads this file without
        # loading plugins, and would refuse their variables.
        source=source replica=replica loose=loose-
        printf 'plugin-load-add=semisync_source.so\nplugin-load-add=semisync_replica.so\n'
        ;;
    mysql57) die "semi-sync is not offered on mysql57: set the spec key semiSync to off" ;;
    esac
    printf '%srpl_semi_sync_%s_enabled=ON\n%srpl_semi_sync_%s_enabled=OFF\n%srpl_semi_sync_%s_timeout=%d\n%srpl_semi_sync_%s_wait_point=AFTER_SYNC\n' \
        "$loose" "$replica" "$loose" "$source" "$loose" "$source" "$((10#$ms))" "$loose" "$source"
}

# check_server_image stops the pod before the server ever opens the volume
# when the image's server is not what the spec asked for: another family
# (MariaDB for --flavor mysql, or the reverse) or another version than
# SERVER_VERSION ("8.4" matches any 8.4.x; "8.4.3" only 8.4.3). It asks the
# binary the server container runs (lib.sh's SERVER_BIN: mariadbd, or
# mysqld, which MariaDB 10 images also carry); both families print "Ver X.Y.Z" in
# --version, MariaDB's with "-MariaDB". SERVER_VERSION is unset only in a
# StatefulSet older than this check.
check_server_image() {
    local out found family want=${SERVER_VERSION:-}
    [[ -n "$want" ]] || return 0
    command -v "$SERVER_BIN" >/dev/null ||
        die "the image has no $SERVER_BIN: it is no $FLAVOR image; pass an --image of $FLAVOR $want"
    out=$("$SERVER_BIN" --version 2>&1) || die "$SERVER_BIN --version failed: $out"
    [[ "$out" =~ Ver[[:space:]]+([0-9]+\.[0-9]+\.[0-9]+) ]] ||
        die "cannot read the server version from \"$out\": pass an --image of $FLAVOR $want"
    found=${BASH_REMATCH[1]} family=mysql
    if [[ "$out" == *MariaDB* ]]; then
        family=mariadb
    fi
    if [[ "$family" != "${FLAVOR/mysql57/mysql}" ]]; then
        die "the image runs $family $found, not $FLAVOR: pass an --image of $FLAVOR $want, or --flavor $family for a new cluster"
    fi
    if [[ "$found" != "$want" && "$found" != "$want".* ]]; then
        die "the image runs $family $found, not version $want: pass --version ${found%.*} with this image, or an --image of $FLAVOR $want"
    fi
    log "the image runs $family $found"
}

main() {
    local ordinal role retention semi settings
    ordinal=$(pod_ordinal)
    check_server_image
    retention=$(binlog_retention_cnf)
    role=replica
    if is_recorded_primary && [[ ! -d "$DATA_ROOT/mysql/mysql" ]]; then
        role=primary
    fi
    mkdir -p "$CONF_DIR"
    install -m 0644 "$CONFIG_DIR/common.cnf" "$CONF_DIR/10-mysqlctl-common.cnf"
    # server-id 0 would refuse replication; 100+ leaves room below for others.
    printf '[mysqld]\nserver-id=%d\nreport_host=%s\n%s\n%s\n' "$((100 + ordinal))" "$(peer_host "$ordinal")" "$retention" "$(tls_cnf)" \
        >"$CONF_DIR/20-mysqlctl-server.cnf"
    chmod 0644 "$CONF_DIR/20-mysqlctl-server.cnf"
    install -m 0644 "$CONFIG_DIR/$role.cnf" "$CONF_DIR/30-mysqlctl-role.cnf"
    # Empty when off: the sidecar asks whether it holds anything.
    : >"$SEMI_SYNC_CNF"
    semi=off
    if [[ -n "${SEMI_SYNC_TIMEOUT_MS:-}" ]]; then
        settings=$(semisync_cnf)
        printf '[mysqld]\n%s\n' "$settings" >"$SEMI_SYNC_CNF"
        semi="on (a commit waits up to ${SEMI_SYNC_TIMEOUT_MS} ms for a replica)"
    fi
    chmod 0644 "$SEMI_SYNC_CNF"
    log "ordinal $ordinal: server-id $((100 + ordinal)), starts as $role (recorded primary: $(describe_primary)), ${retention/=/ }, clients' TLS ${CLIENT_TLS:-preferred}, semi-sync $semi"
}

main "$@"
