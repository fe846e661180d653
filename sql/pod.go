package sql

import (
	"fmt"
	"strings"
)

// The statement files PodStatements renders, by the names the pod scripts
// read them under (in the ConfigMap, next to the scripts).
const (
	// FileAccounts creates the admin and replication accounts (primary, once).
	FileAccounts = "stmt-accounts.sql"
	// FileRootHosts lists root's hosts, and FileRestrictRoot is run for each
	// of them (MariaDB only: it has no super_read_only).
	FileRootHosts    = "stmt-root-hosts.sql"
	FileRestrictRoot = "stmt-restrict-root.sql"
	// FileChangeSource forgets any old source and points a replica at the
	// primary; FileStartReplica starts replicating.
	FileChangeSource = "stmt-change-source.sql"
	// FileChangeSourceHere repoints a replica or a former primary from
	// where it stands when the script runs (ByOwnGTID; GTID flavours only).
	FileChangeSourceHere = "stmt-change-source-here.sql"
	FileStartReplica     = "stmt-start-replica.sql"
	// FileStartIOThread restarts a receiver that stopped on a connection
	// error (the sidecar's watch; see configs/scripts/replication.sh).
	FileStartIOThread = "stmt-start-io-thread.sql"
	// FileStopReplica stops both threads before a replica that follows the
	// wrong source reads where its applier stands, to be repointed from there.
	FileStopReplica = "stmt-stop-replica.sql"
	// FileReplicaStatus and FileReadOnly only read: the probes and the donor
	// choice ask them.
	FileReplicaStatus = "stmt-replica-status.sql"
	FileReadOnly      = "stmt-read-only.sql"
	// The sidecar decides a server's role at each of its starts:
	// FileServerStart says when it started, FileServerRole asks each peer
	// whether it is writable, FileMakeWritable makes the recorded primary
	// writable, and FileExecutedGTID is where a former primary rejoins
	// (none on MySQL 5.7, positioned by file and position).
	FileServerStart  = "stmt-server-start.sql"
	FileServerRole   = "stmt-server-role.sql"
	FileMakeWritable = "stmt-make-writable.sql"
	// FileSemiSyncSourceOn makes the primary wait for a replica's
	// acknowledgement of each commit; the sidecar runs it before
	// FileMakeWritable on a server started with semi-sync asked for.
	// Absent where mysqlctl does not offer semi-sync.
	FileSemiSyncSourceOn = "stmt-semisync-source-on.sql"
	FileExecutedGTID     = "stmt-executed-gtid.sql"
	// FileErrantGTID selects what a server holds (its FileOwnGTID, read
	// first) that a new source lacks (by GTID; not MySQL 5.7): such a
	// server never follows that source, and a new pod does not clone it.
	FileErrantGTID = "stmt-errant-gtid.sql"
	FileOwnGTID    = "stmt-own-gtid.sql"
	// A primary restored from a backup (mysqlctl up --from-backup) runs
	// FileResetPasswords and, on MariaDB, FileRestoreGTID on a temporary
	// server once (configs/scripts/restore.sh).
	FileResetPasswords = "stmt-reset-passwords.sql"
	// FileInitRootPassword sets root's password while the image
	// initialises a new primary (configs/scripts/initdb-root-password.sh),
	// and FileRootPassword on every root account once it runs (the
	// sidecar's first setup): see InitRootPassword.
	FileInitRootPassword = "stmt-init-root-password.sql"
	FileRootPassword     = "stmt-root-password.sql"
	FileRestoreGTID      = "stmt-restore-gtid.sql"
	// FileRestoreForgetSource makes a restored MySQL server replicate from
	// nobody: a CLONE LOCAL copy of a replica carries its source.
	FileRestoreForgetSource = "stmt-restore-forget-source.sql"
	// FileClone pulls a peer's data with the CLONE plugin (MySQL 8 only);
	// FileCloneLocal and FileCloneStatus copy the server's own data and
	// read that copy's position, for a backup (backup-stream.sh).
	FileClone       = "stmt-clone.sql"
	FileCloneLocal  = "stmt-clone-local.sql"
	FileCloneStatus = "stmt-clone-status.sql"
)

// PodStatements renders every statement the pod scripts run on a server of
// flavour and version ("8.4", "8.0.36", "10.11", "5.7"; a series without a
// patch release means its first release), by file name. Each file holds one
// or more statements, each ending in ";\n", with named placeholders: {{name}}
// for a string literal, {{name:int}} for an unsigned integer, filled in the
// pod by sql_fill (configs/scripts/statements.sh). A file whose statements
// do not apply to the flavour is left out. MySQL 5.7 replicas are positioned
// by binary log file and position (its cnf leaves gtid_mode OFF, as in the
// Kubernetes tutorial), every other flavour's by GTID.
func PodStatements(flavour Flavour, version string) (map[string]string, error) {
	a, err := podAdapter(flavour, version)
	if err != nil {
		return nil, err
	}
	by := ByGTID
	if flavour == MySQL57 {
		by = ByFilePosition
	}
	change, err := a.ChangeSource(by)
	if err != nil {
		return nil, err
	}
	files := map[string]string{
		FileAccounts:         script(a.CreateAccounts()...),
		FileChangeSource:     script(append([]Statement{a.StopReplica(), a.ResetReplica()}, change...)...),
		FileStartReplica:     script(a.StartReplica()),
		FileStartIOThread:    script(a.StartIOThread()),
		FileStopReplica:      script(a.StopReplica()),
		FileReplicaStatus:    script(Statement{SQL: a.ReplicaStatusQuery()}),
		FileReadOnly:         script(Statement{SQL: a.ReadOnlyQuery()}),
		FileServerStart:      script(Statement{SQL: a.ServerStartQuery()}),
		FileServerRole:       script(Statement{SQL: a.ServerRoleQuery()}),
		FileMakeWritable:     script(a.MakeWritable()...),
		FileResetPasswords:   script(a.ResetPasswords()...),
		FileRootPassword:     script(rootPassword()...),
		FileInitRootPassword: script(a.InitRootPassword()...),
	}
	if restore := a.RestoreGTID(); restore != nil {
		files[FileRestoreGTID] = script(restore...)
	}
	if a.CloneLocal() != nil {
		files[FileRestoreForgetSource] = script(a.StopReplica(), a.ResetReplica())
	}
	if on := SemiSyncSource(a, true); on != nil {
		files[FileSemiSyncSourceOn] = script(on...)
	}
	if by == ByGTID {
		here, err := a.ChangeSource(ByOwnGTID)
		if err != nil {
			return nil, err
		}
		files[FileChangeSourceHere] = script(append([]Statement{a.StopReplica(), a.ResetReplica()}, here...)...)
		files[FileExecutedGTID] = script(Statement{SQL: a.ExecutedGTIDQuery()})
		if q := a.ErrantGTIDQuery(); q != "" {
			files[FileErrantGTID] = script(Statement{SQL: q})
			files[FileOwnGTID] = script(Statement{SQL: a.OwnGTIDQuery()})
		}
	}
	if q := a.RootHostsQuery(); q != "" {
		files[FileRootHosts] = script(Statement{SQL: q})
		files[FileRestrictRoot] = script(a.RestrictRoot()...)
	}
	if clone := a.CloneInstance(); clone != nil {
		files[FileClone] = script(clone...)
		files[FileCloneLocal] = script(a.CloneLocal()...)
		files[FileCloneStatus] = script(Statement{SQL: a.CloneStatusQuery()})
	}
	return files, nil
}

// podAdapter is the adapter of flavour and version. It refuses a version
// of another flavour, a MariaDB before 10.11 (there SUPER still implies
// READ_ONLY ADMIN, so RestrictRoot would not stop root's writes, see
// https://mariadb.com/kb/en/grant/#read_only-admin) and a MySQL 8 without
// the CLONE plugin.
func podAdapter(flavour Flavour, version string) (Adapter, error) {
	comment := ""
	if flavour == MariaDB {
		comment = "MariaDB"
	}
	detected, v, err := DetectFlavour(version, comment)
	if err != nil {
		return nil, fmt.Errorf("pod statements: %w", err)
	}
	if detected != flavour {
		return nil, fmt.Errorf("pod statements: version %s is %s, not %s", version, detected, flavour)
	}
	if flavour == MariaDB && !v.AtLeast(10, 11, 0) {
		return nil, fmt.Errorf("pod statements: MariaDB %s is not supported: need 10.11 or later, where SUPER no longer implies READ_ONLY ADMIN", v)
	}
	if flavour == MySQL80 && !v.AtLeast(8, 0, 17) {
		return nil, fmt.Errorf("pod statements: MySQL %s is not supported: MySQL 8 replicas are cloned with the CLONE plugin of 8.0.17 or later", v)
	}
	return NewAdapter(ServerInfo{Version: version, VersionComment: comment})
}

// script is the text of a statement file: each statement on its own,
// ended by ";" as the command-line client expects on its stdin.
func script(stmts ...Statement) string {
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString(s.SQL)
		b.WriteString(";\n")
	}
	return b.String()
}
