import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsoleChannel } from '../../../../../bot/adapters/console/console-channel.ts';
import { consoleRoutes, isLoopbackHost, MAX_BODY_BYTES } from '../../../../../bot/adapters/console/console-routes.ts';
import type { ConsoleRoutes } from '../../../../../bot/adapters/console/console-routes.ts';
import { startHttpServer } from '../../../../../bot/adapters/http/http-server.ts';
import type { RunningHttpServer } from '../../../../../bot/adapters/http/http-server.ts';
import type { Actor, ChatInbound, ChatMessage, InboundReply } from '../../../../../bot/core/ports/chat-port.ts';
import { captureLogger } from '../../../../support/capture-logger.ts';

const USERS = ['alice', 'bob', 'carol'];
const TOKEN = 'console-secret-123';

type InboundCall = { readonly kind: 'command'; readonly actor: Actor; readonly text: string } | { readonly kind: 'action'; readonly actor: Actor; readonly action: string; readonly value: string };

/** A ChatInbound that records its calls and answers with a canned reply (or throws). */
class RecordingInbound implements ChatInbound {
  readonly calls: InboundCall[] = [];
  reply: InboundReply | Error = { ok: true, text: 'done' };

  command(actor: Actor, text: string): Promise<InboundReply> {
    this.calls.push({ kind: 'command', actor, text });
    return this.#answer();
  }

  action(actor: Actor, action: string, value: string): Promise<InboundReply> {
    this.calls.push({ kind: 'action', actor, action, value });
    return this.#answer();
  }

  #answer(): Promise<InboundReply> {
    return this.reply instanceof Error ? Promise.reject(this.reply) : Promise.resolve(this.reply);
  }
}

interface Harness {
  readonly base: string;
  readonly server: RunningHttpServer;
  readonly console: ConsoleRoutes;
  readonly channel: ConsoleChannel;
  readonly inbound: RecordingInbound;
  readonly lines: () => Record<string, unknown>[];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: { token?: string; heartbeatMs?: number } = {}): Promise<Harness> {
  const { logger, lines } = captureLogger('debug');
  let at = Date.parse('2025-03-11T14:00:00Z');
  const channel = new ConsoleChannel({ now: () => new Date((at += 1000)) });
  const inbound = new RecordingInbound();
  const routes = consoleRoutes({ channel, inbound, users: USERS, token: options.token, logger, ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }) });
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, routes: routes.routes, logger });
  let stopped = false;
  cleanups.push(async () => {
    routes.close();
    if (!stopped) await server.stop(1000);
  });
  const stop = server.stop.bind(server);
  const tracked: RunningHttpServer = {
    host: server.host,
    port: server.port,
    stop: async (graceMs) => {
      stopped = true;
      await stop(graceMs);
    },
  };
  return { base: `http://127.0.0.1:${server.port}`, server: tracked, console: routes, channel, inbound, lines };
}

interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request on its own connection, with full control of headers and body. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; chunks?: readonly Buffer[] } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      });
    });
    outgoing.on('error', reject);
    for (const chunk of options.chunks ?? []) outgoing.write(chunk);
    outgoing.end(options.body);
  });
}

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return send(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function text(body: string): ChatMessage {
  return { fallbackText: body, blocks: [{ kind: 'text', text: body }] };
}

interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly comment?: string;
}

/** Reads a Server-Sent Events stream from fetch, one event (or comment) at a time. */
class SseClient {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  readonly #abort: AbortController;
  #buffer = '';
  readonly status: number;
  readonly headers: Headers;

  private constructor(response: Response, abort: AbortController) {
    if (response.body === null) throw new Error('no body');
    this.#reader = response.body.getReader();
    this.#abort = abort;
    this.status = response.status;
    this.headers = response.headers;
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const response = await fetch(url, { headers, signal: abort.signal });
    return new SseClient(response, abort);
  }

  /** The next event or comment; `retry:` lines are skipped. Undefined when the stream ended. */
  async next(): Promise<SseEvent | undefined> {
    for (;;) {
      const end = this.#buffer.indexOf('\n\n');
      if (end >= 0) {
        const raw = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const parsed = parseSse(raw);
        if (parsed !== undefined) return parsed;
        continue;
      }
      const { done, value } = await this.#reader.read();
      if (done) return undefined;
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  async nextData<T>(event: string): Promise<T> {
    const next = await this.next();
    expect(next?.event).toBe(event);
    return JSON.parse(next?.data ?? 'null') as T;
  }

  disconnect(): void {
    this.#abort.abort();
  }
}

function parseSse(raw: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of raw.split('\n')) {
    if (line.startsWith(':')) return { event: 'comment', data: '', comment: line.slice(1).trim() };
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') };
}

function expectStrictHeaders(headers: IncomingHttpHeaders | Headers): void {
  const get = (name: string): unknown => (headers instanceof Headers ? headers.get(name) : headers[name]);
  expect(get('content-security-policy')).toMatch(/^default-src 'self'(;|$)/);
  expect(get('x-content-type-options')).toBe('nosniff');
  expect(get('referrer-policy')).toBe('no-referrer');
}

describe('console page and assets', () => {
  it('serves the page, script, stylesheet and icon with their types, no-cache and strict headers', async () => {
    const { base } = await serve();
    const page = await send(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expectStrictHeaders(page.headers);
    expect(page.body).toContain('<title>#patchwindow console</title>');
    for (const reference of ['src="/console/console.js"', 'href="/console/console.css"', 'href="/console/icon.svg"']) expect(page.body).toContain(reference);
    for (const id of ['id="command-input"', 'id="you-are"', 'id="messages"', 'id="connection-status"']) expect(page.body).toContain(id);
    expect(page.body).not.toMatch(/<script>|<style|style="|https?:\/\//);

    const expected: [string, string, string][] = [
      ['/console/console.js', 'text/javascript; charset=utf-8', "new EventSource(withToken('/console/events'))"],
      ['/console/console.css', 'text/css; charset=utf-8', '.private-note'],
      ['/console/icon.svg', 'image/svg+xml', '<svg'],
    ];
    for (const [path, type, snippet] of expected) {
      const asset = await send(`${base}${path}`);
      expect(asset.status, path).toBe(200);
      expect(asset.headers['content-type'], path).toBe(type);
      expect(asset.headers['cache-control'], path).toBe('no-cache');
      expect(Number(asset.headers['content-length']), path).toBe(Buffer.byteLength(asset.body));
      expectStrictHeaders(asset.headers);
      expect(asset.body, path).toContain(snippet);
    }
  });

  it('uses nothing from other origins: no CDN, no external fonts, no inline script', async () => {
    const { base } = await serve();
    for (const path of ['/console/console.js', '/console/console.css']) {
      const asset = await send(`${base}${path}`);
      expect(asset.body, path).not.toMatch(/https?:\/\/(?!www\.w3\.org)|@import|url\(|innerHTML|eval\(/);
    }
  });

  it('answers only on loopback host names when there is no token', async () => {
    const { base, inbound, lines } = await serve();
    for (const host of ['localhost:8080', '127.0.0.1', '[::1]:8080']) {
      expect((await send(`${base}/console/state`, { headers: { Host: host } })).status, host).toBe(200);
    }
    const rebound = await send(`${base}/console/state`, { headers: { Host: 'attacker.example' } });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toEqual({ error: expect.stringContaining('localhost') as unknown });
    const command = await send(`${base}/console/command`, {
      method: 'POST',
      headers: { Host: 'attacker.example', 'Content-Type': 'application/json' },
      body: JSON.stringify({ as: 'alice', text: 'open 1h' }),
    });
    expect(command.status).toBe(403);
    expect(inbound.calls).toEqual([]);
    expect(lines()).toContainEqual(expect.objectContaining({ level: 'warn', path: '/console/command' }));
  });
});

describe('console state', () => {
  it('lists the channel, the users and every message', async () => {
    const { base, channel } = await serve();
    const ref = await channel.post(text('window 1 requested'));
    await channel.reply(ref, text('approved by bob'));
    const state = await send(`${base}/console/state`);
    expect(state.status).toBe(200);
    expect(state.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(state.headers['cache-control']).toBe('no-store');
    expectStrictHeaders(state.headers);
    expect(JSON.parse(state.body)).toEqual({
      channel: '#patchwindow console',
      users: USERS,
      messages: [
        expect.objectContaining({ id: 'c1', threadId: null, fallbackText: 'window 1 requested', version: 1 }),
        expect.objectContaining({ id: 'c2', threadId: 'c1', fallbackText: 'approved by bob', blocks: [{ kind: 'text', text: 'approved by bob' }] }),
      ],
    });
  });
});

describe('console events', () => {
  it('sends a snapshot, then every post, update and reply as it happens, in order', async () => {
    const { base, channel } = await serve();
    const existing = await channel.post(text('before connecting'));
    const stream = await SseClient.open(`${base}/console/events`);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('cache-control')).toBe('no-store');
    expectStrictHeaders(stream.headers);

    const snapshot = await stream.nextData<{ messages: { id: string }[] }>('snapshot');
    expect(snapshot.messages.map((message) => message.id)).toEqual([existing.id]);

    const live = await channel.post(text('window 2 open'));
    await channel.update(live, { fallbackText: 'window 2: 1/3 done', blocks: [{ kind: 'header', text: 'Window 2' }, { kind: 'lines', lines: ['node-a done'] }] });
    await channel.reply(live, text('node-a back after 42 s'));

    expect(await stream.nextData('message')).toEqual({ kind: 'post', message: expect.objectContaining({ id: 'c2', version: 1, fallbackText: 'window 2 open' }) as unknown });
    expect(await stream.nextData('message')).toEqual({
      kind: 'update',
      message: expect.objectContaining({ id: 'c2', version: 2, fallbackText: 'window 2: 1/3 done', blocks: [{ kind: 'header', text: 'Window 2' }, { kind: 'lines', lines: ['node-a done'] }] }) as unknown,
    });
    expect(await stream.nextData('message')).toEqual({ kind: 'reply', message: expect.objectContaining({ id: 'c3', threadId: 'c2', fallbackText: 'node-a back after 42 s' }) as unknown });
    stream.disconnect();
  });

  it('tells the page about messages dropped from the channel', async () => {
    const { logger } = captureLogger();
    const channel = new ConsoleChannel({ now: () => new Date(0), maxMessages: 1 });
    const routes = consoleRoutes({ channel, inbound: new RecordingInbound(), users: USERS, token: undefined, logger });
    const server = await startHttpServer({ host: '127.0.0.1', port: 0, routes: routes.routes, logger });
    cleanups.push(async () => {
      routes.close();
      await server.stop(1000);
    });
    const stream = await SseClient.open(`http://127.0.0.1:${server.port}/console/events`);
    await stream.nextData('snapshot');
    await channel.post(text('old'));
    await channel.post(text('new'));
    expect(await stream.nextData('message')).toMatchObject({ kind: 'post', message: { id: 'c1' } });
    expect(await stream.nextData('message')).toMatchObject({ kind: 'post', message: { id: 'c2' } });
    expect(await stream.nextData('remove')).toEqual({ ids: ['c1'] });
    stream.disconnect();
  });

  it('sends heartbeat comments while idle', async () => {
    const { base } = await serve({ heartbeatMs: 10 });
    const stream = await SseClient.open(`${base}/console/events`);
    await stream.nextData('snapshot');
    expect(await stream.next()).toEqual({ event: 'comment', data: '', comment: 'heartbeat' });
    stream.disconnect();
  });

  it('forgets a stream when its client goes away', async () => {
    const { base, console: routes, channel } = await serve();
    const stream = await SseClient.open(`${base}/console/events`);
    await stream.nextData('snapshot');
    expect(routes.openStreams()).toBe(1);
    expect(channel.subscriberCount).toBe(1);
    stream.disconnect();
    await vi.waitFor(() => {
      expect(routes.openStreams()).toBe(0);
    });
    expect(channel.subscriberCount).toBe(0);
    await channel.post(text('nobody listening'));
  });

  it('close() ends every stream so the server can stop, and refuses new streams', async () => {
    const { base, server, console: routes, channel } = await serve();
    const first = await SseClient.open(`${base}/console/events`);
    const second = await SseClient.open(`${base}/console/events`);
    await first.nextData('snapshot');
    await second.nextData('snapshot');
    routes.close();
    expect(await first.next()).toBeUndefined();
    expect(await second.next()).toBeUndefined();
    expect(channel.subscriberCount).toBe(0);
    const refused = await send(`${base}/console/events`);
    expect(refused.status).toBe(503);
    await server.stop(60_000);
    routes.close();
  });

  it('lets a stopping server finish once close() is called after stop()', async () => {
    const { base, server, console: routes } = await serve();
    const stream = await SseClient.open(`${base}/console/events`);
    await stream.nextData('snapshot');
    let stopped = false;
    const stopping = server.stop(60_000).then(() => {
      stopped = true;
    });
    expect(stopped).toBe(false);
    routes.close();
    expect(await stream.next()).toBeUndefined();
    await stopping;
    expect(stopped).toBe(true);
  });
});

describe('console commands and actions', () => {
  it('runs a command as the chosen user and answers with the private reply', async () => {
    const { base, inbound, channel } = await serve();
    inbound.reply = { ok: true, text: 'Window requested; waiting for approval.' };
    const answer = await postJson(`${base}/console/command`, { as: 'alice', text: 'open 1h --reason "patch tuesday"' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expectStrictHeaders(answer.headers);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, text: 'Window requested; waiting for approval.' });
    expect(inbound.calls).toEqual([{ kind: 'command', actor: { id: 'console:alice', displayName: 'alice' }, text: 'open 1h --reason "patch tuesday"' }]);
    expect(channel.messages()).toEqual([]);
  });

  it('passes a refusal through as ok: false', async () => {
    const { base, inbound } = await serve();
    inbound.reply = { ok: false, text: 'expected a duration, e.g. open 2h' };
    const answer = await postJson(`${base}/console/command`, { as: 'carol', text: 'open soon' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: false, text: 'expected a duration, e.g. open 2h' });
  });

  it('sends a button click as the chosen user', async () => {
    const { base, inbound } = await serve();
    inbound.reply = { ok: true, text: 'Approved window 3.' };
    const answer = await postJson(`${base}/console/action`, { as: 'bob', action: 'approve', value: '3' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, text: 'Approved window 3.' });
    expect(inbound.calls).toEqual([{ kind: 'action', actor: { id: 'console:bob', displayName: 'bob' }, action: 'approve', value: '3' }]);
  });

  it('accepts an empty action value', async () => {
    const { base, inbound } = await serve();
    expect((await postJson(`${base}/console/action`, { as: 'bob', action: 'refresh', value: '' })).status).toBe(200);
    expect(inbound.calls).toEqual([{ kind: 'action', actor: { id: 'console:bob', displayName: 'bob' }, action: 'refresh', value: '' }]);
  });

  it('answers 500 without details and logs when the bot fails', async () => {
    const { base, inbound, lines } = await serve();
    inbound.reply = new Error('store is gone');
    const answer = await postJson(`${base}/console/command`, { as: 'alice', text: 'status' });
    expect(answer.status).toBe(500);
    const body = JSON.parse(answer.body) as { ok: boolean; text: string };
    expect(body.ok).toBe(false);
    expect(body.text).not.toContain('store is gone');
    expect(lines()).toContainEqual(expect.objectContaining({ level: 'error', msg: 'console command failed', actor: 'console:alice', err: expect.objectContaining({ message: 'store is gone' }) as unknown }));
  });

  const badBodies: [string, string, Record<string, string> | undefined, number][] = [
    ['not JSON', '{"as": "alice", text: open}', undefined, 400],
    ['not UTF-8', '\u00ff', undefined, 400],
    ['an array', '[{"as":"alice","text":"status"}]', undefined, 400],
    ['null', 'null', undefined, 400],
    ['a string', '"status"', undefined, 400],
    ['empty', '', undefined, 400],
    ['missing as', '{"text":"status"}', undefined, 400],
    ['missing text', '{"as":"alice"}', undefined, 400],
    ['as not a string', '{"as":["alice"],"text":"status"}', undefined, 400],
    ['text not a string', '{"as":"alice","text":42}', undefined, 400],
    ['blank text', '{"as":"alice","text":"   "}', undefined, 400],
    ['text too long', JSON.stringify({ as: 'alice', text: 'x'.repeat(2001) }), undefined, 400],
    ['an unexpected field', '{"as":"alice","text":"status","admin":true}', undefined, 400],
    ['an unknown user', '{"as":"mallory","text":"status"}', undefined, 403],
    ['a user of another case', '{"as":"Alice","text":"status"}', undefined, 403],
    ['not declared JSON', '{"as":"alice","text":"status"}', { 'Content-Type': 'text/plain' }, 415],
    ['no content type', '{"as":"alice","text":"status"}', {}, 415],
  ];

  it.each(badBodies)('refuses a command whose body is %s', async (_what, body, headers, status) => {
    const { base, inbound } = await serve();
    const answer = await send(`${base}/console/command`, {
      method: 'POST',
      headers: headers ?? { 'Content-Type': 'application/json' },
      body: body === '\u00ff' ? Buffer.from([0xff, 0xfe]) : body,
    });
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.body.trim()).not.toContain('\n');
    expect(JSON.parse(answer.body)).toEqual({ error: expect.any(String) as unknown });
    expect(inbound.calls).toEqual([]);
  });

  const badActions: [string, unknown, number][] = [
    ['missing value', { as: 'bob', action: 'approve' }, 400],
    ['missing action', { as: 'bob', value: '3' }, 400],
    ['empty action', { as: 'bob', action: '', value: '3' }, 400],
    ['action with spaces', { as: 'bob', action: 'approve all', value: '3' }, 400],
    ['action too long', { as: 'bob', action: 'a'.repeat(65), value: '3' }, 400],
    ['value not a string', { as: 'bob', action: 'approve', value: 3 }, 400],
    ['value too long', { as: 'bob', action: 'approve', value: 'v'.repeat(257) }, 400],
    ['a text field', { as: 'bob', action: 'approve', value: '3', text: 'x' }, 400],
    ['unknown user', { as: 'root', action: 'approve', value: '3' }, 403],
  ];

  it.each(badActions)('refuses an action with %s', async (_what, body, status) => {
    const { base, inbound } = await serve();
    const answer = await postJson(`${base}/console/action`, body);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.any(String) as unknown });
    expect(inbound.calls).toEqual([]);
  });

  it('refuses a body larger than the limit, declared or streamed', async () => {
    const { base, inbound } = await serve();
    const large = JSON.stringify({ as: 'alice', text: 'x'.repeat(MAX_BODY_BYTES) });
    const declared = await send(`${base}/console/command`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: large });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toEqual({ error: `the body must be at most ${MAX_BODY_BYTES} bytes` });
    const streamed = await send(`${base}/console/command`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      chunks: [Buffer.from(large.slice(0, 10_000)), Buffer.from(large.slice(10_000))],
    });
    expect(streamed.status).toBe(413);
    expect(inbound.calls).toEqual([]);
    // A body just within the limit still gets through to the length check.
    const atLimit = await postJson(`${base}/console/command`, { as: 'alice', text: 'y'.repeat(MAX_BODY_BYTES - 40) });
    expect(atLimit.status).toBe(400);
    expect(JSON.parse(atLimit.body)).toEqual({ error: '"text" must be at most 2000 characters' });
  });

  it('answers 405 for the wrong method', async () => {
    const { base } = await serve();
    expect((await send(`${base}/console/command`)).status).toBe(405);
    expect((await send(`${base}/console/state`, { method: 'POST' })).status).toBe(405);
  });
});

describe('console token', () => {
  const paths = ['/', '/console/console.js', '/console/console.css', '/console/icon.svg', '/console/state', '/console/events'];

  it('refuses every console request without the token', async () => {
    const { base, inbound, lines } = await serve({ token: TOKEN });
    for (const path of paths) {
      const answer = await send(`${base}${path}`);
      expect(answer.status, path).toBe(401);
      expect(answer.headers['www-authenticate'], path).toBe('Bearer realm="patchwindow console"');
      expect(JSON.parse(answer.body), path).toEqual({ error: expect.stringContaining('token') as unknown });
    }
    for (const [path, body] of [
      ['/console/command', { as: 'alice', text: 'status' }],
      ['/console/action', { as: 'bob', action: 'approve', value: '1' }],
    ] as const) {
      expect((await postJson(`${base}${path}`, body)).status, path).toBe(401);
      expect((await postJson(`${base}${path}`, body, { Authorization: `Bearer ${TOKEN}x` })).status, path).toBe(401);
      expect((await postJson(`${base}${path}?token=wrong`, body)).status, path).toBe(401);
    }
    expect(inbound.calls).toEqual([]);
    expect(lines().filter((line) => line['msg'] === 'console request refused: missing or wrong token').length).toBeGreaterThan(0);
    expect(JSON.stringify(lines())).not.toContain(TOKEN);
  });

  it('accepts the token as a bearer header or as ?token=, from any host name', async () => {
    const { base, inbound } = await serve({ token: TOKEN });
    for (const path of paths.filter((candidate) => candidate !== '/console/events')) {
      expect((await send(`${base}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, path).toBe(200);
      expect((await send(`${base}${path}?token=${TOKEN}`)).status, path).toBe(200);
    }
    expect((await send(`${base}/console/state`, { headers: { Authorization: `Bearer ${TOKEN}`, Host: 'patchwindow.example.com' } })).status).toBe(200);
    expect((await send(`${base}/console/state?token=${TOKEN}`, { headers: { Authorization: 'Basic Zm9vOmJhcg==' } })).status).toBe(200);
    expect((await postJson(`${base}/console/command`, { as: 'alice', text: 'status' }, { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await postJson(`${base}/console/action?token=${TOKEN}`, { as: 'bob', action: 'approve', value: '1' })).status).toBe(200);
    expect(inbound.calls.map((call) => call.kind)).toEqual(['command', 'action']);

    const stream = await SseClient.open(`${base}/console/events?token=${TOKEN}`);
    expect(stream.status).toBe(200);
    await stream.nextData('snapshot');
    stream.disconnect();
    const withHeader = await SseClient.open(`${base}/console/events`, { Authorization: `Bearer ${TOKEN}` });
    expect(withHeader.status).toBe(200);
    withHeader.disconnect();
  });

  it('passes a token given in the page address on to the page’s own assets', async () => {
    const token = 'a&b"c<d> e';
    const { base } = await serve({ token });
    const encoded = encodeURIComponent(token);
    const page = await send(`${base}/?token=${encoded}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`src="/console/console.js?token=${encoded}"`);
    expect(page.body).toContain(`href="/console/console.css?token=${encoded}"`);
    expect(page.body).toContain(`href="/console/icon.svg?token=${encoded}"`);
    expect(page.body).not.toContain(token);
    const viaHeader = await send(`${base}/`, { headers: { Authorization: `Bearer ${encoded}` } });
    expect(viaHeader.status).toBe(401);
  });
});

describe('consoleRoutes options', () => {
  const { logger } = captureLogger();
  const channel = new ConsoleChannel({ now: () => new Date(0) });
  const inbound = new RecordingInbound();

  it('refuses users and tokens that cannot work', () => {
    expect(() => consoleRoutes({ channel, inbound, users: [], token: undefined, logger })).toThrow('at least one user');
    expect(() => consoleRoutes({ channel, inbound, users: ['alice', 'alice'], token: undefined, logger })).toThrow('distinct');
    expect(() => consoleRoutes({ channel, inbound, users: ['al ice'], token: undefined, logger })).toThrow('al ice');
    expect(() => consoleRoutes({ channel, inbound, users: ['alice'], token: '', logger })).toThrow('token');
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['localhost.', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['128.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['patchwindow.example.com', false],
    ['localhost.example.com', false],
    ['127.0.0.1.example.com', false],
    ['', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
