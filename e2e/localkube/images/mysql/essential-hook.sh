#!/bin/sh
# mmdebstrap essential hook: create the mysql user and group with the ids of
# the official image (999:999), before any package is installed: Debian's
# mysql-server-core creates none (mysql-server's maintainer scripts would),
# and the entrypoint steps down to it, as the official image does.
set -eu
root=$1
grep -q '^mysql:' "$root/etc/group" || echo 'mysql:x:999:' >>"$root/etc/group"
grep -q '^mysql:' "$root/etc/passwd" || echo 'mysql:x:999:999:MySQL Server:/var/lib/mysql:/bin/false' >>"$root/etc/passwd"
if [ -f "$root/etc/shadow" ] && ! grep -q '^mysql:' "$root/etc/shadow"; then
	echo 'mysql:!:19000::::::' >>"$root/etc/shadow"
fi
