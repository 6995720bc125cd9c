// Delivers the outbox to the chat platform in order, once: a message is marked delivered only
// after the platform accepted it; failures are retried with backoff (or the platform's
// Retry-After), and later entries wait so order is kept. Updates of one message coalesce: only
// the newest pending content is sent, at most once per `minUpdateIntervalMs`, and only when the
// platform's limit on updates across all messages allows (ChatPort.updateWaitMs).
import type { ChatMessage, ChatPort, MessageRef } from '../ports/chat-port.ts';
import { ChatDeliveryError } from '../ports/chat-port.ts';
import type { Clock } from '../ports/clock.ts';
import type { OutboxMetrics } from '../ports/metrics-port.ts';
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
  /** Retries and give-ups for Prometheus; nothing is reported without it. */
  readonly metrics?: OutboxMetrics | undefined;
}

export type DeliveryResult = { readonly delivered: number; readonly waitMs: number | undefined };

/** What the platform took for an entry, still to be recorded: the ref of a message it made, if one is to be kept. */
interface Sent {
  readonly ref: { readonly key: string; readonly ref: MessageRef } | undefined;
}

export class OutboxDispatcher {
  readonly #options: OutboxDispatcherOptions;
  readonly #lastUpdateAt = new Map<string, number>();
  /**
   * Entries the platform took whose delivery the store could not record (disk full, read-only):
   * the next run records them without sending them again, which would post a copy every run.
   */
  readonly #unrecorded = new Map<number, Sent>();
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
            this.#unrecorded.delete(entry.id);
            continue;
          }
          const messageWait = (this.#lastUpdateAt.get(operation.key) ?? -Infinity) + this.#options.minUpdateIntervalMs - now;
          // The platform's limit across all messages; meanwhile newer updates of this one supersede it.
          const wait = Math.max(messageWait, this.#options.chat.updateWaitMs?.() ?? 0);
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
    const { outbox, clock } = this.#options;
    let sent = this.#unrecorded.get(entry.id);
    if (sent === undefined) {
      const outcome = await this.#trySend(entry);
      if (!('ref' in outcome)) return outcome.failed;
      sent = outcome;
      // The platform has it now: a failure from here on is the store's (it propagates), and must not send it again.
      this.#unrecorded.set(entry.id, sent);
    }
    if (sent.ref !== undefined) await outbox.saveRef(sent.ref.key, sent.ref.ref);
    await outbox.markDelivered(entry.id, clock.now());
    this.#unrecorded.delete(entry.id);
    return 'delivered';
  }

  async #trySend(entry: OutboxEntry): Promise<Sent | { readonly failed: 'abandoned' | { readonly retryInMs: number } }> {
    const { outbox, clock, log } = this.#options;
    try {
      return await this.#send(entry);
    } catch (error: unknown) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ChatDeliveryError && !error.retryable) {
        log.error('chat rejected an outbox entry; giving up on it', { entry: entry.id, error: message });
        await outbox.markAbandoned(entry.id, message, clock.now());
        this.#options.metrics?.deliveryAbandoned(entry.operation.kind);
        return { failed: 'abandoned' };
      }
      const backoff = Math.min(this.#options.maxBackoffMs, 500 * 2 ** Math.min(entry.attempts, 10));
      const retryAfter = error instanceof ChatDeliveryError ? (error.retryAfterMs ?? 0) : 0;
      const retryInMs = Math.max(backoff, retryAfter);
      const retryAt = new Date(clock.now().getTime() + retryInMs);
      log.warn('chat delivery failed; will retry', { entry: entry.id, attempts: entry.attempts + 1, retryAt: retryAt.toISOString(), error: message });
      await outbox.markAttemptFailed(entry.id, message, retryAt);
      this.#options.metrics?.deliveryRetried(entry.operation.kind);
      return { failed: { retryInMs } };
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

  /** Sends the entry; what the platform made is recorded by the caller. */
  async #send(entry: OutboxEntry): Promise<Sent> {
    const { outbox, chat, clock } = this.#options;
    const operation = entry.operation;
    switch (operation.kind) {
      case 'post': {
        return { ref: { key: operation.key, ref: await chat.post(operation.message) } };
      }
      case 'update': {
        const ref = await outbox.refFor(operation.key);
        let posted: MessageRef | undefined;
        // The original is gone (its post was given up on, or the platform no longer has it):
        // post the newest content instead of losing it.
        if (ref === undefined || !(await this.#accepted(() => chat.update(ref, operation.message)))) {
          posted = await chat.post(operation.message);
        }
        this.#lastUpdateAt.set(operation.key, clock.now().getTime());
        return { ref: posted === undefined ? undefined : { key: operation.key, ref: posted } };
      }
      case 'reply': {
        const thread = await outbox.refFor(operation.threadKey);
        if (thread === undefined || !(await this.#accepted(() => chat.reply(thread, operation.message)))) await chat.post(operation.message);
        return { ref: undefined };
      }
    }
  }
}

export type { ChatMessage, MessageRef };
