package cluster

import (
	"context"
	"fmt"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// Connection is how a client reaches the cluster: hosts inside the
// Kubernetes cluster, the port, and the accounts with where their
// passwords are kept. Passwords are filled only when asked for.
type Connection struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	// WriteHost reaches the primary; ReadHost balances over every ready
	// server. Both are in-cluster DNS names that resolve from any
	// namespace; from the cluster's own namespace the short names
	// (mysql-0.mysql, mysql-read) work too.
	WriteHost string   `json:"writeHost"`
	ReadHost  string   `json:"readHost"`
	PodHosts  []string `json:"podHosts"`
	Port      int      `json:"port"`
	// Secret holds the passwords, under each account's SecretKey.
	Secret   string    `json:"secret"`
	Accounts []Account `json:"accounts"`
	TLS      TLSInfo   `json:"tls"`
}

// TLSInfo is what a client needs to verify the servers: the CA
// certificate's Secret and key (mysqlctl credentials --ca prints it), and
// whether the servers refuse plain connections.
type TLSInfo struct {
	CASecret string `json:"caSecret"`
	CAKey    string `json:"caKey"`
	Clients  string `json:"clients"` // required or preferred: the spec's tls key
}

// Account is one of the cluster's database accounts.
type Account struct {
	User      string `json:"user"`
	SecretKey string `json:"secretKey"`
	Purpose   string `json:"purpose"`
	// Password is "" unless Credentials was asked to show it.
	Password string `json:"password,omitempty"`
}

// Credentials tells how to connect; with showPasswords it reads them from
// the Secret, which must then exist.
func (c *Cluster) Credentials(ctx context.Context, showPasswords bool) (*Connection, error) {
	sts, err := c.existingStatefulSet(ctx)
	if err != nil {
		return nil, err
	}
	conn := &Connection{
		Cluster: c.name, Namespace: c.Namespace(), Port: manifest.PortMySQL, Secret: manifest.SecretName(c.name),
		WriteHost: c.qualified(c.WriteEndpoint()),
		ReadHost:  c.qualified(manifest.ReadServiceName(c.name)),
		PodHosts:  []string{},
		Accounts: []Account{
			{User: manifest.RootUser, SecretKey: manifest.SecretKeyRootPassword, Purpose: "yours: every privilege; the account for applications and people"},
			{User: manifest.AdminUser, SecretKey: manifest.SecretKeyAdminPassword, Purpose: "mysqlctl's own: status, check, replication setup"},
			{User: manifest.ReplicationUser, SecretKey: manifest.SecretKeyReplicationPassword, Purpose: "replicas' connection to their source (TLS required)"},
			{User: manifest.ProbeUser, SecretKey: manifest.SecretKeyProbePassword, Purpose: "the servers' probes: replication status only"},
		},
		TLS: TLSInfo{CASecret: manifest.TLSSecretName(c.name), CAKey: manifest.TLSKeyCA, Clients: manifest.LiveSpec(sts).WithDefaults().TLS},
	}
	replicas := int32(1)
	if sts.Spec.Replicas != nil {
		replicas = *sts.Spec.Replicas
	}
	for i := 0; i < int(replicas); i++ {
		conn.PodHosts = append(conn.PodHosts, c.qualified(manifest.PodHost(c.name, i)))
	}
	if showPasswords {
		if err := c.fillPasswords(ctx, conn); err != nil {
			return nil, err
		}
	}
	return conn, nil
}

// qualified makes a host of the cluster's namespace resolvable from any
// namespace (the pods' DNS search list ends in the cluster domain).
func (c *Cluster) qualified(host string) string {
	return fmt.Sprintf("%s.%s.svc", host, c.Namespace())
}

func (c *Cluster) fillPasswords(ctx context.Context, conn *Connection) error {
	secret, err := c.api.GetSecret(ctx, manifest.SecretName(c.name))
	if err != nil {
		return err
	}
	if secret == nil {
		return fmt.Errorf("secret %s/%s does not exist: the passwords are gone (see 'mysqlctl check')", c.Namespace(), manifest.SecretName(c.name))
	}
	for i := range conn.Accounts {
		a := &conn.Accounts[i]
		pw := secret.Data[a.SecretKey]
		if len(pw) == 0 && a.SecretKey == manifest.SecretKeyProbePassword {
			continue // a cluster made before the probe account: its probes use root
		}
		if len(pw) == 0 {
			return fmt.Errorf("secret %s/%s has no key %s", c.Namespace(), manifest.SecretName(c.name), a.SecretKey)
		}
		a.Password = string(pw)
	}
	return nil
}

// CACertificate is the PEM certificate of the cluster's CA, which a client
// verifies the servers' certificate against.
func (c *Cluster) CACertificate(ctx context.Context) ([]byte, error) {
	secret, err := c.api.GetSecret(ctx, manifest.TLSSecretName(c.name))
	if err != nil {
		return nil, err
	}
	if secret == nil || len(secret.Data[manifest.TLSKeyCA]) == 0 {
		return nil, fmt.Errorf("secret %s/%s holds no CA certificate: run mysqlctl up, which makes it", c.Namespace(), manifest.TLSSecretName(c.name))
	}
	return secret.Data[manifest.TLSKeyCA], nil
}
