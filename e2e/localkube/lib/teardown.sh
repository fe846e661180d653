# shellcheck shell=bash
# Removes everything a local cluster leaves on the machine, whether it was
# stopped cleanly or its processes were killed: processes, containers,
# mounts, network namespaces, the bridge, iptables chains, cgroups, volumes,
# files the components write to fixed paths, and the sysctls we changed.
# Every step tolerates finding nothing, so teardown is idempotent.

# our_pids lists processes running one of our cached binaries or a containerd
# shim of our containerd (found by its socket), even when pid files are gone.
our_pids() {
	local pid exe
	for pid in /proc/[0-9]*; do
		pid=${pid#/proc/}
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
		case "$exe" in
		"$CACHE_DIR"/bin/*) echo "$pid" ;;
		*/containerd | */containerd-shim-runc-v2)
			tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STATE_DIR" && echo "$pid" ;;
		esac
	done
	return 0
}

# pod_pids lists the processes of every pod: they live in kubepods cgroups.
pod_pids() {
	find /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/unified/kubepods -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u
}

stop_processes() {
	local c pid i
	for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
		c=${COMPONENTS[$i]}
		pid=$(pid_of "$c") || continue
		kill "$pid" 2>/dev/null || true
	done
	# Containers first (their shims would restart nothing once kubelet is
	# gone), then whatever of ours is left.
	for i in 1 2; do
		pod_pids | xargs -r kill -9 2>/dev/null || true
		our_pids | xargs -r kill -TERM 2>/dev/null || true
		for _ in $(seq 50); do
			[ -z "$(our_pids)" ] && break
			sleep 0.1
		done
		our_pids | xargs -r kill -9 2>/dev/null || true
		[ "$i" = 2 ] || sleep 0.2
	done
	rm -rf "$PID_DIR"
}

unmount_all() {
	local target
	findmnt -rn -o TARGET | awk -v s="$STATE_DIR" 'index($0, s) == 1 || index($0, "/run/containerd/") == 1 ||
		index($0, "/run/netns/cni-") == 1 || index($0, "/var/run/netns/cni-") == 1 ||
		index($0, "/var/lib/kubelet/") == 1' | sort -r | while read -r target; do
		umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null || true
	done
}

remove_network() {
	local ns
	for ns in /var/run/netns/cni-* /run/netns/cni-*; do
		[ -e "$ns" ] || continue
		ip netns delete "$(basename "$ns")" 2>/dev/null || rm -f "$ns"
	done
	ip link delete "$CNI_BRIDGE" 2>/dev/null || true
	if [ -x "$(localkube_bin)" ]; then
		"$(localkube_bin)" kube-proxy --cleanup >/dev/null 2>&1 || true
	fi
	remove_chains iptables
	remove_chains ip6tables
}

# remove_chains TOOL drops every KUBE-* and CNI-* chain and every rule that
# jumps to one, table by table, leaving everything else as it was.
remove_chains() {
	local tool=$1 table
	command -v "$tool-save" >/dev/null || return 0
	for table in filter nat mangle; do
		if "$tool-save" -t "$table" 2>/dev/null | grep -qE 'KUBE-|CNI-'; then
			"$tool-save" -t "$table" | grep -vE 'KUBE-|CNI-' | "$tool-restore" 2>/dev/null || true
		fi
	done
}

remove_cgroups() {
	local root
	for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/unified/kubepods; do
		[ -d "$root" ] || continue
		find "$root" -depth -type d -exec rmdir {} \; 2>/dev/null || true
	done
}

restore_sysctls() {
	local file key
	for file in "$STATE_DIR"/sysctl/*; do
		[ -f "$file" ] || continue
		key=$(basename "$file")
		cat "$file" >"/proc/sys/${key//.//}" 2>/dev/null || true
	done
}

remove_files() {
	rm -rf "$HOSTPATH_PV_DIR" /var/lib/cni /var/log/containers /var/log/pods \
		/var/lib/kubelet/device-plugins /var/lib/kubelet/pod-resources /var/lib/kubelet/plugins_registry /var/lib/kubelet/plugins
	rmdir /var/lib/kubelet 2>/dev/null || true
	# /run/containerd holds the shims' sockets at a fixed path; leave it to a
	# containerd of the machine's own if one runs.
	if ! pgrep -x containerd >/dev/null 2>&1; then
		rm -rf /run/containerd
	fi
	keep_logs
	rm -rf "$STATE_DIR"
}

# keep_logs saves the component logs of the cluster being removed, so a
# failure can still be read after make test tore the cluster down.
keep_logs() {
	[ -d "$LOG_DIR" ] || return 0
	mkdir -p "$CACHE_DIR"
	rm -rf "$CACHE_DIR/logs.previous"
	cp -a "$LOG_DIR" "$CACHE_DIR/logs.previous" 2>/dev/null || true
}

teardown() {
	[ -d "$STATE_DIR" ] || [ -n "$(our_pids)" ] || [ -e "/sys/class/net/$CNI_BRIDGE" ] || {
		step "no local cluster state found: nothing to remove"
		return 0
	}
	stop_processes
	unmount_all
	remove_network
	remove_cgroups
	restore_sysctls
	remove_files
}

# leftovers prints what of ours is still on the machine; empty means clean.
leftovers() {
	[ -z "$(our_pids)" ] || echo "processes: $(our_pids | tr '\n' ' ')"
	[ -z "$(pod_pids)" ] || echo "pod processes: $(pod_pids | tr '\n' ' ')"
	findmnt -rn -o TARGET | grep -E "^($STATE_DIR|/run/containerd/|/run/netns/cni-|/var/run/netns/cni-)" | sed 's/^/mount: /'
	[ ! -e "/sys/class/net/$CNI_BRIDGE" ] || echo "bridge: $CNI_BRIDGE"
	iptables-save 2>/dev/null | grep -E '^:(KUBE-|CNI-)' | sed 's/^/iptables chain: /'
	ip6tables-save 2>/dev/null | grep -E '^:(KUBE-|CNI-)' | sed 's/^/ip6tables chain: /'
	[ ! -e "$HOSTPATH_PV_DIR" ] || echo "hostpath volumes: $HOSTPATH_PV_DIR"
	[ ! -e "$STATE_DIR" ] || echo "state: $STATE_DIR"
	ls -d /var/run/netns/cni-* 2>/dev/null | sed 's/^/netns: /'
	return 0
}
