// Command mysqlctl gives anyone with a Kubernetes cluster a replicated MySQL
// in one command, and then tells them the truth about it.
package main

import (
	"os"

	"github.com/mysqlctl/mysqlctl/cmd"
)

func main() {
	os.Exit(cmd.Execute())
}
