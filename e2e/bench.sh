#!/usr/bin/env bash
# make bench: figures, not pass/fail. On the cluster in KUBECONFIG (make
# bench starts the local one), brings up a 1-server and a 5-server MariaDB
# cluster in namespaces of its own, times `mysqlctl status` on each
# (BENCH_RUNS runs after one warm-up, median taken), and prints the ratio
# 5 pods / 1 pod (goal ≤ 1.3: the pods are read in parallel) and the CLI's
# peak memory on 5 pods; then moves the primary of the 5-server cluster back
# and forth BENCH_RUNS times with `mysqlctl switchover` and reports the
# write downtime it measured (median, min, max) and the command's wall time;
# then writes some 220 MB into the 1-server cluster and compares `mysqlctl
# backup` with a raw tar copy of the same datadir through the same API
# (e2e/rawcopy), BENCH_COPY_RUNS times each, alternating.
# Everything it created is deleted on exit.
#
# usage: e2e/bench.sh path/to/mysqlctl
# env:   KUBECONFIG, MYSQLCTL_E2E_MARIADB_IMAGE (the local cluster's image),
#        BENCH_RUNS (default 7)
set -euo pipefail

bin=$(realpath "${1:?usage: e2e/bench.sh path/to/mysqlctl}")
image=${MYSQLCTL_E2E_MARIADB_IMAGE:?set MYSQLCTL_E2E_MARIADB_IMAGE: eval "\$(make -s cluster-env)"}
runs=${BENCH_RUNS:-7}
suffix=$(date +%s)-$$
namespaces=("bench-status-1-$suffix" "bench-status-5-$suffix")
work=$(mktemp -d)

cleanup() {
	local ns
	for ns in "${namespaces[@]}"; do
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

# up NS REPLICAS: a MariaDB cluster, waited for until ready.
up() {
	echo "bench: mysqlctl up --replicas $2 -n $1" >&2
	"$bin" up -q --flavor mariadb --image "$image" --replicas "$2" -n "$1" --create-namespace >/dev/null
}

# time_status NS: one run of status; prints "milliseconds peak-RSS-KB".
time_status() {
	local start end rss=0
	start=$(date +%s%N)
	if [[ -x /usr/bin/time ]]; then
		/usr/bin/time -f '%M' -o "$work/rss" "$bin" status -n "$1" >"$work/out" 2>"$work/err"
		rss=$(tail -n1 "$work/rss")
	else
		"$bin" status -n "$1" >"$work/out" 2>"$work/err"
	fi
	end=$(date +%s%N)
	if grep -q unreachable "$work/out"; then
		echo "bench: status in $1 could not read every pod:" >&2
		cat "$work/out" "$work/err" >&2
		exit 1
	fi
	echo "$(((end - start) / 1000000)) $rss"
}

# measure NS: BENCH_RUNS timed runs after a warm-up; prints
# "median-ms max-rss-kb all-ms...".
measure() {
	local i times=() rss max=0 ms median
	time_status "$1" >/dev/null
	for ((i = 0; i < runs; i++)); do
		read -r ms rss < <(time_status "$1")
		times+=("$ms")
		((rss > max)) && max=$rss
	done
	median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	echo "$median $max ${times[*]}"
}

up "${namespaces[0]}" 1
up "${namespaces[1]}" 5
read -r ms1 rss1 all1 < <(measure "${namespaces[0]}")
read -r ms5 rss5 all5 < <(measure "${namespaces[1]}")

# overlap: -vv prints each pod's read time; their sum against the slowest
# says how much of the per-pod work ran at the same time (5.0 = all of it).
read -r reads_sum reads_max < <("$bin" status -n "${namespaces[1]}" -vv 2>&1 >/dev/null |
	sed -n 's/.*: read in \([0-9]*\)ms.*/\1/p' | awk '{s += $1; if ($1 > m) m = $1} END {print s + 0, m + 0}')
# switchover: the write downtime each one printed, in ms, and its wall time.
downs=() walls=()
for ((i = 0; i < runs; i++)); do
	to=mysql-$(((i + 1) % 2))
	start=$(date +%s%N)
	out=$("$bin" switchover -q --to "$to" -n "${namespaces[1]}")
	walls+=($((($(date +%s%N) - start) / 1000000)))
	downs+=("$(sed -n 's/^write downtime: //p' <<<"$out" | awk '/ms$/ {sub(/ms$/, ""); print int($0); next} /s$/ {sub(/s$/, ""); print int($0 * 1000)}')")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%s %s %s\n", a[int((NR+1)/2)], a[1], a[NR]}'; }
read -r down_med down_min down_max < <(stats "${downs[@]}")
read -r wall_med wall_min wall_max < <(stats "${walls[@]}")

# backup of ~220 MB against a raw copy of the datadir, alternating.
copy_runs=${BENCH_COPY_RUNS:-3}
echo "bench: writing ~220 MB into ${namespaces[0]}" >&2
"$bin" sql -n "${namespaces[0]}" -e "CREATE DATABASE big; CREATE TABLE big.blobs (id INT AUTO_INCREMENT PRIMARY KEY, b LONGBLOB)"
for ((i = 0; i < 8; i++)); do
	"$bin" sql -n "${namespaces[0]}" -e "INSERT INTO big.blobs (b) SELECT RANDOM_BYTES(1024) FROM big.seq_1_to_27000"
done
rawtool="$work/rawcopy"
(cd "$(dirname "$0")/.." && go build -o "$rawtool" ./e2e/rawcopy)
backup_rates=() raw_rates=()
for ((i = 0; i < copy_runs; i++)); do
	rm -f "$work/b" "$work/raw"
	start=$(date +%s%N)
	"$bin" backup -q --from mysql-0 -o "$work/b" -n "${namespaces[0]}" >/dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	bytes=$(stat -c %s "$work/b")
	backup_rates+=("$((bytes / 1000 / ms))")
	read -r rbytes rsecs < <(KUBECONFIG=$KUBECONFIG "$rawtool" -n "${namespaces[0]}" -pod mysql-0 -o "$work/raw")
	raw_rates+=("$(awk -v b="$rbytes" -v s="$rsecs" 'BEGIN {printf "%d", b / 1000000 / s}')")
	backup_mb=$((bytes / 1000000)) raw_mb=$((rbytes / 1000000))
done
read -r bk_med bk_min bk_max < <(stats "${backup_rates[@]}")
read -r raw_med raw_min raw_max < <(stats "${raw_rates[@]}")
copy_ratio=$(awk -v a="$bk_med" -v b="$raw_med" 'BEGIN {printf "%.2f", (b ? a / b : 0)}')

overlap=$(awk -v s="$reads_sum" -v m="$reads_max" 'BEGIN {printf "%.1f", (m ? s / m : 0)}')
ratio=$(awk -v a="$ms5" -v b="$ms1" 'BEGIN {printf "%.2f", a / b}')
goal="met"
awk -v r="$ratio" 'BEGIN {exit !(r > 1.3)}' && goal="NOT met"
cat <<EOF

mysqlctl status, wall time (median of $runs runs after one warm-up, process start included)
  1 pod:   ${ms1} ms   (runs: ${all1} ms)
  5 pods:  ${ms5} ms   (runs: ${all5} ms)
  ratio 5 pods / 1 pod: ${ratio}   (goal ≤ 1.3: ${goal})
  5 pods read in parallel: the reads took ${reads_sum} ms in all within ${reads_max} ms (overlap ${overlap} of 5)
switchover on 5 servers ($runs runs, mysql-0 and mysql-1 in turn)
  write downtime: median ${down_med} ms (min ${down_min}, max ${down_max}): from the fence to the write Service moved
  command wall time: median ${wall_med} ms (min ${wall_min}, max ${wall_max}): catch-up, repointing 4 servers included
backup of ${backup_mb} MB to this machine against a raw tar copy (${raw_mb} MB) of the same datadir, same API ($copy_runs runs each)
  mysqlctl backup: median ${bk_med} MB/s (min ${bk_min}, max ${bk_max})
  raw copy:        median ${raw_med} MB/s (min ${raw_min}, max ${raw_max})
  ratio backup / raw: ${copy_ratio}
peak memory of the CLI (max RSS)
  1 pod:   $((rss1 / 1024)) MiB
  5 pods:  $((rss5 / 1024)) MiB   (ratio $(awk -v a="$rss5" -v b="$rss1" 'BEGIN {printf "%.2f", (b ? a / b : 0)}'))
EOF
