# shellcheck shell=bash
# Starts the components of the local cluster as host processes, each with its
# log in LOG_DIR and its pid in PID_DIR.

# start_component NAME COMMAND...: a detached process (own session, so a
# Ctrl-C in the calling make does not take the cluster down with it).
start_component() {
	local name=$1
	shift
	mkdir -p "$LOG_DIR" "$PID_DIR"
	setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
	echo $! >"$PID_DIR/$name.pid"
}

# wait_until DESCRIPTION SECONDS COMMAND...: poll a cheap local check every
# 0.2 s up to a deadline; on timeout show the component logs and fail.
wait_until() {
	local what=$1 seconds=$2 deadline
	shift 2
	deadline=$((SECONDS + seconds))
	until "$@" >/dev/null 2>&1; do
		if ((SECONDS >= deadline)); then
			tail_logs 20
			die "timed out after ${seconds}s waiting for $what (component logs above, all in $LOG_DIR)"
		fi
		sleep 0.2
	done
}

# set_sysctl KEY VALUE remembers the old value once, so cluster-down restores it.
set_sysctl() {
	local key=$1 value=$2 file
	file=/proc/sys/${key//.//}
	[ -w "$file" ] || return 0
	mkdir -p "$STATE_DIR/sysctl"
	[ -f "$STATE_DIR/sysctl/$key" ] || cat "$file" >"$STATE_DIR/sysctl/$key"
	echo "$value" >"$file"
}

write_configs() {
	mkdir -p "$STATE_DIR/cni-conf" "$STATE_DIR/containerd" "$RUN_DIR"
	cat >"$STATE_DIR/cni-conf/10-mysqlctl.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "mysqlctl-local",
  "plugins": [
    {"type": "bridge", "bridge": "$CNI_BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$STATE_DIR/cni-ipam",
              "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
	cat >"$STATE_DIR/containerd/config.toml" <<EOF
version = 2
root = "$STATE_DIR/containerd/root"
state = "$STATE_DIR/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE_DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The VM's root lacks CAP_SYS_RESOURCE: lowering oom_score_adj fails and
  # every sandbox with it ("can't get final child's PID from pipe").
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE_DIR/cni-conf"
EOF
	cat >"$STATE_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI_DIR/ca.crt}
authorization: {mode: Webhook}
# containerd 1.6 lacks the CRI RuntimeConfig call: name the driver here.
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDNS: [$NODE_IP]
clusterDomain: cluster.local
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
tlsCertFile: $PKI_DIR/kubelet-serving.crt
tlsPrivateKeyFile: $PKI_DIR/kubelet-serving.key
podLogsDir: $STATE_DIR/pod-logs
readOnlyPort: 0
serializeImagePulls: false
# Locally imported images cannot be pulled again: never collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
EOF
	cat >"$STATE_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $STATE_DIR/kube-proxy.kubeconfig}
mode: iptables
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
bindAddress: 127.0.0.1
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
# Leave the host's conntrack sysctls alone: they are not ours to change.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: false}
EOF
	cat >"$STATE_DIR/Corefile" <<EOF
cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {
    bind $NODE_IP
    errors
    ready 127.0.0.1:8181
    health 127.0.0.1:8080
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $ADMIN_KUBECONFIG
        pods insecure
        ttl 5
    }
    loadbalance
}
.:53 {
    bind $NODE_IP
    errors
}
EOF
}

start_containerd() {
	start_component containerd containerd --config "$STATE_DIR/containerd/config.toml"
	wait_until "containerd's socket" 30 test -S "$CONTAINERD_SOCK"
	import_images
}

import_images() {
	local name image
	for name in pause mariadb mariadb11 mysql mysqld-exporter; do
		image=$(cat "$CACHE_DIR/images/$name.path")
		step "importing $(basename "$image") into containerd"
		ctr --address "$CONTAINERD_SOCK" --connect-timeout 10s -n k8s.io images import "$image" \
			>>"$LOG_DIR/ctr-import.log" 2>&1 || { tail -n 20 "$LOG_DIR/ctr-import.log" >&2; die "importing $image into containerd failed"; }
	done
}

start_control_plane() {
	local bin
	bin=$(localkube_bin)
	start_component etcd "$bin" etcd --data-dir "$STATE_DIR/etcd" --name local \
		--listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
		--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster local=http://127.0.0.1:2380 --unsafe-no-fsync --log-level warn
	start_component kube-apiserver "$bin" kube-apiserver --etcd-servers http://127.0.0.1:2379 \
		--advertise-address "$NODE_IP" --bind-address 0.0.0.0 --secure-port 6443 \
		--service-cluster-ip-range "$SERVICE_CIDR" --authorization-mode Node,RBAC --allow-privileged \
		--client-ca-file "$PKI_DIR/ca.crt" --tls-cert-file "$PKI_DIR/apiserver.crt" --tls-private-key-file "$PKI_DIR/apiserver.key" \
		--kubelet-client-certificate "$PKI_DIR/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI_DIR/apiserver-kubelet-client.key" \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-account-key-file "$PKI_DIR/sa.pub" --service-account-signing-key-file "$PKI_DIR/sa.key" \
		--enable-priority-and-fairness=false --profiling=false
	wait_until "the API server to answer /readyz" 90 curl_readyz
	start_component kube-controller-manager "$bin" kube-controller-manager \
		--kubeconfig "$STATE_DIR/controller-manager.kubeconfig" \
		--authentication-kubeconfig "$STATE_DIR/controller-manager.kubeconfig" \
		--authorization-kubeconfig "$STATE_DIR/controller-manager.kubeconfig" \
		--use-service-account-credentials --service-account-private-key-file "$PKI_DIR/sa.key" \
		--root-ca-file "$PKI_DIR/ca.crt" --cluster-signing-cert-file "$PKI_DIR/ca.crt" \
		--cluster-signing-key-file "$PKI_DIR/ca.key" --enable-hostpath-provisioner=true \
		--leader-elect=false --bind-address 127.0.0.1 --profiling=false
	start_component kube-scheduler "$bin" kube-scheduler --kubeconfig "$STATE_DIR/scheduler.kubeconfig" \
		--authentication-kubeconfig "$STATE_DIR/scheduler.kubeconfig" \
		--authorization-kubeconfig "$STATE_DIR/scheduler.kubeconfig" \
		--leader-elect=false --bind-address 127.0.0.1 --profiling=false
}

start_node() {
	local bin
	bin=$(localkube_bin)
	start_component kubelet "$bin" kubelet --config "$STATE_DIR/kubelet.yaml" \
		--kubeconfig "$STATE_DIR/node.kubeconfig" --root-dir "$STATE_DIR/kubelet" \
		--cert-dir "$PKI_DIR" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP"
	start_component kube-proxy "$bin" kube-proxy --config "$STATE_DIR/kube-proxy.yaml"
	start_component coredns "$(cat "$CACHE_DIR/bin/coredns.path")" -conf "$STATE_DIR/Corefile"
}

start_cluster() {
	NODE_IP=$(node_ip)
	NODE_NAME=$(node_name)
	mkdir -p "$STATE_DIR" "$LOG_DIR" "$PID_DIR" "$RUN_DIR"
	echo "$NODE_IP" >"$STATE_DIR/node-ip"
	set_sysctl net.ipv4.ip_forward 1
	set_sysctl net.bridge.bridge-nf-call-iptables 1
	step "certificates"
	make_certs
	write_configs
	step "containerd"
	start_containerd
	step "etcd, kube-apiserver, kube-controller-manager, kube-scheduler"
	start_control_plane
	step "kubelet, kube-proxy, CoreDNS"
	start_node
	"$(localkube_bin)" bootstrap --kubeconfig "$ADMIN_KUBECONFIG" --node "$NODE_NAME" \
		--dns "$NODE_IP:53" --timeout 120s || {
		tail_logs 20
		die "the cluster started but did not become ready (component logs above, all in $LOG_DIR)"
	}
}
