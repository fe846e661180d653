package configs_test

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/mysqlctl/mysqlctl/cluster"
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
)

// contractOut is where TestImageContracts writes what it derived, for
// e2e/verify-images.sh (make verify-images), which checks the same
// requirement inside the pulled images.
var contractOut = flag.String("contract-out", "", "write every container's derived requirement to this file")

// imageContract is one configs/images/*.txt file: what an image provides,
// each fact with the source that shows it (see configs/images/README.md).
type imageContract struct {
	file     string
	image    string
	user     string            // the image's default uid, "" when the file has none
	programs map[string]string // program -> source
}

func loadContracts(t *testing.T) map[string]*imageContract {
	t.Helper()
	files, err := filepath.Glob("images/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no image contracts in configs/images: %v", err)
	}
	out := map[string]*imageContract{}
	for _, file := range files {
		c, err := parseContract(file)
		if err != nil {
			t.Fatal(err)
		}
		if other := out[c.image]; other != nil {
			t.Fatalf("%s and %s both describe image %s", other.file, c.file, c.image)
		}
		out[c.image] = c
	}
	return out
}

// parseContract reads "KIND VALUE SOURCE [NOTE...]" lines; # starts a
// comment line. Every fact needs an https source.
func parseContract(file string) (*imageContract, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := &imageContract{file: "configs/" + filepath.ToSlash(file), programs: map[string]string{}}
	scanner := bufio.NewScanner(f)
	for n := 1; scanner.Scan(); n++ {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 || !strings.HasPrefix(fields[2], "https://") {
			return nil, fmt.Errorf("%s:%d: want KIND VALUE https://SOURCE [NOTE], got %q", c.file, n, line)
		}
		kind, value, source := fields[0], fields[1], fields[2]
		switch kind {
		case "image":
			if c.image != "" {
				return nil, fmt.Errorf("%s:%d: a second image line", c.file, n)
			}
			c.image = value
		case "user":
			if _, err := strconv.Atoi(value); err != nil {
				return nil, fmt.Errorf("%s:%d: user %q is not a numeric uid", c.file, n, value)
			}
			c.user = value
		case "program":
			c.programs[value] = source
		case "platform", "path":
			// checked by e2e/verify-images.sh only: no unit test can see them
		default:
			return nil, fmt.Errorf("%s:%d: unknown kind %q (image, platform, user, program, path)", c.file, n, kind)
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	if c.image == "" {
		return nil, fmt.Errorf("%s: no image line", c.file)
	}
	return c, nil
}

// missing lists what the derived calls need that the contract lacks.
func (c *imageContract) missing(got *calls) []string {
	var out []string
	for _, program := range sortedKeys(got.need) {
		if _, ok := c.programs[program]; !ok {
			out = append(out, fmt.Sprintf("%s runs %s, which %s does not list", got.need[program], program, c.file))
		}
	}
	for _, alts := range got.choices {
		if !c.satisfiesOne(alts) {
			out = append(out, fmt.Sprintf("the scripts need one of %s, and %s lists no alternative completely", choiceString(alts), c.file))
		}
	}
	return out
}

func (c *imageContract) satisfiesOne(alts []*calls) bool {
	for _, alt := range alts {
		all := true
		for program := range alt.need {
			if _, ok := c.programs[program]; !ok {
				all = false
			}
		}
		if all {
			return true
		}
	}
	return false
}

// podContainer is one container of a flavour's pod, as the StatefulSet
// mysqlctl applies describes it.
type podContainer struct {
	name, image string
	env         map[string]string // literal values only
	entries     [][]string        // command (or entrypoint arguments) and probes
	script      bool              // runs a command of its own, not the image's entrypoint
	mountsData  bool              // mounts the data volume
	runAsUser   *int64            // from the container's or the pod's securityContext
}

// flavourPod builds a flavour's default objects, as `mysqlctl up` would,
// with every optional container on (metrics: the exporter), so that each
// default image is checked, and returns its containers and the pod scripts
// of its ConfigMap.
func flavourPod(t *testing.T, flavor manifest.Flavor) ([]podContainer, map[string]string) {
	t.Helper()
	objs, err := manifest.BuildObjects(manifest.Spec{Flavor: flavor, Replicas: 3, Metrics: "true"}, "")
	if err != nil {
		t.Fatalf("%s: build objects: %v", flavor, err)
	}
	raw, err := json.Marshal(objs.StatefulSet)
	if err != nil {
		t.Fatal(err)
	}
	var sts appsv1.StatefulSet
	if err := json.Unmarshal(raw, &sts); err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{}
	for name, text := range objs.ConfigMap.Data {
		if strings.HasSuffix(name, ".sh") {
			scripts[name] = text
		}
	}
	pod := sts.Spec.Template.Spec
	var out []podContainer
	execs := cluster.ExecCommands(flavor)
	for _, c := range append(pod.InitContainers, pod.Containers...) {
		pc := describe(c, pod.SecurityContext)
		pc.entries = append(pc.entries, execs[c.Name]...) // what mysqlctl runs there through the API
		out = append(out, pc)
	}
	return out, scripts
}

func describe(c corev1.Container, podSecurity *corev1.PodSecurityContext) podContainer {
	pc := podContainer{name: c.Name, image: c.Image, env: map[string]string{}, script: len(c.Command) > 0}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			pc.env[e.Name] = e.Value
		}
	}
	switch {
	case len(c.Command) > 0:
		pc.entries = append(pc.entries, append(append([]string{}, c.Command...), c.Args...))
	case len(c.Args) > 0 && strings.HasPrefix(c.Args[0], "-"):
		// options of the image's own program (the exporter's ENTRYPOINT is
		// mysqld_exporter): no command to follow; the image's file lists it
	case len(c.Args) > 0: // the image's entrypoint runs them (mysqld)
		pc.entries = append(pc.entries, c.Args)
	}
	for _, p := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
		if p != nil && p.Exec != nil {
			pc.entries = append(pc.entries, p.Exec.Command)
		}
	}
	if c.Lifecycle != nil {
		for _, h := range []*corev1.LifecycleHandler{c.Lifecycle.PostStart, c.Lifecycle.PreStop} {
			if h != nil && h.Exec != nil {
				pc.entries = append(pc.entries, h.Exec.Command)
			}
		}
	}
	for _, m := range c.VolumeMounts {
		if m.Name == manifest.VolumeClaimTemplateName {
			pc.mountsData = true
		}
	}
	if podSecurity != nil && podSecurity.RunAsUser != nil {
		pc.runAsUser = podSecurity.RunAsUser
	}
	if c.SecurityContext != nil && c.SecurityContext.RunAsUser != nil {
		pc.runAsUser = c.SecurityContext.RunAsUser
	}
	return pc
}

// effectiveUID is the uid a container's processes run as, and why.
func (pc podContainer) effectiveUID(c *imageContract) (uid, why string) {
	if pc.runAsUser != nil {
		return strconv.FormatInt(*pc.runAsUser, 10), "the pod's securityContext"
	}
	if c.user == "" {
		return "", c.file + " has no user line"
	}
	return c.user, "the image's user in " + c.file
}

// awaitingFix are known gaps between the pod spec and an image that need a
// change outside configs/ (named in the message). Each one is logged on
// every run; one that is no longer a gap fails the test, so the list
// empties itself as the fixes land.
var awaitingFix = map[string]string{}

// TestImageContracts derives, for every flavour and container of the pod
// mysqlctl applies, the programs its scripts and probes run (scriptcalls_test.go)
// and checks them against what configs/images says the container's image
// provides. A script that starts calling a program its image's file does
// not list fails here; so does a container mounting the data volume that
// would not run as the datadir's owner, cluster.PodUser (the clone writes
// the datadir the server then owns, the sidecar's backup tool reads the
// server's files, mode 0640).
func TestImageContracts(t *testing.T) {
	builtins, err := bashBuiltins()
	if err != nil {
		t.Skipf("bash is needed to list its builtins: %v", err)
	}
	contracts := loadContracts(t)
	used, gaps := map[string]bool{}, map[string]bool{}
	var table strings.Builder
	for _, flavor := range manifest.Flavors() {
		containers, scripts := flavourPod(t, flavor)
		for _, pc := range containers {
			key := string(flavor) + "/" + pc.name
			got, err := scriptCalls(scripts, builtins, pc.env, pc.entries)
			if err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			contract := contracts[pc.image]
			if contract == nil {
				t.Errorf("%s runs image %s, which no configs/images/*.txt describes: add one (see configs/images/README.md)", key, pc.image)
				continue
			}
			used[contract.file] = true
			for _, problem := range contract.missing(got) {
				t.Errorf("%s (image %s): %s", key, pc.image, problem)
			}
			writeRequirement(&table, key, pc.image, contract.file, got)
			if len(got.need) == 0 && len(got.choices) == 0 && (!pc.script || !pc.mountsData) {
				// Only the image's entrypoint runs (the exporter): no line
				// would name the image, and make verify-images would not
				// check it. A uid= line names it; verify-images reads no
				// requirement from it.
				uid, _ := pc.effectiveUID(contract)
				fmt.Fprintf(&table, "%s\t%s\t%s\tuid=%s\n", key, pc.image, contract.file, uid)
			}
			if checkDataOwner(t, key, pc, contract, &table) {
				gaps[key] = true
			}
		}
	}
	for key, fix := range awaitingFix {
		if !gaps[key] {
			t.Errorf("awaitingFix lists %s, which is no longer a gap (%s): remove it", key, fix)
		}
	}
	for _, c := range contracts {
		if !used[c.file] {
			t.Errorf("%s describes image %s, which no flavour's default pod runs: remove it or fix its image line", c.file, c.image)
		}
	}
	if *contractOut != "" {
		if err := os.WriteFile(*contractOut, []byte(table.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkDataOwner requires a script container that mounts the data volume to
// run as the datadir's owner, and reports whether it is a known gap (awaitingFix) instead.
func checkDataOwner(t *testing.T, key string, pc podContainer, contract *imageContract, table *strings.Builder) (gap bool) {
	t.Helper()
	if !pc.script || !pc.mountsData {
		return false
	}
	owner := strconv.Itoa(manifest.PodUser)
	fmt.Fprintf(table, "%s\t%s\t%s\tuid=%s\n", key, pc.image, contract.file, owner)
	uid, why := pc.effectiveUID(contract)
	if uid == owner {
		return false
	}
	if fix, ok := awaitingFix[key]; ok {
		t.Logf("KNOWN GAP %s runs as uid %s (%s), not root: %s", key, uid, why, fix)
		return true
	}
	t.Errorf("%s mounts the data volume and runs scripts as uid %q (%s): it must run as the datadir's owner, uid %s, or the server cannot use what the clone writes and the backup tool cannot read the server's files", key, uid, why, owner)
	return false
}

// writeRequirement writes one line per program, or per choice, of a
// container: "flavour/container image contract requirement", tab-separated.
func writeRequirement(b *strings.Builder, key, image, file string, got *calls) {
	for _, program := range sortedKeys(got.need) {
		fmt.Fprintf(b, "%s\t%s\t%s\t%s\n", key, image, file, program)
	}
	for _, alts := range got.choices {
		fmt.Fprintf(b, "%s\t%s\t%s\t%s\n", key, image, file, choiceString(alts))
	}
}
