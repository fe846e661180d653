package cluster

import (
	"context"
	"fmt"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/configs"

	"github.com/mysqlctl/mysqlctl/kube"
)

// SQLOptions are the choices of `mysqlctl sql`.
type SQLOptions struct {
	// Pod runs the client; "" is the primary.
	Pod string
	// Read connects through the read Service (any ready server) instead of
	// the pod's own server.
	Read bool
	// Args go to the database client as they are (e.g. -e "SELECT 1").
	Args []string
	kube.ExecOptions
}

// SQL runs the flavour's database client inside a server container,
// logged in as root with the password the container already holds: the
// user never types or sees it, and no port opens on their machine. The
// client's exit code comes back as a *kube.ExitError.
func (c *Cluster) SQL(ctx context.Context, o SQLOptions) error {
	sts, err := c.existingStatefulSet(ctx)
	if err != nil {
		return err
	}
	live := manifest.LiveSpec(sts)
	pod := o.Pod
	if pod == "" {
		if pod, err = c.RecordedPrimary(ctx); err != nil {
			return err
		}
	}
	if _, err := memberOrdinal(c.name, pod, live.Replicas); err != nil {
		return err
	}
	host := "127.0.0.1"
	if o.Read {
		host = manifest.ReadServiceName(c.name)
	}
	return c.api.Exec(ctx, pod, manifest.ContainerServer, sqlCommand(live.Flavor, host, o.Args), o.ExecOptions)
}

// sqlCommand starts the client as root with the option file the pod
// scripts write from the mounted Secret (lib.sh's root_cnf, which also
// names the CA), so that the password is on no command line and in no
// environment; the user's arguments follow as separate words, never read
// by a shell.
func sqlCommand(f manifest.Flavor, host string, args []string) []string {
	client := "mysql"
	if f == manifest.FlavorMariaDB {
		client = "mariadb"
	}
	script := fmt.Sprintf(`source %s && cnf=$(root_cnf) && exec "$0" --defaults-extra-file="$cnf" --host="$1" "${@:2}"`,
		manifest.ScriptPath(configs.ScriptLib))
	return append([]string{"bash", "-c", script, client, host}, args...)
}
