package cluster

import (
	"testing"

	"github.com/mysqlctl/mysqlctl/kube"
)

func TestDescribeProgress(t *testing.T) {
	cases := []struct {
		in   kube.PodProgress
		want string
	}{
		{kube.PodProgress{Pod: "mysql-0", Stage: kube.StageInitializing, InitContainer: ContainerClone}, "mysql-0: primary: starting from its own data"},
		{kube.PodProgress{Pod: "mysql-2", Stage: kube.StageInitializing, InitContainer: ContainerClone}, "mysql-2: cloning data from a peer"},
		{kube.PodProgress{Pod: "mysql-1", Stage: kube.StageInitializing, InitContainer: ContainerInitConfig}, "mysql-1: configuring server identity"},
		{kube.PodProgress{Pod: "mysql-1", Stage: kube.StagePending, Reason: "Unschedulable",
			Message: "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found"}, "mysql-1: waiting for its volume"},
	}
	for _, tc := range cases {
		if got := describeProgress(tc.in); got != tc.want {
			t.Errorf("describeProgress(%+v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	other := kube.PodProgress{Pod: "mysql-1", Stage: kube.StagePending, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 Insufficient cpu."}
	if got := describeProgress(other); got != other.String() {
		t.Errorf("a real scheduling problem must keep kube's wording, got %q", got)
	}
}
