// The agent's composition root with real files, real fs.watch, real timers and real HTTP to a
// loopback stand-in for the API server. Each step waits for the request it expects.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent } from '../../../agent/main.ts';
import type { RunningAgent } from '../../../agent/main.ts';
import { ConfigError } from '../../../bot/config/config-error.ts';
import { loadConfig } from '../../../bot/config/load-config.ts';
import { captureLogger } from '../../support/capture-logger.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { startFakeApiServer } from './support/fake-api-server.ts';
import type { FakeApiServer, RecordedRequest } from './support/fake-api-server.ts';

const dirs = tempDirs();
let server: FakeApiServer;
let running: RunningAgent | undefined;

beforeEach(async () => {
  server = await startFakeApiServer('node-a');
});

afterEach(async () => {
  await running?.stop(1000);
  running = undefined;
  await server.close();
  dirs.removeAll();
});

function metadataPatch(request: RecordedRequest): Record<string, string | null> | undefined {
  if (request.method !== 'PATCH' || request.path !== '/api/v1/nodes/node-a') return undefined;
  return (request.body as { metadata: { annotations: Record<string, string | null> } }).metadata.annotations;
}

async function start(env: Record<string, string>): Promise<RunningAgent> {
  const directory = dirs.make('patchwindow-agent-');
  const config = loadConfig({ env: { NODE_NAME: 'node-a', KUBECONFIG: server.writeKubeconfig(directory), PATCHWINDOW_AGENT_PORT: '0', ...env }, cwd: directory });
  running = await startAgent({ config, logger: captureLogger().logger, version: '0.1.0', env: {}, homeDir: directory });
  return running;
}

describe('startAgent in file mode', () => {
  it('reports the sentinel file appearing and disappearing on the Node, within a second', async () => {
    const run = dirs.make('patchwindow-run-');
    const sentinel = join(run, 'reboot-required');
    const agent = await start({ PATCHWINDOW_AGENT_SENTINEL_FILE: sentinel });
    await server.waitFor((request) => metadataPatch(request)?.['patchwindow.dev/reboot-required'] === 'false');
    await agent.reporter.settled();
    expect(server.node.conditions.find((condition) => condition.type === 'RebootRequired')).toMatchObject({ status: 'False', reason: 'SentinelFile' });

    writeFileSync(`${sentinel}.pkgs`, 'linux-image-6.1.0-18-amd64\nlibc6\n');
    const started = Date.now();
    writeFileSync(sentinel, '*** System restart required ***\n');
    await server.waitFor((request) => metadataPatch(request)?.['patchwindow.dev/reboot-required'] === 'true');
    expect(Date.now() - started).toBeLessThan(1000);
    await agent.reporter.settled();
    expect(server.node.annotations).toMatchObject({
      'patchwindow.dev/reboot-required': 'true',
      'patchwindow.dev/reboot-required-packages': 'linux-image-6.1.0-18-amd64,libc6',
      'patchwindow.dev/agent-version': '0.1.0',
    });
    expect(server.node.labels['patchwindow.dev/reboot-required']).toBe('true');
    expect(server.node.conditions.map((condition) => `${condition.type}=${String(condition['status'])}`)).toEqual(['Ready=True', 'RebootRequired=True']);

    rmSync(sentinel);
    await server.waitFor((request) => metadataPatch(request)?.['patchwindow.dev/reboot-required'] === 'false' && metadataPatch(request)?.['patchwindow.dev/reboot-required-since'] === null);
    await agent.reporter.settled();
    expect(server.node.labels['patchwindow.dev/reboot-required']).toBeUndefined();
  });

  it('serves /healthz and /metrics', async () => {
    const agent = await start({ PATCHWINDOW_AGENT_SENTINEL_FILE: join(dirs.make(), 'reboot-required') });
    await server.waitFor((request) => metadataPatch(request) !== undefined);
    const base = `http://127.0.0.1:${agent.http.port}`;
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('patchwindow_agent_reboot_required 0');
    expect(metrics).toContain('patchwindow_agent_build_info{version="0.1.0"} 1');
  });

  it('keeps going while the API server refuses, and reports once it stops refusing', async () => {
    server.override = (request) => (request.method === 'GET' ? { status: 503, body: { kind: 'Status', code: 503, message: 'etcd unavailable' } } : undefined);
    const sentinel = join(dirs.make(), 'reboot-required');
    writeFileSync(sentinel, '');
    await start({ PATCHWINDOW_AGENT_SENTINEL_FILE: sentinel });
    await server.waitFor((request) => request.method === 'GET');
    server.override = undefined;
    await server.waitFor((request) => metadataPatch(request)?.['patchwindow.dev/reboot-required'] === 'true', 10_000);
  });
});

describe('startAgent in command mode', () => {
  it('reports what the sentinel command says', async () => {
    const bin = dirs.make('patchwindow-bin-');
    const command = join(bin, 'needs-restarting');
    writeFileSync(command, '#!/bin/sh\necho "Reboot is required"\nexit 1\n');
    chmodSync(command, 0o755);
    const agent = await start({ PATCHWINDOW_AGENT_SENTINEL_COMMAND: JSON.stringify([command, '-r']) });
    await server.waitFor((request) => request.path.endsWith('/status') && request.method === 'PATCH');
    await agent.reporter.settled();
    expect(server.node.annotations['patchwindow.dev/reboot-required']).toBe('true');
    expect(server.node.conditions.find((condition) => condition.type === 'RebootRequired')).toMatchObject({
      status: 'True',
      reason: 'SentinelCommand',
      message: `reboot required: ${command} -r exited 1`,
    });
  });
});

describe('startAgent configuration', () => {
  it('needs NODE_NAME, and a valid one', async () => {
    const directory = dirs.make();
    const logger = captureLogger().logger;
    await expect(startAgent({ config: loadConfig({ env: {}, cwd: directory }), logger, version: '0.1.0', env: {}, homeDir: directory })).rejects.toThrow(
      new ConfigError('NODE_NAME is required by the agent: expected the name of the node it runs on (the manifests set it from spec.nodeName)'),
    );
    await expect(startAgent({ config: loadConfig({ env: { NODE_NAME: 'Build Agent 1' }, cwd: directory }), logger, version: '0.1.0', env: {}, homeDir: directory })).rejects.toThrow(
      'NODE_NAME="Build Agent 1": expected a Kubernetes node name (lower-case DNS subdomain)',
    );
  });
});
