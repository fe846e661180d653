package sql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// SemiSync is a server's semi-synchronous replication, as its variables
// and status counters say. A primary with it on acknowledges a commit only
// once a replica has received the transaction (AFTER_SYNC: before any
// client sees it), so a primary lost with its disk loses nothing a client
// was told is committed.
type SemiSync struct {
	// Configured is the replica side's switch, which the pods' cnf sets
	// at every server start from the cluster's spec: the server's own
	// record of whether the cluster asks for semi-sync, whatever its role.
	Configured bool `json:"configured"`
	// SourceEnabled is the source side's switch, on only on the primary:
	// mysqlctl turns it on before a server takes writes and off when it
	// fences one, and every start leaves it off.
	SourceEnabled bool `json:"sourceEnabled"`
	// SourceActive is false when the primary fell back to asynchronous
	// replication (no acknowledgement within TimeoutMillis).
	SourceActive bool `json:"sourceActive"`
	// Clients counts the replicas connected as semi-synchronous.
	Clients int `json:"clients"`
	// ReplicaActive: this replica's receiver acknowledges to its source.
	ReplicaActive bool `json:"replicaActive"`
	// TimeoutMillis is how long the primary waits for an acknowledgement
	// before it falls back.
	TimeoutMillis uint64 `json:"timeoutMillis"`
	// NoAck counts the commits the primary acknowledged without a
	// replica's acknowledgement since it started.
	NoAck uint64 `json:"noAck"`
}

// semiSyncNames are a flavour's words for the two sides.
func (f Flavour) semiSyncNames() (source, replica string) {
	if f.IsMariaDB() {
		return "master", "slave"
	}
	return "source", "replica"
}

// semiSyncSupported: MariaDB has semi-sync built in; MySQL from 8.0.26,
// whose plugins use the words source and replica (mysqlctl does not offer
// the older plugins of 5.7 and early 8.0).
func semiSyncSupported(f Flavour, v Version) bool {
	return f.IsMariaDB() || (f != MySQL57 && v.AtLeast(8, 0, 26))
}

// SemiSyncSource turns the source side on or off; nil where mysqlctl does
// not offer semi-sync. Run only on a server whose report has SemiSync.
func SemiSyncSource(a Adapter, on bool) []Statement {
	if !semiSyncSupported(a.Flavour(), a.Version()) {
		return nil
	}
	source, _ := a.Flavour().semiSyncNames()
	value := "OFF"
	if on {
		value = "ON"
	}
	return []Statement{{SQL: fmt.Sprintf("SET GLOBAL rpl_semi_sync_%s_enabled = %s", source, value)}}
}

const (
	semiSyncVariablesQuery = "SHOW GLOBAL VARIABLES LIKE 'rpl\\_semi\\_sync\\_%'"
	semiSyncStatusQuery    = "SHOW GLOBAL STATUS LIKE 'Rpl\\_semi\\_sync\\_%'"
)

// readSemiSync returns nil without error when the server has no semi-sync
// variables (MySQL without the plugins loaded: the cluster does not ask
// for semi-sync).
func (c *Conn) readSemiSync(ctx context.Context) (*SemiSync, error) {
	vars, err := c.query(ctx, semiSyncVariablesQuery)
	if err != nil || len(vars) == 0 {
		if err != nil {
			err = c.errorf(err, nil, "read semi-sync variables of %s", c.name)
		}
		return nil, err
	}
	status, err := c.query(ctx, semiSyncStatusQuery)
	if err != nil {
		return nil, c.errorf(err, nil, "read semi-sync status of %s", c.name)
	}
	return parseSemiSync(c.adapter.Flavour(), nameValues(vars), nameValues(status))
}

// nameValues maps the lower-cased Variable_name of SHOW rows to Value.
func nameValues(rows []row) map[string]string {
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		name, _ := r.value("Variable_name")
		value, _ := r.value("Value")
		n, _ := text(name)
		v, _ := text(value)
		out[strings.ToLower(n)] = v
	}
	return out
}

func parseSemiSync(f Flavour, vars, status map[string]string) (*SemiSync, error) {
	source, replica := f.semiSyncNames()
	s := &SemiSync{
		Configured:    strings.EqualFold(vars["rpl_semi_sync_"+replica+"_enabled"], "ON"),
		SourceEnabled: strings.EqualFold(vars["rpl_semi_sync_"+source+"_enabled"], "ON"),
		SourceActive:  strings.EqualFold(status["rpl_semi_sync_"+source+"_status"], "ON"),
		ReplicaActive: strings.EqualFold(status["rpl_semi_sync_"+replica+"_status"], "ON"),
	}
	var err error
	if s.TimeoutMillis, err = counter(vars, "rpl_semi_sync_"+source+"_timeout"); err != nil {
		return nil, err
	}
	clients, err := counter(status, "rpl_semi_sync_"+source+"_clients")
	if err != nil {
		return nil, err
	}
	s.Clients = int(clients)
	if s.NoAck, err = counter(status, "rpl_semi_sync_"+source+"_no_tx"); err != nil {
		return nil, err
	}
	return s, nil
}

// counter parses a whole number; a missing one is 0.
func counter(m map[string]string, name string) (uint64, error) {
	v, ok := m[name]
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("semi-sync %s: %q is not a number", name, v)
	}
	return n, nil
}
