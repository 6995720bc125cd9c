// Kubeconfig users the agent does not handle itself go through @kubernetes/client-node, imported
// only for them, and still take the agent's one request path. Here a real exec credential plugin
// (a shell script the test writes) supplies the token, against a loopback HTTPS stand-in.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpsNodeApi } from '../../../agent/adapters/https-node-api.ts';
import { loadApiServerConnection } from '../../../agent/adapters/load-api-server-connection.ts';
import { NodeApiError } from '../../../agent/ports/node-api.ts';
import { ConfigError } from '../../../bot/config/config-error.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { startFakeApiServer } from './support/fake-api-server.ts';
import type { FakeApiServer } from './support/fake-api-server.ts';
import { SERVER_NAME, makeTestCertificates } from './support/test-certificates.ts';

const dirs = tempDirs();
let server: FakeApiServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  dirs.removeAll();
});

/** A kubeconfig whose user runs ./plugin.sh (relative to the kubeconfig, as kubectl resolves it). */
function kubeconfigWithPlugin(directory: string, url: string, cluster: readonly string[], script: string, token = 'unused'): string {
  const plugin = join(directory, 'plugin.sh');
  writeFileSync(plugin, script);
  chmodSync(plugin, 0o755);
  const file = join(directory, 'kubeconfig');
  writeFileSync(
    file,
    [
      'current-context: exec',
      'clusters:',
      '- name: exec',
      '  cluster:',
      `    server: ${url}`,
      ...cluster.map((line) => `    ${line}`),
      'users:',
      '- name: exec',
      '  user:',
      '    exec:',
      '      apiVersion: client.authentication.k8s.io/v1',
      '      command: ./plugin.sh',
      '      args: [get-token]',
      `      env: [{ name: PLUGIN_TOKEN, value: ${token} }]`,
      '      interactiveMode: Never',
      'contexts:',
      '- name: exec',
      '  context: { cluster: exec, user: exec }',
      '',
    ].join('\n'),
  );
  return file;
}

describe('the client-node fallback', () => {
  it('gets the token from an exec plugin and sends it over the same request path, with the kubeconfig CA', async () => {
    const directory = dirs.make();
    const certificates = makeTestCertificates(dirs.make('patchwindow-pki-'));
    server = await startFakeApiServer('node-a', { tls: { key: certificates.read('serverKey'), cert: certificates.read('serverCert') } });
    writeFileSync(join(directory, 'ca.pem'), certificates.read('ca'));
    // The plugin proves it got its args and env: it prints the token from its env, and fails on other args.
    const script = '#!/bin/sh\n[ "$1" = get-token ] || exit 3\nprintf \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\' "$PLUGIN_TOKEN"\n';
    const file = kubeconfigWithPlugin(directory, server.url, ['certificate-authority: ca.pem', `tls-server-name: ${SERVER_NAME}`], script, server.token);

    const loaded = await loadApiServerConnection({ kubeconfig: file, env: {}, homeDir: directory });
    expect(loaded.connection.auth).toBe('exec plugin plugin.sh (through @kubernetes/client-node)');
    const api = new HttpsNodeApi(loaded.connection, { timeoutMs: 5000 });
    expect((await api.readNode('node-a')).metadata?.labels).toEqual({ 'kubernetes.io/hostname': 'node-a' });
    await api.patchNodeStatus('node-a', {
      status: { conditions: [{ type: 'RebootRequired', status: 'False', reason: 'SentinelFile', message: 'no reboot required', lastHeartbeatTime: '2026-03-10T08:00:00Z' }] },
    });
    expect(server.requests.map((request) => [request.method, request.path, request.authorization])).toEqual([
      ['GET', '/api/v1/nodes/node-a', `Bearer ${server.token}`],
      ['PATCH', '/api/v1/nodes/node-a/status', `Bearer ${server.token}`],
    ]);
    expect(server.requests[1]?.contentType).toBe('application/strategic-merge-patch+json');
    expect(server.node.conditions.map((condition) => condition.type)).toEqual(['Ready', 'RebootRequired']);
  });

  it('reports a failing plugin as missing credentials, sending nothing', async () => {
    const directory = dirs.make();
    server = await startFakeApiServer('node-a');
    const file = kubeconfigWithPlugin(directory, server.url, ['insecure-skip-tls-verify: true'], '#!/bin/sh\necho "not logged in; run the login first" >&2\nexit 1\n');
    const { connection } = await loadApiServerConnection({ kubeconfig: file, env: {}, homeDir: directory });
    const error: unknown = await new HttpsNodeApi(connection, { timeoutMs: 5000 }).readNode('node-a').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NodeApiError);
    expect(error).toMatchObject({ status: undefined, message: 'get nodes node-a: no credentials for the API server: @kubernetes/client-node (exec plugin plugin.sh): not logged in; run the login first' });
    expect(server.requests).toEqual([]);
  });

  it('gives up on a plugin that does not answer within the request deadline', async () => {
    const directory = dirs.make();
    server = await startFakeApiServer('node-a');
    const file = kubeconfigWithPlugin(directory, server.url, ['insecure-skip-tls-verify: true'], '#!/bin/sh\nexec sleep 2\n');
    const { connection } = await loadApiServerConnection({ kubeconfig: file, env: {}, homeDir: directory });
    const error: unknown = await new HttpsNodeApi(connection, { timeoutMs: 300 }).readNode('node-a').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: undefined, message: 'get nodes node-a: no credentials for the API server: none within 300 ms (the credential plugin has not answered)' });
    expect(server.requests).toEqual([]);
  });

  it('refuses at start a plain http:// server that client-node would refuse at every request', async () => {
    const directory = dirs.make();
    server = await startFakeApiServer('node-a');
    const file = kubeconfigWithPlugin(directory, server.url, [], '#!/bin/sh\nexit 1\n');
    const error: unknown = await loadApiServerConnection({ kubeconfig: file, env: {}, homeDir: directory }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `KUBECONFIG=${JSON.stringify(file)}: cannot load the kubeconfig: ${file}: "exec": exec plugin plugin.sh needs @kubernetes/client-node, which refuses a plain http:// server unless insecure-skip-tls-verify is true`,
    );
  });
});
