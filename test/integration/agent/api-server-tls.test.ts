// TLS as the agent does it without a client library, against a loopback HTTPS stand-in for the
// API server: the kubeconfig's CA (file or -data), client certificate and key, tls-server-name,
// insecure-skip-tls-verify, and what a wrong CA or host name looks like.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpsNodeApi } from '../../../agent/adapters/https-node-api.ts';
import { loadApiServerConnection } from '../../../agent/adapters/load-api-server-connection.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { nodeApiFailure as failure } from './support/node-api-failure.ts';
import { startFakeApiServer } from './support/fake-api-server.ts';
import type { FakeApiServer } from './support/fake-api-server.ts';
import { CLIENT_NAME, SERVER_NAME, makeTestCertificates } from './support/test-certificates.ts';
import type { TestCertificates } from './support/test-certificates.ts';

const dirs = tempDirs();
const certificateDirs = tempDirs();
let certificates: TestCertificates;
let server: FakeApiServer | undefined;

beforeAll(() => {
  certificates = makeTestCertificates(certificateDirs.make('patchwindow-pki-'));
  return () => {
    certificateDirs.removeAll();
  };
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  dirs.removeAll();
});

async function httpsServer(): Promise<FakeApiServer> {
  server = await startFakeApiServer('node-a', { tls: { key: certificates.read('serverKey'), cert: certificates.read('serverCert'), ca: certificates.read('ca') } });
  return server;
}

/** Writes a kubeconfig next to copies of the PEM files, which it names by relative path. */
function kubeconfig(url: string, cluster: readonly string[], user: readonly string[]): string {
  const directory = dirs.make();
  for (const name of ['ca', 'clientCert', 'clientKey', 'otherCa'] as const) writeFileSync(join(directory, `${name}.pem`), certificates.read(name));
  const file = join(directory, 'kubeconfig');
  writeFileSync(
    file,
    ['current-context: tls', 'clusters:', '- name: tls', '  cluster:', `    server: ${url}`, ...cluster.map((line) => `    ${line}`), 'users:', '- name: tls', '  user:', ...user.map((line) => `    ${line}`), 'contexts:', '- name: tls', '  context: { cluster: tls, user: tls }', ''].join('\n'),
  );
  return file;
}

async function api(file: string): Promise<HttpsNodeApi> {
  const { connection } = await loadApiServerConnection({ kubeconfig: file, env: {}, homeDir: dirs.make() });
  return new HttpsNodeApi(connection, { timeoutMs: 5000 });
}

const CLIENT_FILES = ['client-certificate: clientCert.pem', 'client-key: clientKey.pem'];
const base64 = (name: Parameters<TestCertificates['read']>[0]): string => certificates.read(name).toString('base64');

describe('the agent over TLS', () => {
  it('verifies the server with the kubeconfig CA and tls-server-name, and authenticates with the client certificate (relative paths)', async () => {
    const { url, requests } = await httpsServer();
    const node = await (await api(kubeconfig(url, ['certificate-authority: ca.pem', `tls-server-name: ${SERVER_NAME}`], CLIENT_FILES))).readNode('node-a');
    expect(node.metadata?.labels).toEqual({ 'kubernetes.io/hostname': 'node-a' });
    expect(requests[0]).toMatchObject({ path: '/api/v1/nodes/node-a', clientCertificate: CLIENT_NAME, authorization: undefined });
  });

  it('takes the same from -data fields', async () => {
    const { url, requests } = await httpsServer();
    const file = kubeconfig(url, [`certificate-authority-data: ${base64('ca')}`, `tls-server-name: ${SERVER_NAME}`], [`client-certificate-data: ${base64('clientCert')}`, `client-key-data: ${base64('clientKey')}`]);
    await (await api(file)).patchNodeMetadata('node-a', { metadata: { annotations: { 'patchwindow.dev/reboot-required': 'false' } } });
    expect(requests[0]).toMatchObject({ method: 'PATCH', clientCertificate: CLIENT_NAME, contentType: 'application/merge-patch+json' });
  });

  it('refuses a server whose certificate is not for the host it connects to', async () => {
    const { url, requests } = await httpsServer();
    const error = await failure((await api(kubeconfig(url, ['certificate-authority: ca.pem'], CLIENT_FILES))).readNode('node-a'));
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(/^get nodes node-a: no answer from the API server: .*ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(requests).toEqual([]);
  });

  it('refuses a server certificate from another CA', async () => {
    const { url, requests } = await httpsServer();
    const error = await failure((await api(kubeconfig(url, ['certificate-authority: otherCa.pem', `tls-server-name: ${SERVER_NAME}`], CLIENT_FILES))).readNode('node-a'));
    // The stand-in sends its CA along (as a server with an intermediate would); that CA is not trusted.
    expect(error.message).toBe('get nodes node-a: no answer from the API server: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)');
    expect(requests).toEqual([]);
  });

  it('skips verification only when the kubeconfig says insecure-skip-tls-verify', async () => {
    const { url, token, requests } = await httpsServer();
    await (await api(kubeconfig(url, ['insecure-skip-tls-verify: true'], [`token: ${token}`]))).readNode('node-a');
    expect(requests[0]).toMatchObject({ authorization: `Bearer ${token}`, clientCertificate: undefined });
  });
});
