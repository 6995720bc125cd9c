// Throwaway PKI for TLS tests, made with the openssl CLI: a CA, a server certificate for the DNS
// name api.test only (so connecting to 127.0.0.1 verifies only with tls-server-name), a client
// certificate (CN patchwindow-agent) and a second, unrelated CA. EC P-256 keys: fast to make.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  readonly directory: string;
  /** File paths of the PEM files. */
  readonly files: { readonly ca: string; readonly serverCert: string; readonly serverKey: string; readonly clientCert: string; readonly clientKey: string; readonly otherCa: string };
  read(file: keyof TestCertificates['files']): Buffer;
}

export const SERVER_NAME = 'api.test';
export const CLIENT_NAME = 'patchwindow-agent';

export function makeTestCertificates(directory: string): TestCertificates {
  const file = (name: string): string => join(directory, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: directory, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=patchwindow test CA');
  openssl('req', '-x509', ...key, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '1', '-subj', '/CN=some other CA');
  writeFileSync(file('server.ext'), `subjectAltName=DNS:${SERVER_NAME}\nextendedKeyUsage=serverAuth\n`);
  writeFileSync(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [['server', SERVER_NAME], ['client', CLIENT_NAME]] as const) {
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${subject}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  }
  const files = {
    ca: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    otherCa: file('other-ca.crt'),
  };
  return { directory, files, read: (name) => readFileSync(files[name]) };
}
