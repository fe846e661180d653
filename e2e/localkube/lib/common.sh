# shellcheck shell=bash
# Shared settings of the local cluster scripts. Sourced, never run.
#
# Two directories, both outside the repository:
#   CACHE_DIR  what is built (binaries, images), keyed by versions; survives
#              cluster-down and is reused by the next `make cluster`.
#   STATE_DIR  what a running cluster writes (certificates, etcd, kubelet,
#              containerd, logs, pids); removed by cluster-down.

KUBE_VERSION=v1.34.4
CACHE_DIR=${MYSQLCTL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mysqlctl}
STATE_DIR=${MYSQLCTL_CLUSTER_DIR:-/var/lib/mysqlctl-localkube}
LOCALKUBE_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

LOG_DIR=$STATE_DIR/logs
PID_DIR=$STATE_DIR/pids
PKI_DIR=$STATE_DIR/pki
RUN_DIR=$STATE_DIR/run
CONTAINERD_SOCK=$RUN_DIR/containerd.sock
ADMIN_KUBECONFIG=$STATE_DIR/admin.kubeconfig

POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
FIRST_SERVICE_IP=10.96.0.1
HOSTPATH_PV_DIR=/tmp/hostpath_pv
CNI_BRIDGE=cni0

PAUSE_IMAGE=localhost/mysqlctl-pause:1
MARIADB_TAG_FILE=$CACHE_DIR/images/mariadb.ref
MARIADB11_TAG_FILE=$CACHE_DIR/images/mariadb11.ref
MYSQL_TAG_FILE=$CACHE_DIR/images/mysql.ref
EXPORTER_TAG_FILE=$CACHE_DIR/images/mysqld-exporter.ref

# Components in start order; teardown stops them in reverse.
COMPONENTS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy coredns)

say() { printf '%s\n' "$*" >&2; }
step() { printf ' • %s\n' "$*" >&2; }
die() {
	printf 'Error: %s\n' "$*" >&2
	exit 1
}

# node_ip is the source address of the default route: the address other
# pods and the API server can reach this node on. `ip route get` sends nothing.
node_ip() {
	local ip
	ip=$(ip -4 route get 192.0.2.255 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n1)
	if [ -z "$ip" ]; then
		ip=$(ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -n1)
	fi
	[ -n "$ip" ] || die "cannot find this machine's IPv4 address: the local cluster needs one non-loopback interface"
	printf '%s\n' "$ip"
}

node_name() { hostname | tr '[:upper:]' '[:lower:]'; }

pid_of() {
	local file=$PID_DIR/$1.pid pid
	[ -f "$file" ] || return 1
	pid=$(cat "$file")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && printf '%s\n' "$pid"
}

# hash_of prints a short content hash of the given files, for cache keys.
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# api_healthy succeeds when a running API server answers /readyz with the
# admin credentials of this cluster.
api_healthy() {
	[ -f "$ADMIN_KUBECONFIG" ] || return 1
	pid_of kube-apiserver >/dev/null || return 1
	curl_readyz >/dev/null 2>&1
}

curl_readyz() {
	# bash's /dev/tcp cannot speak TLS, and curl is not guaranteed: use the
	# localkube binary's own client through `openssl s_client`-free Go code.
	"$(localkube_bin)" health --kubeconfig "$ADMIN_KUBECONFIG" --timeout 3s
}

localkube_bin() { cat "$CACHE_DIR/bin/localkube.path" 2>/dev/null || echo /nonexistent; }

# tail_logs prints the end of every component log: the first thing to read
# when the cluster fails to start.
tail_logs() {
	local c
	for c in "${COMPONENTS[@]}"; do
		[ -f "$LOG_DIR/$c.log" ] || continue
		say "----- last lines of $LOG_DIR/$c.log -----"
		tail -n "${1:-15}" "$LOG_DIR/$c.log" >&2
	done
}
