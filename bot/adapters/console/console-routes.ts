// The web console's HTTP side: the page and its assets, the channel as JSON and as a live event
// stream (Server-Sent Events), and the two ways in (a typed command, a button click) that turn
// into ChatInbound calls as one of a fixed set of local users. Answers to commands and clicks are
// private to whoever sent them, so they go back as the HTTP answer and never into the channel.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import type { Actor, ChatInbound, InboundReply } from '../../core/ports/chat-port.ts';
import { storageFailureAnswer } from '../chat/storage-failure-answer.ts';
import type { Route } from '../http/http-server.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { ConsoleChannel, ConsoleEvent } from './console-channel.ts';
import { readBoundedBody } from '../http/read-bounded-body.ts';

export const CONSOLE_CHANNEL_NAME = '#patchwindow console';
export const MAX_BODY_BYTES = 16 * 1024;
export const MAX_COMMAND_LENGTH = 2000;
export const MAX_ACTION_LENGTH = 64;
export const MAX_USER_LENGTH = 64;
export const MAX_VALUE_LENGTH = 256;
const DEFAULT_HEARTBEAT_MS = 15_000;
/** A stream whose client reads slower than this much backlog is ended; the page reconnects and gets a snapshot. */
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const ACTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export interface ConsoleRoutesOptions {
  readonly channel: ConsoleChannel;
  readonly inbound: ChatInbound;
  /** Who may type and click, e.g. ['alice', 'bob', 'carol']; each acts as `console:<name>`. */
  readonly users: readonly string[];
  /**
   * When set, every console request needs it (`Authorization: Bearer <token>` or `?token=<token>`).
   * When not set, requests must name a loopback host (Host header), which keeps web pages from
   * other sites out through DNS rebinding. The composition root decides: a token is required
   * whenever the server listens on a non-loopback address (see isLoopbackHost).
   */
  readonly token: string | undefined;
  readonly logger: Logger;
  /** Comment lines that keep idle event streams (and proxies) alive. Default 15 s. */
  readonly heartbeatMs?: number;
}

export interface ConsoleRoutes {
  readonly routes: Route[];
  /** Event streams open right now. */
  readonly openStreams: () => number;
  /**
   * Ends every event stream and refuses new ones, so the HTTP server can stop (an open stream is
   * a request that never finishes). Call it before or right after the server's stop(). Idempotent.
   */
  close(): void;
}

interface ParsedCall {
  readonly as: string;
  readonly call: (actor: Actor) => Promise<InboundReply>;
}

interface Asset {
  readonly body: string;
  readonly contentType: string;
}

/** The tab's icon: a small "pw" tile (served from here, so the page needs nothing from elsewhere). */
const ICON: Asset = {
  contentType: 'image/svg+xml',
  body:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2b5f8a"/>' +
    '<text x="16" y="21.5" font-family="system-ui,sans-serif" font-size="14" font-weight="700" fill="#fff" text-anchor="middle">pw</text></svg>\n',
};

/** Headers on every console answer. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

export function consoleRoutes(options: ConsoleRoutesOptions): ConsoleRoutes {
  const { channel, inbound, logger } = options;
  const users = validateUsers(options.users);
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const checkToken = options.token === undefined ? undefined : tokenChecker(options.token);
  if (options.token !== undefined && options.token.length === 0) throw new RangeError('console token must not be empty');

  const page = loadAsset('index.html', 'text/html; charset=utf-8');
  const script = loadAsset('console.js', 'text/javascript; charset=utf-8');
  const styles = loadAsset('console.css', 'text/css; charset=utf-8');

  const streams = new Set<ServerResponse>();
  let closed = false;

  /** Answers 401/403 and returns false when the request may not use the console. */
  const admit = (request: IncomingMessage, response: ServerResponse): boolean => {
    if (checkToken === undefined) {
      if (hostHeaderIsLoopback(request.headers.host)) return true;
      logger.warn({ path: pathOf(request) }, 'console request refused: without a console token only loopback host names are answered');
      sendJson(response, 403, { error: 'the console without a token answers only on localhost' });
      return false;
    }
    if (checkToken(presentedToken(request))) return true;
    logger.warn({ path: pathOf(request) }, 'console request refused: missing or wrong token');
    sendJson(response, 401, { error: 'a console token is required (Authorization: Bearer <token> or ?token=<token>)' }, {
      'WWW-Authenticate': 'Bearer realm="patchwindow console"',
    });
    return false;
  };

  const asset =
    (which: Asset): Route['handle'] =>
    (request, response) => {
      if (!admit(request, response)) return;
      sendAsset(response, which);
    };

  /** A POST that becomes one ChatInbound call as one of the users; the reply is the HTTP answer. */
  const inboundCall =
    (what: string, parse: (body: Record<string, unknown>) => ParsedCall | string): Route['handle'] =>
    async (request, response) => {
      if (!admit(request, response)) return;
      const body = await readJsonObject(request, response);
      if (body === undefined) return;
      const parsed = parse(body);
      if (typeof parsed === 'string') {
        sendJson(response, 400, { error: parsed });
        return;
      }
      if (!users.includes(parsed.as)) {
        sendJson(response, 403, { error: `unknown console user "${truncate(parsed.as)}"; one of: ${users.join(', ')}` });
        return;
      }
      const actor: Actor = { id: `console:${parsed.as}`, displayName: parsed.as };
      let reply: InboundReply;
      try {
        reply = await parsed.call(actor);
      } catch (error: unknown) {
        logger.error({ err: error, actor: actor.id }, `console ${what} failed`);
        sendJson(response, 500, { ok: false, text: storageFailureAnswer(error) ?? `Sorry, that ${what} failed inside the bot; the log says why.` });
        return;
      }
      sendJson(response, 200, { ok: reply.ok, text: reply.text });
    };

  const openStream = (request: IncomingMessage, response: ServerResponse): void => {
    if (!admit(request, response)) return;
    if (closed) {
      sendJson(response, 503, { error: 'the console is shutting down' });
      return;
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    streams.add(response);
    const write = (chunk: string): void => {
      if (response.writableEnded) return;
      response.write(chunk);
      if (response.writableLength > MAX_STREAM_BACKLOG_BYTES) {
        logger.warn({ backlogBytes: response.writableLength }, 'console event stream too far behind; ending it (the page reconnects)');
        response.end();
      }
    };
    // The snapshot is taken and sent in the same turn as subscribing, so no event falls between.
    write(`retry: 3000\n\nevent: snapshot\ndata: ${JSON.stringify({ messages: channel.messages() })}\n\n`);
    const unsubscribe = channel.subscribe((event: ConsoleEvent) => {
      write(event.kind === 'remove' ? sseEvent('remove', { ids: event.ids }) : sseEvent('message', event));
    });
    const heartbeat = setInterval(() => {
      write(': heartbeat\n\n');
    }, heartbeatMs);
    heartbeat.unref();
    response.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(response);
      logger.debug({ open: streams.size }, 'console event stream closed');
    });
    logger.debug({ open: streams.size }, 'console event stream opened');
  };

  const routes: Route[] = [
    {
      method: 'GET',
      path: '/',
      handle: (request, response) => {
        if (!admit(request, response)) return;
        const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
        // A page opened with ?token= passes it on to its own stylesheet and script.
        const body = token === null ? page.body : page.body.replaceAll(/(\/console\/(?:console\.js|console\.css|icon\.svg))"/g, `$1?token=${encodeURIComponent(token)}"`);
        sendAsset(response, { body, contentType: page.contentType });
      },
    },
    { method: 'GET', path: '/console/console.js', handle: asset(script) },
    { method: 'GET', path: '/console/console.css', handle: asset(styles) },
    { method: 'GET', path: '/console/icon.svg', handle: asset(ICON) },
    {
      method: 'GET',
      path: '/console/state',
      handle: (request, response) => {
        if (!admit(request, response)) return;
        sendJson(response, 200, { channel: CONSOLE_CHANNEL_NAME, users, messages: channel.messages() });
      },
    },
    { method: 'GET', path: '/console/events', handle: openStream },
    {
      method: 'POST',
      path: '/console/command',
      handle: inboundCall('command', (body) => {
        const fields = readFields(body, { as: [1, MAX_USER_LENGTH], text: [1, MAX_COMMAND_LENGTH] });
        if (typeof fields === 'string') return fields;
        const { as, text } = fields;
        if (text.trim() === '') return '"text" must not be blank';
        return { as, call: (actor) => inbound.command(actor, text) };
      }),
    },
    {
      method: 'POST',
      path: '/console/action',
      handle: inboundCall('action', (body) => {
        const fields = readFields(body, { as: [1, MAX_USER_LENGTH], action: [1, MAX_ACTION_LENGTH], value: [0, MAX_VALUE_LENGTH] });
        if (typeof fields === 'string') return fields;
        const { as, action, value } = fields;
        if (!ACTION_NAME.test(action)) return '"action" must be letters, digits, ".", "_", ":" or "-"';
        return { as, call: (actor) => inbound.action(actor, action, value) };
      }),
    },
  ];

  return {
    routes,
    openStreams: () => streams.size,
    close: () => {
      closed = true;
      for (const response of streams) response.end();
    },
  };
}

/** True for addresses that only this machine can reach: 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost. */
export function isLoopbackHost(host: string): boolean {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.') && !isIPv4(name.slice(0, -1))) name = name.slice(0, -1);
  if (name === 'localhost') return true;
  if (isIPv4(name)) return name.split('.')[0] === '127';
  if (isIPv6(name)) {
    // The URL parser writes IPv6 in its shortest form: ::1, and ::ffff:7fxx:xxxx for 127.x.x.x.
    const canonical = new URL(`http://[${name}]/`).hostname.slice(1, -1);
    return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
  }
  return false;
}

function hostHeaderIsLoopback(host: string | undefined): boolean {
  if (host === undefined || host === '') return false;
  try {
    return isLoopbackHost(new URL(`http://${host}/`).hostname);
  } catch {
    return false;
  }
}

function validateUsers(users: readonly string[]): readonly string[] {
  if (users.length === 0) throw new RangeError('the console needs at least one user');
  for (const user of users) {
    if (!USER_NAME.test(user)) throw new RangeError(`console user "${user}" must be 1-32 letters, digits, ".", "_" or "-"`);
  }
  if (new Set(users).size !== users.length) throw new RangeError('console users must be distinct');
  return Object.freeze([...users]);
}

/** Compares in constant time (digests of equal length), so the answer time says nothing about the token. */
function tokenChecker(token: string): (presented: string | undefined) => boolean {
  const expected = digest(token);
  return (presented) => presented !== undefined && timingSafeEqual(digest(presented), expected);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function presentedToken(request: IncomingMessage): string | undefined {
  const bearer = /^Bearer[ ]+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (bearer !== undefined) return bearer;
  return new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
}

function pathOf(request: IncomingMessage): string {
  return new URL(request.url ?? '/', 'http://localhost').pathname;
}

function loadAsset(name: string, contentType: string): Asset {
  return { body: readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8'), contentType };
}

function sendAsset(response: ServerResponse, asset: Asset): void {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': asset.contentType,
    'Content-Length': Buffer.byteLength(asset.body),
    'Cache-Control': 'no-cache',
  });
  response.end(asset.body);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}

function sseEvent(name: string, data: unknown): string {
  // JSON.stringify never emits a raw newline, so the data is always one `data:` line.
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Reads a JSON object body of at most MAX_BODY_BYTES. On anything else answers (400, 413 or 415)
 * and returns undefined.
 */
async function readJsonObject(request: IncomingMessage, response: ServerResponse): Promise<Record<string, unknown> | undefined> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  // Requiring JSON also means a page on another site cannot post here without a CORS preflight.
  if (type !== 'application/json') {
    request.resume();
    sendJson(response, 415, { error: 'the body must be JSON (Content-Type: application/json)' }, { Connection: 'close' });
    return undefined;
  }
  const declared = Number(request.headers['content-length'] ?? '0');
  const raw = declared > MAX_BODY_BYTES ? 'too-large' : await readBoundedBody(request, MAX_BODY_BYTES);
  if (raw === 'too-large') {
    request.resume();
    sendJson(response, 413, { error: `the body must be at most ${MAX_BODY_BYTES} bytes` }, { Connection: 'close' });
    return undefined;
  }
  if (raw === 'aborted') {
    response.destroy();
    return undefined;
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    sendJson(response, 400, { error: 'the body is not valid JSON' });
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    sendJson(response, 400, { error: 'the body must be a JSON object' });
    return undefined;
  }
  return body as Record<string, unknown>;
}

/**
 * The body's string fields, each within [min, max] characters, and no others; or what is wrong,
 * as one line.
 */
function readFields<K extends string>(body: Record<string, unknown>, spec: Record<K, readonly [number, number]>): Record<K, string> | string {
  const keys = Object.keys(spec) as K[];
  const extra = Object.keys(body).find((key) => !(keys as string[]).includes(key));
  if (extra !== undefined) return `unexpected field "${truncate(extra)}"; expected ${keys.map((key) => `"${key}"`).join(', ')}`;
  const fields = {} as Record<K, string>;
  for (const key of keys) {
    const [min, max] = spec[key];
    const value = body[key];
    if (value === undefined) return `"${key}" is missing`;
    if (typeof value !== 'string') return `"${key}" must be a string`;
    if (value.length < min) return `"${key}" must not be empty`;
    if (value.length > max) return `"${key}" must be at most ${max} characters`;
    fields[key] = value;
  }
  return fields;
}

function truncate(text: string): string {
  const oneLine = text.replaceAll(/\p{Cc}/gu, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 40)}…` : oneLine;
}
