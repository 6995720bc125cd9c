import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentContext, kubeconfigConnection } from '../../../../agent/adapters/kubeconfig-connection.ts';
import { KubeconfigFileError, readKubeconfigFiles } from '../../../../agent/adapters/kubeconfig-file.ts';
import type { ApiServerConnection } from '../../../../agent/adapters/api-server-connection.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const dirs = tempDirs();

afterEach(() => {
  dirs.removeAll();
});

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** A kubeconfig with one context `c` over cluster fields and user fields (YAML flow mappings). */
async function connect(cluster: string, user: string, directory = dirs.make()): Promise<ApiServerConnection> {
  const file = join(directory, 'kubeconfig');
  writeFileSync(
    file,
    ['current-context: c', 'clusters:', `- { name: c, cluster: { server: "https://api.example:6443", ${cluster} } }`, 'users:', `- { name: u, user: { ${user} } }`, 'contexts:', '- { name: c, context: { cluster: c, user: u } }', ''].join('\n'),
  );
  const current = currentContext(readKubeconfigFiles([file]));
  if (current === undefined) throw new Error('the test kubeconfig has no current context');
  return kubeconfigConnection(current);
}

async function failure(run: () => Promise<unknown>): Promise<string> {
  const error: unknown = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KubeconfigFileError);
  return (error as Error).message;
}

describe('kubeconfigConnection', () => {
  it('decodes -data fields into the TLS options', async () => {
    const connection = await connect(`certificate-authority-data: ${base64(PEM)}, tls-server-name: kubernetes`, `client-certificate-data: ${base64('CERT')}, client-key-data: ${base64('KEY')}`);
    const options = await connection.requestOptions();
    expect(options).toMatchObject({ ca: Buffer.from(PEM), cert: Buffer.from('CERT'), key: Buffer.from('KEY'), servername: 'kubernetes' });
    expect(options.rejectUnauthorized).toBeUndefined();
    expect(options.headers).toEqual({});
    expect(connection.auth).toBe('client certificate');
  });

  it('reads files named relative to the kubeconfig', async () => {
    const directory = dirs.make();
    writeFileSync(join(directory, 'ca.crt'), PEM);
    const options = await (await connect('certificate-authority: ca.crt', 'token: abc', directory)).requestOptions();
    expect(options.ca).toEqual(Buffer.from(PEM));
    expect(options.headers).toEqual({ Authorization: 'Bearer abc' });
  });

  it('uses the token file over the token, as client-go, and follows its rotation', async () => {
    const directory = dirs.make();
    const tokenFile = join(directory, 'token');
    writeFileSync(tokenFile, 'from-file-1');
    const connection = await connect('insecure-skip-tls-verify: true', 'token: inline, token-file: token', directory);
    expect(connection.auth).toBe(`token file ${tokenFile}`);
    const options = await connection.requestOptions();
    expect(options).toMatchObject({ rejectUnauthorized: false, headers: { Authorization: 'Bearer from-file-1' } });
    writeFileSync(`${tokenFile}.new`, 'from-file-2');
    renameSync(`${tokenFile}.new`, tokenFile);
    expect((await connection.requestOptions()).headers).toEqual({ Authorization: 'Bearer from-file-2' });
  });

  it('impersonates with `as`, and refuses the impersonation fields it cannot honour', async () => {
    const connection = await connect('insecure-skip-tls-verify: true', 'token: t, as: someone');
    expect((await connection.requestOptions()).headers).toEqual({ Authorization: 'Bearer t', 'Impersonate-User': 'someone' });
    expect(await failure(() => connect('insecure-skip-tls-verify: true', 'token: t, as-groups: [admins]'))).toMatch(/"u": as-groups \(impersonation\) is not supported by patchwindow$/);
  });

  it('refuses what kubectl refuses, naming the file and the entry', async () => {
    const directory = dirs.make();
    const file = join(directory, 'kubeconfig');
    writeFileSync(join(directory, 'ca.crt'), PEM);
    expect(await failure(() => connect(`certificate-authority: ca.crt, certificate-authority-data: ${base64(PEM)}`, 'token: t', directory))).toBe(
      `${file}: "c": both certificate-authority and certificate-authority-data; expected one of them (as kubectl)`,
    );
    expect(await failure(() => connect('certificate-authority: ca.crt, insecure-skip-tls-verify: true', 'token: t', directory))).toBe(
      `${file}: "c": a certificate authority together with insecure-skip-tls-verify; expected one of them (as kubectl)`,
    );
    expect(await failure(() => connect('insecure-skip-tls-verify: "yes"', 'token: t', directory))).toBe(`${file}: "c": insecure-skip-tls-verify: expected true or false`);
    expect(await failure(() => connect('tls-server-name: x', `client-certificate-data: ${base64('CERT')}`, directory))).toBe(`${file}: "u": a client certificate needs a client key and the other way round`);
    expect(await failure(() => connect('certificate-authority: missing.crt', 'token: t', directory))).toMatch(new RegExp(`^${file}: "c": certificate-authority: ENOENT`));
    expect(await failure(() => connect('certificate-authority-data: "not base64!"', 'token: t', directory))).toBe(`${file}: "c": certificate-authority-data: expected base64`);
    expect(await failure(() => connect('tls-server-name: x', 'token: 42', directory))).toBe(`${file}: "u": token: expected a string`);
  });

  it('is an error when the current context names a user no file defines', () => {
    const directory = dirs.make();
    const file = join(directory, 'kubeconfig');
    writeFileSync(file, ['current-context: c', 'clusters: [{ name: c, cluster: { server: "https://x" } }]', 'contexts: [{ name: c, context: { cluster: c, user: nobody } }]', ''].join('\n'));
    expect(() => currentContext(readKubeconfigFiles([file]))).toThrow(`${file}: context "c" names user "nobody", which no kubeconfig file defines`);
  });

  it('hands users it does not handle itself to client-node, saying so in the description', async () => {
    const provider = await connect('insecure-skip-tls-verify: true', 'auth-provider: { name: oidc, config: { id-token: x } }');
    expect(provider.auth).toBe('auth-provider oidc (through @kubernetes/client-node)');
    const basic = await connect('insecure-skip-tls-verify: true', 'username: admin, password: secret');
    expect(basic.auth).toBe('basic auth (through @kubernetes/client-node)');
    // client-node puts basic auth in `auth`, which node:https turns into the Authorization header.
    expect((await basic.requestOptions()).auth).toBe('admin:secret');
  });

  it('describes a proxy without the user and password its URL may carry (the description is logged)', async () => {
    const proxied = await connect('insecure-skip-tls-verify: true, proxy-url: "http://ops:hunter22@proxy.example:3128"', 'token: abc');
    expect(proxied.auth).toBe('proxy http://proxy.example:3128/ (credentials not shown) (through @kubernetes/client-node)');
    expect(proxied.auth).not.toContain('hunter22');
    const plain = await connect('insecure-skip-tls-verify: true, proxy-url: "http://proxy.example:3128"', 'token: abc');
    expect(plain.auth).toBe('proxy http://proxy.example:3128/ (through @kubernetes/client-node)');
  });
});
