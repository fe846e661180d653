#!/usr/bin/env bash
# The local single-node Kubernetes that mysqlctl is proven on.
#
#   cluster.sh up       build what is missing (cached), clean any leftovers of
#                       a killed cluster, start every component, wait for ready
#   cluster.sh down     stop everything and remove all state it created
#   cluster.sh env      print the exports a shell needs to use the cluster
#   cluster.sh status   exit 0 when a healthy cluster is running
#   cluster.sh check-clean   exit 1 listing anything a teardown left behind
#   cluster.sh logs     print the end of every component's log
#   cluster.sh build    build binaries and images only
#   cluster.sh images   rebuild what changed and import the images into the running cluster
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=e2e/localkube/lib/common.sh
. "$here/lib/common.sh"
# shellcheck source=e2e/localkube/lib/build.sh
. "$here/lib/build.sh"
# shellcheck source=e2e/localkube/lib/certs.sh
. "$here/lib/certs.sh"
# shellcheck source=e2e/localkube/lib/start.sh
. "$here/lib/start.sh"
# shellcheck source=e2e/localkube/lib/teardown.sh
. "$here/lib/teardown.sh"

require_root() {
	[ "$(id -u)" = 0 ] || die "the local cluster runs kubelet and containerd, which need root: run it as root (sudo make cluster)"
}

require_tools() {
	local missing="" tool
	for tool in containerd ctr runc iptables ip findmnt openssl mmdebstrap conntrack; do
		command -v "$tool" >/dev/null || missing+=" $tool"
	done
	[ -d /usr/lib/cni ] || missing+=" containernetworking-plugins"
	[ -z "$missing" ] || die "missing tools:$missing — install them with: apt-get install containerd runc containernetworking-plugins iptables iproute2 util-linux openssl mmdebstrap conntrack"
}

cmd_up() {
	require_root
	if api_healthy_all; then
		say "The local cluster is already running (kubeconfig: $ADMIN_KUBECONFIG)."
		return 0
	fi
	require_tools
	local start=$SECONDS
	say "Starting a local Kubernetes $KUBE_VERSION (state in $STATE_DIR, builds cached in $CACHE_DIR)"
	build_all
	if [ -d "$STATE_DIR" ] || [ -n "$(our_pids)" ]; then
		step "cleaning up what a previous cluster left behind"
		teardown
	fi
	start_cluster
	say "The local cluster is ready after $((SECONDS - start))s. Use it with: eval \"\$(make -s cluster-env)\""
}

# api_healthy_all: every component alive and the API server ready.
api_healthy_all() {
	local c
	for c in "${COMPONENTS[@]}"; do
		pid_of "$c" >/dev/null || return 1
	done
	api_healthy
}

cmd_down() {
	require_root
	say "Stopping the local cluster and removing its state"
	teardown
	local left
	left=$(leftovers)
	[ -z "$left" ] || die "teardown left these behind: $left"
	say "The local cluster is gone."
}

cmd_env() {
	api_healthy_all || die "no local cluster is running: start one with 'make cluster'"
	printf 'export KUBECONFIG=%s\n' "$ADMIN_KUBECONFIG"
	printf 'export MYSQLCTL_E2E_MARIADB_IMAGE=%s\n' "$(cat "$MARIADB_TAG_FILE")"
	printf 'export MYSQLCTL_E2E_MARIADB11_IMAGE=%s\n' "$(cat "$MARIADB11_TAG_FILE")"
	printf 'export MYSQLCTL_E2E_MYSQL_IMAGE=%s\n' "$(cat "$MYSQL_TAG_FILE")"
	# The sql package's MySQL tests run mysqld from this image's archive.
	printf 'export MYSQLCTL_MYSQL_IMAGE_TAR=%s\n' "$(cat "$CACHE_DIR/images/mysql.path")"
	# The metrics exporter's local image (lib/build.sh), in place of the
	# default quay.io/prometheus/mysqld-exporter of the same version.
	if [ -f "$EXPORTER_TAG_FILE" ]; then
		printf 'export MYSQLCTL_E2E_EXPORTER_IMAGE=%s\n' "$(cat "$EXPORTER_TAG_FILE")"
	else
		say "note: the running cluster has no metrics exporter image yet: run $here/cluster.sh images"
	fi
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
env) cmd_env ;;
status) api_healthy_all ;;
check-clean) left=$(leftovers); [ -z "$left" ] || { echo "$left"; exit 1; } ;;
logs) tail_logs "${2:-40}" ;;
build) build_all ;;
images) build_all && api_healthy_all && import_images ;;
*) die "usage: cluster.sh up|down|env|status|check-clean|logs|build|images" ;;
esac
