// The node:http(s) adapter over real HTTP against a loopback stand-in: paths, patch content types,
// bodies, credentials, error translation, request timeouts and the answer size bound as they go
// over the wire.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIELD_MANAGER, HttpsNodeApi } from '../../../agent/adapters/https-node-api.ts';
import { loadApiServerConnection } from '../../../agent/adapters/load-api-server-connection.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { nodeApiFailure as failure } from './support/node-api-failure.ts';
import { startFakeApiServer } from './support/fake-api-server.ts';
import type { FakeApiServer } from './support/fake-api-server.ts';

const dirs = tempDirs();
let server: FakeApiServer;

beforeEach(async () => {
  server = await startFakeApiServer('node-a');
});

afterEach(async () => {
  await server.close();
  dirs.removeAll();
});

async function api(options: { timeoutMs?: number; maxResponseBytes?: number } = {}): Promise<HttpsNodeApi> {
  const directory = dirs.make();
  const { connection } = await loadApiServerConnection({ kubeconfig: server.writeKubeconfig(directory), env: {}, homeDir: directory });
  return new HttpsNodeApi(connection, options);
}

describe('HttpsNodeApi', () => {
  it('reads the Node with the kubeconfig credentials', async () => {
    const node = await (await api()).readNode('node-a');
    expect(node.metadata?.labels).toEqual({ 'kubernetes.io/hostname': 'node-a' });
    expect(node.status?.conditions).toEqual([{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }]);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/nodes/node-a', authorization: `Bearer ${server.token}` });
  });

  it('sends the metadata as a JSON merge patch, nulls removing keys', async () => {
    server.node.labels['patchwindow.dev/reboot-required'] = 'true';
    await (await api()).patchNodeMetadata('node-a', {
      metadata: { annotations: { 'patchwindow.dev/reboot-required': 'false' }, labels: { 'patchwindow.dev/reboot-required': null } },
    });
    const request = server.requests[0];
    expect(request).toMatchObject({ method: 'PATCH', path: '/api/v1/nodes/node-a', contentType: 'application/merge-patch+json' });
    expect(request?.query.get('fieldManager')).toBe(FIELD_MANAGER);
    expect(request?.body).toEqual({ metadata: { annotations: { 'patchwindow.dev/reboot-required': 'false' }, labels: { 'patchwindow.dev/reboot-required': null } } });
    expect(server.node.labels).toEqual({ 'kubernetes.io/hostname': 'node-a' });
  });

  it('sends the condition as a strategic merge patch to the status subresource, keeping the other conditions', async () => {
    await (await api()).patchNodeStatus('node-a', {
      status: {
        conditions: [{ type: 'RebootRequired', status: 'True', reason: 'SentinelFile', message: 'reboot required', lastHeartbeatTime: '2026-03-10T08:00:00Z', lastTransitionTime: '2026-03-10T08:00:00Z' }],
      },
    });
    expect(server.requests[0]).toMatchObject({ method: 'PATCH', path: '/api/v1/nodes/node-a/status', contentType: 'application/strategic-merge-patch+json' });
    expect(server.node.conditions.map((condition) => condition.type)).toEqual(['Ready', 'RebootRequired']);
  });

  it('turns a 403 into a NodeApiError naming the verb and resource', async () => {
    server.override = (request) =>
      request.path.endsWith('/status')
        ? { status: 403, body: { kind: 'Status', code: 403, message: 'nodes "node-a" is forbidden: User "system:serviceaccount:patchwindow:patchwindow-agent" cannot patch resource "nodes/status"' } }
        : undefined;
    const error = await failure((await api()).patchNodeStatus('node-a', { status: { conditions: [{ type: 'RebootRequired', status: 'False', reason: 'SentinelFile', message: 'm', lastHeartbeatTime: '2026-03-10T08:00:00Z' }] } }));
    expect(error).toMatchObject({ verb: 'patch', resource: 'nodes/status', status: 403 });
    expect(error.message).toContain('cannot patch resource "nodes/status"');
  });

  it('reports a missing Node as 404', async () => {
    expect(await failure((await api()).readNode('node-b'))).toMatchObject({ verb: 'get', resource: 'nodes', status: 404, message: 'get nodes node-b: HTTP 404: nodes "node-b" not found' });
  });

  it('gives up on a request that gets no answer within the timeout', async () => {
    server.override = () => 'hang';
    const error = await failure((await api({ timeoutMs: 200 })).readNode('node-a'));
    expect(error.status).toBeUndefined();
    expect(error.message).toBe('get nodes node-a: no answer from the API server: request timed out');
  });

  it('reports a server that is not there', async () => {
    const client = await api();
    await server.close();
    const error = await failure(client.readNode('node-a'));
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(/^get nodes node-a: no answer from the API server: .*ECONNREFUSED/);
    server = await startFakeApiServer('node-a');
  });

  it('refuses an answer larger than the bound instead of buffering it', async () => {
    server.override = () => ({ status: 200, body: { kind: 'Node', metadata: { annotations: { big: 'x'.repeat(64 * 1024) } } } });
    const error = await failure((await api({ maxResponseBytes: 16 * 1024 })).readNode('node-a'));
    expect(error).toMatchObject({ verb: 'get', resource: 'nodes', status: 200, message: `get nodes node-a: HTTP 200: the answer is larger than ${String(16 * 1024)} bytes; refused` });
  });

  it('says so when the answer is not a Node', async () => {
    server.override = () => ({ status: 200, body: { kind: 'Node', metadata: { labels: { 'kubernetes.io/hostname': 7 } } } });
    const error = await failure((await api()).readNode('node-a'));
    expect(error.message).toBe('get nodes node-a: HTTP 200: the answer is not a Node: metadata.labels["kubernetes.io/hostname"]: expected a string');
  });

  it('sends names percent-encoded, so a name cannot change the path', async () => {
    await failure((await api()).readNode('node-a/status'));
    expect(server.requests[0]?.path).toBe('/api/v1/nodes/node-a%2Fstatus');
  });
});
