#!/bin/sh
# mmdebstrap customize hook: make the Debian install look like the official
# mariadb image from the inside: an empty data directory (the package's
# postinst initialised one), listening on all addresses, no host cache,
# the entrypoint in place, and the files a container runtime expects.
set -eu
root=$1 src=$2
rm -rf "$root/var/lib/mysql" && mkdir -p "$root/var/lib/mysql" "$root/run/mysqld" "$root/docker-entrypoint-initdb.d"
chown 999:999 "$root/var/lib/mysql" "$root/run/mysqld"
sed -i 's/^bind-address/#&/' "$root/etc/mysql/mariadb.conf.d/50-server.cnf"
printf '[mariadbd]\nskip-name-resolve\nhost-cache-size=0\n' >"$root/etc/mysql/mariadb.conf.d/05-skipcache.cnf"
install -m 0755 "$src/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* "$root/var/log/"*.log
