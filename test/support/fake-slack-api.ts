// A local stand-in for the Slack Web API (and for response_url endpoints), on loopback. It keeps
// every call and every message, answers like Slack (HTTP 200 with ok/error JSON, 429 with
// Retry-After), enforces about one chat.postMessage per second per channel as Slack does, and can
// be told to fail the next calls of a method: 429, 5xx, a platform error, no answer at all, a
// dropped connection, or an answer lost after the call went through; a test's fault plan (`chaos`)
// can fail any call.
// It opens modals (views.open, once per trigger id) and keeps them for the test to submit.
// It also plays Socket Mode: apps.connections.open hands out a ws:// URL on the same server, and
// the test pushes envelopes (slash commands, clicks) down that connection and reads the acks.
// With `updatesPerMinute` it also enforces chat.update's tier-3 limit (Slack: about 50 a minute).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { WebSocketPeer } from './websocket-peer.ts';

export const FAKE_TOKEN = 'xoxb-1111-2222-fakebottoken';
export const FAKE_APP_TOKEN = 'xapp-1-A0PATCHWIN-3333-fakeapptoken';
export const FAKE_TEAM_ID = 'T0PATCHWIN';
export const FAKE_CHANNEL = 'C0PATCHWIN';
export const FAKE_BOT_USER = 'U0PWBOT001';

export interface FakeSlackOptions {
  readonly token?: string;
  readonly appToken?: string;
  readonly teamId?: string;
  readonly channels?: readonly string[];
  /** Least time between two posts to one channel before the fake answers 429. Default 1000; 0 turns it off. */
  readonly postIntervalMs?: number;
  /**
   * chat.update calls accepted per rolling minute across the workspace before the fake answers 429
   * (Slack's tier 3: about 50). Default 0: no limit, so tests that step a manual clock in real
   * time are not throttled unless they ask for it.
   */
  readonly updatesPerMinute?: number;
  /** Stamped on every recorded call next to the real time, e.g. a test's manual clock. */
  readonly stamp?: () => number;
}

export type Fault =
  | { readonly kind: 'rate-limited'; readonly retryAfterS: number }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'error'; readonly error: string }
  /** Never answers (until the fake closes): a timeout for the client. */
  | { readonly kind: 'hang' }
  /** Drops the connection before the call is processed: nothing happened. */
  | { readonly kind: 'reset' }
  /** Processes the call, then its answer is lost: the connection drops, or hangs until the client gives up. */
  | { readonly kind: 'response-lost'; readonly as: 'reset' | 'hang' };

export interface FakeCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  /** Real time (ms). */
  readonly at: number;
  readonly stamp: number | undefined;
  /** What the fake answered: `ok`, an error code, `429`, `HTTP 500`, `hang`, `reset`. */
  readonly outcome: string;
  readonly authorization: string | undefined;
  /** Set when the call was processed (as `outcome` says) but its answer never reached the client. */
  readonly responseLost?: 'reset' | 'hang';
}

export interface FakeMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  text: string;
  blocks: unknown[];
  updates: number;
}

export interface FakeResponse {
  readonly id: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

export interface FakeView {
  readonly id: string;
  readonly triggerId: string;
  readonly view: Record<string, unknown>;
}

/** What the app sent back for an envelope: its id and, for commands, an optional response payload. */
export interface SocketAck {
  readonly envelope_id: string;
  readonly payload?: Record<string, unknown>;
}

export class FakeSlackApi {
  readonly calls: FakeCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly ephemerals: Record<string, unknown>[] = [];
  /** Modals opened with views.open: the trigger id and the view as sent, with the id the fake gave it. */
  readonly views: FakeView[] = [];
  /** User groups by id (S…) with their members' user ids, for usergroups.users.list. */
  readonly userGroups = new Map<string, string[]>();
  readonly responses: FakeResponse[] = [];
  /** 429s answered because a channel got posts too fast (not injected faults). */
  rateLimited = 0;
  /** 429s answered because chat.update went over `updatesPerMinute` (not injected faults). */
  updatesRateLimited = 0;
  /** A test's fault plan: asked about every Web API call (by method) and response_url post (`response_url`) that has no queued fault. */
  chaos: ((method: string) => Fault | undefined) | undefined = undefined;
  readonly #server: Server;
  readonly #options: Required<Omit<FakeSlackOptions, 'stamp'>> & { readonly stamp: (() => number) | undefined };
  readonly #faults = new Map<string, Fault[]>();
  readonly #responseFaults: Fault[] = [];
  readonly #lastPostAt = new Map<string, number>();
  /** When the accepted chat.update calls of the last minute were made (oldest first). */
  readonly #recentUpdates: number[] = [];
  readonly #hanging = new Set<ServerResponse>();
  readonly #waiters = new Set<() => void>();
  readonly #sockets: WebSocketPeer[] = [];
  readonly #acks = new Map<string, (ack: SocketAck) => void>();
  #nextTs = 1;
  #nextResponseUrl = 1;
  #origin = '';

  private constructor(options: FakeSlackOptions) {
    this.#options = {
      token: options.token ?? FAKE_TOKEN,
      appToken: options.appToken ?? FAKE_APP_TOKEN,
      teamId: options.teamId ?? FAKE_TEAM_ID,
      channels: options.channels ?? [FAKE_CHANNEL],
      postIntervalMs: options.postIntervalMs ?? 1000,
      updatesPerMinute: options.updatesPerMinute ?? 0,
      stamp: options.stamp,
    };
    this.#server = createServer((request, response) => {
      void this.#handle(request, response);
    });
    this.#server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
      this.#upgrade(request, socket);
    });
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlackApi> {
    const fake = new FakeSlackApi(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#origin = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The Web API base URL (PATCHWINDOW_SLACK_API_URL). */
  get apiUrl(): string {
    return `${this.#origin}/api/`;
  }

  /** A fresh response_url, as Slack puts in each command and click. */
  responseUrl(): string {
    return `${this.#origin}/response/${this.#nextResponseUrl++}`;
  }

  /** The next `times` calls of `method` fail with `fault`. */
  failNext(method: string, fault: Fault, times = 1): void {
    const queue = this.#faults.get(method) ?? [];
    for (let index = 0; index < times; index++) queue.push(fault);
    this.#faults.set(method, queue);
  }

  /** The next `times` posts to a response_url fail with `fault`. */
  failResponseUrls(fault: Fault, times = 1): void {
    for (let index = 0; index < times; index++) this.#responseFaults.push(fault);
  }

  callsTo(method: string): FakeCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  topLevel(): FakeMessage[] {
    return this.messages.filter((message) => message.threadTs === undefined);
  }

  replies(threadTs: string): FakeMessage[] {
    return this.messages.filter((message) => message.threadTs === threadTs);
  }

  /** Resolves once `condition` holds (checked after every request), or fails after `timeoutMs`. */
  async waitFor(condition: () => boolean, timeoutMs = 5000, what = 'the fake Slack API to see the expected calls'): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        clearInterval(poll);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      // Also checked now and then: some changes (a socket closing) come without a request.
      const poll = setInterval(check, 25);
      this.#waiters.add(check);
    });
  }

  /** Open Socket Mode connections. */
  openSockets(): number {
    return this.#sockets.filter((socket) => !socket.closed).length;
  }

  /** Pushes an envelope down the newest Socket Mode connection and resolves with the app's ack. */
  async sendEnvelope(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>, options: { envelopeId?: string; retryAttempt?: number } = {}): Promise<SocketAck> {
    const socket = this.#sockets.filter((candidate) => !candidate.closed).at(-1);
    if (socket === undefined) throw new Error('no Socket Mode connection is open');
    const envelopeId = options.envelopeId ?? randomUUID();
    const acked = new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#acks.delete(envelopeId);
        reject(new Error(`envelope ${envelopeId} was not acknowledged within 3 s`));
      }, 3000);
      this.#acks.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type === 'slash_commands',
        ...(options.retryAttempt === undefined ? {} : { retry_attempt: options.retryAttempt, retry_reason: 'timeout' }),
      }),
    );
    return acked;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    for (const response of this.#hanging) response.destroy();
    this.#hanging.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = new URL(request.url ?? '/', this.#origin).pathname;
    try {
      if (path.startsWith('/response/')) {
        this.#respondUrl(path.slice('/response/'.length), body, request, response);
      } else if (path.startsWith('/api/') && request.method === 'POST') {
        this.#api(path.slice('/api/'.length), parseArgs(body, request.headers['content-type']), request, response);
      } else {
        response.writeHead(404).end();
      }
    } finally {
      for (const waiter of [...this.#waiters]) waiter();
    }
  }

  #upgrade(request: IncomingMessage, socket: Duplex): void {
    if (!(request.url ?? '').startsWith('/link')) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const peer = WebSocketPeer.accept(request, socket);
    if (peer === undefined) return;
    this.#sockets.push(peer);
    peer.onMessage((text) => {
      let ack: SocketAck;
      try {
        ack = JSON.parse(text) as SocketAck;
      } catch {
        return;
      }
      this.#acks.get(ack.envelope_id)?.(ack);
      this.#acks.delete(ack.envelope_id);
    });
    peer.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-fake', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0PATCHWIN' } }));
    for (const waiter of [...this.#waiters]) waiter();
  }

  #respondUrl(id: string, body: string, request: IncomingMessage, response: ServerResponse): void {
    const fault = this.#responseFaults.shift() ?? this.chaos?.('response_url');
    if (fault !== undefined && fault.kind !== 'response-lost') {
      this.#applyFault(fault, response);
      return;
    }
    if (fault !== undefined) this.#loseResponse(response, fault.as);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      response.writeHead(400).end('invalid_payload');
      return;
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      response.writeHead(400).end('invalid_payload');
      return;
    }
    this.responses.push({ id, body: parsed, at: Date.now() });
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
  }

  #api(method: string, args: Record<string, unknown>, request: IncomingMessage, response: ServerResponse): void {
    const authorization = request.headers.authorization;
    const fault = this.#faults.get(method)?.shift() ?? this.chaos?.(method);
    const lost = fault?.kind === 'response-lost' ? fault.as : undefined;
    const record = (outcome: string): void => {
      this.calls.push({ method, args, at: Date.now(), stamp: this.#options.stamp?.(), outcome, authorization, ...(lost === undefined ? {} : { responseLost: lost }) });
    };
    if (fault !== undefined && fault.kind !== 'response-lost') {
      record(fault.kind === 'rate-limited' ? '429' : fault.kind === 'http' ? `HTTP ${fault.status}` : fault.kind === 'error' ? fault.error : fault.kind);
      this.#applyFault(fault, response);
      return;
    }
    if (lost !== undefined) this.#loseResponse(response, lost);
    const answer = (result: Record<string, unknown>): void => {
      record(result['ok'] === true ? 'ok' : String(result['error']));
      sendJson(response, 200, result);
    };
    if (method === 'apps.connections.open') {
      answer(
        authorization === `Bearer ${this.#options.appToken}`
          ? { ok: true, url: `${this.#origin.replace('http://', 'ws://')}/link/?ticket=${randomUUID()}&app_id=A0PATCHWIN` }
          : { ok: false, error: 'invalid_auth' },
      );
      return;
    }
    if (authorization !== `Bearer ${this.#options.token}`) {
      answer({ ok: false, error: authorization === undefined ? 'not_authed' : 'invalid_auth' });
      return;
    }
    const channel = typeof args['channel'] === 'string' ? args['channel'] : '';
    switch (method) {
      case 'auth.test':
        answer({ ok: true, url: 'https://patchwindow-test.slack.com/', team: 'patchwindow-test', user: 'patchwindow', team_id: this.#options.teamId, user_id: FAKE_BOT_USER, bot_id: 'B0PWBOT001', is_enterprise_install: false });
        return;
      case 'chat.postMessage': {
        if (!this.#options.channels.includes(channel)) {
          answer({ ok: false, error: 'channel_not_found' });
          return;
        }
        const now = Date.now();
        const last = this.#lastPostAt.get(channel);
        if (this.#options.postIntervalMs > 0 && last !== undefined && now - last < this.#options.postIntervalMs) {
          this.rateLimited++;
          record('429');
          response.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
          return;
        }
        this.#lastPostAt.set(channel, now);
        const ts = this.#ts();
        const threadTs = typeof args['thread_ts'] === 'string' ? args['thread_ts'] : undefined;
        if (threadTs !== undefined && !this.messages.some((message) => message.channel === channel && message.ts === threadTs)) {
          answer({ ok: false, error: 'thread_not_found' });
          return;
        }
        this.messages.push({ channel, ts, threadTs, text: textOf(args['text']), blocks: asArray(args['blocks']), updates: 0 });
        answer({ ok: true, channel, ts, message: { text: args['text'], ts } });
        return;
      }
      case 'chat.update': {
        if (!this.#options.channels.includes(channel)) {
          answer({ ok: false, error: 'channel_not_found' });
          return;
        }
        const message = this.messages.find((candidate) => candidate.channel === channel && candidate.ts === args['ts']);
        if (message === undefined) {
          answer({ ok: false, error: 'message_not_found' });
          return;
        }
        const retryAfterS = this.#updateRetryAfterS(Date.now());
        if (retryAfterS !== undefined) {
          this.updatesRateLimited++;
          record('429');
          response.writeHead(429, { 'Retry-After': String(retryAfterS), 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
          return;
        }
        message.text = textOf(args['text']);
        message.blocks = asArray(args['blocks']);
        message.updates++;
        answer({ ok: true, channel, ts: message.ts, text: message.text });
        return;
      }
      case 'chat.postEphemeral': {
        if (!this.#options.channels.includes(channel)) {
          answer({ ok: false, error: 'channel_not_found' });
          return;
        }
        this.ephemerals.push(args);
        answer({ ok: true, message_ts: this.#ts() });
        return;
      }
      case 'views.open': {
        const triggerId = typeof args['trigger_id'] === 'string' ? args['trigger_id'] : '';
        const view = args['view'];
        if (triggerId === '' || typeof view !== 'object' || view === null || Array.isArray(view)) {
          answer({ ok: false, error: 'invalid_arguments' });
          return;
        }
        const opened = view as Record<string, unknown>;
        // Slack refuses a trigger used twice (and one older than 3 s).
        if (this.views.some((candidate) => candidate.triggerId === triggerId)) {
          answer({ ok: false, error: 'expired_trigger_id' });
          return;
        }
        if (opened['type'] !== 'modal' || !Array.isArray(opened['blocks']) || typeof opened['title'] !== 'object') {
          answer({ ok: false, error: 'invalid_arguments' });
          return;
        }
        const id = `V0FAKE${String(this.views.length + 1).padStart(4, '0')}`;
        this.views.push({ id, triggerId, view: opened });
        answer({ ok: true, view: { ...opened, id, team_id: this.#options.teamId, state: { values: {} }, hash: `${Date.now()}.fakehash` } });
        return;
      }
      case 'usergroups.users.list': {
        const members = this.userGroups.get(typeof args['usergroup'] === 'string' ? args['usergroup'] : '');
        answer(members === undefined ? { ok: false, error: 'no_such_subteam' } : { ok: true, users: [...members] });
        return;
      }
      default:
        answer({ ok: false, error: 'unknown_method' });
    }
  }

  #applyFault(fault: Exclude<Fault, { kind: 'response-lost' }>, response: ServerResponse): void {
    switch (fault.kind) {
      case 'rate-limited':
        response.writeHead(429, { 'Retry-After': String(fault.retryAfterS), 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      case 'http':
        response.writeHead(fault.status, { 'Content-Type': 'text/plain' }).end('upstream trouble');
        return;
      case 'error':
        sendJson(response, 200, { ok: false, error: fault.error });
        return;
      case 'hang':
        this.#hanging.add(response);
        return;
      case 'reset':
        response.destroy();
        return;
    }
  }

  /** Lets the call be processed as usual, but whatever it answers never reaches the client. */
  #loseResponse(response: ServerResponse, how: 'reset' | 'hang'): void {
    const swallow = (): ServerResponse => {
      if (how === 'reset') response.destroy();
      else this.#hanging.add(response);
      return response;
    };
    response.writeHead = (): ServerResponse => response;
    response.end = swallow;
  }

  /** Undefined when a chat.update may go through now (and counts it), else seconds until one may. */
  #updateRetryAfterS(now: number): number | undefined {
    const limit = this.#options.updatesPerMinute;
    if (limit <= 0) return undefined;
    while (this.#recentUpdates.length > 0 && (this.#recentUpdates[0] ?? now) <= now - 60_000) this.#recentUpdates.shift();
    if (this.#recentUpdates.length >= limit) return Math.max(1, Math.ceil(((this.#recentUpdates[0] ?? now) + 60_000 - now) / 1000));
    this.#recentUpdates.push(now);
    return undefined;
  }

  #ts(): string {
    const n = this.#nextTs++;
    return `${1_780_000_000 + n}.${String(n).padStart(6, '0')}`;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    request.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', () => {
      resolve('');
    });
  });
}

/** The Web API takes form fields (objects JSON-encoded inside them) or a JSON body. */
function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? '').startsWith('application/json')) {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (key === 'blocks' || key === 'attachments' || key === 'metadata' || key === 'view') {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // keep the raw text
      }
    }
    args[key] = value;
  }
  return args;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
