#!/usr/bin/env bash
# make demo: the README's first command. Uses the Kubernetes cluster your
# kubeconfig points at; when none is configured, starts the local one
# (make cluster) and runs MariaDB from its locally built image. Then brings
# up a 3-server replicated cluster and prints its status.
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
	# The local cluster has no registry: use the MariaDB image built for it.
	args=(--flavor mariadb --image "$MYSQLCTL_E2E_MARIADB_IMAGE")
fi
"$bin" up "${args[@]}" "$@"
"$bin" status
