package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/sql"
)

// promote without a pod takes the replica no other received more than:
// the relay log counts (mysql-2 applied less than mysql-1 but received
// more), a delayed replica is never picked, and replicas that diverged
// are left to the user, with what each lacks.
func TestPromoteWithoutAPodTakesTheOneThatReceivedTheMost(t *testing.T) {
	lost := func(two *sql.InstanceReport) map[string]*fakeServer {
		s := healthyServers(3)
		s["mysql-0"].openErr = fmt.Errorf("connect to mysql-0: connection refused")
		s["mysql-1"].reports = []*sql.InstanceReport{mariadbReplica(1, "0-100-42")}
		s["mysql-2"].reports = []*sql.InstanceReport{two}
		return s
	}
	received := mariadbReplica(2, "0-100-40")
	received.Replica.GTIDIOPos = "0-100-44"
	servers := lost(received)
	change, err := newTestCluster(t, clusterObjects(3, 1, 2), servers).Promote(context.Background(), PromoteOptions{})
	if err != nil || change.To != "mysql-2" {
		t.Fatalf("promote without a pod: %+v, %v; want mysql-2, which received the most", change, err)
	}

	delayed := mariadbReplica(2, "0-100-40")
	delayed.Replica.GTIDIOPos, delayed.Replica.SQLDelay = "0-100-44", 600
	_, err = newTestCluster(t, clusterObjects(3, 1, 2), lost(delayed)).Promote(context.Background(), PromoteOptions{})
	if err == nil || !strings.Contains(err.Error(), "no replica received everything the others did (mysql-1 lacks what mysql-2 received; a delayed replica is never picked)") {
		t.Errorf("with only a delayed replica ahead: %v, want mysql-1 refused as behind it (the delayed one is never picked)", err)
	}

	diverged := mariadbReplica(2, "0-100-40,1-102-3")
	_, err = newTestCluster(t, clusterObjects(3, 1, 2), lost(diverged)).Promote(context.Background(), PromoteOptions{})
	if err == nil || !strings.Contains(err.Error(), "mysql-1 lacks what mysql-2 received; mysql-2 lacks what mysql-1 received") {
		t.Errorf("diverged replicas: %v", err)
	}
	for name, s := range servers {
		if name != "mysql-2" && strings.Contains(strings.Join(s.executed, ";"), "read_only = OFF") {
			t.Errorf("%s was made writable", name)
		}
	}
}

// A replica still receiving from the old primary proves its server runs,
// although mysqlctl cannot reach it (a pod force-deleted while its
// container lives on): promote refuses, and --force goes on.
func TestPromoteRefusesWhileAReplicaStillReceives(t *testing.T) {
	servers := healthyServers(3)
	servers["mysql-0"].openErr = fmt.Errorf("connect to mysql-0: connection refused")
	servers["mysql-2"].stillReceives = true
	c := newTestCluster(t, clusterObjects(3, 1, 2), servers)
	_, err := c.Promote(context.Background(), PromoteOptions{Pod: "mysql-1"})
	if err == nil || !strings.Contains(err.Error(), "mysql-2 is still receiving from mysql-0, so its server runs although mysqlctl cannot reach it") {
		t.Fatalf("promote beside a replica receiving from the old primary: %v", err)
	}
	if len(servers["mysql-1"].executed) != 0 || len(servers["mysql-2"].executed) != 0 {
		t.Errorf("the refused promote ran %q and %q", servers["mysql-1"].executed, servers["mysql-2"].executed)
	}
	if _, err := c.Promote(context.Background(), PromoteOptions{Pod: "mysql-1", Force: true}); err != nil {
		t.Errorf("promote --force: %v", err)
	}
}
