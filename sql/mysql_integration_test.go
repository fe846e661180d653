package sql

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// A healthy trio as the adapter reads it from 9.7.4: the flavour of 8.4,
// super_read_only on the replicas only, the identity query, SHOW BINARY
// LOG STATUS and SHOW REPLICA STATUS parsed into the report's fields, and
// no errant or missing transaction.
func TestMySQLHealthyReplication(t *testing.T) {
	t.Parallel()
	tr := startMySQLTrio(t)
	reports := tr.reports(t)
	facts := Analyze(reports)
	if facts.Primary != "primary" || len(facts.Problems) != 0 {
		t.Fatalf("primary %q, problems %q", facts.Primary, facts.Problems)
	}
	p := reports[0]
	uuids := map[string]bool{}
	for i, rep := range reports {
		replica := i > 0
		inst := facts.Instances[i]
		uuids[rep.ServerUUID] = true
		if rep.Flavour != MySQL84 || !strings.HasPrefix(rep.Version, "9.7.") || rep.ServerID != uint32(i+1) {
			t.Errorf("%s: flavour %s version %s id %d", rep.Name, rep.Flavour, rep.Version, rep.ServerID)
		}
		if rep.ReadOnly != replica || rep.SuperReadOnly == nil || *rep.SuperReadOnly != replica {
			t.Errorf("%s: read_only %v super_read_only %v, want both %v", rep.Name, rep.ReadOnly, rep.SuperReadOnly, replica)
		}
		if rep.GTID.Mode != "ON" || rep.GTID.Executed != p.GTID.Executed || rep.GTID.Purged != "" {
			t.Errorf("%s: gtid %+v, primary executed %q", rep.Name, rep.GTID, p.GTID.Executed)
		}
		if b := rep.Binlog; !rep.LogBin || b == nil || !strings.HasPrefix(b.File, "mysql-bin.") || b.ExecutedGTIDSet != rep.GTID.Executed {
			t.Errorf("%s: log_bin %v binlog %+v", rep.Name, rep.LogBin, b)
		}
		if rep.ReportHost != "127.0.0.1" || rep.Port != tr.servers()[i].port {
			t.Errorf("%s: report host %q port %d", rep.Name, rep.ReportHost, rep.Port)
		}
		if !replica {
			continue
		}
		if inst.Role != RoleReplica || inst.Source != "primary" || inst.Errant != "" || inst.BehindTransactions == nil || *inst.BehindTransactions != 0 {
			t.Errorf("%s: facts %+v", rep.Name, inst)
		}
		r := rep.Replica
		if r == nil || !r.Replicating() || r.SecondsBehind == nil || r.SourcePort != tr.primary.port || r.SourceUser != "repl" ||
			!r.AutoPosition || r.SourceServerID != 1 || r.SourceUUID != p.ServerUUID || r.LastIOError != nil || r.LastSQLError != nil {
			t.Errorf("%s replica status: %+v", rep.Name, r)
		} else if r.ExecutedGTIDSet != p.GTID.Executed || r.RetrievedGTIDSet != p.GTID.Executed || r.UsingGTID != "" {
			t.Errorf("%s: retrieved %q executed %q using_gtid %q, primary %q", rep.Name, r.RetrievedGTIDSet, r.ExecutedGTIDSet, r.UsingGTID, p.GTID.Executed)
		}
	}
	if len(uuids) != 3 {
		t.Errorf("server_uuids not distinct: %v", uuids)
	}
	if facts.Instances[0].Role != RolePrimary || p.Replica != nil {
		t.Errorf("primary: role %s replica %+v", facts.Instances[0].Role, p.Replica)
	}
}

// The statement files on real servers: the accounts carry their grants,
// the replication account refuses a login without TLS, each replica's
// connection is the one stmt-change-source.sql describes (verified TLS,
// 10 s retries, retrying forever), super_read_only refuses even the admin
// account on a replica, and the read-only files the sidecar and the
// probes ask answer what the scripts parse.
func TestMySQLPodStatements(t *testing.T) {
	t.Parallel()
	tr := startMySQLTrio(t)
	ctx := testContext(t)
	for _, s := range tr.servers() {
		grants := s.mustClient(t, adminLogin, "SHOW GRANTS FOR 'repl'@'%';\nSELECT ssl_type FROM mysql.user WHERE user = 'repl';\n", "--skip-column-names")
		if want := "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `repl`@`%`\nANY\n"; grants != want {
			t.Errorf("%s: repl's grants and ssl_type %q, want %q", s.name, grants, want)
		}
		probe := s.open(t, login{"mysqlctl_probe", "probePW"})
		if _, err := probe.Report(ctx); err != nil {
			t.Errorf("%s: the probe account cannot read the report: %v", s.name, err)
		}
		wantMySQLError(t, s.name+": the probe reads app.t", probe.Exec(ctx, Statement{SQL: "SELECT * FROM app.t"}), 1142)
		// The client would refuse to send the password in the clear itself;
		// with the server's RSA key it is the server that refuses.
		plain := clientCnf(replLogin, "ssl-mode=DISABLED", "get-server-public-key")
		if out, err := s.clientWithCnf(plain, "SELECT 1;\n"); err == nil || !strings.Contains(out, "ERROR 1045") {
			t.Errorf("%s: repl without TLS: %v %q, want error 1045", s.name, err, out)
		}
	}
	for _, r := range []*mysqlServer{tr.replica1, tr.replica2} {
		rows, err := r.conn.query(ctx, r.conn.Adapter().ReplicaStatusQuery())
		if err != nil || len(rows) != 1 {
			t.Fatalf("%s: replica status: %d rows, %v", r.name, len(rows), err)
		}
		f := &fields{r: rows[0]}
		var got []string
		for _, c := range []string{"Source_SSL_Allowed", "Source_SSL_CA_File", "Source_SSL_Verify_Server_Cert", "Connect_Retry", "Source_Retry_Count", "Auto_Position"} {
			got = append(got, c+"="+f.str(c))
		}
		want := "Source_SSL_Allowed=Yes Source_SSL_CA_File=" + mysqlSourceCA + " Source_SSL_Verify_Server_Cert=Yes Connect_Retry=10 Source_Retry_Count=4294967295 Auto_Position=1"
		if strings.Join(got, " ") != want {
			t.Errorf("%s: %s, want %s", r.name, strings.Join(got, " "), want)
		}
		for _, as := range []login{rootLogin, adminLogin} {
			err := r.open(t, as).Exec(ctx, Statement{SQL: "INSERT INTO app.t VALUES (50, 'on a replica')"})
			wantMySQLError(t, r.name+": "+as.user+"'s write", err, 1290)
		}
		role := r.mustClient(t, adminLogin, tr.pod.fill(t, FileServerRole)+tr.pod.fill(t, FileReadOnly), "--skip-column-names")
		if want := fmt.Sprintf("%d\t1\n1\n", r.id); role != want {
			t.Errorf("%s: server role and read-only files print %q, want %q", r.name, role, want)
		}
	}
	start := strings.Fields(tr.primary.mustClient(t, adminLogin, tr.pod.fill(t, FileServerStart), "--skip-column-names"))
	if len(start) != 2 || start[1] == "0" {
		t.Errorf("server start file prints %q, want a start time and a connection id", start)
	} else if started, err := strconv.ParseFloat(start[0], 64); err != nil || started > float64(time.Now().Unix()+1) || started < float64(time.Now().Add(-time.Hour).Unix()) {
		t.Errorf("server start time %q: %v", start[0], err)
	}
	execAs(t, tr.primary.open(t, rootLogin), "INSERT INTO app.t VALUES (51, 'root on the primary')")
}

func wantMySQLError(t *testing.T, what string, err error, number uint16) {
	t.Helper()
	var myErr *mysql.MySQLError
	if !errors.As(err, &myErr) || myErr.Number != number {
		t.Errorf("%s: %v, want error %d", what, err, number)
	}
}
