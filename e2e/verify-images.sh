#!/usr/bin/env bash
# verify-images.sh (make verify-images): pulls every flavour's default images
# and checks inside them what the unit contract test can only take on trust:
#   - the manifest is no Docker schema 1 (containerd 2.1 cannot read those) and
#     lists every platform configs/images/*.txt claims;
#   - the image runs as the uid its file says (`id -u`, no --user: the pod
#     sets none unless the StatefulSet says so);
#   - every program the pod scripts need in it (TestImageContracts derives the
#     list from the scripts and writes it with -contract-out) and every program
#     its file lists is on PATH (`command -v`; `--version` is shown, not judged);
#   - every path its file lists exists.
# It prints one table and exits 0 when every check passed, 1 when one failed,
# 2 when nothing could be pulled. It never runs in `make test`.
#
# Why docker: it is the container CLI most machines and CI runners have, and it
# both pulls and runs a command inside an image under the image's own user and
# PATH. crane pulls without a daemon but cannot run `command -v` inside; ctr
# needs root and a containerd socket. DOCKER=podman works the same way.
#
# Environment: DOCKER (default docker), GO (default go), PULL_TIMEOUT (seconds
# per pull, default 600), REGISTRY_PROBE (default https://registry-1.docker.io/v2/,
# where the default images live), PLATFORM (e.g. linux/amd64 to pull that one
# on another host, under emulation).
set -euo pipefail

DOCKER=${DOCKER:-docker}
GO=${GO:-go}
PULL_TIMEOUT=${PULL_TIMEOUT:-600}
REGISTRY_PROBE=${REGISTRY_PROBE:-https://registry-1.docker.io/v2/}
PLATFORM=${PLATFORM:-}

cd "$(dirname "${BASH_SOURCE[0]}")/.."

cannot_pull() {
    printf 'cannot pull: %s\n' "$*" >&2
    exit 2
}

# preflight fails within seconds, before anything waits on the network.
preflight() {
    local err
    command -v "$DOCKER" >/dev/null ||
        cannot_pull "$DOCKER is not installed (install Docker, or set DOCKER=podman)"
    command -v curl >/dev/null || cannot_pull "curl is not installed (it probes the registry first)"
    if ! err=$(curl -sS -o /dev/null --max-time 10 "$REGISTRY_PROBE" 2>&1); then
        cannot_pull "no registry reachable ($REGISTRY_PROBE did not answer within 10s: ${err:-no answer})"
    fi
    timeout 20 "$DOCKER" info >/dev/null 2>&1 ||
        cannot_pull "the $DOCKER daemon does not answer ($DOCKER info failed or took over 20s)"
}

# derive writes what TestImageContracts derives from the scripts: lines of
# "flavour/container image contract-file requirement" (tab-separated).
derive() {
    local out=$1 log
    if ! log=$("$GO" test -count=1 -run '^TestImageContracts$' ./configs/ -args -contract-out="$out" 2>&1); then
        printf '%s\n' "$log" >&2
        printf 'Error: the unit contract (go test ./configs -run TestImageContracts) fails: fix it first\n' >&2
        exit 1
    fi
}

# The probe runs inside an image with /bin/sh only, so it is POSIX: for each
# program "program NAME PATH|- FIRST-VERSION-LINE", after "--" for each path
# "path PATH yes|no", then "uid N".
# shellcheck disable=SC2016 # expanded inside the container
PROBE='nl="
"
mode=program
to=""
if command -v timeout >/dev/null 2>&1; then to="timeout 10"; fi
for a in "$@"; do
    if [ "$a" = "--" ]; then mode=path; continue; fi
    if [ "$mode" = path ]; then
        if [ -e "$a" ]; then r=yes; else r=no; fi
        printf "path\t%s\t%s\n" "$a" "$r"
        continue
    fi
    if p=$(command -v "$a" 2>/dev/null); then
        case $a in socat) flag=-V ;; *) flag=--version ;; esac
        v=$($to "$a" $flag </dev/null 2>&1) || true
        v=${v#"$nl"}
        printf "program\t%s\t%s\t%s\n" "$a" "$p" "${v%%"$nl"*}"
    else
        printf "program\t%s\t-\t-\n" "$a"
    fi
done
printf "uid\t%s\n" "$(id -u 2>/dev/null)"'

ROWS="" FAILED=0 UNKNOWN=0 TMP=""

# row IMAGE CHECK NEEDED-BY RESULT DETAIL adds a table row.
row() {
    ROWS+="$1"$'\t'"$2"$'\t'"${3:--}"$'\t'"$4"$'\t'"${5:--}"$'\n'
    case $4 in
    FAIL) FAILED=$((FAILED + 1)) ;;
    unknown) UNKNOWN=$((UNKNOWN + 1)) ;;
    esac
}

# facts FILE KIND prints the values of a contract file's lines of one kind.
facts() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# check_manifest IMAGE FILE: no schema 1, and every claimed platform listed.
check_manifest() {
    local image=$1 file=$2 json media arches platform
    if ! json=$(timeout 60 "$DOCKER" manifest inspect "$image" 2>&1); then
        row "$image" manifest "" unknown "$DOCKER manifest inspect failed: ${json%%$'\n'*}"
        while read -r platform; do
            row "$image" "platform $platform" "" unknown "manifest not readable"
        done < <(facts "$file" platform)
        return
    fi
    media=$(grep -o '"mediaType": *"[^"]*"' <<<"$json" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/' || true)
    case $media in
    *manifest.v1*) row "$image" manifest "" FAIL "schema 1 ($media): containerd 2.1 cannot pull it" ;;
    "") row "$image" manifest "" ok "schemaVersion 2 (no mediaType field)" ;;
    *) row "$image" manifest "" ok "$media" ;;
    esac
    arches=$(grep -o '"architecture": *"[^"]*"' <<<"$json" | sed 's/.*"\([^"]*\)"$/\1/' | tr '\n' ' ' || true)
    arches=" $arches"
    while read -r platform; do
        if [[ -z "${arches// /}" ]]; then
            row "$image" "platform $platform" "" unknown "single-platform manifest: see the pulled image's platform"
        elif [[ "$arches" == *" ${platform#*/} "* ]]; then
            row "$image" "platform $platform" "" ok "listed in the manifest"
        else
            row "$image" "platform $platform" "" FAIL "manifest lists only:${arches% }"
        fi
    done < <(facts "$file" platform)
}

# check_image IMAGE FILE REQUIREMENTS: pull, then run the probe and judge.
# shellcheck disable=SC2034 # found is read by judge through a nameref
check_image() {
    local image=$1 file=$2 reqs=$3 out programs=() paths=() got user line kind name path version
    check_manifest "$image" "$file"
    if ! out=$(timeout "$PULL_TIMEOUT" "$DOCKER" pull ${PLATFORM:+--platform "$PLATFORM"} "$image" 2>&1); then
        row "$image" pull "" FAIL "${out##*$'\n'}"
        return
    fi
    row "$image" pull "" ok "$("$DOCKER" image inspect -f '{{.Os}}/{{.Architecture}}' "$image" 2>/dev/null || echo pulled)"
    mapfile -t programs < <({ facts "$file" program; cut -f2 <<<"$reqs" | tr '|+' '\n' | grep -v -e '^uid=' -e '^-$'; } | sort -u)
    mapfile -t paths < <(facts "$file" path)
    if ! out=$(timeout 120 "$DOCKER" run --rm --pull=never ${PLATFORM:+--platform "$PLATFORM"} --entrypoint /bin/sh \
        "$image" -c "$PROBE" sh "${programs[@]}" -- "${paths[@]}" 2>&1); then
        row "$image" "run /bin/sh" "" FAIL "${out##*$'\n'}"
        return
    fi
    declare -A found=()
    while IFS=$'\t' read -r kind name path version; do
        case $kind in
        program) [[ $path == - ]] || found[$name]="$path: ${version:0:60}" ;;
        path)
            if [[ $path == yes ]]; then
                row "$image" "path $name" "" ok exists
            else
                row "$image" "path $name" "" FAIL missing
            fi
            ;;
        uid) got=$name ;;
        esac
    done <<<"$out"
    user=$(facts "$file" user)
    if [[ -z "${got:-}" ]]; then
        row "$image" user "" unknown "id -u printed nothing"
    elif [[ "$got" == "${user:-0}" ]]; then
        row "$image" user "" ok "uid $got, as $file says"
    else
        row "$image" user "" FAIL "uid $got, $file says ${user:-nothing}"
    fi
    while IFS=$'\t' read -r line containers; do
        judge "$image" "$line" "$containers" found
    done < <(needed_by "$file" "$reqs")
}

# needed_by FILE REQUIREMENTS prints "requirement<TAB>containers" for every
# requirement of the scripts and every program the file lists.
needed_by() {
    { cut -f1,2 <<<"$2" | awk -F'\t' '{ print $2 "\t" $1 }'; facts "$1" program | awk '{ print $1 "\t-" }'; } |
        grep -v '^uid=' |
        awk -F'\t' '{ if (!($1 in c)) { c[$1] = ""; order[++n] = $1 }
            if ($2 != "-" && index(" " c[$1] " ", " " $2 " ") == 0) c[$1] = c[$1] (c[$1] == "" ? "" : " ") $2 }
            END { for (i = 1; i <= n; i++) print order[i] "\t" (c[order[i]] == "" ? "-" : c[order[i]]) }'
}

# judge IMAGE REQUIREMENT CONTAINERS FOUND-ARRAY: one alternative of
# "a+b|c" must be found completely.
judge() {
    local image=$1 req=$2 containers=$3 alt program ok detail="" alts=() programs=()
    local -n have=$4
    IFS='|' read -r -a alts <<<"$req"
    for alt in "${alts[@]}"; do
        ok=yes
        IFS='+' read -r -a programs <<<"$alt"
        for program in "${programs[@]}"; do
            [[ -n "${have[$program]:-}" ]] || ok=no
        done
        if [[ $ok == yes ]]; then
            for program in "${programs[@]}"; do
                detail+="${detail:+; }${have[$program]}"
            done
            row "$image" "$req" "$containers" ok "${detail:-nothing needed}"
            return
        fi
    done
    row "$image" "$req" "$containers" FAIL "not on PATH"
}

print_table() {
    { printf 'IMAGE\tCHECK\tNEEDED BY\tRESULT\tDETAIL\n'; printf '%s' "$ROWS"; } |
        awk -F'\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
            END { for (r = 1; r <= n; r++) { line = ""
                for (i = 1; i <= 5; i++) line = line sprintf(i < 5 ? "%-" w[i] + 2 "s" : "%s", cell[r, i])
                print line } }'
}

main() {
    local table image file
    preflight
    TMP=$(mktemp -d)
    trap 'rm -rf "$TMP"' EXIT
    derive "$TMP/contract.tsv"
    while IFS=$'\t' read -r image file; do
        check_image "$image" "$file" "$(awk -F'\t' -v i="$image" '$2 == i { print $1 "\t" $4 }' "$TMP/contract.tsv")"
    done < <(cut -f2,3 "$TMP/contract.tsv" | sort -u)
    table=$(print_table)
    printf '%s\n' "$table"
    printf '\n%d checks failed, %d could not be made.\n' "$FAILED" "$UNKNOWN"
    ((FAILED == 0))
}

main "$@"
