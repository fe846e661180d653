package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/kube"
)

// The record touched by someone else (an annotation, as a GitOps tool
// adds) between the switchover's intent and its last write: the new
// primary already takes writes, so the record is read again and written
// over while it still holds this intent. The annotation stays.
func TestSwitchoverFinishesOverATouchedRecord(t *testing.T) {
	servers := healthyServers(3)
	cs := fake.NewClientset(clusterObjects(3)...)
	c := newTestClusterOn(t, cs, servers)
	// The fake store does not check versions: the first write of the record
	// after the old primary's marker loses to someone else's, who added an
	// annotation, as the API server would answer it.
	name, touched, lost := manifest.StateConfigMapName("mysql"), false, false
	cs.PrependReactor("update", "configmaps", func(action k8stesting.Action) (bool, runtime.Object, error) {
		if !touched || lost || action.(k8stesting.UpdateAction).GetObject().(*corev1.ConfigMap).Name != name {
			return false, nil, nil
		}
		lost = true
		gvr := corev1.SchemeGroupVersion.WithResource("configmaps")
		obj, err := cs.Tracker().Get(gvr, testNS, name)
		if err != nil {
			t.Fatal(err)
		}
		cm := obj.(*corev1.ConfigMap).DeepCopy()
		cm.Annotations = map[string]string{"example.com/touched": "yes"}
		if err := cs.Tracker().Update(gvr, cm, testNS); err != nil {
			t.Fatal(err)
		}
		return true, nil, apierrors.NewConflict(gvr.GroupResource(), name, fmt.Errorf("the object has been modified"))
	})
	fenceInPod := c.runInPod
	c.runInPod = func(ctx context.Context, pod, container string, command []string, o kube.ExecOptions) error {
		if pod == "mysql-0" && command[len(command)-2] == "fence" { // the old primary's marker: inside the change
			touched = true
		}
		return fenceInPod(ctx, pod, container, command, o)
	}
	if _, err := c.Switchover(context.Background(), SwitchoverOptions{To: "mysql-2"}); err != nil {
		t.Fatalf("switchover over a touched record: %v", err)
	}
	cm, err := cs.CoreV1().ConfigMaps(testNS).Get(context.Background(), name, metav1.GetOptions{})
	if !lost || err != nil || cm.Data[StateKeyPrimary] != "mysql-2" || cm.Data[stateKeyChange] != "" || cm.Annotations["example.com/touched"] != "yes" {
		t.Errorf("record after the switchover (lost a race: %v): %v %v (err %v), want mysql-2, no change, the annotation kept", lost, cm.Data, cm.Annotations, err)
	}
}

// A switchover that gives up with its intent in the record (the old
// primary could not be given its writes back) ends the intent's time in
// force as it returns: the next switchover settles it at once instead of
// refusing until the first one's --timeout.
func TestAFailedSwitchoverReleasesItsIntent(t *testing.T) {
	servers := healthyServers(3)
	servers["mysql-2"].waitErrs = []error{nil, fmt.Errorf("wait: timed out")} // the target never applies the last ones
	c := newTestCluster(t, clusterObjects(3), servers)
	servers["mysql-0"].execErr = map[string]error{"SET GLOBAL read_only = OFF": fmt.Errorf("connect to mysql-0: connection refused")}
	_, err := c.Switchover(context.Background(), SwitchoverOptions{To: "mysql-2"})
	if err == nil || !strings.Contains(err.Error(), "run mysqlctl switchover again") {
		t.Fatalf("switchover whose undo fails: %v", err)
	}
	raw := recordData(t, c)[stateKeyChange]
	var in Intent
	if err := json.Unmarshal([]byte(raw), &in); err != nil || !in.Interrupted(testNow.Add(1)) {
		t.Errorf("the intent left behind is %q, want one no longer in force", raw)
	}
}
