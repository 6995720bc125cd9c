// A local stand-in for the Bot Connector service Teams bots talk to (the serviceUrl of every
// activity), on loopback. It keeps every call and every message: POST
// /v3/conversations/{id}/activities (a new message; with `;messageid=<root>` in the id, a reply in
// that thread), POST …/activities/{replyToId} (a reply) and PUT …/activities/{id} (an update),
// and answers `{ id }` as the service does. It can enforce Teams' per-conversation send limit
// (answering 429 with Retry-After, counted in `rateLimited`) and be told to fail the next calls of
// a kind: an HTTP status (with Retry-After), no answer at all, a dropped connection, or an answer
// lost after the call went through; a test's fault plan (`chaos`) can fail any call.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ConnectorCallKind = 'post' | 'reply' | 'update';

export type ConnectorFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterS?: number; readonly code?: string }
  /** Never answers (until the fake closes): a timeout for the client. */
  | { readonly kind: 'hang' }
  /** Drops the connection before the call is processed: nothing happened. */
  | { readonly kind: 'reset' }
  /** Processes the call, then its answer is lost: the connection drops, or hangs until the client gives up. */
  | { readonly kind: 'response-lost'; readonly as: 'reset' | 'hang' };

export interface ConnectorCall {
  readonly kind: ConnectorCallKind;
  readonly method: string;
  readonly path: string;
  /** The conversation id in the URL, decoded (may carry `;messageid=`). */
  readonly conversationId: string;
  /** The activity id in the URL (reply target or updated activity). */
  readonly activityId: string | undefined;
  readonly body: Record<string, unknown>;
  /** Real time (ms). */
  readonly at: number;
  readonly stamp: number | undefined;
  /** `ok`, `429`, `HTTP 404`, `hang`, `reset`. */
  readonly outcome: string;
  readonly authorization: string | undefined;
  /** Set when the call was processed (as `outcome` says) but its answer never reached the client. */
  readonly responseLost?: 'reset' | 'hang';
}

export interface ConnectorMessage {
  /** The channel (conversation id without the thread part). */
  readonly conversationId: string;
  readonly id: string;
  /** The root message when this is a reply in a thread. */
  readonly replyToId: string | undefined;
  activity: Record<string, unknown>;
  updates: number;
}

export interface FakeBotConnectorOptions {
  /** At most this many operations per conversation per `perMs` before answering 429 (Retry-After 1). Default off. */
  readonly limit?: { readonly count: number; readonly perMs: number };
  /** Stamped on every recorded call next to the real time, e.g. a test's manual clock. */
  readonly stamp?: () => number;
}

export class FakeBotConnector {
  readonly calls: ConnectorCall[] = [];
  readonly messages: ConnectorMessage[] = [];
  /** 429s answered because a conversation got operations too fast (not injected faults). */
  rateLimited = 0;
  /** A test's fault plan: asked about every call (by kind) that has no queued fault. */
  chaos: ((kind: ConnectorCallKind) => ConnectorFault | undefined) | undefined = undefined;
  readonly #server: Server;
  readonly #options: FakeBotConnectorOptions;
  readonly #faults = new Map<ConnectorCallKind, ConnectorFault[]>();
  readonly #recent = new Map<string, number[]>();
  readonly #hanging = new Set<ServerResponse>();
  readonly #waiters = new Set<() => void>();
  #nextId = 1;
  #origin = '';

  private constructor(options: FakeBotConnectorOptions) {
    this.#options = options;
    this.#server = createServer((request, response) => {
      void this.#handle(request, response);
    });
  }

  static async start(options: FakeBotConnectorOptions = {}): Promise<FakeBotConnector> {
    const fake = new FakeBotConnector(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#origin = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The serviceUrl Teams puts in activities. */
  get serviceUrl(): string {
    return `${this.#origin}/teams/`;
  }

  /** The next `times` calls of `kind` fail with `fault`. */
  failNext(kind: ConnectorCallKind, fault: ConnectorFault, times = 1): void {
    const queue = this.#faults.get(kind) ?? [];
    for (let index = 0; index < times; index++) queue.push(fault);
    this.#faults.set(kind, queue);
  }

  callsOf(kind: ConnectorCallKind): ConnectorCall[] {
    return this.calls.filter((call) => call.kind === kind);
  }

  topLevel(conversationId?: string): ConnectorMessage[] {
    return this.messages.filter((message) => message.replyToId === undefined && (conversationId === undefined || message.conversationId === conversationId));
  }

  replies(rootId: string): ConnectorMessage[] {
    return this.messages.filter((message) => message.replyToId === rootId);
  }

  /** Resolves once `condition` holds (checked after every request), or fails after `timeoutMs`. */
  async waitFor(condition: () => boolean, timeoutMs = 5000, what = 'the fake Bot Connector to see the expected calls'): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  async close(): Promise<void> {
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
    try {
      this.#route(request, response, body);
    } finally {
      for (const waiter of [...this.#waiters]) waiter();
    }
  }

  #route(request: IncomingMessage, response: ServerResponse, text: string): void {
    const path = new URL(request.url ?? '/', this.#origin).pathname;
    const match = /^\/teams\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
    const method = request.method ?? '';
    const kind: ConnectorCallKind | undefined =
      match === null ? undefined : method === 'PUT' && match[2] !== undefined ? 'update' : method === 'POST' ? (match[2] === undefined ? 'post' : 'reply') : undefined;
    if (match?.[1] === undefined || kind === undefined) {
      sendJson(response, 404, { error: { code: 'NotFound', message: `no route for ${method} ${path}` } });
      return;
    }
    const conversationId = decodeURIComponent(match[1]);
    const activityId = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      sendJson(response, 400, { error: { code: 'BadSyntax', message: 'body is not JSON' } });
      return;
    }
    const fault = this.#faults.get(kind)?.shift() ?? this.chaos?.(kind);
    const lost = fault?.kind === 'response-lost' ? fault.as : undefined;
    const record = (outcome: string): void => {
      this.calls.push({
        kind,
        method,
        path,
        conversationId,
        activityId,
        body,
        at: Date.now(),
        stamp: this.#options.stamp?.(),
        outcome,
        authorization: request.headers.authorization,
        ...(lost === undefined ? {} : { responseLost: lost }),
      });
    };
    if (fault?.kind === 'response-lost') this.#loseResponse(response, fault.as);
    else if (fault !== undefined) {
      if (fault.kind === 'hang') {
        record('hang');
        this.#hanging.add(response);
        return;
      }
      if (fault.kind === 'reset') {
        record('reset');
        response.destroy();
        return;
      }
      record(fault.status === 429 ? '429' : `HTTP ${fault.status}`);
      response.writeHead(fault.status, { 'Content-Type': 'application/json', ...(fault.retryAfterS === undefined ? {} : { 'Retry-After': String(fault.retryAfterS) }) });
      response.end(JSON.stringify({ error: { code: fault.code ?? 'ServiceError', message: 'injected fault' } }));
      return;
    }
    const channel = conversationId.split(';messageid=')[0] ?? conversationId;
    if (this.#overLimit(channel)) {
      this.rateLimited++;
      record('429');
      response.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { code: 'TooManyRequests', message: 'throttled' } }));
      return;
    }
    const threadRoot = /;messageid=(.+)$/.exec(conversationId)?.[1];
    switch (kind) {
      case 'post':
      case 'reply': {
        // A reply (or a post into `<channel>;messageid=<root>`) belongs to the thread of its root.
        const root = kind === 'reply' ? (threadRoot ?? activityId) : threadRoot;
        const id = `17800000${String(this.#nextId++).padStart(5, '0')}`;
        this.messages.push({ conversationId: channel, id, replyToId: root, activity: body, updates: 0 });
        record('ok');
        sendJson(response, 201, { id });
        return;
      }
      case 'update': {
        const message = this.messages.find((candidate) => candidate.id === activityId && candidate.conversationId === channel);
        if (message === undefined) {
          record('HTTP 404');
          sendJson(response, 404, { error: { code: 'ActivityNotFoundInConversation', message: 'no such activity' } });
          return;
        }
        message.activity = body;
        message.updates++;
        record('ok');
        sendJson(response, 200, { id: message.id });
        return;
      }
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

  #overLimit(channel: string): boolean {
    const limit = this.#options.limit;
    if (limit === undefined) return false;
    const now = Date.now();
    const recent = (this.#recent.get(channel) ?? []).filter((at) => at > now - limit.perMs);
    if (recent.length >= limit.count) {
      this.#recent.set(channel, recent);
      return true;
    }
    recent.push(now);
    this.#recent.set(channel, recent);
    return false;
  }
}

/** The Adaptive Card an activity carries, if any. */
export function cardOf(activity: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const attachments = activity?.['attachments'];
  if (!Array.isArray(attachments)) return undefined;
  const first = attachments[0] as { contentType?: unknown; content?: unknown } | undefined;
  return first?.contentType === 'application/vnd.microsoft.card.adaptive' ? (first.content as Record<string, unknown>) : undefined;
}

/** Every TextBlock text of a card (nested containers and show-cards included), one per line. */
export function cardText(activity: Record<string, unknown> | undefined): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (record['type'] === 'TextBlock' && typeof record['text'] === 'string') texts.push(record['text']);
    walk(record['body']);
    walk(record['items']);
  };
  walk(cardOf(activity));
  return texts.join('\n');
}

/** The card's buttons, flattened: Action.Execute inside Action.ShowCard included. */
export function cardActions(activity: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (actions: unknown): void => {
    if (!Array.isArray(actions)) return;
    for (const action of actions as Record<string, unknown>[]) {
      if (action['type'] === 'Action.ShowCard') walk((action['card'] as Record<string, unknown> | undefined)?.['actions']);
      else found.push(action);
    }
  };
  walk(cardOf(activity)?.['actions']);
  return found;
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

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
