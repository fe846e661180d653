package sql

import (
	"fmt"
	"strconv"
	"strings"
)

// Flavour names a server family and release line whose statements or column
// names differ from the others.
type Flavour string

// The flavours the package knows.
const (
	// MySQL57 is MySQL 5.7: SHOW SLAVE STATUS, CHANGE MASTER TO, old names.
	MySQL57 Flavour = "mysql-5.7"
	// MySQL80 is MySQL 8.0; the new REPLICA/SOURCE syntax appears during
	// 8.0.22–8.0.26, so the adapter still looks at the patch release.
	MySQL80 Flavour = "mysql-8.0"
	// MySQL84 is MySQL 8.4 LTS and the releases that behave like it where they
	// share its syntax: the 8.1–8.3 innovation releases and 9.x.
	MySQL84 Flavour = "mysql-8.4"
	// MariaDB is MariaDB 10.5 and later (10.11 LTS and 11.x are what mysqlctl
	// deploys): old column names, its own GTID format and wait function.
	MariaDB Flavour = "mariadb"
)

// IsMariaDB reports whether f is a MariaDB flavour.
func (f Flavour) IsMariaDB() bool { return f == MariaDB }

// Version is the numeric part of a server version such as "8.0.36" or
// "10.11.6-MariaDB-log".
type Version struct {
	Major, Minor, Patch int
}

// ParseVersion reads the leading "major.minor.patch" of a VERSION() string
// and ignores any suffix ("-log", "-MariaDB-1:10.11.6+maria~ubu2204").
func ParseVersion(s string) (Version, error) {
	head := s
	if i := strings.IndexFunc(s, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }); i >= 0 {
		head = s[:i]
	}
	parts := strings.Split(head, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("parse server version %q: want major.minor[.patch]", s)
	}
	var nums [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, fmt.Errorf("parse server version %q: %w", s, err)
		}
		nums[i] = n
	}
	return Version{Major: nums[0], Minor: nums[1], Patch: nums[2]}, nil
}

// AtLeast reports whether v is major.minor.patch or later.
func (v Version) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch >= patch
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// DetectFlavour tells the flavour from SELECT VERSION(), @@version_comment.
// MariaDB says so in VERSION() ("10.11.6-MariaDB"); its version_comment may
// not (Debian's reads "Debian 12"), so both are checked.
func DetectFlavour(version, comment string) (Flavour, Version, error) {
	v, err := ParseVersion(version)
	if err != nil {
		return "", Version{}, err
	}
	if strings.Contains(strings.ToLower(version+" "+comment), "mariadb") {
		if !v.AtLeast(10, 5, 0) {
			return "", v, fmt.Errorf("MariaDB %s is not supported: need 10.5 or later", v)
		}
		return MariaDB, v, nil
	}
	switch {
	case v.AtLeast(8, 1, 0):
		return MySQL84, v, nil
	case v.AtLeast(8, 0, 0):
		return MySQL80, v, nil
	case v.AtLeast(5, 7, 0):
		return MySQL57, v, nil
	}
	return "", v, fmt.Errorf("MySQL %s is not supported: need 5.7 or later", v)
}
