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

# The metrics exporter. The default image is upstream's
# quay.io/prometheus/mysqld-exporter:v0.16.0 (manifest.DefaultMetricsImage),
# which no registry here can serve: the local image is upstream's own code at
# the same version, built from its Go module (the proxy serves modules) and
# packed the way its Dockerfile packs it (v0.16.0/Dockerfile: the static
# binary at /bin/mysqld_exporter, ENTRYPOINT it, EXPOSE 9104, USER nobody,
# 65534 in its busybox base). Change it with the default image.
MYSQLD_EXPORTER_VERSION=0.16.0

# build_exporter_image builds mysqld_exporter MYSQLD_EXPORTER_VERSION with
# CGO_ENABLED=0 in a throwaway module (`go install pkg@version` needs the
# proxy's version list, which is refused here) and packs it as
# localhost/mysqlctl-mysqld-exporter:VERSION into
# $CACHE_DIR/images/mysqld-exporter-<key>.tar, keyed by the version and how
# it is packed. Measured here (2 cores, 2026-12-07): 39 s cold (empty
# module and build caches; compiling is nearly all of it), 2.4 s with Go's
# caches warm; 5.6 MiB compressed.
build_exporter_image() {
	local v=$MYSQLD_EXPORTER_VERSION mod=github.com/prometheus/mysqld_exporter tag key out work
	local pack=(-entrypoint /bin/mysqld_exporter -expose 9104/tcp -user nobody
		-env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
	tag=localhost/mysqlctl-mysqld-exporter:$v
	key=$(hash_of <(printf '%s\n' "$v" "${pack[@]}"))
	out=$CACHE_DIR/images/mysqld-exporter-$key.tar
	if [ ! -f "$out" ]; then
		step "building the image $tag from $mod@v$v (~40 s cold); cached as $out"
		work=$(mktemp -d)
		mkdir -p "$work/mod" "$work/rootfs/bin" "$work/rootfs/etc"
		printf 'module exporterbuild\n' >"$work/mod/go.mod"
		printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$mod" >"$work/mod/tools.go"
		# Outside the repository, so no go.work applies; the module and
		# build caches are Go's own, as for every other binary here.
		(
			cd "$work/mod" || exit 1
			export GOWORK=off CGO_ENABLED=0
			go get "$mod@v$v" || exit 1
			# --version prints what upstream's release does: promu sets
			# the version and the tag's commit the same way.
			rev=$(go mod download -json "$mod@v$v" | sed -n 's/.*"Hash": *"\([0-9a-f]\{40\}\)".*/\1/p' | head -n1)
			go build -mod=mod -trimpath -ldflags "-s -w -X github.com/prometheus/common/version.Version=$v -X github.com/prometheus/common/version.Revision=$rev" \
				-o "$work/rootfs/bin/mysqld_exporter" "$mod"
		) >"$work/go.log" 2>&1 || {
			tail -n 30 "$work/go.log" >&2
			rm -rf "$work"
			die "building $mod@v$v failed (log above): is the Go module proxy reachable, and MYSQLD_EXPORTER_VERSION in $LOCALKUBE_SRC/lib/build.sh a released version?"
		}
		# USER nobody resolves through /etc/passwd, as in upstream's
		# busybox base; the pods set runAsUser themselves.
		printf 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$work/rootfs/etc/passwd"
		printf 'root:x:0:\nnobody:x:65534:\n' >"$work/rootfs/etc/group"
		chmod 0755 "$work/rootfs/bin/mysqld_exporter"
		tar -C "$work/rootfs" --owner=0 --group=0 --numeric-owner -cf "$work/rootfs.tar" bin etc
		"$(cat "$CACHE_DIR/bin/imagetool.path")" -rootfs "$work/rootfs.tar" -tag "$tag" "${pack[@]}" \
			-out "$out.tmp" || die "packing the image $tag failed"
		mv "$out.tmp" "$out"
		rm -rf "$work"
	fi
	printf '%s\n' "$out" >"$CACHE_DIR/images/mysqld-exporter.path"
	printf '%s\n' "$tag" >"$EXPORTER_TAG_FILE"
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
	build_exporter_image
}
