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

# The database images come from Debian's packages (mmdebstrap), each with
# an entrypoint that honours the contract of the official image it stands
# in for (see images/*/docker-entrypoint.sh); a tag carries the packaged
# version. They build one after another, each only when its sources or
# version changed. Cold builds measured here (2 cores, the machine's
# mirror, 2026-12-07): MariaDB 10.11 (bookworm) 36 s, MariaDB 11.8 (trixie)
# 32 s, MySQL 9.7 (sid) 34 s; compressed 105, 109 and 150 MiB.

# Pinned versions of the images that are not the machine's own release. The
# mirror is a fixed snapshot; when it stops serving one of them, the build
# says which variable to change.
MYSQL_DEB_VERSION=9.7.4-2                   # sid: mysql-server-core, mysql-client-core
MARIADB11_DEB_VERSION=1:11.8.9+ds-0+deb13u1 # trixie: mariadb-server, -client, -backup

# build_mariadb_image: MariaDB as the machine's release (bookworm) has it.
build_mariadb_image() {
	local version sources
	version=$(apt-cache policy mariadb-server 2>/dev/null | sed -n 's/ *Candidate: //p')
	[ -n "$version" ] && [ "$version" != "(none)" ] ||
		die "apt has no mariadb-server candidate: run 'apt-get update' first"
	sources=$(apt_sources) || exit 1
	debian_image mariadb "$LOCALKUBE_SRC/images/mariadb" bookworm "$sources" "$version" \
		"localhost/mysqlctl-mariadb:$(echo "$version" | sed 's/^[0-9]*://; s/[^A-Za-z0-9_.-]/-/g')" mariadbd \
		mariadb-server,mariadb-client,mariadb-backup,socat,ncat,ca-certificates
	printf '%s\n' "$DB_IMAGE_TAG" >"$MARIADB_TAG_FILE"
}

# build_mariadb11_image: MariaDB 11.8 LTS from trixie, from the same image
# sources as 10.11 (the entrypoint runs both).
build_mariadb11_image() {
	local v=$MARIADB11_DEB_VERSION sources
	sources=$(debian_suite_source trixie) || exit 1
	debian_image mariadb11 "$LOCALKUBE_SRC/images/mariadb" trixie "$sources" "$v" \
		"localhost/mysqlctl-mariadb:$(upstream_version "$v")" mariadbd \
		"mariadb-server=$v,mariadb-client=$v,mariadb-backup=$v,socat,ncat,ca-certificates" MARIADB11_DEB_VERSION
	printf '%s\n' "$DB_IMAGE_TAG" >"$MARIADB11_TAG_FILE"
}

# build_mysql_image: Oracle MySQL 9.7 from sid (Debian has no 8.4). Besides
# the server and its client tools, the mysql flavour's pod scripts run bash,
# coreutils, sed, getent (libc-bin), setpriv (util-linux), gzip (all
# essential) and awk (mawk, not essential in sid); no socat or ncat: its
# clones go through the CLONE plugin.
build_mysql_image() {
	local v=$MYSQL_DEB_VERSION sources
	sources=$(debian_suite_source sid) || exit 1
	debian_image mysql "$LOCALKUBE_SRC/images/mysql" sid "$sources" "$v" \
		"localhost/mysqlctl-mysql:$(upstream_version "$v")" mysqld \
		"mysql-server-core=$v,mysql-client-core=$v,mawk,ca-certificates" MYSQL_DEB_VERSION
	printf '%s\n' "$DB_IMAGE_TAG" >"$MYSQL_TAG_FILE"
}

# upstream_version 1:11.8.9+ds-0+deb13u1 prints 11.8.9: no epoch, no
# Debian revision or repack suffix.
upstream_version() { echo "$1" | sed 's/^[0-9]*://; s/[+~-].*//'; }

# debian_image NAME SRC SUITE SOURCES VERSION TAG CMD PACKAGES [PIN] builds
# the image TAG from Debian's SUITE into $CACHE_DIR/images/NAME-<key>.tar,
# keyed by SRC's files and VERSION, unless it is there already; records its
# path in NAME.path and sets DB_IMAGE_TAG. PACKAGES (comma-separated,
# name=version pins one) come from SOURCES (a sources file or line) and are
# installed with SRC's hooks, without docs, man pages and locales. The
# entrypoint is SRC's docker-entrypoint.sh, running CMD. A pinned version
# the mirror lacks stops the build naming PIN, the variable to change.
debian_image() {
	local name=$1 src=$2 suite=$3 sources=$4 version=$5 tag=$6 cmd=$7 packages=$8 pin=${9:-} key out work missing
	key=$(hash_of "$src"/* <(echo "$version"))
	out=$CACHE_DIR/images/$name-$key.tar
	DB_IMAGE_TAG=$tag
	if [ ! -f "$out" ]; then
		step "building the image $tag from Debian $suite's packages (~35 s); cached as $out"
		work=$(mktemp -d)
		# The mirror is a fixed snapshot: sid's Release file is past its
		# Valid-Until. /run keeps the socket directory the hooks make.
		mmdebstrap --variant=essential --mode=root --format=tar --skip=cleanup/run \
			--aptopt='Acquire::Check-Valid-Until "false"' --include="$packages" \
			--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
			--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
			--essential-hook="$src/essential-hook.sh \"\$1\"" \
			--customize-hook="$src/customize-hook.sh \"\$1\" $src" \
			"$suite" "$work/rootfs.tar" "$sources" >"$work/mmdebstrap.log" 2>&1 || {
			missing=$(sed -n "s/.*Version '\([^']*\)' for '\([^']*\)' was not found.*/\2 \1/p" "$work/mmdebstrap.log" | head -n1)
			[ -n "$missing" ] || tail -n 30 "$work/mmdebstrap.log" >&2
			rm -rf "$work"
			[ -z "$missing" ] || die "the Debian mirror has no $missing in $suite: set $pin in $LOCALKUBE_SRC/lib/build.sh to a version its $suite serves"
			die "building the root filesystem of $tag failed (log above)"
		}
		"$(cat "$CACHE_DIR/bin/imagetool.path")" -rootfs "$work/rootfs.tar" -tag "$tag" \
			-entrypoint docker-entrypoint.sh -cmd "$cmd" -expose 3306/tcp \
			-env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			-out "$out.tmp" || die "packing the image $tag failed"
		mv "$out.tmp" "$out"
		rm -rf "$work"
	fi
	printf '%s\n' "$out" >"$CACHE_DIR/images/$name.path"
}

# debian_suite_source SUITE prints a sources line for SUITE's main component
# on the machine's own Debian mirror.
debian_suite_source() {
	local file uri
	file=$(apt_sources) || exit 1
	uri=$(sed -n 's/^URIs: *//p; s/^deb  *\(\[[^]]*\]  *\)\{0,1\}\([^ ]*\) .*/\2/p' "$file" |
		tr ' ' '\n' | grep -v -e '-security' -e '^$' | head -n1)
	[ -n "$uri" ] || die "no Debian mirror in $file: the database images need one"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' "$uri" "$1"
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
	die "no Debian apt sources found in /etc/apt: mmdebstrap needs a mirror to build the database images"
}

build_all() {
	command -v go >/dev/null || die "go is not on PATH: install Go 1.25+ (or export PATH=\$PATH:/usr/local/go/bin)"
	mkdir -p "$CACHE_DIR/images"
	build_binaries
	build_pause_image
	build_mariadb_image
	build_mariadb11_image
	build_mysql_image
}
