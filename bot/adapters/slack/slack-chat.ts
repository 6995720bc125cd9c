// The Slack ChatPort: the outbox's posts, updates and thread replies as chat.postMessage and
// chat.update on one channel. It never retries: every failure becomes a ChatDeliveryError that
// says whether (and when) the outbox should try again. It only paces its own posts, so that the
// channel gets at most one new message per second (Slack's chat.postMessage limit); a message the
// adapter posts on demand (a shared status) waits its turn in the same pacing. Updates (of any
// message) are kept within chat.update's workspace limit, tier 3: about 50 a minute; the outbox
// asks `updateWaitMs()` first and holds (and coalesces) updates until the limit allows.
import { webApi } from '@slack/bolt';
import { RateWindow } from '../../core/outbox/rate-window.ts';
import { ChatDeliveryError } from '../../core/ports/chat-port.ts';
import type { ChatMessage, ChatPort, MessageRef } from '../../core/ports/chat-port.ts';
import { renderSlackMessage } from './slack-blocks.ts';
import type { SlackMessagePayload } from './slack-blocks.ts';

/** What the port needs of a Web API client (Bolt's WebClient, configured without retries). */
export interface SlackChatClient {
  readonly chat: {
    postMessage(arguments_: webApi.ChatPostMessageArguments): Promise<webApi.ChatPostMessageResponse>;
    update(arguments_: webApi.ChatUpdateArguments): Promise<webApi.ChatUpdateResponse>;
  };
}

export interface SlackChatOptions {
  readonly client: SlackChatClient;
  readonly channel: string;
  /** Least time between two posts to the channel; Slack allows about one per second. Default 1000. */
  readonly minPostIntervalMs?: number;
  /** chat.update calls in any rolling minute, across all messages (Slack's tier 3 allows about 50). Default 50. */
  readonly updatesPerMinute?: number;
  /** Real time, for pacing (the engine's clock may be simulated). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Slack errors that go away by themselves; every other `ok: false` answer is final. */
const TRANSIENT_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);
/** Wrong or revoked credentials: retried slowly, so nothing is lost while someone fixes the token. */
const CREDENTIAL_ERRORS = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive']);
const CREDENTIAL_RETRY_MS = 60_000;
/** chat.update is tier 3: Slack documents "50+ per minute" per workspace; 50 keeps clear of 429s. */
export const SLACK_UPDATES_PER_MINUTE = 50;
/**
 * The minute the cap counts over, with a second of slack: an update is counted when it leaves and
 * Slack counts it when it arrives, so uneven transit times could otherwise put a 51st in Slack's minute
 * (the progress bench saw exactly that once).
 */
export const SLACK_UPDATE_WINDOW_MS = 61_000;

export class SlackChat implements ChatPort {
  readonly platform = 'slack' as const;
  readonly #options: SlackChatOptions;
  readonly #minPostIntervalMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #updates: RateWindow;
  #lastPostAt = -Infinity;
  #posting: Promise<unknown> = Promise.resolve();

  constructor(options: SlackChatOptions) {
    this.#options = options;
    this.#minPostIntervalMs = options.minPostIntervalMs ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#updates = new RateWindow({ count: options.updatesPerMinute ?? SLACK_UPDATES_PER_MINUTE, perMs: SLACK_UPDATE_WINDOW_MS });
  }

  updateWaitMs(): number {
    return this.#updates.waitMs(this.#now());
  }

  async post(message: ChatMessage): Promise<MessageRef> {
    return this.#post(renderSlackMessage(message), undefined);
  }

  /**
   * A message rendered by the adapter itself, posted to the channel on demand (e.g. a status
   * someone shares), outside the outbox: paced with the outbox's posts, never retried.
   */
  postRendered(payload: SlackMessagePayload): Promise<MessageRef> {
    return this.#post(payload, undefined);
  }

  async update(ref: MessageRef, message: ChatMessage): Promise<void> {
    const { channel, ts } = parseSlackRef(ref);
    const payload = renderSlackMessage(message);
    // The outbox asks first; this only holds a caller that did not.
    const wait = this.#updates.waitMs(this.#now());
    if (wait > 0) await this.#sleep(wait);
    this.#updates.record(this.#now());
    await deliver('chat.update', () => this.#options.client.chat.update({ channel, ts, text: payload.text, blocks: payload.blocks }));
  }

  async reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
    return this.#post(renderSlackMessage(message), parseSlackRef(thread));
  }

  /** Posts one at a time, each at least `minPostIntervalMs` after the one before (replies are posts too). */
  #post(payload: SlackMessagePayload, thread: { readonly channel: string; readonly ts: string } | undefined): Promise<MessageRef> {
    const run = async (): Promise<MessageRef> => {
      const wait = this.#lastPostAt + this.#minPostIntervalMs - this.#now();
      if (wait > 0) await this.#sleep(wait);
      const channel = thread?.channel ?? this.#options.channel;
      try {
        const result = await deliver('chat.postMessage', () =>
          this.#options.client.chat.postMessage({
            channel,
            text: payload.text,
            blocks: payload.blocks,
            unfurl_links: false,
            unfurl_media: false,
            ...(thread === undefined ? {} : { thread_ts: thread.ts }),
          }),
        );
        if (result.ts === undefined) throw new ChatDeliveryError('chat.postMessage answered without a message ts', { retryable: true });
        return { id: slackRef(result.channel ?? channel, result.ts) };
      } finally {
        // A refused post counts too: Slack counts attempts against the limit.
        this.#lastPostAt = this.#now();
      }
    };
    const next = this.#posting.then(run, run);
    this.#posting = next.catch(() => undefined);
    return next;
  }
}

/** A Slack message as the outbox stores it: `slack:<channel>:<ts>`. */
export function slackRef(channel: string, ts: string): string {
  return `slack:${channel}:${ts}`;
}

/** Refs of another platform (or an older console run) are permanent failures: the outbox then posts anew. */
export function parseSlackRef(ref: MessageRef): { readonly channel: string; readonly ts: string } {
  const match = /^slack:([A-Z0-9]+):(\d+\.\d+)$/.exec(ref.id);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new ChatDeliveryError(`"${ref.id.slice(0, 60)}" is not a Slack message reference`, { retryable: false });
  }
  return { channel: match[1], ts: match[2] };
}

async function deliver<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error: unknown) {
    throw toDeliveryError(method, error);
  }
}

/** Maps Web API client errors to what the outbox needs to know: retry or not, and when. */
export function toDeliveryError(method: string, error: unknown): ChatDeliveryError {
  if (error instanceof ChatDeliveryError) return error;
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return new ChatDeliveryError(`${method}: rate limited by Slack (Retry-After ${error.retryAfter}s)`, {
      retryable: true,
      retryAfterMs: Math.max(0, error.retryAfter) * 1000,
      cause: error,
    });
  }
  if (error instanceof webApi.WebAPIHTTPError) {
    const retryable = error.statusCode >= 500 || error.statusCode === 408;
    return new ChatDeliveryError(`${method}: Slack answered HTTP ${error.statusCode}`, { retryable, cause: error });
  }
  if (error instanceof webApi.WebAPIRequestError) {
    return new ChatDeliveryError(`${method}: Slack not reachable (${error.original.message})`, { retryable: true, cause: error });
  }
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = error.data.error;
    if (CREDENTIAL_ERRORS.has(code)) {
      return new ChatDeliveryError(`${method}: Slack refused the bot token (${code})`, { retryable: true, retryAfterMs: CREDENTIAL_RETRY_MS, cause: error });
    }
    return new ChatDeliveryError(`${method}: Slack answered ${code}`, { retryable: TRANSIENT_PLATFORM_ERRORS.has(code), cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ChatDeliveryError(`${method}: ${message}`, { retryable: true, cause: error });
}
