package sql

import (
	"fmt"
	"regexp"
	"slices"
)

// Statements that run in the pods are rendered once, in Go, with named
// placeholders where a value is known only inside the pod (a password from
// the Secret, the primary's name, the position a clone recorded). The pod
// scripts fill them with sql_fill (configs/scripts/statements.sh) in one
// pass, and pipe the result to the client's stdin:
//
//	{{name}}      the value as a quoted SQL string literal
//	{{name:int}}  the value as an unsigned decimal integer (anything else is refused)
//
// The position names (gtid, binlog_file, binlog_pos) are the keys that
// position.sh writes, so a clone's position file is passed on as it is.
const (
	paramAdminUser           = "admin_user"
	paramAdminPassword       = "admin_password"
	paramReplicationUser     = "replication_user"
	paramReplicationPassword = "replication_password"
	paramSourceHost          = "source_host"
	paramSourcePort          = "source_port"
	paramGTID                = "gtid"
	paramBinlogFile          = "binlog_file"
	paramBinlogPos           = "binlog_pos"
	paramRootHost            = "root_host"
	paramDonorHost           = "donor_host"
	paramDonorPort           = "donor_port"
	paramValidDonors         = "valid_donors"
	paramCloneDir            = "clone_dir"
	paramSourceCA            = "source_ca"
	paramSourceGTID          = "source_gtid"
	paramOwnGTID             = "own_gtid"
	paramProbeUser           = "probe_user"
	paramProbePassword       = "probe_password"
)

// textParam is the placeholder of a value that becomes a string literal.
func textParam(name string) string { return "{{" + name + "}}" }

// numberParam is the placeholder of a value that must be an unsigned integer.
func numberParam(name string) string { return "{{" + name + ":int}}" }

// placeholder is one named placeholder of a rendered statement file.
type placeholder struct {
	Name string
	Int  bool // {{name:int}}: the value must be an unsigned integer
}

// placeholderRE matches anything between double braces, so that malformed
// placeholders are found and refused rather than skipped.
var placeholderRE = regexp.MustCompile(`\{\{([^{}]*)\}\}`)

var validPlaceholder = regexp.MustCompile(`^[a-z][a-z0-9_]*(:int)?$`)

// placeholders lists the distinct placeholders of a statement file in order
// of first use, or an error naming the first malformed one.
func placeholders(file string) ([]placeholder, error) {
	var out []placeholder
	for _, m := range placeholderRE.FindAllStringSubmatch(file, -1) {
		if !validPlaceholder.MatchString(m[1]) {
			return nil, fmt.Errorf("malformed placeholder %s", m[0])
		}
		name, isInt := m[1], false
		if n := len(name) - len(":int"); n > 0 && name[n:] == ":int" {
			name, isInt = name[:n], true
		}
		p := placeholder{Name: name, Int: isInt}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}
