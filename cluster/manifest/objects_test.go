package manifest

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/mysqlctl/mysqlctl/configs"
	"github.com/mysqlctl/mysqlctl/sql"
)

// buildTyped builds the objects of spec and converts the StatefulSet to the
// API type, which is easier to walk than apply configurations.
func buildTyped(t *testing.T, spec Spec) (*Objects, *appsv1.StatefulSet) {
	t.Helper()
	objs, err := BuildObjects(spec, "")
	if err != nil {
		t.Fatalf("BuildObjects: %v", err)
	}
	raw, err := json.Marshal(objs.StatefulSet)
	if err != nil {
		t.Fatal(err)
	}
	sts := &appsv1.StatefulSet{}
	if err := json.Unmarshal(raw, sts); err != nil {
		t.Fatal(err)
	}
	return objs, sts
}

func specOf(f Flavor) Spec { return Spec{Replicas: 3, Flavor: f} }

func TestBuildObjectsRefusesAnInvalidSpec(t *testing.T) {
	if _, err := BuildObjects(Spec{Replicas: 0}, ""); err == nil {
		t.Fatal("BuildObjects accepted replicas 0")
	}
}

func TestObjectsAreLabelled(t *testing.T) {
	objs, _ := buildTyped(t, DefaultSpec())
	components := map[string]string{
		"mysql-credentials": componentCredentials, "mysql-config": componentConfig,
		"mysql": ComponentDatabase, "mysql-primary": ComponentDatabase, "mysql-read": ComponentDatabase,
	}
	for _, obj := range objs.InOrder() {
		raw, _ := json.Marshal(obj)
		var meta struct {
			Metadata struct {
				Name      string            `json:"name"`
				Namespace *string           `json:"namespace"`
				Labels    map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(raw, &meta); err != nil {
			t.Fatal(err)
		}
		m := meta.Metadata
		want := Labels("mysql", components[m.Name])
		for k, v := range want {
			if m.Labels[k] != v {
				t.Errorf("%s: label %s = %q, want %q", m.Name, k, m.Labels[k], v)
			}
		}
		if m.Namespace != nil {
			t.Errorf("%s: namespace %q set while the spec has none", m.Name, *m.Namespace)
		}
	}
	if n := len(objs.Applied()); n != len(objs.InOrder())-1 {
		t.Errorf("Applied() has %d objects, want all but the Secret", n)
	}
}

func TestNamespaceIsSetWhenGiven(t *testing.T) {
	objs, err := BuildObjects(DefaultSpec(), "db")
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range objs.InOrder() {
		if ns := obj.GetNamespace(); ns == nil || *ns != "db" {
			t.Errorf("%s: namespace %v, want db", *obj.GetName(), ns)
		}
	}
}

func TestStatefulSetPolicies(t *testing.T) {
	{
		_, sts := buildTyped(t, DefaultSpec())
		// Scale-down deletes volumes unless scale --keep-pvcs patches this.
		p := sts.Spec.PersistentVolumeClaimRetentionPolicy
		if p == nil || p.WhenScaled != appsv1.DeletePersistentVolumeClaimRetentionPolicyType || p.WhenDeleted != appsv1.RetainPersistentVolumeClaimRetentionPolicyType {
			t.Errorf("retention policy %+v, want whenScaled Delete, whenDeleted Retain", p)
		}
		// Pods start together: a replica must never wait for a lower
		// ordinal that replicates from it (the primary may be any ordinal).
		if sts.Spec.PodManagementPolicy != appsv1.ParallelPodManagement {
			t.Errorf("podManagementPolicy %q, want Parallel", sts.Spec.PodManagementPolicy)
		}
		if g := sts.Spec.Template.Spec.TerminationGracePeriodSeconds; g == nil || *g > 15 {
			t.Errorf("terminationGracePeriodSeconds %v, want short", g)
		}
		if sts.Spec.ServiceName != "mysql" || *sts.Spec.Replicas != 3 {
			t.Errorf("serviceName %q replicas %d", sts.Spec.ServiceName, *sts.Spec.Replicas)
		}
	}
}

func TestHeadlessServicePublishesNotReadyPods(t *testing.T) {
	for _, f := range Flavors() {
		objs, _ := buildTyped(t, specOf(f))
		s := objs.HeadlessService.Spec
		if s.ClusterIP == nil || *s.ClusterIP != "None" || s.PublishNotReadyAddresses == nil || !*s.PublishNotReadyAddresses {
			t.Errorf("%s: headless service %+v", f, s)
		}
		wantPorts := map[int32]bool{PortMySQL: true, portClone: f != FlavorMySQL}
		got := map[int32]bool{}
		for _, p := range s.Ports {
			got[*p.Port] = true
		}
		for port, want := range wantPorts {
			if got[port] != want {
				t.Errorf("%s: headless service port %d present %v, want %v", f, port, got[port], want)
			}
		}
		if r := objs.ReadService.Spec; len(r.Ports) != 1 || *r.Ports[0].Port != PortMySQL || r.Selector[LabelInstance] != "mysql" {
			t.Errorf("%s: read service %+v", f, r)
		}
	}
}

func TestContainersPerFlavour(t *testing.T) {
	tests := []struct {
		flavor                Flavor
		server, tools, rootPW string
	}{
		{FlavorMySQL, "mysql:8.4", "mysql:8.4", "MYSQL_ALLOW_EMPTY_PASSWORD"},
		{FlavorMariaDB, "mariadb:10.11", "mariadb:10.11", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"},
		{FlavorMySQL57, "mysql:5.7.44", DefaultXtrabackupImage, "MYSQL_ALLOW_EMPTY_PASSWORD"},
	}
	for _, tt := range tests {
		_, sts := buildTyped(t, specOf(tt.flavor))
		pod := sts.Spec.Template.Spec
		images := map[string]string{}
		for _, c := range append(pod.InitContainers, pod.Containers...) {
			images[c.Name] = c.Image
			if c.ImagePullPolicy != corev1.PullIfNotPresent {
				t.Errorf("%s/%s: pull policy %q", tt.flavor, c.Name, c.ImagePullPolicy)
			}
		}
		want := map[string]string{ContainerInitConfig: tt.server, ContainerClone: tt.tools, ContainerServer: tt.server, ContainerSidecar: tt.tools}
		for name, image := range want {
			if images[name] != image {
				t.Errorf("%s: container %s image %q, want %q", tt.flavor, name, images[name], image)
			}
		}
		if pod.InitContainers[0].Name != ContainerInitConfig || pod.InitContainers[1].Name != ContainerClone {
			t.Errorf("%s: init containers out of order", tt.flavor)
		}
		server := pod.Containers[0]
		if server.Env[0].Name != tt.rootPW || server.Env[0].Value != "1" {
			t.Errorf("%s: server's first variable %+v, want %s=1 (the initdb script sets root's password)", tt.flavor, server.Env[0], tt.rootPW)
		}
		if server.StartupProbe == nil || server.LivenessProbe == nil || server.ReadinessProbe == nil {
			t.Fatalf("%s: server probes missing", tt.flavor)
		}
		if budget := server.StartupProbe.PeriodSeconds * server.StartupProbe.FailureThreshold; budget < 300 {
			t.Errorf("%s: startup probe allows %ds of crash recovery, want minutes", tt.flavor, budget)
		}
		if cmd := strings.Join(server.ReadinessProbe.Exec.Command, " "); cmd != "bash /mnt/mysqlctl/probe.sh ready" {
			t.Errorf("%s: readiness probe %q", tt.flavor, cmd)
		}
		if got := server.Resources.Requests.Cpu().String(); got != defaultCPURequest {
			t.Errorf("%s: cpu request %s", tt.flavor, got)
		}
	}
}

// TestNoPasswordLiterals: no password reaches the pods by environment
// (they are files of a Secret volume), and nothing rendered carries a value
// that looks like one.
func TestNoPasswordLiterals(t *testing.T) {
	for _, f := range Flavors() {
		objs, sts := buildTyped(t, specOf(f))
		pod := sts.Spec.Template.Spec
		for _, c := range append(pod.InitContainers, pod.Containers...) {
			for _, e := range c.Env {
				if e.ValueFrom != nil || (strings.Contains(e.Name, "PASSWORD") && e.Value != "1") {
					t.Errorf("%s/%s: %s carries a secret or password: %+v", f, c.Name, e.Name, e)
				}
			}
			if len(c.EnvFrom) != 0 {
				t.Errorf("%s/%s: environment from %+v", f, c.Name, c.EnvFrom)
			}
		}
		if objs.Secret.Data != nil || objs.Secret.StringData != nil {
			t.Errorf("%s: the built Secret carries data", f)
		}
		raw, _ := json.Marshal(objs.InOrder())
		literal := regexp.MustCompile(`(?i)(password|pwd)[\w-]*["']?\s*[:=]\s*["']?[A-Za-z0-9]{8,}`)
		if m := literal.Find(raw); m != nil {
			t.Errorf("%s: something looks like a password literal: %s", f, m)
		}
	}
}

func TestScriptsReferencedExistInTheConfigMap(t *testing.T) {
	for _, f := range Flavors() {
		objs, sts := buildTyped(t, specOf(f))
		pod := sts.Spec.Template.Spec
		for _, c := range append(pod.InitContainers, pod.Containers...) {
			commands := [][]string{c.Command}
			for _, p := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
				if p != nil {
					commands = append(commands, p.Exec.Command)
				}
			}
			for _, cmd := range commands {
				for _, arg := range cmd {
					if name, ok := strings.CutPrefix(arg, mountScripts+"/"); ok && objs.ConfigMap.Data[name] == "" {
						t.Errorf("%s/%s runs %s, which the ConfigMap lacks", f, c.Name, arg)
					}
				}
			}
		}
		for _, name := range []string{"common.cnf", "primary.cnf", "replica.cnf"} {
			if objs.ConfigMap.Data[name] == "" {
				t.Errorf("%s: ConfigMap lacks %s", f, name)
			}
		}
	}
}

// TestScriptDefaultsMatchTheMounts: lib.sh's default paths are the pod's
// mount points, which the StatefulSet therefore does not pass as variables.
func TestScriptDefaultsMatchTheMounts(t *testing.T) {
	scripts, err := configs.Scripts()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"DATA_ROOT": mountData, "DATADIR": MountDatadir, "CONF_DIR": mountConfD,
		"CONFIG_DIR": mountScripts, "RUN_DIR": mountRun, "CLUSTER_STATE_DIR": mountClusterState, "SERVER_PORT": "3306", "CLONE_PORT": "3307",
		"SERVER_BACKUP_DIR": mountBackup,
	}
	if !strings.Contains(scripts["lib.sh"], "\nBACKUP_SUBDIR="+backupSubPath+" ") {
		t.Errorf("lib.sh's BACKUP_SUBDIR is not the server's backup subPath %s", backupSubPath)
	}
	for name, value := range want {
		line := `: "${` + name + `:=` + value + `}"`
		if !strings.Contains(scripts["lib.sh"], line) {
			t.Errorf("lib.sh lacks %s", line)
		}
	}
}

func TestVolumeClaimTemplate(t *testing.T) {
	spec := DefaultSpec()
	spec.StorageClass = "fast"
	_, sts := buildTyped(t, spec)
	pvc := sts.Spec.VolumeClaimTemplates[0]
	if pvc.Name != VolumeClaimTemplateName || pvc.Spec.StorageClassName == nil || *pvc.Spec.StorageClassName != "fast" ||
		pvc.Spec.Resources.Requests.Storage().String() != "10Gi" || pvc.Labels[LabelInstance] != "mysql" {
		t.Errorf("volume claim template %+v", pvc)
	}
	_, sts = buildTyped(t, DefaultSpec())
	if sts.Spec.VolumeClaimTemplates[0].Spec.StorageClassName != nil {
		t.Error("storage class set while the spec leaves it to the default")
	}
}

// statementServer is the one place a spec's flavour and version become the
// sql package's; "8.0" means 8.0.23, the oldest 8.0 validateVersion accepts.
func TestStatementServer(t *testing.T) {
	tests := []struct {
		flavor           Flavor
		version, wantVer string
		want             sql.Flavour
	}{
		{FlavorMySQL, "8.4", "8.4", sql.MySQL84},
		{FlavorMySQL, "8.0", "8.0.23", sql.MySQL80},
		{FlavorMySQL, "8.0.36", "8.0.36", sql.MySQL80},
		{FlavorMariaDB, "10.11", "10.11", sql.MariaDB},
		{FlavorMariaDB, "11.4", "11.4", sql.MariaDB},
		{FlavorMySQL57, "5.7", "5.7", sql.MySQL57},
	}
	for _, tt := range tests {
		f, v := statementServer(Spec{Flavor: tt.flavor, Version: tt.version})
		if f != tt.want || v != tt.wantVer {
			t.Errorf("%s %s: %s %s, want %s %s", tt.flavor, tt.version, f, v, tt.want, tt.wantVer)
		}
	}
}

// The ConfigMap carries the statement files the scripts run, rendered for
// the spec's flavour and version, next to the scripts.
func TestConfigMapCarriesTheStatements(t *testing.T) {
	tests := []struct {
		flavor         Flavor
		version        string
		changeSource   string // a part of stmt-change-source.sql
		only, notThere string // a flavour's own file, and one it must not have
	}{
		{FlavorMySQL, "8.4", "CHANGE REPLICATION SOURCE TO SOURCE_HOST={{source_host}}", sql.FileClone, sql.FileRestrictRoot},
		{FlavorMySQL, "8.0", "SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1;", sql.FileClone, sql.FileRestrictRoot},
		{FlavorMariaDB, "10.11", "MASTER_USE_GTID=slave_pos;", sql.FileRestrictRoot, sql.FileClone},
		{FlavorMySQL57, "5.7", "MASTER_LOG_POS={{binlog_pos:int}};", sql.FileStartReplica, sql.FileClone},
	}
	for _, tt := range tests {
		spec := specOf(tt.flavor)
		spec.Version = tt.version
		objs, _ := buildTyped(t, spec)
		data := objs.ConfigMap.Data
		if !strings.Contains(data[sql.FileChangeSource], tt.changeSource) {
			t.Errorf("%s %s: %s = %q, want it to contain %q", tt.flavor, tt.version, sql.FileChangeSource, data[sql.FileChangeSource], tt.changeSource)
		}
		for _, name := range []string{sql.FileAccounts, sql.FileStartReplica, sql.FileReplicaStatus, sql.FileReadOnly, tt.only} {
			if data[name] == "" {
				t.Errorf("%s %s: ConfigMap lacks %s", tt.flavor, tt.version, name)
			}
		}
		if _, ok := data[tt.notThere]; ok {
			t.Errorf("%s %s: ConfigMap has %s", tt.flavor, tt.version, tt.notThere)
		}
	}
}

// TestNetworkPolicy: off by default; on, it lets only the cluster's own pods
// reach the clone port, and anyone the server port.
func TestNetworkPolicy(t *testing.T) {
	spec := specOf(FlavorMariaDB)
	objs, err := BuildObjects(spec, "db")
	if err != nil {
		t.Fatal(err)
	}
	if objs.NetworkPolicy != nil {
		t.Fatal("a NetworkPolicy without networkPolicy: true")
	}
	spec.NetworkPolicy = "true"
	objs, err = BuildObjects(spec, "db")
	if err != nil {
		t.Fatal(err)
	}
	p := objs.NetworkPolicy
	if p == nil || !slices.Contains(objs.Applied(), Object(p)) {
		t.Fatal("networkPolicy: true built no NetworkPolicy, or up would not apply it")
	}
	rules := p.Spec.Ingress
	if len(rules) != 2 {
		t.Fatalf("%d ingress rules, want 2", len(rules))
	}
	peers, clients := rules[0], rules[1]
	if len(peers.From) != 1 || !maps.Equal(peers.From[0].PodSelector.MatchLabels, selectorLabels("mysql")) {
		t.Errorf("the peers' rule admits %+v, want the cluster's pods only", peers.From)
	}
	var peerPorts []int32
	for _, port := range peers.Ports {
		peerPorts = append(peerPorts, port.Port.IntVal)
	}
	if !slices.Equal(peerPorts, []int32{PortMySQL, portClone}) {
		t.Errorf("peers reach ports %v, want %d and %d", peerPorts, PortMySQL, portClone)
	}
	if len(clients.From) != 0 || len(clients.Ports) != 1 || clients.Ports[0].Port.IntVal != PortMySQL {
		t.Errorf("clients' rule %+v, want anyone to port %d only", clients, PortMySQL)
	}
	if spec.NetworkPolicy = "yes"; spec.Validate() == nil {
		t.Error("networkPolicy: yes was accepted")
	}
}
