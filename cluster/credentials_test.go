package cluster

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

func TestCredentialsShowPasswordsOnlyWhenAsked(t *testing.T) {
	c := newTestCluster(t, clusterObjects(3), nil)
	conn, err := c.Credentials(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(conn)
	if strings.Contains(string(out), testPassword) {
		t.Errorf("a password without --show-passwords: %s", out)
	}
	if conn.WriteHost != "mysql-primary.db.svc" || conn.ReadHost != "mysql-read.db.svc" || len(conn.PodHosts) != 3 || conn.Port != 3306 {
		t.Errorf("connection %+v", conn)
	}
	conn, err = c.Credentials(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if conn.Accounts[1].User != manifest.AdminUser || conn.Accounts[1].Password != testPassword {
		t.Errorf("accounts %+v: want the admin password shown", conn.Accounts)
	}
}

func TestCredentialsOfNoCluster(t *testing.T) {
	if _, err := newTestCluster(t, nil, nil).Credentials(context.Background(), false); err == nil || !strings.Contains(err.Error(), "no cluster named") {
		t.Errorf("credentials of no cluster: %v", err)
	}
}
