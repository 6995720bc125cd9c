// Delivers the outbox to the chat platform in order, once: a message is marked delivered only
// after the platform accepted it; failures are retried with backoff (or the platform's
// Retry-After), and later entries wait so order is kept. Updates of one message coalesce: only
// the newest pending content is sent, at most once per `minUpdateIntervalMs`.
import type { ChatMessage, ChatPort, MessageRef } from '../ports/chat-port.ts';
import { ChatDeliveryError } from '../ports/chat-port.ts';
import type { Clock } from '../ports/clock.ts';
import type { OutboxEntry, OutboxRepository } from '../ports/outbox-repository.ts';
import type { EngineLog } from '../engine/engine-log.ts';

export interface OutboxDispatcherOptions {
  readonly outbox: OutboxRepository;
  readonly chat: ChatPort;
  readonly clock: Clock;
  readonly log: EngineLog;
  /** Slack allows about one update per second per message; Teams a few sends per second. */
  readonly minUpdateIntervalMs: number;
  readonly maxBackoffMs: number;
  readonly batchSize?: number;
}

export type DeliveryResult = { readonly delivered: number; readonly waitMs: number | undefined };

export class OutboxDispatcher {
  readonly #options: OutboxDispatcherOptions;
  readonly #lastUpdateAt = new Map<string, number>();
  #running: Promise<DeliveryResult> | undefined;

  constructor(options: OutboxDispatcherOptions) {
    this.#options = options;
  }

  /**
   * Delivers every entry that is due, in order. Returns how many went out and, when something is
   * still waiting (throttle or retry), how long until it is due. Concurrent calls share one run.
   */
  deliverDue(): Promise<DeliveryResult> {
    this.#running ??= this.#deliver().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #deliver(): Promise<DeliveryResult> {
    const { outbox, clock } = this.#options;
    let delivered = 0;
    for (;;) {
      const entries = await outbox.pending(this.#options.batchSize ?? 50);
      if (entries.length === 0) return { delivered, waitMs: undefined };
      for (const [index, entry] of entries.entries()) {
        const now = clock.now().getTime();
        if (entry.notBefore !== undefined && entry.notBefore.getTime() > now) return { delivered, waitMs: entry.notBefore.getTime() - now };
        const operation = entry.operation;
        if (operation.kind === 'update') {
          const superseded = entries.slice(index + 1).some((later) => later.operation.kind === 'update' && later.operation.key === operation.key);
          if (superseded) {
            await outbox.markDelivered(entry.id, clock.now());
            continue;
          }
          const wait = (this.#lastUpdateAt.get(operation.key) ?? -Infinity) + this.#options.minUpdateIntervalMs - now;
          if (wait > 0) return { delivered, waitMs: wait };
        }
        const outcome = await this.#attempt(entry);
        // A failed entry holds back everything after it (order); say when it is due again.
        if (typeof outcome === 'object') return { delivered, waitMs: outcome.retryInMs };
        if (outcome === 'delivered') delivered++;
      }
    }
  }

  async #attempt(entry: OutboxEntry): Promise<'delivered' | 'abandoned' | { readonly retryInMs: number }> {
    const { outbox, clock, log } = this.#options;
    try {
      await this.#send(entry);
      await outbox.markDelivered(entry.id, clock.now());
      return 'delivered';
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ChatDeliveryError && !error.retryable) {
        log.error('chat rejected an outbox entry; giving up on it', { entry: entry.id, error: message });
        await outbox.markAbandoned(entry.id, message, clock.now());
        return 'abandoned';
      }
      const backoff = Math.min(this.#options.maxBackoffMs, 500 * 2 ** Math.min(entry.attempts, 10));
      const retryAfter = error instanceof ChatDeliveryError ? (error.retryAfterMs ?? 0) : 0;
      const retryInMs = Math.max(backoff, retryAfter);
      const retryAt = new Date(clock.now().getTime() + retryInMs);
      log.warn('chat delivery failed; will retry', { entry: entry.id, attempts: entry.attempts + 1, retryAt: retryAt.toISOString(), error: message });
      await outbox.markAttemptFailed(entry.id, message, retryAt);
      return { retryInMs };
    }
  }

  /** False when the platform refuses for good (e.g. the message no longer exists); retryable errors propagate. */
  async #accepted(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error: unknown) {
      if (error instanceof ChatDeliveryError && !error.retryable) {
        this.#options.log.warn('chat refused an update or reply to an earlier message; posting it anew', { error: error.message });
        return false;
      }
      throw error;
    }
  }

  async #send(entry: OutboxEntry): Promise<void> {
    const { outbox, chat, clock } = this.#options;
    const operation = entry.operation;
    switch (operation.kind) {
      case 'post': {
        await outbox.saveRef(operation.key, await chat.post(operation.message));
        return;
      }
      case 'update': {
        const ref = await outbox.refFor(operation.key);
        // The original is gone (its post was given up on, or the platform no longer has it):
        // post the newest content instead of losing it.
        if (ref === undefined || !(await this.#accepted(() => chat.update(ref, operation.message)))) {
          await outbox.saveRef(operation.key, await chat.post(operation.message));
        }
        this.#lastUpdateAt.set(operation.key, clock.now().getTime());
        return;
      }
      case 'reply': {
        const thread = await outbox.refFor(operation.threadKey);
        if (thread === undefined || !(await this.#accepted(() => chat.reply(thread, operation.message)))) await chat.post(operation.message);
        return;
      }
    }
  }
}

export type { ChatMessage, MessageRef };
