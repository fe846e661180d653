#!/bin/sh
# mmdebstrap customize hook: make Debian's MySQL packages look like the
# official mysql image from the inside (its Dockerfile.oracle): an empty
# data directory and a socket directory any uid can use (mode 1777, as
# there); the directory secure-file-priv names, without which mysqld
# refuses to start; my.cnf including /etc/mysql/conf.d/; the entrypoint;
# and the files a container runtime expects.
set -eu
root=$1 src=$2
mkdir -p "$root/var/lib/mysql" "$root/var/lib/mysql-files" "$root/run/mysqld" \
	"$root/etc/mysql/conf.d" "$root/docker-entrypoint-initdb.d" "$root/usr/local/bin"
chown 999:999 "$root/var/lib/mysql" "$root/var/lib/mysql-files" "$root/run/mysqld"
chmod 1777 "$root/var/lib/mysql" "$root/run/mysqld"
chmod 0750 "$root/var/lib/mysql-files"
rm -f "$root/etc/mysql/my.cnf" "$root/etc/my.cnf"
install -m 0644 "$src/my.cnf" "$root/etc/mysql/my.cnf"
install -m 0755 "$src/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* "$root/var/log/"*.log
