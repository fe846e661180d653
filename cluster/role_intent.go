package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"k8s.io/utils/ptr"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/configs"
	"github.com/mysqlctl/mysqlctl/kube"
)

// stateKeyChange holds the role change under way, written before anything
// is fenced and removed with the record of the new primary in one write.
// The pods read it (configs/scripts/lib.sh: role_change_in_progress): the
// recorded primary does not make itself writable while one is under way.
// Another role command refuses while it is in force (Until), and finishes
// or undoes it once it is over: a command that died leaves it behind.
const stateKeyChange = "change"

// Intent is a role change as the record holds it.
type Intent struct {
	Command string    `json:"command"` // "switchover" or "promote"
	From    string    `json:"from"`
	To      string    `json:"to"`
	Started time.Time `json:"started"`
	// Until is when the command that wrote it gives up (its --timeout):
	// after that, nobody works on it any more.
	Until time.Time `json:"until"`
}

func (in *Intent) String() string {
	return fmt.Sprintf("%s from %s to %s (started %s)", in.Command, in.From, in.To, in.Started.UTC().Format(time.RFC3339))
}

// Interrupted: the command that wrote it has given up by now.
func (in *Intent) Interrupted(now time.Time) bool { return now.After(in.Until) }

// intentOf reads the record's role change; nil when there is none. One the
// pods could not have written (bad JSON) is reported, never guessed at.
func (c *Cluster) intentOf(rec *record) (*Intent, error) {
	raw := rec.data[stateKeyChange]
	if raw == "" {
		return nil, nil
	}
	in := &Intent{}
	if err := json.Unmarshal([]byte(raw), in); err != nil || in.From == "" || in.To == "" {
		return nil, fmt.Errorf("the record's %s key is not a role change mysqlctl wrote (%q): remove the key from ConfigMap %s", stateKeyChange, raw, manifest.StateConfigMapName(c.name))
	}
	return in, nil
}

// refuseChangeInForce refuses while the record shows a role change whose
// command may still be at work on it.
func (c *Cluster) refuseChangeInForce(rec *record) error {
	in, err := c.intentOf(rec)
	if err != nil || in == nil || in.Interrupted(c.now()) {
		return err
	}
	return fmt.Errorf("a %s is under way, and its command may work on it until %s: nothing changed; wait for it (mysqlctl status shows where it stands)",
		in, in.Until.Local().Format(time.TimeOnly))
}

// beginChange writes the intent over the record the command read: of two
// role commands that read the same record, only one gets here.
func (c *Cluster) beginChange(ctx context.Context, rec *record, command, from, to string) (*Intent, error) {
	now := c.now()
	until := now.Add(DefaultCatchUp * 4)
	if d, ok := ctx.Deadline(); ok {
		until = d
	}
	in := &Intent{Command: command, From: from, To: to, Started: now.UTC(), Until: until.UTC()}
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	if err := c.save(ctx, rec, map[string]string{stateKeyChange: string(raw)}); err != nil {
		return nil, fmt.Errorf("record the %s: %w", command, err)
	}
	return in, nil
}

// endChange records the new primary and drops the intent in one write, then
// points the write Service at it. A record changed since the intent was
// written (a label or an annotation from a GitOps tool, another key) is
// read again and written over while it still holds this intent: by then
// the new primary takes writes, and the record must say so. Another
// intent, or none, is someone else's doing, and the write is refused.
func (c *Cluster) endChange(ctx context.Context, rec *record, primary string) error {
	ours := rec.data[stateKeyChange]
	err := c.save(ctx, rec, map[string]string{StateKeyPrimary: primary}, stateKeyChange)
	for attempt := 0; errors.Is(err, ErrRecordChanged) && attempt < 3; attempt++ {
		now, lerr := c.loadRecord(ctx)
		if lerr != nil {
			return lerr
		}
		if !now.exists() || now.data[stateKeyChange] != ours {
			break
		}
		c.debugf("the record changed since the intent was written, and still holds it: writing the new primary over it")
		err = c.save(ctx, now, map[string]string{StateKeyPrimary: primary}, stateKeyChange)
		if err == nil {
			*rec = *now
		}
	}
	if err != nil {
		return err
	}
	return c.pointAtPrimary(ctx, primary)
}

// pointAtPrimary applies the objects that name the recorded primary: the
// write Service, then the disruption budgets (the primary's own, which
// drains wait on, and the replicas').
func (c *Cluster) pointAtPrimary(ctx context.Context, primary string) error {
	sts, err := c.existingStatefulSet(ctx)
	if err != nil {
		return err
	}
	return c.applyPrimaryObjects(ctx, primary, ptr.Deref(sts.Spec.Replicas, 1))
}

// applyPrimaryObjects applies manifest.PrimaryObjects.
func (c *Cluster) applyPrimaryObjects(ctx context.Context, primary string, servers int32) error {
	for _, obj := range manifest.PrimaryObjects(c.name, c.Namespace(), primary, servers) {
		result, err := c.api.Apply(ctx, obj)
		if err != nil {
			return fmt.Errorf("point %s at %s: %w", *obj.GetName(), primary, err)
		}
		c.changed(result.String())
	}
	return nil
}

// releaseIntent, deferred by a role command after its intent is written,
// ends the intent's time in force as the command returns, when the command
// did not remove it (an undo that could not reach the old primary, a
// record it could not finish): the next role command may then finish or
// undo it at once, rather than wait for this one's --timeout. Once the
// command's own record has no intent, nothing is asked. Best effort, on a
// context of its own (the command's may be over): an intent that is not
// this one any more is left alone.
func (c *Cluster) releaseIntent(mine *record, in *Intent) {
	if in == nil || mine.data[stateKeyChange] == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rec, err := c.loadRecord(ctx)
	if err != nil {
		return
	}
	now, err := c.intentOf(rec)
	if err != nil || now == nil || now.Command != in.Command || now.From != in.From || now.To != in.To || !now.Started.Equal(in.Started) {
		return
	}
	now.Until = c.now().UTC()
	raw, err := json.Marshal(now)
	if err == nil {
		err = c.save(ctx, rec, map[string]string{stateKeyChange: string(raw)})
	}
	if err != nil {
		c.debugf("release the %s: %v (it is in force until %s)", in, err, in.Until.Local().Format(time.TimeOnly))
	}
}

// dropChange removes the intent, the primary unchanged.
func (c *Cluster) dropChange(ctx context.Context, rec *record) error {
	if _, ok := rec.data[stateKeyChange]; !ok {
		return nil
	}
	return c.save(ctx, rec, nil, stateKeyChange)
}

// markFenced writes the fence marker on pod's volume through its sidecar
// (configs/scripts/fence.sh): its server never makes itself writable
// again, whatever the mounted record still says, until unmarkFenced.
func (c *Cluster) markFenced(ctx context.Context, pod, why string) error {
	return c.runFence(ctx, pod, "fence", why)
}

// unmarkFenced removes it, before mysqlctl makes pod's server writable.
func (c *Cluster) unmarkFenced(ctx context.Context, pod string) error {
	return c.runFence(ctx, pod, "unfence")
}

func (c *Cluster) runFence(ctx context.Context, pod string, args ...string) error {
	if c.runInPod == nil {
		return fmt.Errorf("%s %s: no way to run commands in pods", args[0], pod)
	}
	var stderr bytes.Buffer
	err := c.runInPod(ctx, pod, manifest.ContainerSidecar, fenceCommand(args...), kube.ExecOptions{Stderr: &stderr})
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return fmt.Errorf("%s %s: %w (%s)", args[0], pod, err, msg)
		}
		return fmt.Errorf("%s %s: %w", args[0], pod, err)
	}
	return nil
}

// fenceCommand is what runFence runs in the sidecar.
func fenceCommand(args ...string) []string {
	return append([]string{"bash", manifest.ScriptPath(configs.ScriptFence)}, args...)
}
