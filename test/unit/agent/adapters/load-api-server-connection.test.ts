import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadApiServerConnection } from '../../../../agent/adapters/load-api-server-connection.ts';
import { ConfigError } from '../../../../bot/config/config-error.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';
import { kubeconfigText as kubeconfig } from '../../../support/kubeconfig-text.ts';

const dirs = tempDirs();

afterEach(() => {
  dirs.removeAll();
});

/** A ServiceAccount directory as the kubelet mounts it. */
function serviceAccount(token = 'sa-token'): string {
  const directory = dirs.make();
  writeFileSync(join(directory, 'token'), token);
  writeFileSync(join(directory, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n');
  return directory;
}

async function failure(run: () => Promise<unknown>): Promise<string> {
  const error: unknown = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

describe('loadApiServerConnection', () => {
  it('loads the file KUBECONFIG names, ahead of in-cluster credentials', async () => {
    const directory = dirs.make();
    const file = join(directory, 'kubeconfig');
    writeFileSync(file, kubeconfig('http://127.0.0.1:6443'));
    const loaded = await loadApiServerConnection({ kubeconfig: file, env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, homeDir: directory, serviceAccountDir: serviceAccount() });
    expect(loaded).toMatchObject({ source: `KUBECONFIG ${file}`, server: 'http://127.0.0.1:6443', skipped: [] });
    expect(loaded.connection.auth).toBe('bearer token');
    expect((await loaded.connection.requestOptions()).headers).toEqual({ Authorization: 'Bearer token-of-test' });
  });

  it('merges several KUBECONFIG files, the first one deciding the context', async () => {
    const directory = dirs.make();
    const first = join(directory, 'a');
    const second = join(directory, 'b');
    writeFileSync(first, kubeconfig('https://first.example:6443', 'first'));
    writeFileSync(second, kubeconfig('https://second.example:6443', 'second'));
    const loaded = await loadApiServerConnection({ kubeconfig: [first, second].join(delimiter), env: {}, homeDir: directory });
    expect(loaded.server).toBe('https://first.example:6443');
    expect(loaded.source).toBe(`KUBECONFIG ${first}${delimiter}${second}`);
  });

  it('uses the ServiceAccount in a pod: the Service address, the mounted CA and token', async () => {
    const directory = serviceAccount('sa-token-1');
    const loaded = await loadApiServerConnection({ kubeconfig: undefined, env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, homeDir: dirs.make(), serviceAccountDir: directory });
    expect(loaded).toMatchObject({ source: 'in-cluster ServiceAccount', server: 'https://10.96.0.1' });
    expect(loaded.connection.auth).toBe(`ServiceAccount token ${join(directory, 'token')}`);
    const options = await loaded.connection.requestOptions();
    expect(options.headers).toEqual({ Authorization: 'Bearer sa-token-1' });
    expect(String(options.ca)).toContain('not really');
    expect(options.rejectUnauthorized).toBeUndefined();
  });

  it('brackets an IPv6 Service address and keeps a non-default port', async () => {
    const loaded = await loadApiServerConnection({ kubeconfig: undefined, env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, homeDir: dirs.make(), serviceAccountDir: serviceAccount() });
    expect(loaded.server).toBe('https://[fd00::1]:6443');
  });

  it('is a configuration error in a pod without KUBERNETES_SERVICE_PORT', async () => {
    expect(await failure(() => loadApiServerConnection({ kubeconfig: undefined, env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, homeDir: dirs.make(), serviceAccountDir: serviceAccount() }))).toBe(
      'in-cluster ServiceAccount: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set (the kubelet sets them in every pod)',
    );
  });

  it('falls back to ~/.kube/config', async () => {
    const home = dirs.make();
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), kubeconfig('https://home.example:6443'));
    expect(await loadApiServerConnection({ kubeconfig: undefined, env: {}, homeDir: home })).toMatchObject({ source: join(home, '.kube', 'config'), server: 'https://home.example:6443' });
  });

  it('is a configuration error when there are no credentials at all', async () => {
    expect(await failure(() => loadApiServerConnection({ kubeconfig: undefined, env: {}, homeDir: dirs.make() }))).toBe(
      'no Kubernetes credentials: not in a pod (KUBERNETES_SERVICE_HOST unset), KUBECONFIG unset and no ~/.kube/config; expected a kubeconfig path in KUBECONFIG',
    );
  });

  it('skips KUBECONFIG files that do not exist, as kubectl does, and says which', async () => {
    const directory = dirs.make();
    const missing = join(directory, 'no-kubeconfig');
    const loaded = await loadApiServerConnection({ kubeconfig: missing, env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443' }, homeDir: directory, serviceAccountDir: serviceAccount() });
    expect(loaded).toMatchObject({ source: 'in-cluster ServiceAccount', skipped: [missing] });
    expect(await failure(() => loadApiServerConnection({ kubeconfig: missing, env: {}, homeDir: directory }))).toBe(
      `no Kubernetes credentials: not in a pod (KUBERNETES_SERVICE_HOST unset), the KUBECONFIG files (${missing}) do not exist and no ~/.kube/config; expected a kubeconfig path in KUBECONFIG`,
    );
  });

  it('is a configuration error when a KUBECONFIG file is broken or has no current context', async () => {
    const directory = dirs.make();
    const unreadable = join(directory, 'not-yaml');
    writeFileSync(unreadable, 'clusters: [');
    expect(await failure(() => loadApiServerConnection({ kubeconfig: unreadable, env: {}, homeDir: directory }))).toMatch(/^KUBECONFIG=".*not-yaml": cannot load the kubeconfig: .*not-yaml: not YAML: /);
    const broken = join(directory, 'broken');
    writeFileSync(broken, 'apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n');
    expect(await failure(() => loadApiServerConnection({ kubeconfig: broken, env: {}, homeDir: directory }))).toBe(
      `KUBECONFIG ${broken}: the kubeconfig has no current context with a cluster; expected one (kubectl config use-context)`,
    );
    const none = join(directory, 'none');
    writeFileSync(none, kubeconfig('https://x.example').replace('current-context: test\n', ''));
    expect(await failure(() => loadApiServerConnection({ kubeconfig: none, env: {}, homeDir: directory }))).toMatch(/the kubeconfig has no current context with a cluster/);
  });

  it('never puts a credential into an error message', async () => {
    const directory = dirs.make();
    const file = join(directory, 'kubeconfig');
    writeFileSync(file, kubeconfig('not a url').replace('token: token-of-test', 'token: s3cret-t0ken'));
    const message = await failure(() => loadApiServerConnection({ kubeconfig: file, env: {}, homeDir: directory }));
    expect(message).toBe(`KUBECONFIG=${JSON.stringify(file)}: cannot load the kubeconfig: ${file}: "test": server "not a url": expected a URL such as https://10.0.0.1:6443`);
    expect(message).not.toContain('s3cret');
  });
});
