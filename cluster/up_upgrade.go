package cluster

import (
	"context"
	"fmt"
	"strings"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// refuseUnhealthyUpgrade refuses to start an upgrade to a new series while
// check fails: a replica that does not replicate, or a second writable
// server, would be upgraded and switched over to as if healthy, and the
// old primary's data would be the last copy on the old binary. A re-run of
// an interrupted upgrade is not held: the StatefulSet records the new
// version by then, so this is no longer a change of series.
func (c *Cluster) refuseUnhealthyUpgrade(ctx context.Context, live, next manifest.Spec) error {
	if !manifest.NewSeries(live.Version, next.Version) {
		return nil
	}
	c.say(fmt.Sprintf("checking the cluster before it moves from %s %s to %s", live.Flavor, live.Version, next.Version))
	report, err := c.Check(ctx, CheckOptions{MaxLag: DefaultMaxLag})
	if err != nil {
		return fmt.Errorf("check the cluster before upgrading it: %w", err)
	}
	var failed []string
	for _, r := range report.Checks {
		if r.Verdict == Fail {
			failed = append(failed, fmt.Sprintf("%s (%s)", r.Name, r.Detail))
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("cluster %s is not healthy enough to upgrade from %s to %s: %s; nothing changed: fix what mysqlctl check names, then run up again",
		c.name, live.Version, next.Version, strings.Join(failed, "; "))
}
