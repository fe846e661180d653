# shellcheck shell=bash
# Builds what the local cluster runs, once: every artifact lands in CACHE_DIR
# under a name keyed by the versions and sources it came from, so a second
# `make cluster` builds nothing and a source change rebuilds only its piece.

ldflags_version() {
	local p flags=""
	for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		flags+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=34"
		flags+=" -X $p.gitTreeState=clean -X $p.gitCommit=0000000000000000000000000000000000000000"
		flags+=" -X $p.buildDate=1970-01-01T00:00:00Z"
	done
	printf '%s' "$flags"
}

# go_binary MODULE_DIR NAME [PACKAGE] builds a Go binary from one of our
# component modules into the cache unless the same sources were built before.
go_binary() {
	local dir=$1 name=$2 pkg=${3:-.} key out
	key=$(cd "$dir" && hash_of go.mod go.sum ./*.go "$pkg"/*.go <(go version))
	out=$CACHE_DIR/bin/$name-$key
	if [ ! -x "$out" ]; then
		step "building $name${BUILD_HINT:+ ($BUILD_HINT)}; cached as $out"
		mkdir -p "$CACHE_DIR/bin"
		(cd "$dir" && CGO_ENABLED=${CGO_ENABLED:-1} go build -trimpath -ldflags "-s -w$(ldflags_version)" -o "$out.tmp" "$pkg") ||
			die "building $name failed: see the compiler output above"
		mv "$out.tmp" "$out"
	fi
	printf '%s\n' "$out"
}

build_binaries() {
	mkdir -p "$CACHE_DIR/bin"
	BUILD_HINT="a cold build takes ~10 min on 2 cores" go_binary "$LOCALKUBE_SRC" localkube >"$CACHE_DIR/bin/localkube.path"
	go_binary "$LOCALKUBE_SRC/coredns" coredns >"$CACHE_DIR/bin/coredns.path"
	go_binary "$LOCALKUBE_SRC/imagetool" imagetool >"$CACHE_DIR/bin/imagetool.path"
	# The pause binary runs alone in an empty image: it must be static.
	CGO_ENABLED=0 go_binary "$LOCALKUBE_SRC/imagetool" pause ./pause >"$CACHE_DIR/bin/pause.path"
}

# build_pause_image packs the pause binary as the sandbox image of every pod.
build_pause_image() {
	local bin key out work
	bin=$(cat "$CACHE_DIR/bin/pause.path")
	key=$(hash_of "$bin")
	out=$CACHE_DIR/images/pause-$key.tar
	if [ ! -f "$out" ]; then
		step "building the pause image"
		work=$(mktemp -d)
		install -m 0755 "$bin" "$work/pause"
		tar -C "$work" -cf "$work/rootfs.tar" pause
		"$(cat "$CACHE_DIR/bin/imagetool.path")" -rootfs "$work/rootfs.tar" -tag "$PAUSE_IMAGE" \
			-entrypoint /pause -out "$out.tmp" || die "packing the pause image failed"
		mv "$out.tmp" "$out"
		rm -rf "$work"
	fi
	printf '%s\n' "$out" >"$CACHE_DIR/images/pause.path"
}

# build_mariadb_image makes a MariaDB image from Debian's packages with an
# entrypoint that honours the official image's contract (see
# images/mariadb/docker-entrypoint.sh). Its tag carries the package version.
build_mariadb_image() {
	local src=$LOCALKUBE_SRC/images/mariadb version key out tag work
	version=$(apt-cache policy mariadb-server 2>/dev/null | sed -n 's/ *Candidate: //p')
	[ -n "$version" ] && [ "$version" != "(none)" ] ||
		die "apt has no mariadb-server candidate: run 'apt-get update' first"
	key=$(hash_of "$src"/* <(echo "$version"))
	tag=localhost/mysqlctl-mariadb:$(echo "$version" | sed 's/^[0-9]*://; s/[^A-Za-z0-9_.-]/-/g')
	out=$CACHE_DIR/images/mariadb-$key.tar
	if [ ! -f "$out" ]; then
		step "building the MariaDB image $tag from Debian packages (~1 min)"
		work=$(mktemp -d)
		mmdebstrap --quiet --variant=essential --mode=root --format=tar \
			--include=mariadb-server,mariadb-client,mariadb-backup,socat,ncat,ca-certificates \
			--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
			--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
			--essential-hook="$src/essential-hook.sh \"\$1\"" \
			--customize-hook="$src/customize-hook.sh \"\$1\" $src" \
			bookworm "$work/rootfs.tar" "$(apt_sources)" >"$work/mmdebstrap.log" 2>&1 ||
			{ tail -n 30 "$work/mmdebstrap.log" >&2; die "building the MariaDB root filesystem failed (log above)"; }
		"$(cat "$CACHE_DIR/bin/imagetool.path")" -rootfs "$work/rootfs.tar" -tag "$tag" \
			-entrypoint docker-entrypoint.sh -cmd mariadbd -expose 3306/tcp \
			-env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			-out "$out.tmp" || die "packing the MariaDB image failed"
		mv "$out.tmp" "$out"
		rm -rf "$work"
	fi
	printf '%s\n' "$out" >"$CACHE_DIR/images/mariadb.path"
	printf '%s\n' "$tag" >"$MARIADB_TAG_FILE"
}

# apt_sources is the machine's own Debian mirror list: the image comes from
# the same mirror the machine installs from, the only one reachable here.
apt_sources() {
	local f
	for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
		if [ -s "$f" ] && grep -q '^[^#]' "$f"; then
			printf '%s\n' "$f"
			return 0
		fi
	done
	die "no Debian apt sources found in /etc/apt: mmdebstrap needs a mirror to build the MariaDB image"
}

build_all() {
	command -v go >/dev/null || die "go is not on PATH: install Go 1.25+ (or export PATH=\$PATH:/usr/local/go/bin)"
	mkdir -p "$CACHE_DIR/images"
	build_binaries
	build_pause_image
	build_mariadb_image
}
