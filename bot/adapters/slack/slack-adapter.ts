// Slack for the bot: the ChatPort (outgoing) and, through a Bolt App, the slash command,
// buttons and the window form (incoming). Socket Mode when an app-level token is given; otherwise HTTP, where Slack's
// requests arrive at POST /slack/events on the bot's own HTTP server: the route reads the body
// (bounded, and only a shape Bolt can take: slack-request-body.ts) and hands the request to Bolt's
// HTTPReceiver request listener, which verifies the signature (v0 HMAC-SHA256, at most 5 minutes
// old) before anything in it is acted on. Every Bolt and Slack type stays in this folder.
import { App, HTTPReceiver, webApi } from '@slack/bolt';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../../config/config-error.ts';
import type { ChatInbound } from '../../core/ports/chat-port.ts';
import type { Route } from '../http/http-server.ts';
import type { Logger } from '../logging/create-logger.ts';
import { boltLogger } from './bolt-logger.ts';
import { SlackChat } from './slack-chat.ts';
import { registerSlackInbound } from './slack-inbound.ts';
import { readSlackBody } from './slack-request-body.ts';
import { SlackUserGroups } from './slack-user-groups.ts';
import { RecentDeliveries } from '../chat/recent-deliveries.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack refuses requests signed more than 5 minutes ago; so do we, in both directions. */
const MAX_SIGNATURE_AGE_S = 5 * 60;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const BODY_LIMIT_BYTES = 1024 * 1024;

export interface SlackAdapterOptions {
  readonly botToken: string;
  /** Required in HTTP mode (no app token). */
  readonly signingSecret: string | undefined;
  /** Set: Socket Mode. */
  readonly appToken: string | undefined;
  readonly channel: string;
  /** Web API base URL ending in a slash. */
  readonly apiUrl: string;
  readonly command: string;
  readonly teamId: string | undefined;
  readonly logger: Logger;
  /** Web API and response_url timeout. Default 10 s. */
  readonly requestTimeoutMs?: number;
  /** Least time between two posts to the channel. Default 1 s. */
  readonly minPostIntervalMs?: number;
  /** chat.update calls in any rolling minute, across all messages. Default 50 (Slack's tier 3). */
  readonly updatesPerMinute?: number;
  /** Real time: signature freshness, duplicate detection, post pacing. */
  readonly now?: () => number;
}

/** Who the bot is in Slack, from auth.test. */
export interface SlackIdentity {
  readonly teamId: string;
  readonly team: string;
  readonly botUserId: string;
  readonly botId: string | undefined;
}

type State = 'new' | 'starting' | 'started' | 'stopping' | 'stopped';

export class SlackAdapter {
  readonly mode: 'socket' | 'http';
  readonly chat: SlackChat;
  /** The HTTP mode's POST /slack/events; none in Socket Mode. */
  readonly routes: readonly Route[];
  readonly #options: SlackAdapterOptions;
  readonly #logger: Logger;
  readonly #client: webApi.WebClient;
  readonly #clientOptions: webApi.WebClientOptions;
  readonly #seen: RecentDeliveries;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #now: () => number;
  #inbound: ChatInbound | undefined;
  #app: App | undefined;
  #receiver: HTTPReceiver | undefined;
  #state: State = 'new';

  constructor(options: SlackAdapterOptions) {
    if (options.appToken === undefined && (options.signingSecret === undefined || options.signingSecret === '')) {
      throw new RangeError('Slack over HTTP needs the signing secret (or an app token for Socket Mode)');
    }
    this.#options = options;
    this.#logger = options.logger.child({ component: 'slack' });
    this.#now = options.now ?? Date.now;
    this.mode = options.appToken === undefined ? 'http' : 'socket';
    this.#clientOptions = {
      slackApiUrl: options.apiUrl,
      logger: boltLogger(options.logger),
      // The outbox retries (in order, across restarts); the client must not retry or wait itself.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Never follow a method name given as an absolute URL away from the configured API.
      allowAbsoluteUrls: false,
    };
    this.#client = new webApi.WebClient(options.botToken, this.#clientOptions);
    this.#seen = new RecentDeliveries({ now: this.#now });
    this.chat = new SlackChat({
      client: this.#client,
      channel: options.channel,
      now: this.#now,
      ...(options.minPostIntervalMs === undefined ? {} : { minPostIntervalMs: options.minPostIntervalMs }),
      ...(options.updatesPerMinute === undefined ? {} : { updatesPerMinute: options.updatesPerMinute }),
    });
    this.routes = this.mode === 'http' ? [{ method: 'POST', path: SLACK_EVENTS_PATH, handle: (request, response) => {
      this.#handleHttp(request, response);
    } }] : [];
  }

  /** Where commands and clicks go. Call before start(). */
  /** The members of the user groups among `approvers`, read with this adapter's Web API client. */
  approverGroups(approvers: readonly string[], refreshMs?: number): SlackUserGroups {
    return new SlackUserGroups({ client: this.#client, approvers, logger: this.#logger, ...(refreshMs === undefined ? {} : { refreshMs }) });
  }

  attach(inbound: ChatInbound): void {
    this.#inbound = inbound;
  }

  /**
   * Checks the bot token (auth.test) and its workspace, then takes requests: connects in Socket
   * Mode, or starts answering POST /slack/events.
   */
  async start(): Promise<SlackIdentity> {
    if (this.#state !== 'new') throw new Error('the Slack adapter starts once');
    const inbound = this.#inbound;
    if (inbound === undefined) throw new Error('attach() the engine before starting the Slack adapter');
    this.#state = 'starting';
    const identity = await this.#identify();
    const logger = boltLogger(this.#options.logger);
    const common = {
      token: this.#options.botToken,
      botId: identity.botId ?? identity.botUserId,
      botUserId: identity.botUserId,
      // auth.test ran above; Bolt need not repeat it.
      tokenVerificationEnabled: false,
      convoStore: false as const,
      logger,
      // Bolt's own client (Socket Mode's apps.connections.open) keeps the SDK's retries, so that a
      // reconnect survives a network blip; only the outbox's client must not retry.
      clientOptions: { slackApiUrl: this.#options.apiUrl, timeout: this.#clientOptions.timeout ?? DEFAULT_REQUEST_TIMEOUT_MS, allowAbsoluteUrls: false, logger },
    };
    let app: App;
    if (this.mode === 'socket') {
      app = new App({ ...common, socketMode: true, appToken: this.#options.appToken ?? '' });
    } else {
      this.#receiver = new HTTPReceiver({
        signingSecret: this.#options.signingSecret ?? '',
        signatureVerification: true,
        endpoints: SLACK_EVENTS_PATH,
        processBeforeResponse: false,
        bodyLimit: BODY_LIMIT_BYTES,
        logger,
      });
      app = new App({ ...common, receiver: this.#receiver });
    }
    registerSlackInbound(app, {
      inbound,
      channel: this.#options.channel,
      command: this.#options.command,
      teamId: this.#options.teamId,
      logger: this.#logger,
      client: this.#client,
      share: async (payload) => {
        await this.chat.postRendered(payload);
      },
      seen: this.#seen,
      track: (work) => this.#track(work),
      responseTimeoutMs: this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    });
    this.#app = app;
    if (this.mode === 'socket') {
      try {
        await app.start();
      } catch (error: unknown) {
        this.#state = 'stopped';
        throw new Error(`cannot open the Slack Socket Mode connection: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    this.#state = 'started';
    this.#logger.info(
      { mode: this.mode, team: identity.team, teamId: identity.teamId, botUserId: identity.botUserId, channel: this.#options.channel, command: this.#options.command },
      this.mode === 'socket' ? 'Slack connected (Socket Mode)' : `Slack ready: requests at POST ${SLACK_EVENTS_PATH}`,
    );
    return identity;
  }

  /** Takes no more requests, disconnects Socket Mode, and waits (up to `graceMs`) for answers in progress. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    const wasSocket = this.#state === 'started' && this.mode === 'socket';
    this.#state = 'stopping';
    if (wasSocket) {
      try {
        await this.#app?.stop();
      } catch (error: unknown) {
        this.#logger.warn({ err: error }, 'closing the Slack Socket Mode connection failed');
      }
    }
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

  async #identify(): Promise<SlackIdentity> {
    let result: webApi.AuthTestResponse;
    try {
      result = await this.#client.auth.test();
    } catch (error: unknown) {
      this.#state = 'stopped';
      if (error instanceof webApi.WebAPIPlatformError) {
        throw new ConfigError(`SLACK_BOT_TOKEN was refused by Slack (auth.test: ${error.data.error}): expected a valid bot token of the app`);
      }
      throw new Error(`cannot reach the Slack Web API at ${this.#options.apiUrl}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const teamId = result.team_id ?? '';
    const wanted = this.#options.teamId;
    if (wanted !== undefined && wanted !== teamId && wanted !== result.enterprise_id) {
      this.#state = 'stopped';
      throw new ConfigError(`SLACK_BOT_TOKEN belongs to workspace ${teamId}, but PATCHWINDOW_SLACK_TEAM_ID is ${wanted}`);
    }
    return { teamId, team: result.team ?? '', botUserId: result.user_id ?? '', botId: result.bot_id };
  }

  #handleHttp(request: IncomingMessage, response: ServerResponse): void {
    const receiver = this.#receiver;
    if (receiver === undefined || this.#state !== 'started') {
      refuse(request, response, 503, this.#state === 'stopping' || this.#state === 'stopped' ? 'shutting down' : 'not ready');
      return;
    }
    // Bolt refuses old signatures; a timestamp far in the future is refused here as well.
    const timestamp = Number(request.headers['x-slack-request-timestamp']);
    if (!Number.isInteger(timestamp) || Math.abs(Math.floor(this.#now() / 1000) - timestamp) > MAX_SIGNATURE_AGE_S) {
      this.#logger.warn({ timestamp: request.headers['x-slack-request-timestamp'] }, 'Slack request refused: missing or stale timestamp');
      refuse(request, response, 401, '');
      return;
    }
    void readSlackBody(request, BODY_LIMIT_BYTES).then((read) => {
      if (read.ok) {
        receiver.requestListener(request, response);
      } else if (read.status === 'aborted') {
        response.destroy();
      } else {
        this.#logger.warn({ status: read.status }, `Slack request refused: ${read.reason}`);
        refuse(request, response, read.status, read.reason);
      }
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

function refuse(request: IncomingMessage, response: ServerResponse, status: number, text: string): void {
  request.resume();
  response.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' });
  response.end(text === '' ? undefined : `${text}\n`);
}
