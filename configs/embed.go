// Package configs holds mysqlctl's embedded data and nothing else: the
// scripts its pods run, each flavour's cnf files, and the example config.
//
// The scripts are the pods' runtime: nothing of mysqlctl runs in the
// cluster between two commands, so what must hold while no command runs
// (which server may take writes, whom a replica follows, who may receive a
// backup) is decided here, by each pod, from the cluster's record and the
// servers themselves. The cluster package puts the scripts and cnf files in
// the ConfigMap that every pod mounts, next to the statement files the
// scripts run (rendered by the sql package: the scripts hold no SQL of
// their own), and the pod template carries a hash of that ConfigMap: any
// change of a script or a cnf file rolls every pod of every cluster at its
// next up. See scripts/lib.sh for the environment they expect.
package configs

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// files is read-only: embed.FS has no way to change it.
//
//go:embed scripts/*.sh cnf/*/*.cnf mysqlctl.example.yaml
var files embed.FS

// Script names the ConfigMap mounts; the StatefulSet runs them by these names.
const (
	ScriptInitConfig = "init-config.sh" // init container: server-id and role cnf
	ScriptClone      = "clone.sh"       // init container: clone an empty replica
	ScriptSidecar    = "sidecar.sh"     // sidecar: accounts, replication, clone donor
	ScriptProbe      = "probe.sh"       // probes: "live" or "ready"
	// ScriptBackupStream writes a hot backup to stdout: run by the
	// sidecar's listener for a new replica, and by mysqlctl backup.
	ScriptBackupStream = "backup-stream.sh"
	// ScriptRestore receives a backup on the primary of a new cluster.
	ScriptRestore = "restore.sh"
	// ScriptInitDBRootPassword sets root's password from the mounted
	// Secret while the server's image initialises a new datadir.
	ScriptInitDBRootPassword = "initdb-root-password.sh"
	// ScriptFence writes or removes a server's fence marker: run by
	// mysqlctl in the sidecar around a role change.
	ScriptFence = "fence.sh"
	// ScriptLib holds the helpers every script sources (and mysqlctl sql).
	ScriptLib = "lib.sh"
)

// cnfNames are the names of a flavour's cnf files (see ServerConfig).
func cnfNames() []string { return []string{"common.cnf", "primary.cnf", "replica.cnf"} }

// Scripts returns every pod script by file name (init-config.sh, clone.sh,
// sidecar.sh, probe.sh and the files they source or run, statements.sh's
// sql_fill among them).
func Scripts() (map[string]string, error) {
	entries, err := fs.ReadDir(files, "scripts")
	if err != nil {
		return nil, fmt.Errorf("read embedded scripts: %w", err)
	}
	out := make(map[string]string, len(entries))
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sh") {
			continue
		}
		b, err := files.ReadFile(path.Join("scripts", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read embedded script %s: %w", e.Name(), err)
		}
		out[e.Name()] = string(b)
	}
	return out, nil
}

// ServerConfig returns a flavour's cnf files by name: common.cnf (every
// server), primary.cnf (ordinal 0) and replica.cnf (every other ordinal).
func ServerConfig(flavor string) (map[string]string, error) {
	out := make(map[string]string, 3)
	for _, name := range cnfNames() {
		b, err := files.ReadFile(path.Join("cnf", flavor, name))
		if err != nil {
			return nil, fmt.Errorf("no %s for flavour %q: %w", name, flavor, err)
		}
		out[name] = string(b)
	}
	return out, nil
}

// ExampleConfig returns configs/mysqlctl.example.yaml: every key of a
// cluster spec file, documented.
func ExampleConfig() []byte {
	b, err := files.ReadFile("mysqlctl.example.yaml")
	if err != nil {
		panic("configs: mysqlctl.example.yaml is not embedded: " + err.Error()) // a build defect
	}
	return b
}
