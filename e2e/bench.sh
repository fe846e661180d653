#!/usr/bin/env bash
# make bench: figures, not pass/fail. On the cluster in KUBECONFIG (make
# bench starts the local one) it times, each run recorded as a raw sample:
#   - mysqlctl --help (BENCH_HELP_RUNS runs after a warm-up);
#   - up -q --replicas N until ready, N = 1..5, each into a fresh namespace,
#     then down --purge --yes (BENCH_UP_RUNS rounds of the five sizes);
#   - on one 3-server cluster, scale --replicas 5 (and back, untimed), and
#     an up whose changed --memory rolls every pod, the primary last after
#     a switchover, with that write downtime (BENCH_SCALE_RUNS each);
#   - status on a 1-server and a 5-server cluster (BENCH_RUNS runs after a
#     warm-up) with the CLI's peak memory, the CPU the whole machine spent
#     on each run, and how much of the 5 pods' reads ran at the same time
#     (status -vv);
#   - BENCH_RUNS switchovers on the 5-server cluster, mysql-0 and mysql-1 in
#     turn: the write downtime each measured, and its wall time;
#   - mysqlctl backup of some 220 MB against a raw tar copy of the same
#     datadir through the same API (e2e/rawcopy), BENCH_COPY_RUNS times each,
#     alternating;
#   - the cost of semi-synchronous replication: BENCH_RUNS rounds of
#     BENCH_INSERTS single-row autocommit inserts on the primary of a
#     3-server cluster with semiSync off and one with it on, taking turns:
#     each commit's latency (p50, p99) and the inserts per second;
#   - the metrics exporter of each server of a 3-server cluster at rest:
#     its CPU and resident memory (e2e/scrape reads its own metrics).
# Then e2e/benchreport prints each figure's median, min and max with the
# goals met or not, and writes bench.json and bench-up.png (up against N) to
# BENCH_OUT (default: the repository's root). Everything it created in the
# cluster is deleted on exit. On a 2-core machine expect some 20 minutes.
#
# usage: e2e/bench.sh path/to/mysqlctl
# env:   KUBECONFIG, MYSQLCTL_E2E_MARIADB_IMAGE (the local cluster's image),
#        BENCH_RUNS (default 7), BENCH_UP_RUNS (3), BENCH_SCALE_RUNS (3),
#        BENCH_HELP_RUNS (20), BENCH_COPY_RUNS (3), BENCH_INSERTS (500),
#        BENCH_OUT
set -euo pipefail

bin=$(realpath "${1:?usage: e2e/bench.sh path/to/mysqlctl}")
image=${MYSQLCTL_E2E_MARIADB_IMAGE:?set MYSQLCTL_E2E_MARIADB_IMAGE: eval "\$(make -s cluster-env)"}
exporter_image=${MYSQLCTL_E2E_EXPORTER_IMAGE:?set MYSQLCTL_E2E_EXPORTER_IMAGE: eval "\$(make -s cluster-env)"}
runs=${BENCH_RUNS:-7}
up_runs=${BENCH_UP_RUNS:-3}
scale_runs=${BENCH_SCALE_RUNS:-3}
help_runs=${BENCH_HELP_RUNS:-20}
copy_runs=${BENCH_COPY_RUNS:-3}
inserts=${BENCH_INSERTS:-500}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${BENCH_OUT:-$root}")
suffix=$(date +%s)-$$
namespaces=() # every namespace this run made, for cleanup
work=$(mktemp -d)
samples=$work/samples
reported=""

# report: the table, bench.json and bench-up.png from the samples so far.
report() {
	local version
	version=$("$bin" version)
	reported=yes
	"$work/benchreport" -samples "$samples" -out "$out" -mysqlctl "${version#mysqlctl }"
}

# cleanup: after a failure, the figures measured until then (a failure in
# the last minute should not cost the first nineteen); then everything
# this run created.
cleanup() {
	local rc=$? ns
	if ((rc != 0)) && [[ -z $reported && -s $samples && -x $work/benchreport ]]; then
		echo "bench: failed (exit $rc); the figures measured until then:" >&2
		report || true
	fi
	for ns in ${namespaces[@]+"${namespaces[@]}"}; do
		"$bin" down --purge --yes -n "$ns" >/dev/null 2>&1 || true
		if command -v kubectl >/dev/null; then
			kubectl delete namespace "$ns" --ignore-not-found --wait=false >/dev/null 2>&1 || true
		else
			echo "kubectl not found: delete namespace $ns yourself" >&2
		fi
	done
	rm -rf "$work"
}
trap cleanup EXIT

# record NAME VALUE UNIT: one run's raw sample, for e2e/benchreport. A
# missing value is left out with a warning: the report then shows fewer
# runs, rather than refusing the whole file at the end.
record() {
	if [[ -z $2 ]]; then
		echo "bench: no value for $1 in this run" >&2
		return 0
	fi
	echo "$1 $2 $3" >>"$samples"
}

# now VAR: sets VAR to the microseconds since the epoch, from bash itself:
# forking date(1) or a subshell would add a millisecond to a 10 ms run.
now() {
	printf -v "$1" '%s' "${EPOCHREALTIME//[.,]/}"
}

# elapsed START END UNIT: END - START (microseconds) in UNIT, s or ms.
elapsed() {
	awk -v us=$(($2 - $1)) -v unit="$3" 'BEGIN {printf "%.3f", unit == "s" ? us / 1e6 : us / 1e3}'
}

# timed NAME UNIT COMMAND...: runs COMMAND, its output to $work/out, and
# records its wall time in UNIT (s or ms).
timed() {
	local name=$1 unit=$2 start end
	shift 2
	now start
	"$@" >"$work/out"
	now end
	record "$name" "$(elapsed "$start" "$end" "$unit")" "$unit"
}

# up NS REPLICAS [ARGS...]: a MariaDB cluster in a namespace of its own,
# waited for until ready; not timed.
up() {
	local ns=$1 n=$2
	shift 2
	echo "bench: mysqlctl up --replicas $n $* -n $ns" >&2
	namespaces+=("$ns")
	"$bin" up -q --flavor mariadb --image "$image" --replicas "$n" -n "$ns" --create-namespace "$@" >/dev/null
}

# bench_help: --help's wall time, process start included: what a user waits
# before the first line (goal < 30 ms).
bench_help() {
	local i
	"$bin" --help >/dev/null
	for ((i = 0; i < help_runs; i++)); do
		timed help ms "$bin" --help
	done
}

# bench_up: up and down --purge of 1 to 5 servers, each into a fresh
# namespace: no run finds anything the one before left. The five sizes take
# turns within each round: a slow minute of the machine then spreads over
# the sizes instead of landing on one, which would bend the curve of up
# against N.
bench_up() {
	local round n ns
	for ((round = 1; round <= up_runs; round++)); do
		for n in 1 2 3 4 5; do
			ns=bench-up-$n-$round-$suffix
			echo "bench: up and down of $n server(s), round $round of $up_runs" >&2
			namespaces+=("$ns")
			timed "up_$n" s "$bin" up -q --flavor mariadb --image "$image" --replicas "$n" -n "$ns" --create-namespace
			timed "down_$n" s "$bin" down -q --purge --yes -n "$ns"
		done
	done
}

# bench_day2 NS: on a running 3-server cluster, scale to 5 (timed) and back
# to 3 (untimed; its volumes go, so each scale-up clones anew), then up with
# a memory request that alternates between 300Mi and the default 256Mi: the
# request is in the pod template, so each run rolls all three pods, and up
# returns once the roll-out is done and every server ready.
bench_day2() {
	local i mem
	for ((i = 1; i <= scale_runs; i++)); do
		echo "bench: scale 3 → 5 servers, run $i of $scale_runs" >&2
		timed scale_3_to_5 s "$bin" scale -q --replicas 5 -n "$1"
		"$bin" scale -q --replicas 3 -n "$1" >/dev/null
	done
	for ((i = 1; i <= scale_runs; i++)); do
		mem=$((i % 2 ? 300 : 256))Mi
		echo "bench: up --memory $mem: roll-out over 3 servers, run $i of $scale_runs" >&2
		timed rollout_3 s "$bin" up -q --memory "$mem" -n "$1"
		if ! grep -q 'statefulset/mysql configured' "$work/out"; then
			echo "bench: up --memory $mem rolled nothing out:" >&2
			cat "$work/out" >&2
			exit 1
		fi
		# The primary is updated last, after a switchover: its write
		# downtime is the rollout's (two when the primary was mysql-2).
		record rollout_downtime "$(sed -n 's/^switchover: .*write downtime //p' "$work/out" |
			awk '/ms$/ {sub(/ms$/, ""); s += $0; next} /s$/ {sub(/s$/, ""); s += $0 * 1000} END {if (NR) print s}')" ms
	done
}

# busy VAR: sets VAR to the CPU time every core of the machine has spent
# busy since boot, in ms (/proc/stat: user, nice, system, irq, softirq,
# steal), whatever process spent it.
busy() {
	local _ user nice system irq softirq steal
	read -r _ user nice system _ _ irq softirq steal _ </proc/stat
	printf -v "$1" '%s' $(((user + nice + system + irq + softirq + steal) * 1000 / hz))
}
hz=$(getconf CLK_TCK)

# status_once NS [PODS]: one run of status; with PODS, records its wall
# time, the CPU the whole machine spent meanwhile (the CLI, the API server,
# kubelet, containerd and the servers it reads: the reason more pods take
# longer on few cores) and, when /usr/bin/time is there, its peak memory
# (max RSS, KiB, recorded in MB).
status_once() {
	local start end cpu_start cpu_end
	rm -f "$work/rss"
	busy cpu_start
	now start
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -f '%M' -o "$work/rss" "$bin" status -n "$1" >"$work/out" 2>"$work/err"
	else
		"$bin" status -n "$1" >"$work/out" 2>"$work/err"
	fi
	now end
	busy cpu_end
	if grep -q unreachable "$work/out"; then
		echo "bench: status in $1 could not read every pod:" >&2
		cat "$work/out" "$work/err" >&2
		exit 1
	fi
	[[ -n ${2:-} ]] || return 0
	record "status_$2" "$(elapsed "$start" "$end" ms)" ms
	record "status_cpu_$2" "$((cpu_end - cpu_start))" ms
	if [[ -s $work/rss ]]; then
		record "status_rss_$2" "$(tail -n1 "$work/rss" | awk '{printf "%.1f", $1 * 1024 / 1e6}')" MB
	fi
}

# bench_status NS PODS: BENCH_RUNS timed runs of status after a warm-up.
bench_status() {
	local i
	echo "bench: status on $2 pod(s), $runs runs" >&2
	status_once "$1"
	for ((i = 0; i < runs; i++)); do
		status_once "$1" "$2"
	done
}

# bench_overlap NS: -vv prints each pod's read time; their sum against the
# slowest says how many of the 5 pods' reads ran at the same time (5 = all).
bench_overlap() {
	"$bin" status -n "$1" -vv 2>&1 >/dev/null |
		sed -n 's/.*: read in \([0-9]*\)ms.*/\1/p' |
		awk '{s += $1; if ($1 > m) m = $1} END {if (m) printf "status_overlap_5 %.2f pods\n", s / m}' >>"$samples"
}

# bench_switchover NS: BENCH_RUNS switchovers, mysql-1 and mysql-0 in turn;
# records the write downtime each printed, in ms, and its wall time.
bench_switchover() {
	local i start end output
	echo "bench: $runs switchovers on 5 servers" >&2
	for ((i = 1; i <= runs; i++)); do
		now start
		output=$("$bin" switchover -q --to "mysql-$((i % 2))" -n "$1")
		now end
		record switchover_wall "$(elapsed "$start" "$end" ms)" ms
		record switchover_downtime "$(sed -n 's/^write downtime: //p' <<<"$output" |
			awk '/ms$/ {sub(/ms$/, ""); print $0 + 0; next} /s$/ {sub(/s$/, ""); print $0 * 1000}')" ms
	done
}

# bench_backup NS: writes some 220 MB into the 1-server cluster, then
# mysqlctl backup against a raw tar copy of the same datadir through the
# same API, alternating; records each one's MB/s and the sizes.
bench_backup() {
	local i start end secs bytes rbytes rsecs
	echo "bench: writing ~220 MB into $1" >&2
	"$bin" sql -n "$1" -e "CREATE DATABASE big; CREATE TABLE big.blobs (id INT AUTO_INCREMENT PRIMARY KEY, b LONGBLOB)"
	for ((i = 0; i < 8; i++)); do
		"$bin" sql -n "$1" -e "INSERT INTO big.blobs (b) SELECT RANDOM_BYTES(1024) FROM big.seq_1_to_27000"
	done
	for ((i = 1; i <= copy_runs; i++)); do
		echo "bench: backup and raw copy, run $i of $copy_runs" >&2
		rm -f "$work/b" "$work/raw"
		now start
		"$bin" backup -q --from mysql-0 -o "$work/b" -n "$1" >/dev/null
		now end
		secs=$(elapsed "$start" "$end" s)
		bytes=$(stat -c %s "$work/b")
		read -r rbytes rsecs < <("$work/rawcopy" -n "$1" -pod mysql-0 -o "$work/raw")
		record backup_rate "$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.1f", b / 1e6 / s}')" MB/s
		record raw_rate "$(awk -v b="$rbytes" -v s="$rsecs" 'BEGIN {printf "%.1f", b / 1e6 / s}')" MB/s
		record backup_size "$((bytes / 1000000))" MB
		record raw_size "$((rbytes / 1000000))" MB
	done
}

# insert_round NS: BENCH_INSERTS single-row inserts on the primary, each
# its own autocommit transaction, timed inside the server (SYSDATE(6)
# around each, so no exec or client start is counted); prints the commit
# latency's p50 and p99 in ms and the inserts per second. The latencies go
# to a temporary table, which the binary log leaves out: only the inserts
# themselves wait for a replica.
insert_round() {
	"$bin" sql -n "$1" -- -N -e "
CREATE DATABASE IF NOT EXISTS bench;
CREATE TABLE IF NOT EXISTS bench.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64));
CREATE TEMPORARY TABLE bench.lat (us INT);
DELIMITER //
BEGIN NOT ATOMIC
  DECLARE i INT DEFAULT 0;
  DECLARE t0 DATETIME(6);
  WHILE i < $inserts DO
    SET t0 = SYSDATE(6);
    INSERT INTO bench.t (v) VALUES (REPEAT('x', 64));
    INSERT INTO bench.lat VALUES (TIMESTAMPDIFF(MICROSECOND, t0, SYSDATE(6)));
    SET i = i + 1;
  END WHILE;
END//
DELIMITER ;
SELECT ROUND(PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY us) OVER () / 1000, 3),
       ROUND(PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY us) OVER () / 1000, 3),
       ROUND(COUNT(*) OVER () * 1e6 / SUM(us) OVER (), 1)
FROM bench.lat LIMIT 1;"
}

# bench_semisync OFF_NS ON_NS: BENCH_RUNS rounds of the same insert
# workload on a cluster with semiSync off and one with it on, in turns, so
# a slow moment of the machine does not land on one mode only.
bench_semisync() {
	local i mode ns p50 p99 rate
	for ((i = 1; i <= runs; i++)); do
		for mode in off on; do
			ns=$1
			[[ $mode == off ]] || ns=$2
			echo "bench: $inserts inserts with semiSync $mode, run $i of $runs" >&2
			read -r p50 p99 rate < <(insert_round "$ns")
			record "insert_p50_semisync_$mode" "$p50" ms
			record "insert_p99_semisync_$mode" "$p99" ms
			record "insert_rate_semisync_$mode" "$rate" "inserts/s"
		done
	done
}

# bench_exporter NS SERVERS: the metrics exporter of each server of NS at
# rest, scraped every 15 s (twice Prometheus's rate of the PodMonitor) for
# BENCH_RUNS intervals: its resident memory at the end, and the CPU it
# spent over the whole time (its own process_* metrics), per server.
bench_exporter() {
	local i r pod cpu0 cpu1 rss start end
	for ((i = 0; i < $2; i++)); do
		pod=mysql-$i
		now start
		cpu0=$("$work/scrape" -n "$1" -pod "$pod" process_cpu_seconds_total | awk '{print $2}')
		for ((r = 1; r <= runs; r++)); do
			sleep 15
			"$work/scrape" -n "$1" -pod "$pod" >/dev/null
		done
		now end
		read -r cpu1 rss < <("$work/scrape" -n "$1" -pod "$pod" process_cpu_seconds_total process_resident_memory_bytes |
			awk '/^process_cpu/ {c = $2} /^process_resident/ {m = $2} END {print c, m}')
		record exporter_cpu "$(awk -v a="$cpu0" -v b="$cpu1" -v us=$((end - start)) 'BEGIN {printf "%.2f", (b - a) * 1000 / (us / 1e6)}')" millicores
		record exporter_rss "$(awk -v m="$rss" 'BEGIN {printf "%.1f", m / 1048576}')" MiB
	done
}

# The tools are built first: a compile error then ends the bench before its
# twenty minutes on the cluster, not after.
(cd "$root/e2e/benchreport" && go build -o "$work/benchreport" .)
(cd "$root" && go build -o "$work/rawcopy" ./e2e/rawcopy)
(cd "$root" && go build -o "$work/scrape" ./e2e/scrape)

bench_help
# up, scale and roll-out run alone on the cluster: no other server of ours
# shares the CPUs with the pods they start.
bench_up
up "bench-day2-$suffix" 3
bench_day2 "bench-day2-$suffix"
"$bin" down -q --purge --yes -n "bench-day2-$suffix" >/dev/null

up "bench-status-1-$suffix" 1
up "bench-status-5-$suffix" 5
bench_status "bench-status-1-$suffix" 1
bench_status "bench-status-5-$suffix" 5
bench_overlap "bench-status-5-$suffix"
bench_switchover "bench-status-5-$suffix"
bench_backup "bench-status-1-$suffix"
"$bin" down -q --purge --yes -n "bench-status-1-$suffix" >/dev/null
"$bin" down -q --purge --yes -n "bench-status-5-$suffix" >/dev/null

up "bench-semisync-off-$suffix" 3 --semi-sync off
up "bench-semisync-on-$suffix" 3 --semi-sync on
bench_semisync "bench-semisync-off-$suffix" "bench-semisync-on-$suffix"
"$bin" down -q --purge --yes -n "bench-semisync-off-$suffix" >/dev/null
"$bin" down -q --purge --yes -n "bench-semisync-on-$suffix" >/dev/null

up "bench-metrics-$suffix" 3 --metrics true --metrics-image "$exporter_image"
bench_exporter "bench-metrics-$suffix" 3

echo
report
