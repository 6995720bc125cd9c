// `patchwindow bot` as a real process: start, serve, stop on a signal, refuse bad setups.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../../../storage/migrations.ts';
import { startCli } from '../../../support/cli-process.ts';
import type { CliProcess } from '../../../support/cli-process.ts';

let directory: string;
const processes: CliProcess[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'patchwindow-cli-'));
});

afterEach(async () => {
  await Promise.all(processes.splice(0).map((process) => process.kill()));
  rmSync(directory, { recursive: true, force: true });
});

function bot(env: Record<string, string> = {}, args: string[] = []): CliProcess {
  const process = startCli(['bot', ...args], {
    cwd: directory,
    env: { PATCHWINDOW_HTTP_PORT: '0', PATCHWINDOW_LOG_FORMAT: 'json', PATCHWINDOW_DB: join(directory, 'data', 'p.db'), ...env },
  });
  processes.push(process);
  return process;
}

async function listening(process: CliProcess): Promise<string> {
  const line = await process.waitForLog((entry) => entry['msg'] === 'HTTP server listening');
  return `http://127.0.0.1:${String(line['port'])}`;
}

describe('patchwindow bot', () => {
  it('serves /healthz, /readyz and /metrics, then stops cleanly on SIGTERM', async () => {
    const process = bot();
    const base = await listening(process);

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('patchwindow_build_info{version="0.1.0"} 1');
    expect(text).toContain('patchwindow_process_resident_memory_bytes');

    process.child.kill('SIGTERM');
    const { code } = await process.exited;
    expect(code).toBe(0);
    expect(process.stdout()).toContain('"msg":"patchwindow bot stopped"');
    expect(process.stderr()).toBe('');
  });

  it('stops on SIGINT too and leaves a database the next start can open', async () => {
    const first = bot();
    await listening(first);
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);

    const second = bot();
    const line = await second.waitForLog((entry) => entry['msg'] === 'database open');
    const latest = loadMigrations().length;
    expect(line).toMatchObject({ schemaFrom: latest, schemaTo: latest });
  });

  it('exits 2 with one line for a bad setting, writing no database', async () => {
    const process = bot({ PATCHWINDOW_HTTP_PORT: '70000' });
    const { code } = await process.exited;
    expect(code).toBe(2);
    expect(process.stderr()).toBe(
      'patchwindow: config error: PATCHWINDOW_HTTP_PORT="70000" (environment): expected an integer from 0 to 65535 (0 picks a free port)\n',
    );
    expect(process.stdout()).toBe('');
    expect(existsSync(join(directory, 'data'))).toBe(false);
  });

  it('exits 2 naming the line of invalid YAML in --config', async () => {
    writeFileSync(join(directory, 'bad.yaml'), 'http:\n  port: 1\n  port: 2\n');
    const process = bot({}, ['--config', 'bad.yaml']);
    expect((await process.exited).code).toBe(2);
    expect(process.stderr()).toBe('patchwindow: config error: bad.yaml line 3, column 3: invalid YAML (Map keys must be unique)\n');
  });

  it('exits 2 when the database directory cannot be created', async () => {
    writeFileSync(join(directory, 'not-a-directory'), '');
    const process = bot({ PATCHWINDOW_DB: join(directory, 'not-a-directory', 'p.db') });
    expect((await process.exited).code).toBe(2);
    expect(process.stderr()).toBe(
      `patchwindow: storage error: database directory ${join(directory, 'not-a-directory')} for ${join(directory, 'not-a-directory', 'p.db')} cannot be created or written: a part of the path is a file, not a directory\n`,
    );
  });

  it('refuses to start a second bot on the same database', async () => {
    const first = bot();
    await listening(first);
    const second = bot();
    expect((await second.exited).code).toBe(2);
    expect(second.stderr()).toBe(
      `patchwindow: storage error: database ${join(directory, 'data', 'p.db')} is in use by another patchwindow process; only one bot may use a database file\n`,
    );
    // The first one is unaffected.
    const base = await listening(first);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('exits 2 when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const process = bot({ PATCHWINDOW_HTTP_PORT: String(port) });
      expect((await process.exited).code).toBe(2);
      expect(process.stderr()).toBe(`patchwindow: http error: cannot listen on 127.0.0.1:${port}: address already in use\n`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('patchwindow', () => {
  it('prints its version', async () => {
    const process = startCli(['--version'], { cwd: directory, env: {} });
    processes.push(process);
    expect((await process.exited).code).toBe(0);
    expect(process.stdout()).toBe('0.1.0\n');
  });

  it('lists its commands in --help', async () => {
    const process = startCli(['--help'], { cwd: directory, env: {} });
    processes.push(process);
    expect((await process.exited).code).toBe(0);
    expect(process.stdout()).toMatch(/Usage: patchwindow \[options\] \[command\]/);
    expect(process.stdout()).toMatch(/\n {2}bot \[options\]/);
  });
});
