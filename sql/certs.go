package sql

import (
	"crypto/tls"
	"crypto/x509"
	"time"

	"github.com/mysqlctl/mysqlctl/certs"
)

// The TLS material moved to package certs. These names forward to it only
// until the tests that still call them here (e2e/security_test.go,
// configs/scripts_local_test.go, sql/mariadb_harness_test.go) use certs;
// then this file goes. New code uses certs.

// CA is certs.CA.
//
// Deprecated: use certs.CA.
type CA = certs.CA

// NewCA is certs.NewCA.
//
// Deprecated: use certs.NewCA.
func NewCA(commonName string, now time.Time, validity time.Duration) (*CA, error) {
	return certs.NewCA(commonName, now, validity)
}

// ParseCA is certs.ParseCA.
//
// Deprecated: use certs.ParseCA.
func ParseCA(certPEM, keyPEM []byte) (*CA, error) { return certs.ParseCA(certPEM, keyPEM) }

// ParseCertificate is certs.ParseCertificate.
//
// Deprecated: use certs.ParseCertificate.
func ParseCertificate(certPEM []byte) (*x509.Certificate, error) {
	return certs.ParseCertificate(certPEM)
}

// ClientTLS is certs.ClientTLS.
//
// Deprecated: use certs.ClientTLS.
func ClientTLS(caPEM []byte, serverName string) (*tls.Config, error) {
	return certs.ClientTLS(caPEM, serverName)
}
