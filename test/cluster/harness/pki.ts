// Test PKI: a throw-away CA and a loopback serving certificate (openssl; node:crypto can parse
// but not issue X.509 certificates) and the service-account signing key pair (node:crypto); plus
// the kubelet pair: the simulated kubelets' loopback serving certificate and the client
// certificate kube-apiserver presents to them (pods/log is proxied to the node's kubelet).
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClusterPki {
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  /** Service-account token signing key (PKCS#8 PEM) and its public key (SPKI PEM). */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  /** Serving certificate of the simulated kubelets' HTTPS endpoint (127.0.0.1). */
  readonly kubeletServingCert: string;
  readonly kubeletServingKey: string;
  /** kube-apiserver's client certificate towards kubelets (--kubelet-client-certificate). */
  readonly kubeletClientCert: string;
  readonly kubeletClientKey: string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run('openssl', [...args], { cwd });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error('openssl is missing: the cluster harness needs it to issue test certificates', { cause: error });
    throw error;
  }
}

export async function createPki(dir: string): Promise<ClusterPki> {
  const file = (name: string): string => path.join(dir, name);
  const pki: ClusterPki = {
    caCert: file('ca.crt'),
    caKey: file('ca.key'),
    servingCert: file('apiserver.crt'),
    servingKey: file('apiserver.key'),
    serviceAccountKey: file('sa.key'),
    serviceAccountPub: file('sa.pub'),
    kubeletServingCert: file('kubelet.crt'),
    kubeletServingKey: file('kubelet.key'),
    kubeletClientCert: file('apiserver-kubelet-client.crt'),
    kubeletClientKey: file('apiserver-kubelet-client.key'),
  };
  await openssl(
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', pki.caKey, '-out', pki.caCert, '-days', '2', '-subj', '/CN=patchwindow-cluster-test-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ],
    dir,
  );
  await writeFile(
    file('apiserver.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      // loopback for the harness and for kured's in-cluster config (KUBERNETES_SERVICE_HOST),
      // plus the names and first service IP a real cluster's "kubernetes" Service has
      'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
      '',
    ].join('\n'),
  );
  await openssl(
    [
      'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', pki.servingKey, '-out', file('apiserver.csr'), '-subj', '/CN=kube-apiserver',
    ],
    dir,
  );
  await openssl(
    [
      'x509', '-req', '-in', file('apiserver.csr'), '-CA', pki.caCert, '-CAkey', pki.caKey,
      '-CAcreateserial', '-out', pki.servingCert, '-days', '2', '-extfile', file('apiserver.ext'),
    ],
    dir,
  );
  await issue(dir, pki, 'kubelet', '/CN=system:node:simulated', ['extendedKeyUsage=serverAuth', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
  await issue(dir, pki, 'apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', ['extendedKeyUsage=clientAuth']);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  await writeFile(pki.serviceAccountKey, privateKey, { mode: 0o600 });
  await writeFile(pki.serviceAccountPub, publicKey);
  return pki;
}

/** `<name>.crt`/`<name>.key` in `dir`, signed by the test CA, with `extensions` besides the usual ones. */
async function issue(dir: string, pki: ClusterPki, name: string, subject: string, extensions: readonly string[]): Promise<void> {
  const file = (suffix: string): string => path.join(dir, `${name}.${suffix}`);
  await writeFile(file('ext'), ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', ...extensions, ''].join('\n'));
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('key'), '-out', file('csr'), '-subj', subject], dir);
  await openssl(['x509', '-req', '-in', file('csr'), '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-out', file('crt'), '-days', '2', '-extfile', file('ext')], dir);
}
