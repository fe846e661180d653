# mysqlctl's make targets. Other tools call these names: keep them.
#   make test        everything: unit, real-MariaDB integration, e2e on a local cluster
#   make test-unit   fast loop, no cluster
#   make cluster / cluster-down / -s cluster-env   the local Kubernetes
#   make demo        local cluster if none is configured, then mysqlctl up and status
#                    (FLAVOR=mysql, the default, or FLAVOR=mariadb on the local cluster)
#   make bench       figures, not pass/fail
#   make chaos       seeded random faults against one-writable-server, many seeds
#   make docs        completion scripts and man pages in docs/generated/

SHELL := /bin/bash
GO ?= go
export PATH := $(PATH):/usr/local/go/bin
BIN := bin/mysqlctl
LOCALKUBE := e2e/localkube
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/mysqlctl/mysqlctl/cmd.version=$(VERSION)
E2E_TIMEOUT ?= 40m

.PHONY: build deps test test-unit test-e2e lint cluster cluster-down cluster-env demo bench chaos clean verify-images docs

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

# deps installs the Debian packages the cluster and the tests need, when
# missing (as root: a fresh machine needs nothing but the two README commands).
deps:
	@$(LOCALKUBE)/install-deps.sh

test: deps lint test-unit
	$(LOCALKUBE)/with-cluster.sh $(MAKE) --no-print-directory test-e2e

# test-unit never touches a cluster, even when one is configured in the
# environment: the e2e package is left to test-e2e. The bench's report
# (e2e/benchreport, a module of its own for its plotting library) is plain
# Go and tested here.
test-unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /e2e)
	$(GO) -C e2e/benchreport test -count=1 ./...

# test-e2e runs the end-to-end suite against the cluster in the environment
# (make test provides one); it builds the binary the tests drive. First the
# sql package's tests on real MySQL servers: they run mysqld from the MySQL
# image's archive (MYSQLCTL_MYSQL_IMAGE_TAR), which exists only once the
# cluster's images are built, after test-unit on a fresh machine.
test-e2e: build
	@test -n "$$MYSQLCTL_E2E_MARIADB_IMAGE" || { echo 'Error: no cluster configured: run eval "$$(make -s cluster-env)" first, or make test'; exit 1; }
	$(GO) test -count=1 -run 'TestMySQL' ./sql/
	MYSQLCTL_E2E_BINARY=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout $(E2E_TIMEOUT) -v ./e2e/

lint:
	@bad=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$bad" || { echo "gofmt needed: $$bad"; exit 1; }
	$(GO) vet ./...
	$(GO) -C e2e/benchreport vet ./...
	shellcheck -x -P SCRIPTDIR $(LOCALKUBE)/cluster.sh $(LOCALKUBE)/with-cluster.sh $(LOCALKUBE)/install-deps.sh .ci/run .ci/*.sh $(LOCALKUBE)/images/mariadb/*.sh $(LOCALKUBE)/images/mysql/*.sh configs/scripts/*.sh e2e/*.sh
	.ci/markdown-lint.sh README.md docs/*.md

cluster: deps
	@$(LOCALKUBE)/cluster.sh up

cluster-down:
	@$(LOCALKUBE)/cluster.sh down

cluster-env:
	@$(LOCALKUBE)/cluster.sh env

demo: deps build
	@e2e/demo.sh $(BIN)

# bench times mysqlctl on the local cluster (e2e/bench.sh; some 20 minutes
# on 2 cores) and prints each figure's median, min and max against its goal;
# it writes them to bench.json and charts up against the number of servers
# in bench-up.png, in the repository's root or in $BENCH_OUT. BENCH_RUNS,
# BENCH_UP_RUNS, BENCH_SCALE_RUNS, BENCH_HELP_RUNS and BENCH_COPY_RUNS set
# the runs per figure.
bench: deps build
	@$(LOCALKUBE)/with-cluster.sh e2e/bench.sh $(BIN)

# chaos runs e2e's TestChaos on the local cluster: CHAOS_SEEDS seeds (from
# CHAOS_SEED, else one drawn and printed) of CHAOS_STEPS random faults each
# (server kills, pod deletions, sidecar restarts, failing probes,
# switchover, promote, interrupted switchovers, a deleted record, concurrent
# role commands), checking that no two servers are ever writable and that
# every acknowledged row survives. make test runs one short seed of it.
CHAOS_SEEDS ?= 20
CHAOS_STEPS ?= 8
chaos: deps build
	@$(LOCALKUBE)/with-cluster.sh env MYSQLCTL_E2E_BINARY=$(CURDIR)/$(BIN) MYSQLCTL_CHAOS_SEEDS=$(CHAOS_SEEDS) \
		MYSQLCTL_CHAOS_STEPS=$(CHAOS_STEPS) MYSQLCTL_CHAOS_SEED=$(CHAOS_SEED) \
		$(GO) test -count=1 -timeout 24h -v -run 'TestChaos$$' ./e2e/

# docs writes the shell completion scripts and man pages that cobra
# generates from the command tree (cmd/gendocs) into docs/generated/, which
# is not committed. Dated by the last commit, so a commit's pages are
# the same wherever they are built.
DOCS := docs/generated
docs:
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct 2>/dev/null) $(GO) run -ldflags "$(LDFLAGS)" ./cmd/gendocs $(DOCS)
	@echo "completion scripts in $(DOCS)/completion, man pages in $(DOCS)/man (man -l $(DOCS)/man/mysqlctl.1)"

clean:
	rm -rf bin $(DOCS)

# verify-images pulls every flavour's default images and checks inside them
# what configs/images and the pod scripts need (docs/images.md). It needs
# docker and a reachable registry, so it is not part of make test.
verify-images:
	@GO=$(GO) e2e/verify-images.sh
