package cluster

import (
	"github.com/mysqlctl/mysqlctl/cluster/manifest"
	"github.com/mysqlctl/mysqlctl/configs"
)

// The commands mysqlctl runs in a pod's containers through the API, beside
// those the pod spec runs itself. The image contract test
// (configs/images_test.go) derives what they need of each image from here.

// backupCommand streams a hot backup of the pod's server (sidecar).
func backupCommand() []string {
	return []string{"bash", manifest.ScriptPath(configs.ScriptBackupStream)}
}

// restoreCommand receives a backup on the primary of a new cluster (its
// clone container, which waits for it), resetting the accounts' passwords
// unless the backed-up cluster's credentials came with it.
func restoreCommand(resetPasswords bool) []string {
	cmd := []string{"bash", manifest.ScriptPath(configs.ScriptRestore)}
	if resetPasswords {
		cmd = append(cmd, "--reset-passwords")
	}
	return cmd
}

// ExecCommands lists, per container name, what mysqlctl may exec in a pod
// of flavour f.
func ExecCommands(f manifest.Flavor) map[string][][]string {
	fences := [][]string{fenceCommand("fence", "why"), fenceCommand("unfence")}
	restores := [][]string{restoreCommand(false)}
	if f != manifest.FlavorMySQL57 { // the XtraBackup image has no server to reset passwords with
		restores = append(restores, restoreCommand(true))
	}
	return map[string][][]string{manifest.ContainerSidecar: append([][]string{backupCommand()}, fences...), manifest.ContainerClone: restores}
}
