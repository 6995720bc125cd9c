// The web console of the real bot process, reached from another host. Listening on a
// non-loopback address, the bot needs PATCHWINDOW_CONSOLE_TOKEN (it refuses to start without
// one), and every console request needs that token: headers a client can set (X-Forwarded-For,
// Forwarded, X-Real-IP, Host) do not stand in for it. Without a token the console answers only
// requests that name a loopback host. Oversized bodies are refused before they are read whole.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../../support/cli-process.ts';
import type { CliProcess } from '../../support/cli-process.ts';

let directory: string;
const processes: CliProcess[] = [];
const TOKEN = 'chaos-console-token-5b9e1f';

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'patchwindow-console-'));
});

afterEach(async () => {
  await Promise.all(processes.splice(0).map((process) => process.kill()));
  rmSync(directory, { recursive: true, force: true });
});

/** An address of this machine other hosts can reach (and that is not loopback): the test connects from it, as a remote client would. */
const remoteAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;

function bot(env: Record<string, string>): CliProcess {
  const process = startCli(['bot'], {
    cwd: directory,
    env: { PATCHWINDOW_HTTP_PORT: '0', PATCHWINDOW_LOG_FORMAT: 'json', PATCHWINDOW_DB: join(directory, 'p.db'), ...env },
  });
  processes.push(process);
  return process;
}

async function port(process: CliProcess): Promise<number> {
  return Number((await process.waitForLog((entry) => entry['msg'] === 'HTTP server listening'))['port']);
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A raw HTTP request (fetch would not let a test set Host), from this machine to `host`. */
function send(host: string, portNumber: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host, port: portNumber, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const SPOOFED: readonly Record<string, string>[] = [
  {},
  { 'X-Forwarded-For': '127.0.0.1' },
  { 'X-Forwarded-For': '127.0.0.1', 'X-Real-IP': '127.0.0.1', Forwarded: 'for=127.0.0.1;host=localhost', 'X-Forwarded-Host': 'localhost' },
  { Host: 'localhost' },
  { Host: '127.0.0.1', 'X-Forwarded-For': '::1' },
  { Authorization: `Bearer ${TOKEN}x` },
  { Authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
  { Authorization: `Bearer ${TOKEN.slice(0, -1)}` },
  { Cookie: `token=${TOKEN}` },
];

describe('the console from another host', () => {
  it('refuses to start on a non-loopback address without a console token', async () => {
    const process = bot({ PATCHWINDOW_HTTP_HOST: '0.0.0.0' });
    const { code } = await process.exited;
    expect(code).toBe(2);
    expect(process.stderr()).toContain('is not a loopback address, so the web console needs PATCHWINDOW_CONSOLE_TOKEN');
  });

  it.skipIf(remoteAddress === undefined)('answers 401 without the token, whatever the headers claim, and acts on nothing', async () => {
    const address = remoteAddress ?? '';
    const process = bot({ PATCHWINDOW_HTTP_HOST: '0.0.0.0', PATCHWINDOW_CONSOLE_TOKEN: TOKEN });
    const listening = await port(process);
    for (const headers of SPOOFED) {
      for (const path of ['/', '/console/state', '/console/events', '/console/console.js', '/?token=wrong', '/console/state?token=']) {
        expect((await send(address, listening, path, { headers })).status, `${path} ${JSON.stringify(headers)}`).toBe(401);
      }
      const command = await send(address, listening, '/console/command', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ as: 'alice', text: 'open 1h --reason remote' }),
      });
      expect(command.status).toBe(401);
      const click = await send(address, listening, '/console/action', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ as: 'bob', action: 'approve', value: '1' }) });
      expect(click.status).toBe(401);
    }
    // With the token, from the same remote client: the console answers, and nothing was requested before.
    const state = await send(address, listening, '/console/state', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(state.status).toBe(200);
    expect(state.body).not.toContain('remote');
    const status = await send(address, listening, `/console/command?token=${TOKEN}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ as: 'alice', text: 'status' }) });
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ ok: true, text: expect.not.stringContaining('#1') as unknown });
    expect(process.stdout()).toContain('console request refused: missing or wrong token');
    expect(process.stdout()).not.toContain(TOKEN);
  });

  it('without a token (loopback only): a request naming another host is refused, whatever X-Forwarded-For says', async () => {
    const process = bot({ PATCHWINDOW_HTTP_HOST: '127.0.0.1' });
    const listening = await port(process);
    for (const headers of [{ Host: 'evil.example' }, { Host: 'evil.example', 'X-Forwarded-For': '127.0.0.1' }, { Host: '127.0.0.1.evil.example' }, { Host: '10.0.0.8' }, { Host: 'localhost.evil.example:80' }]) {
      expect((await send('127.0.0.1', listening, '/console/state', { headers })).status, JSON.stringify(headers)).toBe(403);
      expect((await send('127.0.0.1', listening, '/console/command', { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ as: 'alice', text: 'open 1h' }) })).status).toBe(403);
    }
    expect((await send('127.0.0.1', listening, '/console/state', { headers: { Host: `localhost:${listening}` } })).status).toBe(200);
  });

  it('refuses a 1 MB command body with 413 before reading it, and a body without the token with 401', async () => {
    const process = bot({ PATCHWINDOW_HTTP_HOST: '127.0.0.1', PATCHWINDOW_CONSOLE_TOKEN: TOKEN });
    const listening = await port(process);
    const huge = JSON.stringify({ as: 'alice', text: `open 1h --reason ${'x'.repeat(1024 * 1024)}` });
    const authorized = { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` };
    expect((await send('127.0.0.1', listening, '/console/command', { method: 'POST', headers: authorized, body: huge })).status).toBe(413);
    // Streamed without a declared length (chunked): refused once it passes the limit.
    expect((await send('127.0.0.1', listening, '/console/command', { method: 'POST', headers: { ...authorized, 'Transfer-Encoding': 'chunked' }, body: Buffer.from(huge) })).status).toBe(413);
    expect((await send('127.0.0.1', listening, '/console/command', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: huge })).status).toBe(401);
    const after = await send('127.0.0.1', listening, '/console/command', { method: 'POST', headers: authorized, body: JSON.stringify({ as: 'alice', text: 'status' }) });
    expect(after.status).toBe(200);
    expect(after.body).not.toContain('#1');
  });
});
