#!/bin/bash
# Entrypoint of the local MySQL test image (Oracle MySQL from Debian's
# packages). It follows the contract of the official `mysql` image that
# mysqlctl's objects rely on, so the same pod spec runs with either image
# (https://github.com/docker-library/mysql/blob/7f30fdb0738041fc5125e8218e393e0a891243e9/docker-entrypoint.sh):
#   MYSQL_ROOT_PASSWORD / MYSQL_ALLOW_EMPTY_PASSWORD / MYSQL_RANDOM_ROOT_PASSWORD,
#   MYSQL_ROOT_HOST (default %), MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD,
#   each also as NAME_FILE, the value read from that file;
#   config from /etc/mysql/my.cnf, which includes /etc/mysql/conf.d/;
#   data in /var/lib/mysql, initialised (mysqld --initialize-insecure) only
#   when $datadir/mysql is missing, then a temporary server without
#   networking, started with the container's arguments and configuration as
#   the real one is (conf.d's GTIDs, binary log, plugins and TLS apply from
#   the start), sets root's password and runs
#   /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz} once, and is stopped with
#   mysqladmin as root with MYSQL_ROOT_PASSWORD, as the official image does;
#   root steps down to the mysql user (uid 999) before anything else, and
#   any other uid runs as it is.
# Left out: the time zone tables are not loaded (the official image's
# MYSQL_INITDB_SKIP_TZINFO is always on: the image has no zoneinfo and
# mysqlctl uses no named time zones), MYSQL_ONETIME_PASSWORD,
# /docker-entrypoint-startdb.d and .sql.bz2/.xz/.zst files.
set -euo pipefail
shopt -s nullglob

log() { printf '%s [Entrypoint]: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The image's my.cnf sets both; a cnf in conf.d that moves them is not followed.
datadir=/var/lib/mysql
socket=/var/run/mysqld/mysqld.sock
files_dir=/var/lib/mysql-files # secure-file-priv: mysqld refuses to start without it

# file_env NAME [DEFAULT] exports NAME from NAME, else from the file NAME_FILE
# names, else DEFAULT (the official image's file_env).
file_env() {
	local var=$1 file_var="$1_FILE" val=${2:-}
	if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
		die "both $var and $file_var are set, but they are exclusive"
	fi
	if [ -n "${!var:-}" ]; then
		val=${!var}
	elif [ -n "${!file_var:-}" ]; then
		[ -r "${!file_var}" ] || die "$file_var names ${!file_var}, which cannot be read"
		val=$(<"${!file_var}")
	fi
	export "$var=$val"
	unset "$file_var"
}

sql_escape() { printf '%s' "${1//\'/\'\'}" | sed 's/\\/\\\\/g'; }

# root_passfile prints the [client] options of root with MYSQL_ROOT_PASSWORD,
# for --defaults-extra-file: the password stays off the command line.
root_passfile() {
	printf '[client]\nuser=root\n'
	if [ -n "$MYSQL_ROOT_PASSWORD" ]; then
		printf 'password="%s"\n' "${MYSQL_ROOT_PASSWORD//\\/\\\\}"
	fi
}

# run_sql [ARG...] runs the SQL on stdin as root on the temporary server, in
# MYSQL_DATABASE when one is set (ARGs may name another).
run_sql() {
	if [ -n "$MYSQL_DATABASE" ]; then
		set -- --database="$MYSQL_DATABASE" "$@"
	fi
	mysql --defaults-extra-file=<(root_passfile) --protocol=socket --socket="$socket" --comments "$@"
}

# setup_sql prints what the official image's docker_setup_db runs, in one
# session that is not binary-logged (mysqlctl's conf.d turns the binary log
# on from the first start). MYSQL_DATABASE and MYSQL_USER are created in it
# too, where the official image logs them: they are no replication events.
setup_sql() {
	local pw host=$MYSQL_ROOT_HOST
	pw=$(sql_escape "$MYSQL_ROOT_PASSWORD")
	printf 'SET autocommit = 1;\nSET @@SESSION.SQL_LOG_BIN = 0;\n'
	printf "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\n" "$pw"
	printf "GRANT ALL ON *.* TO 'root'@'localhost' WITH GRANT OPTION;\nFLUSH PRIVILEGES;\n"
	if [ -n "$host" ] && [ "$host" != localhost ]; then
		printf "CREATE USER 'root'@'%s' IDENTIFIED BY '%s';\n" "$(sql_escape "$host")" "$pw"
		printf "GRANT ALL ON *.* TO 'root'@'%s' WITH GRANT OPTION;\n" "$(sql_escape "$host")"
	fi
	printf 'DROP DATABASE IF EXISTS test;\n'
	if [ -n "$MYSQL_DATABASE" ]; then
		printf "CREATE DATABASE IF NOT EXISTS \`%s\`;\n" "${MYSQL_DATABASE//\`/\`\`}"
	fi
	if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
		printf "CREATE USER '%s'@'%%' IDENTIFIED BY '%s';\n" "$(sql_escape "$MYSQL_USER")" "$(sql_escape "$MYSQL_PASSWORD")"
		if [ -n "$MYSQL_DATABASE" ]; then
			# _ is a wildcard in a database grant: only this database.
			printf "GRANT ALL ON \`%s\`.* TO '%s'@'%%';\n" "$(printf '%s' "${MYSQL_DATABASE//\`/\`\`}" | sed 's/[_%]/\\&/g')" "$(sql_escape "$MYSQL_USER")"
		fi
	fi
}

run_initdb_scripts() {
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
		*.sh)
			if [ -x "$f" ]; then
				log "running $f"
				"$f"
			else
				log "sourcing $f"
				# shellcheck disable=SC1090 # initdb scripts are the user's
				. "$f"
			fi
			;;
		*.sql) log "running $f"; run_sql <"$f" ;;
		*.sql.gz) log "running $f"; gunzip -c "$f" | run_sql ;;
		*) log "ignoring $f" ;;
		esac
	done
}

check_env() {
	if [ -z "$MYSQL_ROOT_PASSWORD$MYSQL_ALLOW_EMPTY_PASSWORD$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
		die "database is uninitialized and no root password option is set: set MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD or MYSQL_RANDOM_ROOT_PASSWORD"
	fi
	if [ "$MYSQL_USER" = root ]; then
		die "MYSQL_USER=root: MYSQL_USER and MYSQL_PASSWORD make a regular user; root's password comes from MYSQL_ROOT_PASSWORD"
	fi
	if [ -n "$MYSQL_USER" ] && [ -z "$MYSQL_PASSWORD" ]; then
		log "warning: MYSQL_USER is set without MYSQL_PASSWORD: no user is created"
	elif [ -z "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
		log "warning: MYSQL_PASSWORD is set without MYSQL_USER: it is ignored"
	fi
}

# initialize ARG... makes the datadir as the official image does, with the
# server's own arguments and configuration.
initialize() {
	local pid i
	check_env
	ls /docker-entrypoint-initdb.d/ >/dev/null # unreadable: fail before the datadir is half made
	log "initializing database files in $datadir"
	mysqld "$@" --initialize-insecure --default-time-zone=SYSTEM
	log "starting a temporary server (no networking, socket $socket)"
	mysqld "$@" --skip-networking --default-time-zone=SYSTEM --socket="$socket" &
	pid=$!
	for ((i = 1; ; i++)); do
		mysqladmin --no-defaults --protocol=socket --socket="$socket" --user=root ping >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || die "the temporary server exited during initialization"
		((i < 120)) || die "the temporary server did not answer within 120 s"
		sleep 1
	done
	if [ -n "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
		MYSQL_ROOT_PASSWORD=$(head -c 18 /dev/urandom | base64)
		export MYSQL_ROOT_PASSWORD
		log "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
	fi
	setup_sql | mysql --no-defaults --protocol=socket --socket="$socket" --user=root --database=mysql
	run_initdb_scripts
	log "stopping the temporary server"
	# As the official image: an initdb script that changed root's password
	# without MYSQL_ROOT_PASSWORD makes this fail, there as here.
	mysqladmin --defaults-extra-file=<(root_passfile) --protocol=socket --socket="$socket" shutdown ||
		die "unable to shut down the temporary server as root with MYSQL_ROOT_PASSWORD"
	wait "$pid" || true
	log "initialization complete"
}

# want_help: an argument that makes mysqld print and exit needs no setup.
want_help() {
	local arg
	for arg; do
		case "$arg" in
		-'?' | --help | --print-defaults | -V | --version) return 0 ;;
		esac
	done
	return 1
}

if [ "$#" = 0 ] || [ "${1:0:1}" = - ]; then
	set -- mysqld "$@"
fi

if [ "$1" = mysqld ] && ! want_help "$@"; then
	file_env MYSQL_ROOT_HOST %
	for var in MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD MYSQL_ROOT_PASSWORD \
		MYSQL_ALLOW_EMPTY_PASSWORD MYSQL_RANDOM_ROOT_PASSWORD; do
		file_env "$var"
	done
	mkdir -p "$datadir" "${socket%/*}" "$files_dir"
	if [ "$(id -u)" = 0 ]; then
		find "$datadir" "${socket%/*}" "$files_dir" \! -user mysql -exec chown --no-dereference mysql:mysql '{}' +
		log "switching to the mysql user (uid 999)"
		exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
	fi
	shift
	if [ ! -d "$datadir/mysql" ]; then
		initialize "$@"
	fi
	exec mysqld "$@"
fi

exec "$@"
