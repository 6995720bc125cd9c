// `patchwindow agent` as a real process, the way the cluster tier and a DaemonSet run it:
// NODE_NAME and KUBECONFIG set, a sentinel directory, stop on SIGTERM.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../../support/cli-process.ts';
import type { CliProcess } from '../../support/cli-process.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { startFakeApiServer } from './support/fake-api-server.ts';
import type { FakeApiServer } from './support/fake-api-server.ts';

const dirs = tempDirs();
const processes: CliProcess[] = [];
let server: FakeApiServer;
let directory: string;

beforeEach(async () => {
  server = await startFakeApiServer('node-a');
  directory = dirs.make('patchwindow-agent-cli-');
});

afterEach(async () => {
  await Promise.all(processes.splice(0).map((process) => process.kill()));
  await server.close();
  dirs.removeAll();
});

function agent(env: Record<string, string>): CliProcess {
  const process = startCli(['agent'], {
    cwd: directory,
    env: {
      NODE_NAME: 'node-a',
      KUBECONFIG: server.writeKubeconfig(directory),
      PATCHWINDOW_AGENT_PORT: '0',
      PATCHWINDOW_AGENT_SENTINEL_FILE: join(directory, 'reboot-required'),
      PATCHWINDOW_LOG_FORMAT: 'json',
      ...env,
    },
  });
  processes.push(process);
  return process;
}

describe('patchwindow agent', () => {
  it('reports on its Node, serves health and metrics, and stops cleanly on SIGTERM', async () => {
    const process = agent({});
    const started = await process.waitForLog((line) => line['msg'] === 'patchwindow agent started');
    expect(started).toMatchObject({ node: 'node-a', detector: `sentinel file ${join(directory, 'reboot-required')}` });
    await server.waitFor((request) => request.method === 'PATCH' && request.path === '/api/v1/nodes/node-a');

    writeFileSync(join(directory, 'reboot-required'), '');
    await server.waitFor(
      (request) =>
        request.method === 'PATCH' && (request.body as { metadata?: { annotations?: Record<string, unknown> } }).metadata?.annotations?.['patchwindow.dev/reboot-required'] === 'true',
    );
    const health = await fetch(`http://127.0.0.1:${String(started['port'])}/healthz`);
    expect(health.status).toBe(200);

    process.child.kill('SIGTERM');
    expect((await process.exited).code).toBe(0);
    expect(process.stdout()).toContain('"msg":"patchwindow agent stopped"');
    expect(process.stdout()).not.toContain(server.token);
    expect(process.stderr()).toBe('');
  });

  it('exits 2 with one line when NODE_NAME is missing', async () => {
    const process = agent({ NODE_NAME: '' });
    const { code } = await process.exited;
    expect(code).toBe(2);
    expect(process.stderr()).toBe(
      'patchwindow: config error: NODE_NAME is required by the agent: expected the name of the node it runs on (the manifests set it from spec.nodeName)\n',
    );
  });

  it('exits 2 with one line for a bad agent setting', async () => {
    const process = agent({ PATCHWINDOW_AGENT_SENTINEL_COMMAND: 'needs-restarting -r' });
    expect((await process.exited).code).toBe(2);
    expect(process.stderr()).toMatch(/^patchwindow: config error: PATCHWINDOW_AGENT_SENTINEL_COMMAND="needs-restarting -r" \(environment\): expected /);
  });

  it('exits 2 when KUBECONFIG names no file that exists and there is no other way to the cluster', async () => {
    // Not in a pod either, even when the tests themselves run in one.
    const process = agent({ KUBECONFIG: join(directory, 'missing'), HOME: directory, KUBERNETES_SERVICE_HOST: '' });
    expect((await process.exited).code).toBe(2);
    expect(process.stderr()).toMatch(/^patchwindow: config error: no Kubernetes credentials: .*the KUBECONFIG files \(.*missing\) do not exist/);
  });
});
