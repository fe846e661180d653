package manifest

import (
	"fmt"
	"strings"
)

// mysqlLTS are MySQL's long-term support series in order. MySQL upgrades a
// data directory in place from one LTS series to the next, and no further:
// 8.0 to 8.4, 8.4 to 9.7; 8.0 to 9.7 is not supported
// (https://dev.mysql.com/doc/refman/9.7/en/upgrade-paths.html).
var mysqlLTS = []string{"8.0", "8.4", "9.7"}

// series is a version's major.minor.
func series(version string) string {
	major, minor, _, ok := parseVersion(version)
	if !ok {
		return version
	}
	return fmt.Sprintf("%d.%d", major, minor)
}

// refuseUnsupportedUpgrade refuses a version change of flavour f that its
// vendor does not support in place, naming the path that is: MySQL one LTS
// series at a time. MariaDB upgrades between any of the series mysqlctl
// allows.
func refuseUnsupportedUpgrade(name string, f Flavor, from, to string) error {
	if f != FlavorMySQL {
		return nil
	}
	at, want := -1, -1
	for i, s := range mysqlLTS {
		if s == series(from) {
			at = i
		}
		if s == series(to) {
			want = i
		}
	}
	if at < 0 || want <= at+1 {
		return nil
	}
	path := append([]string{}, mysqlLTS[at:want+1]...)
	return InvalidSpec("version", "cluster %s runs MySQL %s, and MySQL upgrades a data directory one LTS series at a time (%s): pass --version %s first, then the next",
		name, from, strings.Join(path, " → "), mysqlLTS[at+1])
}

// NewSeries says whether version to is of a later series than from (a
// major upgrade: the data directory is upgraded, not only the binary).
func NewSeries(from, to string) bool {
	return from != "" && to != "" && series(from) != series(to) && !OlderVersion(to, from)
}
