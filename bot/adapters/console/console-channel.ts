// The web console's one channel, kept in memory: the ChatPort the bot posts to when no Slack or
// Teams is configured. Messages live here (the last few hundred), and every post, update and reply
// is pushed to subscribers (the console's event streams). Private notes for one user are not
// channel messages; the console returns them as HTTP answers.
import { ChatDeliveryError } from '../../core/ports/chat-port.ts';
import type { ChatMessage, ChatPort, MessageBlock, MessageRef } from '../../core/ports/chat-port.ts';

/** A channel message as the console page sees it (JSON-ready). */
export interface ConsoleMessage {
  /** `c1`, `c2`, … in order of creation. */
  readonly id: string;
  /** The thread's top-level message for a reply; null for a top-level message. */
  readonly threadId: string | null;
  readonly fallbackText: string;
  readonly blocks: readonly MessageBlock[];
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** 1 when posted, +1 on every update. */
  readonly version: number;
}

export type ConsoleEvent =
  | { readonly kind: 'post' | 'update' | 'reply'; readonly message: ConsoleMessage }
  /** Messages dropped because the channel keeps only the newest ones. */
  | { readonly kind: 'remove'; readonly ids: readonly string[] };

export type ConsoleListener = (event: ConsoleEvent) => void;

export interface ConsoleChannelOptions {
  readonly now: () => Date;
  /** Top-level messages kept (with their threads); older ones are dropped. Default 500. */
  readonly maxMessages?: number;
  /** Replies kept per thread; older ones are dropped. Default 500. */
  readonly maxRepliesPerThread?: number;
  /** Told when a subscriber throws; the post still succeeds and other subscribers still hear it. */
  readonly onListenerError?: (error: unknown) => void;
  /**
   * Starts every message id. Give each process start its own, so a reference stored by an
   * earlier run (the outbox keeps them) can never point at a different message now. Default `c`.
   */
  readonly idPrefix?: string;
}

export const DEFAULT_MAX_MESSAGES = 500;
export const DEFAULT_MAX_REPLIES_PER_THREAD = 500;

interface Thread {
  message: ConsoleMessage;
  readonly replies: string[];
}

export class ConsoleChannel implements ChatPort {
  readonly platform = 'console' as const;

  readonly #now: () => Date;
  readonly #maxMessages: number;
  readonly #maxReplies: number;
  readonly #onListenerError: (error: unknown) => void;
  /** Top-level messages in order of creation (Map keeps insertion order). */
  readonly #threads = new Map<string, Thread>();
  /** Every reply by id. */
  readonly #replies = new Map<string, ConsoleMessage>();
  readonly #listeners = new Set<ConsoleListener>();
  #nextId = 1;
  readonly #idPrefix: string;

  constructor(options: ConsoleChannelOptions) {
    this.#now = options.now;
    this.#maxMessages = positiveInteger(options.maxMessages ?? DEFAULT_MAX_MESSAGES, 'maxMessages');
    this.#maxReplies = positiveInteger(options.maxRepliesPerThread ?? DEFAULT_MAX_REPLIES_PER_THREAD, 'maxRepliesPerThread');
    this.#onListenerError = options.onListenerError ?? (() => undefined);
    this.#idPrefix = options.idPrefix ?? 'c';
  }

  post(message: ChatMessage): Promise<MessageRef> {
    const stored = this.#create(message, null);
    this.#threads.set(stored.id, { message: stored, replies: [] });
    this.#emit({ kind: 'post', message: stored });
    this.#trimChannel();
    return Promise.resolve({ id: stored.id });
  }

  update(ref: MessageRef, message: ChatMessage): Promise<void> {
    const current = this.get(ref.id);
    if (current === undefined) return Promise.reject(notFound(ref.id, 'update'));
    const updated: ConsoleMessage = {
      ...current,
      fallbackText: message.fallbackText,
      blocks: structuredClone(message.blocks),
      updatedAt: this.#now().toISOString(),
      version: current.version + 1,
    };
    const thread = this.#threads.get(ref.id);
    if (thread !== undefined) thread.message = updated;
    else this.#replies.set(ref.id, updated);
    this.#emit({ kind: 'update', message: updated });
    return Promise.resolve();
  }

  reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
    // A reply to a reply goes to the same thread, as in Slack.
    const rootId = this.#threads.has(thread.id) ? thread.id : this.#replies.get(thread.id)?.threadId;
    const root = rootId === undefined || rootId === null ? undefined : this.#threads.get(rootId);
    if (root === undefined) return Promise.reject(notFound(thread.id, 'reply to'));
    const stored = this.#create(message, root.message.id);
    this.#replies.set(stored.id, stored);
    root.replies.push(stored.id);
    this.#emit({ kind: 'reply', message: stored });
    if (root.replies.length > this.#maxReplies) {
      const dropped = root.replies.splice(0, root.replies.length - this.#maxReplies);
      for (const id of dropped) this.#replies.delete(id);
      this.#emit({ kind: 'remove', ids: dropped });
    }
    return Promise.resolve({ id: stored.id });
  }

  /** One message (top-level or reply), as it is now. */
  get(id: string): ConsoleMessage | undefined {
    return this.#threads.get(id)?.message ?? this.#replies.get(id);
  }

  /** Every message in the channel: each top-level message followed by its replies, oldest first. */
  messages(): ConsoleMessage[] {
    const all: ConsoleMessage[] = [];
    for (const thread of this.#threads.values()) {
      all.push(thread.message);
      for (const id of thread.replies) {
        const reply = this.#replies.get(id);
        if (reply !== undefined) all.push(reply);
      }
    }
    return all;
  }

  /** Hears every post, update, reply and removal from now on. Returns the unsubscribe function. */
  subscribe(listener: ConsoleListener): () => void {
    // Wrapped so the same function can subscribe twice and unsubscribe each time on its own.
    const entry: ConsoleListener = (event) => {
      listener(event);
    };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  get subscriberCount(): number {
    return this.#listeners.size;
  }

  #create(message: ChatMessage, threadId: string | null): ConsoleMessage {
    const at = this.#now().toISOString();
    return {
      id: `${this.#idPrefix}${this.#nextId++}`,
      threadId,
      fallbackText: message.fallbackText,
      // A copy, so a caller that reuses its objects cannot change what the channel shows.
      blocks: structuredClone(message.blocks),
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
  }

  #trimChannel(): void {
    if (this.#threads.size <= this.#maxMessages) return;
    const dropped: string[] = [];
    for (const [id, thread] of this.#threads) {
      if (this.#threads.size <= this.#maxMessages) break;
      this.#threads.delete(id);
      dropped.push(id);
      for (const replyId of thread.replies) {
        this.#replies.delete(replyId);
        dropped.push(replyId);
      }
    }
    this.#emit({ kind: 'remove', ids: dropped });
  }

  #emit(event: ConsoleEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error: unknown) {
        this.#onListenerError(error);
      }
    }
  }
}

function notFound(id: string, verb: string): ChatDeliveryError {
  // Not retryable: the message is gone (never existed, or dropped from the in-memory channel).
  return new ChatDeliveryError(`cannot ${verb} console message ${id}: no such message (the console keeps only recent messages, in memory)`, {
    retryable: false,
  });
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
