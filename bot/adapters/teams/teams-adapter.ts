// Microsoft Teams for the bot, on botbuilder's CloudAdapter: the ChatPort (outgoing, proactive into
// the bound conversation) and the activities Teams sends to POST /api/messages on the bot's own
// HTTP server (incoming). With an app id, ConfigurationBotFrameworkAuthentication checks every
// request's Bot Framework token (signature, issuer, audience, service URL) before anything is
// acted on, and the bot's own calls carry tokens of the app registration. Without one (PATCHWINDOW_TEAMS=on, local testing) nothing is checked,
// which is why that mode only runs on a loopback address.
//
// Every botbuilder type stays in this folder: the Bot Framework SDK is archived, and moving to its
// successor (the Microsoft 365 Agents SDK) should touch nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Activity, ConfigurationBotFrameworkAuthenticationOptions, InvokeResponse, TurnContext } from 'botbuilder';
import type { TeamsAppType } from '../../config/config.ts';
import type { AuditLog } from '../../core/ports/audit-log.ts';
import type { ChatInbound } from '../../core/ports/chat-port.ts';
import type { Route } from '../http/http-server.ts';
import type { Logger } from '../logging/create-logger.ts';
import { activityShapeError } from './activity-shape.ts';
import { connectorHttpClient } from './connector-http-client.ts';
import { TeamsBindings } from './conversation-binding.ts';
import type { ChatBindingRepository } from './chat-binding.ts';
import { SendPacer } from './send-pacer.ts';
import type { SendLimit } from './send-pacer.ts';
import { TeamsChat } from './teams-chat.ts';
import { teamsTurnHandler } from './teams-inbound.ts';
import { RecentDeliveries } from '../chat/recent-deliveries.ts';

export const TEAMS_MESSAGES_PATH = '/api/messages';
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Teams activities are a few kilobytes; a card action with its card state stays far below this. */
const BODY_LIMIT_BYTES = 1024 * 1024;

export interface TeamsAdapterOptions {
  /** The Azure bot registration's app id; unset: unauthenticated local-testing mode. */
  readonly appId: string | undefined;
  readonly appPassword: string | undefined;
  readonly appType: TeamsAppType;
  /** The Entra ID tenant of a SingleTenant (or managed identity) bot; also the only tenant served when set. */
  readonly tenantId: string | undefined;
  readonly bindings: ChatBindingRepository;
  readonly logger: Logger;
  /** Bindings are audited here. */
  readonly audit?: Pick<AuditLog, 'record'>;
  /** Bot Connector call timeout. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Sends per conversation; default Teams' documented limits (7 a second, 8 in 2 s, 60 in 30 s). */
  readonly sendLimits?: readonly SendLimit[];
  /** Real time: pacing and duplicate detection. */
  readonly now?: () => number;
  /** Called once the bot is bound to a conversation. */
  readonly onBound?: () => void;
}

type State = 'new' | 'started' | 'stopping' | 'stopped';

/** Where the bot posts, as start() found it. */
export interface TeamsStartInfo {
  readonly authenticated: boolean;
  readonly boundConversation: string | undefined;
}

export class TeamsAdapter {
  readonly mode: 'authenticated' | 'unauthenticated';
  readonly chat: TeamsChat;
  readonly routes: readonly Route[];
  readonly #options: TeamsAdapterOptions;
  readonly #logger: Logger;
  readonly #cloud: ActivityProcessor;
  readonly #bindings: TeamsBindings;
  readonly #pacer: SendPacer;
  readonly #seen: RecentDeliveries;
  readonly #inFlight = new Set<Promise<void>>();
  #logic: ((context: TurnContext) => Promise<void>) | undefined;
  #inbound: ChatInbound | undefined;
  #state: State = 'new';

  constructor(options: TeamsAdapterOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'teams' });
    this.mode = options.appId === undefined ? 'unauthenticated' : 'authenticated';
    const now = options.now ?? Date.now;
    const authentication = new ConfigurationBotFrameworkAuthentication(
      authenticationOptions(options),
      undefined,
      undefined,
      undefined,
      // No retries inside the SDK: the outbox retries, in order, across restarts.
      { httpClient: connectorHttpClient({ timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, now }) },
    );
    this.#cloud = new ActivityProcessor(authentication);
    this.#bindings = new TeamsBindings(options.bindings);
    this.#pacer = new SendPacer({ now, ...(options.sendLimits === undefined ? {} : { limits: options.sendLimits }) });
    this.#seen = new RecentDeliveries({ now });
    this.chat = new TeamsChat({ adapter: this.#cloud, appId: options.appId ?? '', bindings: this.#bindings, pacer: this.#pacer });
    this.routes = [{ method: 'POST', path: TEAMS_MESSAGES_PATH, handle: (request, response) => this.#handle(request, response) }];
  }

  /** Where commands and clicks go. Call before start(). */
  attach(inbound: ChatInbound): void {
    this.#inbound = inbound;
  }

  /** Reads the bound conversation (if any) and starts answering POST /api/messages. */
  async start(): Promise<TeamsStartInfo> {
    if (this.#state !== 'new') throw new Error('the Teams adapter starts once');
    const inbound = this.#inbound;
    if (inbound === undefined) throw new Error('attach() the engine before starting the Teams adapter');
    const bound = await this.#bindings.current();
    this.#logic = teamsTurnHandler({
      inbound,
      bindings: this.#bindings,
      tenantId: this.#options.tenantId,
      allowEmulator: this.mode === 'unauthenticated',
      logger: this.#logger,
      pacer: this.#pacer,
      seen: this.#seen,
      audit: this.#options.audit,
      now: () => new Date(),
      onBound: this.#options.onBound,
    });
    this.#state = 'started';
    if (this.mode === 'unauthenticated') {
      this.#logger.warn(
        `TEAMS WITHOUT AUTHENTICATION: PATCHWINDOW_TEAMS=on and no MicrosoftAppId, so requests to POST ${TEAMS_MESSAGES_PATH} are not verified. ` +
          'For local testing only (Bot Framework Emulator, a local fake); set MicrosoftAppId and MicrosoftAppPassword for a real Teams.',
      );
    }
    this.#logger.info(
      { mode: this.mode, appType: this.mode === 'authenticated' ? this.#options.appType : undefined, tenant: this.#options.tenantId, conversation: bound?.conversationId },
      `Teams ready: requests at POST ${TEAMS_MESSAGES_PATH}` +
        (bound === undefined ? '; not bound to a conversation yet: add the app to a team, or say "@patchwindow bind" in a channel' : ''),
    );
    return { authenticated: this.mode === 'authenticated', boundConversation: bound?.conversationId };
  }

  /** Takes no more requests and waits (up to `graceMs`) for those in progress. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    this.#state = 'stopping';
    if (this.#inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.allSettled([...this.#inFlight]), deadline]);
      clearTimeout(timer);
    }
    this.#state = 'stopped';
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const logic = this.#logic;
    if (logic === undefined || this.#state !== 'started') {
      refuse(request, response, 503, this.#state === 'stopping' || this.#state === 'stopped' ? 'shutting down' : 'not ready');
      return;
    }
    const authorization = request.headers.authorization;
    // No token at all: refused before the body is read (the SDK would refuse it too, later).
    if (this.mode === 'authenticated' && (authorization === undefined || !/^Bearer \S+$/i.test(authorization))) {
      this.#logger.warn({ remote: request.socket.remoteAddress }, 'Teams request refused: no Bot Framework token');
      refuse(request, response, 401, 'unauthorized');
      return;
    }
    const body = await readJson(request, BODY_LIMIT_BYTES);
    if (!body.ok) {
      refuse(request, response, body.status, body.reason);
      return;
    }
    const activity = body.value;
    const shapeError = activityShapeError(activity);
    if (shapeError !== undefined) {
      this.#logger.warn({ reason: shapeError }, 'Teams request refused: not an activity the bot can handle');
      refuse(request, response, 400, shapeError);
      return;
    }
    await this.#track(async () => {
      let answer: InvokeResponse | undefined;
      try {
        answer = await this.#cloud.processRequest(authorization ?? '', withDates(activity as Activity), logic);
      } catch (error: unknown) {
        if (isAuthenticationError(error)) {
          this.#logger.warn({ remote: request.socket.remoteAddress, reason: error.message }, 'Teams request refused: the Bot Framework token is not valid');
          refuse(request, response, 401, 'unauthorized');
          return;
        }
        if (isSigningKeysUnreachable(error)) {
          // Not the caller's fault and not a bug: the token cannot be checked right now. 503 makes
          // the Bot Framework retry; nothing was acted on.
          this.#logger.warn({ reason: error.message }, 'Teams request refused: the Bot Framework signing keys cannot be fetched, so its token cannot be verified');
          refuse(request, response, 503, 'cannot verify the token now');
          return;
        }
        this.#logger.error({ err: error }, 'Teams request failed');
        refuse(request, response, 500, 'internal error');
        return;
      }
      const status = answer?.status ?? 200;
      const payload: unknown = answer?.body;
      if (payload === undefined || payload === null) response.writeHead(status).end();
      else response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(payload));
    });
  }

  #track(work: () => Promise<void>): Promise<void> {
    const running = work().finally(() => {
      this.#inFlight.delete(running);
    });
    this.#inFlight.add(running);
    return running;
  }
}

/**
 * CloudAdapter, taking the activity and Authorization header directly: what its process() does
 * with a request (authenticate, run the turn, return the invoke response), without process()'s
 * own console output and error answers, so that refusals go to the bot's log.
 */
class ActivityProcessor extends CloudAdapter {
  processRequest(authorization: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authorization, activity, logic);
  }
}

/** The timestamps as Dates (the originals kept as raw*), as CloudAdapter.process prepares an activity. */
function withDates(activity: Activity): Activity {
  const fields = activity as unknown as Record<string, unknown>;
  for (const [field, rawField] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
    const value = fields[field];
    if (typeof value !== 'string') continue;
    fields[rawField] = value;
    fields[field] = new Date(value);
  }
  return activity;
}

/** botframework-connector's AuthenticationError: a missing, malformed or invalid token. */
function isAuthenticationError(error: unknown): error is Error {
  return error instanceof Error && (error as { statusCode?: unknown }).statusCode === 401;
}

/** botbuilder could not fetch the OpenID metadata or signing keys it verifies tokens with (its fetch failed). */
function isSigningKeysUnreachable(error: unknown): error is Error {
  return error instanceof Error && error.name === 'FetchError' && /openid|\.well-known|keys/i.test(error.message);
}

/** The authentication settings in the names botbuilder reads; none at all without an app id. */
function authenticationOptions(options: TeamsAdapterOptions): ConfigurationBotFrameworkAuthenticationOptions {
  if (options.appId === undefined) return {};
  return {
    MicrosoftAppId: options.appId,
    MicrosoftAppType: options.appType,
    ...(options.appPassword === undefined ? {} : { MicrosoftAppPassword: options.appPassword }),
    ...(options.tenantId === undefined ? {} : { MicrosoftAppTenantId: options.tenantId }),
  };
}

type JsonBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly status: number; readonly reason: string };

function readJson(request: IncomingMessage, limit: number): Promise<JsonBody> {
  return new Promise((resolve) => {
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      request.resume();
      resolve({ ok: false, status: 415, reason: 'expected application/json' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve({ ok: false, status: 413, reason: 'activity too large' });
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (done) return;
      done = true;
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ ok: false, status: 400, reason: 'invalid JSON' });
      }
    });
    request.on('error', () => {
      if (done) return;
      done = true;
      resolve({ ok: false, status: 400, reason: 'request aborted' });
    });
  });
}

function refuse(request: IncomingMessage, response: ServerResponse, status: number, text: string): void {
  request.resume();
  response.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' });
  response.end(`${text}\n`);
}
