#!/usr/bin/env bash
# install-deps.sh: installs the Debian packages that the local cluster and
# the tests need, when any is missing, so that `make demo` and `make test`
# work on a fresh Debian 12 machine with nothing else done first.
set -euo pipefail

packages=(containerd runc containernetworking-plugins iptables iproute2 conntrack util-linux procps
	mariadb-server mariadb-client mariadb-backup mmdebstrap shellcheck socat ncat openssl ca-certificates
	prometheus) # promtool checks the alerting rules

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "Error: missing Debian packages: ${missing[*]}: install them with: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# mariadb-server's postinst may have started the distribution's server: the
# tests start servers of their own and need none running for them.
if [[ " ${missing[*]} " == *" mariadb-server "* ]] && [ -x /etc/init.d/mariadb ]; then
	/etc/init.d/mariadb stop >/dev/null 2>&1 || true
fi
# prometheus is installed for its promtool: no Prometheus server runs here.
if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -x /etc/init.d/prometheus ]; then
	/etc/init.d/prometheus stop >/dev/null 2>&1 || true
fi
