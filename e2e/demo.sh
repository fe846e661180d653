#!/usr/bin/env bash
# make demo: the README's first command. Uses the Kubernetes cluster your
# kubeconfig points at; when none is configured, starts the local one
# (make cluster) and runs the flavour FLAVOR names (mysql, the default:
# MySQL 9.7; or mariadb: MariaDB 10.11) from its locally built image. Then
# brings up a 3-server replicated cluster and prints its status.
set -euo pipefail
bin=${1:-bin/mysqlctl}
shift || true
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

cluster_configured() {
	[ -n "${KUBECONFIG:-}" ] || [ -f "$HOME/.kube/config" ] || return 1
	"$bin" version --server >/dev/null 2>&1
}

args=()
if ! cluster_configured; then
	echo "No Kubernetes cluster is configured: starting the local one (make cluster)." >&2
	"$here/localkube/cluster.sh" up
	eval "$("$here/localkube/cluster.sh" env)"
fi
if "$here/localkube/cluster.sh" status 2>/dev/null && [ -n "${MYSQLCTL_E2E_MARIADB_IMAGE:-}" ]; then
	# The local cluster has no registry: use the image built for it.
	case "${FLAVOR:-mysql}" in
	mysql) args=(--flavor mysql --version 9.7 --image "$MYSQLCTL_E2E_MYSQL_IMAGE") ;;
	mariadb) args=(--flavor mariadb --image "$MYSQLCTL_E2E_MARIADB_IMAGE") ;;
	*) echo "Error: FLAVOR must be mysql or mariadb for the local cluster, got \"$FLAVOR\"" >&2; exit 2 ;;
	esac
fi
"$bin" up "${args[@]}" "$@"
"$bin" status
