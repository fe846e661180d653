#!/bin/sh
# mmdebstrap essential hook: create the mysql user and group with the ids of
# the official image (999:999) before mariadb-server's postinst would pick
# arbitrary system ids, so volumes and fsGroup behave the same with both images.
set -eu
root=$1
grep -q '^mysql:' "$root/etc/group" || echo 'mysql:x:999:' >>"$root/etc/group"
grep -q '^mysql:' "$root/etc/passwd" || echo 'mysql:x:999:999:MariaDB Server:/nonexistent:/bin/false' >>"$root/etc/passwd"
if [ -f "$root/etc/shadow" ] && ! grep -q '^mysql:' "$root/etc/shadow"; then
	echo 'mysql:!:19000::::::' >>"$root/etc/shadow"
fi
