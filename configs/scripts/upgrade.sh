#!/usr/bin/env bash
# upgrade.sh: sourced by sidecar.sh and clone.sh. A MariaDB server of a newer series
# than its data directory (up --version 11.8 on a 10.11 cluster) starts on
# it, but its system tables stay the old series' until mariadb-upgrade runs
# (a dump then fails with error 1558, new privileges are missing). MariaDB
# records the series a data directory was upgraded to in
# mysql_upgrade_info (mariadb_upgrade_info from 11.0); mariadb-install-db
# writes it; a clone does not carry it (mariadb-backup leaves it out), so
# the clone records its donor's version (record_donor_series).
#
# upgrade_datadir asks mariadb-upgrade whether the server's data directory
# needs it and, when it does, runs it before the server takes its role:
# the pod is not ready, so a rollout does not go on, until it is done.
# mariadb-upgrade writes nothing to the binary log unless told to
# (--write-binlog), so a replica gains no transaction of its own, and the
# admin account it logs in as may write on a read-only server (READ_ONLY
# ADMIN). On a fresh clone it only records the series (about a second).
# MySQL 8.0.16 and later upgrade their data directory themselves as they
# start, before they accept a connection; MySQL 5.7 is not upgraded.

: "${UPGRADE_TIMEOUT:=600}" # seconds mariadb-upgrade may take on a large data directory

# upgrade_info prints what the data directory records of its series, or
# "nothing" when it records none.
upgrade_info() {
    local f
    for f in "$DATADIR/mariadb_upgrade_info" "$DATADIR/mysql_upgrade_info"; do
        if [[ -s "$f" ]]; then
            head -c 100 "$f" | tr -d '\n'
            return 0
        fi
    done
    printf 'nothing'
}

# Run it only where UPGRADE_TOOL (lib.sh) names the tool: MariaDB.
upgrade_datadir() {
    local cnf before
    cnf=$(admin_cnf)
    # Exit status 0: an upgrade is needed; 1: the data directory is current.
    if ! timeout -k 5 "$QUERY_TIMEOUT" "$UPGRADE_TOOL" --defaults-extra-file="$cnf" --check-if-upgrade-is-needed >/dev/null 2>&1; then
        return 0
    fi
    before=$(upgrade_info)
    log "the data directory records ${before}: upgrading its system tables to the server's series (mariadb-upgrade, no binary log)"
    if ! timeout -k 5 "$UPGRADE_TIMEOUT" "$UPGRADE_TOOL" --defaults-extra-file="$cnf" --silent >"$RUN_DIR/upgrade.log" 2>&1; then
        log "mariadb-upgrade failed: $(tr '\n' ' ' <"$RUN_DIR/upgrade.log" | head -c 600)"
        return 1
    fi
    log "the data directory is upgraded: it records $(upgrade_info) (was ${before})"
}

# record_donor_series DIR writes into a prepared MariaDB clone the series
# its donor's system tables were upgraded to: the donor's version, which
# the backup's info file names (a donor is ready, so upgraded, before it
# serves clones). A fresh replica of the same series then needs no
# mariadb-upgrade, and one of a newer series (a clone during an upgrade)
# gets it. The file's name is the donor series' own.
record_donor_series() {
    local dir=$1 info version name=mysql_upgrade_info
    info=$(first_existing "$dir" mariadb_backup_info xtrabackup_info) || return 0
    version=$(sed -n 's/^server_version *= *\([0-9]*\.[0-9]*\.[0-9]*-MariaDB\).*/\1/p' "$info" | head -n 1)
    [[ -n "$version" ]] || return 0
    if [[ "${version%%.*}" -ge 11 ]]; then
        name=mariadb_upgrade_info
    fi
    printf '%s' "$version" >"$dir/$name"
}
