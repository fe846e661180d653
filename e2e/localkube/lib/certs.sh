# shellcheck shell=bash
# Certificates and kubeconfigs of the local cluster: one CA, a serving
# certificate for the API server and the kubelet, one client certificate per
# identity (admin, apiserver->kubelet, controller-manager, scheduler, node,
# kube-proxy) and the service-account key pair.

# issue_cert NAME CN O [SAN...]: a key and a certificate signed by the CA.
issue_cert() {
	local name=$1 cn=$2 org=$3 subject ext
	shift 3
	subject="/CN=$cn"
	[ -n "$org" ] && subject="/O=$org$subject"
	ext=$PKI_DIR/$name.ext
	{
		echo "basicConstraints=CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		if [ $# -gt 0 ]; then
			echo "extendedKeyUsage=serverAuth,clientAuth"
			local sans="" san
			for san in "$@"; do
				if [[ $san =~ ^[0-9.]+$ ]]; then sans+="IP:$san,"; else sans+="DNS:$san,"; fi
			done
			echo "subjectAltName=${sans%,}"
		else
			echo "extendedKeyUsage=clientAuth"
		fi
	} >"$ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$PKI_DIR/$name.key" -subj "$subject" -out "$PKI_DIR/$name.csr" 2>/dev/null
	openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" \
		-CAcreateserial -days 365 -extfile "$ext" -out "$PKI_DIR/$name.crt" 2>/dev/null
	rm -f "$PKI_DIR/$name.csr" "$ext"
}

# write_kubeconfig NAME USER: a kubeconfig for the client certificate NAME.
write_kubeconfig() {
	local name=$1 user=$2
	cat >"$STATE_DIR/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: mysqlctl-local
  cluster:
    server: https://$NODE_IP:6443
    certificate-authority: $PKI_DIR/ca.crt
users:
- name: $user
  user:
    client-certificate: $PKI_DIR/$name.crt
    client-key: $PKI_DIR/$name.key
contexts:
- name: mysqlctl-local
  context:
    cluster: mysqlctl-local
    user: $user
    namespace: default
current-context: mysqlctl-local
EOF
}

make_certs() {
	command -v openssl >/dev/null || die "openssl is missing: apt-get install openssl"
	mkdir -p "$PKI_DIR"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
		-subj "/CN=mysqlctl-local-ca" -keyout "$PKI_DIR/ca.key" -out "$PKI_DIR/ca.crt" 2>/dev/null
	issue_cert apiserver kube-apiserver "" kubernetes kubernetes.default kubernetes.default.svc \
		kubernetes.default.svc.cluster.local localhost "$NODE_NAME" 127.0.0.1 "$FIRST_SERVICE_IP" "$NODE_IP"
	issue_cert kubelet-serving "system:node:$NODE_NAME" system:nodes "$NODE_NAME" localhost 127.0.0.1 "$NODE_IP"
	issue_cert admin kubernetes-admin system:masters
	issue_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
	issue_cert controller-manager system:kube-controller-manager ""
	issue_cert scheduler system:kube-scheduler ""
	issue_cert node "system:node:$NODE_NAME" system:nodes
	issue_cert kube-proxy system:kube-proxy ""
	openssl genrsa -out "$PKI_DIR/sa.key" 2048 2>/dev/null
	openssl rsa -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null
	chmod 0600 "$PKI_DIR"/*.key
	write_kubeconfig admin kubernetes-admin
	write_kubeconfig controller-manager system:kube-controller-manager
	write_kubeconfig scheduler system:kube-scheduler
	write_kubeconfig node "system:node:$NODE_NAME"
	write_kubeconfig kube-proxy system:kube-proxy
}
