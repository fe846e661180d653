#!/usr/bin/env bash
# with-cluster.sh COMMAND...: run COMMAND against the local cluster with its
# environment (KUBECONFIG, MYSQLCTL_E2E_MARIADB_IMAGE) exported. A cluster
# that is already running is used and left running; otherwise one is started
# and torn down afterwards, on failure and on Ctrl-C too.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

started=""
finish() {
	local rc=$?
	if [ "$rc" != 0 ]; then
		echo "== the command failed (exit $rc): last lines of the cluster's component logs ==" >&2
		"$here/cluster.sh" logs 15 || true
	fi
	if [ -n "$started" ]; then
		"$here/cluster.sh" down || rc=1
	fi
	exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

if ! "$here/cluster.sh" status 2>/dev/null; then
	started=yes
	"$here/cluster.sh" up
fi
eval "$("$here/cluster.sh" env)"
"$@"
