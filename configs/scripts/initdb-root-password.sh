#!/bin/bash
# initdb-root-password.sh: run once by the server image's entrypoint, from
# /docker-entrypoint-initdb.d, while it initialises the recorded primary's
# empty datadir on a server without networking, as the server's user. The
# image made root with no password (MARIADB_ALLOW_EMPTY_ROOT_PASSWORD /
# MYSQL_ALLOW_EMPTY_PASSWORD); this sets the password from the mounted
# Secret (MySQL: root@'%' only; the sidecar sets root@localhost's, see the
# sql package's InitRootPassword). A password given to the image by a variable (or a _FILE one,
# which the entrypoint exports) would stay in the server's environment for
# its whole life.
#
# A failure here fails the image's initialisation: the container stops
# before the server ever listens. If it stopped between the image's own
# steps and this one, the datadir is left without mysqlctl's bootstrap
# marker, and clone.sh starts the initialisation over at the next start.
set -euo pipefail
# shellcheck source=lib.sh
source "${CONFIG_DIR:-/mnt/mysqlctl}/lib.sh"
: "${INIT_SOCKET:=/run/mysqld/mysqld.sock}" # the images' temporary server

[[ -n "${ROOT_PASSWORD:-}" ]] || die "no root password in $SECRETS_DIR/root-password"
sql_fill stmt-init-root-password.sql root_password="$ROOT_PASSWORD" |
    "$CLIENT" --no-defaults --protocol=socket --socket="$INIT_SOCKET" --user=root --batch ||
    die "could not set root's password on the initialising server"
log "root's password is set"
