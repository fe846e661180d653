package cluster

import (
	"context"
	"strings"
	"testing"

	"k8s.io/utils/ptr"
)

// The backup source is the replica least behind, but never one with errant
// transactions, however current: a restore from it would carry writes the
// primary never had. The skip is said, with the transactions.
func TestBackupSourceSkipsErrantReplicas(t *testing.T) {
	servers := healthyServers(3)
	servers["mysql-1"].reports[0].GTID.CurrentPos = "0-101-43"
	servers["mysql-2"].reports[0].Replica.SecondsBehind = ptr.To(int64(4))
	c := newTestCluster(t, clusterObjects(3), servers)
	var said []string
	c.progress = func(line string) { said = append(said, line) }
	got, err := c.backupSource(context.Background(), "", 3)
	if err != nil || got != "mysql-2" {
		t.Fatalf("backupSource = %q, %v; want mysql-2 (mysql-1 has an errant transaction)", got, err)
	}
	if !strings.Contains(strings.Join(said, "\n"), "not backing up mysql-1: it has transactions the primary lacks (0-101-43)") {
		t.Errorf("the skip was not said: %q", said)
	}

	clean := healthyServers(3)
	clean["mysql-2"].reports[0].Replica.SecondsBehind = ptr.To(int64(4))
	if got, err := newTestCluster(t, clusterObjects(3), clean).backupSource(context.Background(), "", 3); err != nil || got != "mysql-1" {
		t.Errorf("without errant transactions: backupSource = %q, %v; want mysql-1, the least behind", got, err)
	}
}
