package sql

import (
	"testing"
	"time"
)

func TestReloadTLSPerFlavour(t *testing.T) {
	for _, tc := range []struct {
		info ServerInfo
		want string
	}{
		{ServerInfo{Version: "10.11.19-MariaDB-0+deb12u1"}, "FLUSH LOCAL SSL"},
		{ServerInfo{Version: "9.7.4", VersionComment: "MySQL Community Server - GPL"}, "ALTER INSTANCE RELOAD TLS"},
		{ServerInfo{Version: "8.0.36", VersionComment: "MySQL Community Server - GPL"}, "ALTER INSTANCE RELOAD TLS"},
		{ServerInfo{Version: "5.7.44", VersionComment: "MySQL Community Server (GPL)"}, ""},
	} {
		a, err := NewAdapter(tc.info)
		if err != nil {
			t.Fatal(err)
		}
		s, ok := ReloadTLS(a)
		if s.SQL != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: ReloadTLS = %q, %v; want %q", tc.info.Version, s.SQL, ok, tc.want)
		}
	}
}

func TestParseCertificateEnd(t *testing.T) {
	for _, v := range []string{"Dec  7 22:28:03 2027 GMT", "Dec 17 22:28:03 2027 GMT\n"} {
		got, err := ParseCertificateEnd(v)
		if err != nil || got.Year() != 2027 || got.Month() != time.December || got.Hour() != 22 {
			t.Errorf("ParseCertificateEnd(%q) = %v, %v", v, got, err)
		}
	}
	if _, err := ParseCertificateEnd(""); err == nil {
		t.Error("an empty value parsed: a server without TLS must not look renewed")
	}
}
