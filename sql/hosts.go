package sql

import (
	"net"
	"strings"
)

// SameHost reports whether two host names name the same server as far as
// names can tell. Kubernetes gives one pod several names ("mysql-0",
// "mysql-0.mysql", "mysql-0.mysql.ns.svc.cluster.local"), so a name matches
// when one is the other followed by more DNS labels. IP addresses must be
// equal: "10.0.0" is not a prefix of "10.0.0.1" in any useful sense.
func SameHost(a, b string) bool {
	a = strings.ToLower(strings.TrimSuffix(a, "."))
	b = strings.ToLower(strings.TrimSuffix(b, "."))
	if a == "" || b == "" {
		return false
	}
	ipA, ipB := net.ParseIP(a), net.ParseIP(b)
	if ipA != nil || ipB != nil {
		return ipA != nil && ipB != nil && ipA.Equal(ipB)
	}
	return a == b || strings.HasPrefix(b, a+".") || strings.HasPrefix(a, b+".")
}

// followsServer reports whether a replica's source host and port name the
// server of report r. The host is compared with r's report_host, hostname
// and Target name; the port only when both sides know it, because replicas
// of different servers on one host (tests on 127.0.0.1) differ only there.
func followsServer(s *ReplicaStatus, r *InstanceReport) bool {
	if s.SourcePort != 0 && r.Port != 0 && s.SourcePort != r.Port {
		return false
	}
	for _, name := range []string{r.ReportHost, r.Hostname, r.Name} {
		if SameHost(s.SourceHost, name) {
			return true
		}
	}
	return false
}
