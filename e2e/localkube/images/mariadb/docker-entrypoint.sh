#!/bin/bash
# Entrypoint of the local MariaDB test image. It follows the contract of the
# official `mariadb` image that mysqlctl's objects rely on, so the same pod
# spec runs with either image:
#   MARIADB_ROOT_PASSWORD / MARIADB_ROOT_PASSWORD_HASH / MARIADB_ALLOW_EMPTY_ROOT_PASSWORD,
#   MARIADB_ROOT_HOST (default %), MARIADB_DATABASE, MARIADB_USER, MARIADB_PASSWORD
#   (and the official image's MYSQL_* aliases of them, see below),
#   config from /etc/mysql/conf.d, data in /var/lib/mysql,
#   /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz} run once on first start,
#   root drops to the mysql user (uid 999) before running the server, and
#   everything after that runs as whoever it is (any non-root uid works,
#   as with the official image: nothing chowns).
set -euo pipefail

log() { printf '%s [Entrypoint]: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Accept the MYSQL_* aliases the official image accepts, and only those
# (its docker_setup_env): MYSQL_ROOT_PASSWORD, MYSQL_ROOT_HOST,
# MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD, and MYSQL_ALLOW_EMPTY_PASSWORD
# for MARIADB_ALLOW_EMPTY_ROOT_PASSWORD. The *_HASH variables have no alias
# there. A MARIADB_* value that is set wins; both names end up equal.
# https://github.com/MariaDB/mariadb-docker/blob/master/docker-entrypoint.sh
for pair in ROOT_PASSWORD:ROOT_PASSWORD ROOT_HOST:ROOT_HOST DATABASE:DATABASE USER:USER \
	PASSWORD:PASSWORD ALLOW_EMPTY_ROOT_PASSWORD:ALLOW_EMPTY_PASSWORD; do
	mariadb_var="MARIADB_${pair%%:*}" mysql_var="MYSQL_${pair#*:}"
	if [ -z "${!mariadb_var:-}" ] && [ -n "${!mysql_var:-}" ]; then
		export "$mariadb_var=${!mysql_var}"
	fi
	if [ -n "${!mariadb_var:-}" ]; then
		export "$mysql_var=${!mariadb_var}"
	fi
done

datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock

sql_escape() { printf '%s' "${1//\'/\'\'}" | sed 's/\\/\\\\/g'; }

root_auth_clause() {
	if [ -n "${MARIADB_ROOT_PASSWORD_HASH:-}" ]; then
		printf "IDENTIFIED BY PASSWORD '%s'" "$(sql_escape "$MARIADB_ROOT_PASSWORD_HASH")"
	elif [ -n "${MARIADB_ROOT_PASSWORD:-}" ]; then
		printf "IDENTIFIED BY '%s'" "$(sql_escape "$MARIADB_ROOT_PASSWORD")"
	fi
}

init_sql() {
	local auth host="${MARIADB_ROOT_HOST:-%}"
	auth=$(root_auth_clause)
	cat <<SQL
SET @@SESSION.SQL_LOG_BIN=0;
SET @@SESSION.sql_mode=REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '');
DROP USER IF EXISTS root@'127.0.0.1', root@'::1';
EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname, '\\'');
ALTER USER root@localhost ${auth};
SQL
	if [ "$host" != localhost ]; then
		printf "CREATE USER IF NOT EXISTS root@'%s' %s;\n" "$(sql_escape "$host")" "$auth"
		printf "GRANT ALL ON *.* TO root@'%s' WITH GRANT OPTION;\n" "$(sql_escape "$host")"
		printf "GRANT PROXY ON ''@'%%' TO root@'%s' WITH GRANT OPTION;\n" "$(sql_escape "$host")"
	fi
	if [ -n "${MARIADB_DATABASE:-}" ]; then
		printf "CREATE DATABASE IF NOT EXISTS \`%s\`;\n" "${MARIADB_DATABASE//\`/\`\`}"
	fi
	if [ -n "${MARIADB_USER:-}" ] && [ -n "${MARIADB_PASSWORD:-}" ]; then
		printf "CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s';\n" "$(sql_escape "$MARIADB_USER")" "$(sql_escape "$MARIADB_PASSWORD")"
		if [ -n "${MARIADB_DATABASE:-}" ]; then
			printf "GRANT ALL ON \`%s\`.* TO '%s'@'%%';\n" "${MARIADB_DATABASE//\`/\`\`}" "$(sql_escape "$MARIADB_USER")"
		fi
	fi
	echo 'FLUSH PRIVILEGES;'
}

run_initdb_scripts() {
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
		*.sh) log "running $f"; if [ -x "$f" ]; then "$f"; else
			# shellcheck disable=SC1090 # initdb scripts are the user's
			. "$f"
		fi ;;
		*.sql) log "running $f"; mariadb --protocol=socket -uroot -S "$socket" "${client_pw[@]}" < "$f" ;;
		*.sql.gz) log "running $f"; gunzip -c "$f" | mariadb --protocol=socket -uroot -S "$socket" "${client_pw[@]}" ;;
		*) if [ -e "$f" ]; then log "ignoring $f"; fi ;;
		esac
	done
}

initialize() {
	if [ -z "${MARIADB_ROOT_PASSWORD:-}${MARIADB_ROOT_PASSWORD_HASH:-}" ] && [ -z "${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-}" ]; then
		die "database is uninitialized and no root password is set: set MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_HASH or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"
	fi
	log "initializing database files in $datadir"
	mariadb-install-db --datadir="$datadir" --skip-name-resolve --skip-test-db \
		--auth-root-authentication-method=normal --rpm "$@" >/dev/null
	log "starting a temporary server"
	mariadbd --datadir="$datadir" --skip-networking --socket="$socket" \
		--skip-slave-start --wsrep-on=OFF --expire-logs-days=0 "$@" &
	local pid=$! i
	for i in $(seq 60); do
		mariadb-admin --protocol=socket -uroot -S "$socket" ping >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || die "temporary server exited during initialization"
		sleep 1
		[ "$i" = 60 ] && die "temporary server did not answer within 60 s"
	done
	init_sql | mariadb --protocol=socket -uroot -S "$socket"
	client_pw=()
	if [ -n "${MARIADB_ROOT_PASSWORD:-}" ]; then client_pw=("-p$MARIADB_ROOT_PASSWORD"); fi
	run_initdb_scripts
	log "stopping the temporary server"
	kill "$pid"
	wait "$pid" || true
	log "initialization complete"
}

if [ "${1:0:1}" = '-' ]; then
	set -- mariadbd "$@"
fi

if [ "$1" = mariadbd ] || [ "$1" = mysqld ]; then
	mkdir -p /run/mysqld "$datadir"
	if [ "$(id -u)" = 0 ]; then
		chown mysql:mysql /run/mysqld
		find "$datadir" \! -user mysql -exec chown mysql:mysql '{}' +
		exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
	fi
	shift
	if [ ! -d "$datadir/mysql" ]; then
		initialize "$@"
	fi
	exec mariadbd --datadir="$datadir" "$@"
fi

exec "$@"
