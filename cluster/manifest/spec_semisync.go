package manifest

import "time"

// Values of the spec key semiSync.
const (
	SemiSyncOff    = "off"
	SemiSyncOn     = "on"
	SemiSyncStrict = "strict"
)

// Bounds of semiSyncTimeout: below a second a replica's hiccup (a GC
// pause, a slow disk) turns every commit asynchronous; above an hour a
// user wants strict.
const (
	minSemiSyncTimeout = time.Second
	maxSemiSyncTimeout = time.Hour
)

// validateSemiSync refuses what cannot hold: semi-sync with no replica to
// acknowledge (a single server would wait or fall back at every commit),
// and on servers whose semi-sync mysqlctl does not offer (MySQL 5.7 and
// 8.0 before 8.0.26 have other plugins, untested here).
func (s Spec) validateSemiSync() error {
	switch s.SemiSync {
	case SemiSyncOff:
		return nil
	case SemiSyncOn, SemiSyncStrict:
	default:
		return InvalidSpec("semiSync", "semiSync %q is not off, on or strict: pass --semi-sync off, on (falls back to asynchronous after --semi-sync-timeout) or strict (never falls back)", s.SemiSync)
	}
	if s.Replicas < 2 {
		return InvalidSpec("semiSync", "semiSync %s needs a replica to acknowledge commits, and the cluster has %d server: pass --replicas 2 or more, or --semi-sync off", s.SemiSync, s.Replicas)
	}
	major, minor, patch, _ := parseVersion(s.Version)
	if s.Flavor == FlavorMySQL57 || (s.Flavor == FlavorMySQL && major == 8 && minor == 0 && patch < 26) {
		return InvalidSpec("semiSync", "semiSync is offered on MariaDB and on MySQL 8.0.26 or later, not on %s %s: pass --version 8.4 (or 8.0.26 or later), or --semi-sync off", s.Flavor, s.Version)
	}
	d, err := time.ParseDuration(s.SemiSyncTimeout)
	if err != nil || d < minSemiSyncTimeout || d > maxSemiSyncTimeout || d%time.Millisecond != 0 {
		return InvalidSpec("semiSyncTimeout", "semiSyncTimeout %q is not a duration from 1s to 1h: pass e.g. --semi-sync-timeout %s", s.SemiSyncTimeout, defaultSemiSyncTimeout)
	}
	return nil
}

// SemiSyncTimeoutMillis is how long the primary waits for an
// acknowledgement, in milliseconds, for the pods' cnf: semiSyncTimeout for
// on, the servers' largest value (about 49 days: never, in practice) for
// strict, 0 for off.
func (s Spec) SemiSyncTimeoutMillis() int64 {
	switch s.SemiSync {
	case SemiSyncOn:
		d, _ := time.ParseDuration(s.SemiSyncTimeout)
		return d.Milliseconds()
	case SemiSyncStrict:
		return StrictSemiSyncTimeoutMillis
	}
	return 0
}

// StrictSemiSyncTimeoutMillis is strict mode's wait: the largest rpl_semi_sync_*_timeout
// MySQL accepts (MariaDB's is larger).
const StrictSemiSyncTimeoutMillis = 4294967295
