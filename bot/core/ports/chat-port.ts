// Platform-neutral chat: every adapter (web console, Slack, Teams) renders these messages its
// own way and turns its own inbound events into calls on ChatInbound.

export type MessageBlock =
  | { readonly kind: 'header'; readonly text: string }
  /** Plain text; `*bold*` and `` `code` `` are the only markup, which every platform can render. */
  | { readonly kind: 'text'; readonly text: string }
  /** One line per item (e.g. per node), kept as separate lines so adapters can split long lists. */
  | { readonly kind: 'lines'; readonly lines: readonly string[] }
  /** Small print: who decided, timestamps. */
  | { readonly kind: 'context'; readonly text: string }
  | { readonly kind: 'actions'; readonly actions: readonly MessageAction[] };

export interface MessageAction {
  /** What the click means, e.g. `approve`, `reject`. */
  readonly action: string;
  readonly label: string;
  readonly style: 'primary' | 'danger' | 'default';
  /** Data carried back with the click, e.g. the window id. */
  readonly value: string;
  /** Ask "are you sure?" with this text before sending the click. */
  readonly confirm?: string;
}

export interface ChatMessage {
  /** Shown where blocks are not (notifications, screen readers, logs). */
  readonly fallbackText: string;
  readonly blocks: readonly MessageBlock[];
}

/** A message as the platform knows it (Slack channel+ts, Teams activity id, console id). */
export interface MessageRef {
  readonly id: string;
}

/** A failed delivery. `retryAfterMs` is the platform's hint (HTTP 429 Retry-After). */
export class ChatDeliveryError extends Error {
  override readonly name = 'ChatDeliveryError';
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryable: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Outgoing chat. Calls may throw ChatDeliveryError; the outbox retries. */
export interface ChatPort {
  readonly platform: 'console' | 'slack' | 'teams';
  post(message: ChatMessage): Promise<MessageRef>;
  update(ref: MessageRef, message: ChatMessage): Promise<void>;
  reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef>;
  /**
   * How long until the platform takes another update without rate limiting it (0: now), for a
   * platform that limits updates across all messages (Slack). The outbox holds updates that long,
   * coalescing each message's, so the newest state goes out when the limit allows.
   */
  updateWaitMs?(): number;
}

/** Whoever typed or clicked, as the platform identifies them. */
export interface Actor {
  /** Platform-qualified id: `console:alice`, `slack:U123`, `teams:<aad object id>`. */
  readonly id: string;
  readonly displayName: string;
}

export interface InboundReply {
  readonly ok: boolean;
  readonly text: string;
}

/** What chat adapters call when someone types a command or clicks a button. */
export interface ChatInbound {
  command(actor: Actor, text: string): Promise<InboundReply>;
  action(actor: Actor, action: string, value: string): Promise<InboundReply>;
}
