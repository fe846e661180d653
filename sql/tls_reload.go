package sql

import (
	"fmt"
	"strings"
	"time"
)

// ReloadTLS is the statement that makes a running server read its
// certificate, key and CA files again, for new connections: MariaDB's FLUSH
// SSL (10.4, https://mariadb.com/kb/en/flush/), written LOCAL because a
// FLUSH is binary-logged by default and a replica's own event would be an
// errant transaction; MySQL's ALTER INSTANCE RELOAD TLS (8.0.16,
// https://dev.mysql.com/doc/refman/8.4/en/alter-instance.html), which is
// never binary-logged. MySQL 5.7 has neither: ok is false, and only a
// restart loads a new certificate.
func ReloadTLS(a Adapter) (s Statement, ok bool) {
	switch a.Flavour() {
	case MariaDB:
		return Statement{SQL: "FLUSH LOCAL SSL"}, true
	case MySQL57:
		return Statement{}, false
	}
	return Statement{SQL: "ALTER INSTANCE RELOAD TLS"}, true
}

// CertificateEndQuery selects the end of the certificate the server
// presents now (the status variable Ssl_server_not_after, which both
// families have), as one column.
func CertificateEndQuery(a Adapter) Statement {
	table := "performance_schema.global_status"
	if a.Flavour() == MariaDB {
		table = "information_schema.GLOBAL_STATUS"
	}
	return Statement{SQL: "SELECT VARIABLE_VALUE FROM " + table + " WHERE VARIABLE_NAME = 'Ssl_server_not_after'"}
}

// certificateEndLayout is OpenSSL's ASN1_TIME_print, which both families
// use for Ssl_server_not_after: "Dec  7 22:28:03 2027 GMT".
const certificateEndLayout = "Jan _2 15:04:05 2006 MST"

// ParseCertificateEnd reads a CertificateEndQuery value.
func ParseCertificateEnd(v string) (time.Time, error) {
	t, err := time.Parse(certificateEndLayout, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, fmt.Errorf("the server's certificate end %q: %w", v, err)
	}
	return t.UTC(), nil
}
