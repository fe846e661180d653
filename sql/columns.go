package sql

// replicaColumns names the replica status columns whose names depend on the
// statement: SHOW SLAVE STATUS (MySQL 5.7, MySQL 8.0's deprecated form and
// MariaDB) keeps the old Master/Slave names, SHOW REPLICA STATUS (MySQL
// 8.0.22+) uses Source/Replica. Columns named alike in both (Last_IO_Errno,
// SQL_Delay, Auto_Position, ...) are read by their single name.
// See https://dev.mysql.com/doc/refman/8.4/en/show-replica-status.html and
// https://dev.mysql.com/doc/refman/5.7/en/show-slave-status.html.
type replicaColumns struct {
	ioState, sourceHost, sourceUser, sourcePort         string
	sourceLogFile, readPos, relaySourceLogFile, execPos string
	ioRunning, sqlRunning, sqlRunningState              string
	secondsBehind, sourceServerID                       string
	// sourceUUID is "" for MariaDB, which does not show the source's UUID.
	sourceUUID string
}

// slaveColumns is the SHOW SLAVE STATUS set of MySQL.
func slaveColumns() replicaColumns {
	return replicaColumns{
		ioState: "Slave_IO_State", sourceHost: "Master_Host", sourceUser: "Master_User",
		sourcePort: "Master_Port", sourceLogFile: "Master_Log_File",
		readPos: "Read_Master_Log_Pos", relaySourceLogFile: "Relay_Master_Log_File",
		execPos: "Exec_Master_Log_Pos", ioRunning: "Slave_IO_Running",
		sqlRunning: "Slave_SQL_Running", sqlRunningState: "Slave_SQL_Running_State",
		secondsBehind: "Seconds_Behind_Master", sourceServerID: "Master_Server_Id",
		sourceUUID: "Master_UUID",
	}
}

// mariadbColumns is MariaDB's SHOW SLAVE STATUS set: the old names, no UUID.
func mariadbColumns() replicaColumns {
	c := slaveColumns()
	c.sourceUUID = ""
	return c
}

// sourceColumns is the SHOW REPLICA STATUS set of MySQL 8.0.22 and later.
func sourceColumns() replicaColumns {
	return replicaColumns{
		ioState: "Replica_IO_State", sourceHost: "Source_Host", sourceUser: "Source_User",
		sourcePort: "Source_Port", sourceLogFile: "Source_Log_File",
		readPos: "Read_Source_Log_Pos", relaySourceLogFile: "Relay_Source_Log_File",
		execPos: "Exec_Source_Log_Pos", ioRunning: "Replica_IO_Running",
		sqlRunning: "Replica_SQL_Running", sqlRunningState: "Replica_SQL_Running_State",
		secondsBehind: "Seconds_Behind_Source", sourceServerID: "Source_Server_Id",
		sourceUUID: "Source_UUID",
	}
}

// parseReplicaCommon reads the columns every flavour has; the adapters add
// their own (GTID columns, error timestamps).
func parseReplicaCommon(f *fields, c replicaColumns) *ReplicaStatus {
	s := &ReplicaStatus{
		SourceHost:         f.str(c.sourceHost),
		SourcePort:         int(f.uint(c.sourcePort)),
		SourceUser:         f.str(c.sourceUser),
		SourceServerID:     uint32(f.uint(c.sourceServerID)),
		IOThread:           ThreadState(f.str(c.ioRunning)),
		SQLThread:          ThreadState(f.str(c.sqlRunning)),
		IOState:            f.str(c.ioState),
		SQLState:           f.str(c.sqlRunningState),
		SourceLogFile:      f.str(c.sourceLogFile),
		ReadSourceLogPos:   f.uint(c.readPos),
		RelaySourceLogFile: f.str(c.relaySourceLogFile),
		ExecSourceLogPos:   f.uint(c.execPos),
		SecondsBehind:      f.nullInt(c.secondsBehind),
		LastIOError:        threadError(f.uint("Last_IO_Errno"), f.str("Last_IO_Error")),
		LastSQLError:       threadError(f.uint("Last_SQL_Errno"), f.str("Last_SQL_Error")),
	}
	if c.sourceUUID != "" {
		s.SourceUUID = f.str(c.sourceUUID)
	}
	if d := f.nullInt("SQL_Delay"); d != nil {
		s.SQLDelay = *d
	}
	// A lag read while a thread is stopped is stale or meaningless; the
	// servers print NULL then, and a value here would be mistaken for health.
	if !s.Replicating() {
		s.SecondsBehind = nil
	}
	return s
}

// threadError is nil when the thread has no error recorded.
func threadError(errno uint64, msg string) *ThreadError {
	if errno == 0 && msg == "" {
		return nil
	}
	return &ThreadError{Errno: int(errno), Message: msg}
}

// parseBinlogStatus reads SHOW MASTER STATUS / SHOW BINARY LOG STATUS.
// Executed_Gtid_Set is MySQL's only: MariaDB keeps its GTID in a variable.
func parseBinlogStatus(r row, withGTID bool) (*BinlogStatus, error) {
	f := &fields{r: r}
	b := &BinlogStatus{File: f.str("File"), Position: f.uint("Position")}
	if withGTID {
		b.ExecutedGTIDSet = normalizeGTIDText(f.str("Executed_Gtid_Set"))
	}
	return b, f.err("binary log status")
}
