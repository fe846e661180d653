package kube

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"syscall"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestDescribe(t *testing.T) {
	refused := &url.Error{Op: "Get", URL: "https://10.0.0.1:6443/api/v1/namespaces/db/pods?limit=500",
		Err: fmt.Errorf("dial tcp 10.0.0.1:6443: connect: %w", syscall.ECONNREFUSED)}
	badCert := &url.Error{Op: "Get", URL: "https://10.0.0.1:6443/version", Err: x509.UnknownAuthorityError{}}
	forbidden := apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "statefulsets"}, "mysql",
		errors.New(`User "alice" cannot patch resource "statefulsets" in API group "apps" in the namespace "db"`))
	forbiddenCluster := apierrors.NewForbidden(schema.GroupResource{Resource: "namespaces"}, "db",
		errors.New(`User "alice" cannot create resource "namespaces" in API group "" at the cluster scope`))
	invalid := apierrors.NewBadRequest("spec.replicas: Invalid value: -1")
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"refused", fmt.Errorf("list pods: %w", refused),
			"cannot reach the Kubernetes API server at https://10.0.0.1:6443: dial tcp 10.0.0.1:6443: connect: connection refused: is the cluster running? check --kubeconfig/--context"},
		{"certificate", badCert,
			"cannot verify the certificate of the Kubernetes API server at https://10.0.0.1:6443: x509: certificate signed by unknown authority: check --kubeconfig/--context"},
		{"forbidden", fmt.Errorf("apply statefulset db/mysql: %w", forbidden),
			"the Kubernetes API refused patch statefulsets in namespace db: your account (alice) lacks permission"},
		{"forbidden cluster-wide", forbiddenCluster,
			"the Kubernetes API refused create namespaces: your account (alice) lacks permission"},
		{"unauthorized", apierrors.NewUnauthorized("token expired"),
			"the Kubernetes API server rejected your credentials: log in again or check --kubeconfig/--context"},
		{"unavailable", apierrors.NewServiceUnavailable("etcd down"),
			"the Kubernetes API server could not answer (ServiceUnavailable): etcd down: try again"},
		{"other API error keeps context", fmt.Errorf("apply statefulset db/mysql: %w", invalid),
			"apply statefulset db/mysql: spec.replicas: Invalid value: -1"},
		{"ours unchanged", newError(ErrNamespaceNotFound, nil, "namespace x not found: create it or pass --create-namespace"),
			"namespace x not found: create it or pass --create-namespace"},
		{"interrupted", fmt.Errorf("wait: %w", context.Canceled), "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Describe(tc.err); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
