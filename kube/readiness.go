package kube

import (
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// stsPods picks sts's pods (name "<sts>-<ordinal>") out of pods, by ordinal.
func stsPods(stsName string, pods []*corev1.Pod) map[int]*corev1.Pod {
	byOrdinal := map[int]*corev1.Pod{}
	for _, p := range pods {
		rest, ok := strings.CutPrefix(p.Name, stsName+"-")
		if !ok {
			continue
		}
		// "mysql-backup-0" also starts with "mysql-": the rest must be the ordinal alone.
		if n, ok := Ordinal("-" + rest); ok && strconv.Itoa(n) == rest {
			byOrdinal[n] = p
		}
	}
	return byOrdinal
}

// notReady says what keeps sts from being done at want replicas, or ""
// when it is done: pods 0..want-1 exist and are Ready, and the StatefulSet
// status agrees, with any roll-out finished (the checks kubectl rollout
// status makes for a StatefulSet, plus the pods themselves).
func notReady(sts *appsv1.StatefulSet, pods map[int]*corev1.Pod, want int32) string {
	st := sts.Status
	if st.ObservedGeneration < sts.Generation {
		return fmt.Sprintf("waiting for the StatefulSet controller to see generation %d", sts.Generation)
	}
	ready := 0
	for i := 0; i < int(want); i++ {
		if p := pods[i]; p != nil && isPodReady(p) {
			ready++
		}
	}
	switch {
	case ready < int(want):
		return fmt.Sprintf("%d/%d pods ready", ready, want)
	case st.Replicas != want:
		return fmt.Sprintf("%d pods exist, want %d", st.Replicas, want)
	case st.ReadyReplicas != want:
		return fmt.Sprintf("StatefulSet status shows %d/%d pods ready", st.ReadyReplicas, want)
	case st.UpdatedReplicas != want:
		return fmt.Sprintf("rolling update: %d/%d pods updated", st.UpdatedReplicas, want)
	case st.CurrentRevision != st.UpdateRevision:
		return fmt.Sprintf("rolling update to revision %s not finished", st.UpdateRevision)
	}
	return ""
}
