// Chat API calls as Prometheus series: every call the outbox makes on the platform (post, update,
// reply) and its failures, counted by a ChatPort wrapper, plus the outbox's retries and give-ups.
// The adapters never retry on their own, so a retry here is always the outbox trying again later.
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { ChatDeliveryError } from '../../core/ports/chat-port.ts';
import type { ChatMessage, ChatPort, MessageRef } from '../../core/ports/chat-port.ts';
import type { OutboxMetrics, OutboxOperationKind } from '../../core/ports/metrics-port.ts';

const METHODS = ['post', 'update', 'reply'] as const;
type Method = (typeof METHODS)[number];

export interface ChatMetrics {
  /** `chat`, counting each call and each failure; errors pass through unchanged. */
  meter(chat: ChatPort): ChatPort;
  /** The outbox's retries and give-ups for deliveries to `platform`. */
  outboxFor(platform: ChatPort['platform']): OutboxMetrics;
}

export function chatMetrics(registry: Registry): ChatMetrics {
  const calls = new Counter({
    name: 'patchwindow_chat_api_calls_total',
    help: 'Calls on the chat platform\'s API for outgoing messages, by platform (slack, teams, console) and method (post, update, reply).',
    labelNames: ['platform', 'method'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'patchwindow_chat_api_errors_total',
    help: 'Failed chat API calls, by platform, method and whether the outbox retries them (retryable="true": rate limits, 5xx, timeouts) or gives up (retryable="false").',
    labelNames: ['platform', 'method', 'retryable'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'patchwindow_chat_api_retries_total',
    help: 'Outbox deliveries that failed and were scheduled to be tried again, by platform and method.',
    labelNames: ['platform', 'method'],
    registers: [registry],
  });
  const abandoned = new Counter({
    name: 'patchwindow_chat_messages_abandoned_total',
    help: 'Outbox deliveries given up on after a permanent error (the message never reached the channel), by platform and method.',
    labelNames: ['platform', 'method'],
    registers: [registry],
  });
  const started = new Set<string>();
  /** Series for every method from the start, so rate() and alerts see 0 rather than nothing. */
  const start = (platform: string): void => {
    if (started.has(platform)) return;
    started.add(platform);
    for (const method of METHODS) {
      calls.inc({ platform, method }, 0);
      errors.inc({ platform, method, retryable: 'true' }, 0);
      errors.inc({ platform, method, retryable: 'false' }, 0);
      retries.inc({ platform, method }, 0);
      abandoned.inc({ platform, method }, 0);
    }
  };
  return {
    meter: (chat) => {
      start(chat.platform);
      const counted = async <T>(method: Method, call: () => Promise<T>): Promise<T> => {
        calls.inc({ platform: chat.platform, method });
        try {
          return await call();
        } catch (error: unknown) {
          // What the dispatcher does with it: anything but a non-retryable ChatDeliveryError is retried.
          const retryable = !(error instanceof ChatDeliveryError) || error.retryable;
          errors.inc({ platform: chat.platform, method, retryable: String(retryable) });
          throw error;
        }
      };
      const metered: ChatPort = {
        platform: chat.platform,
        post: (message: ChatMessage) => counted('post', () => chat.post(message)),
        update: (ref: MessageRef, message: ChatMessage) => counted('update', () => chat.update(ref, message)),
        reply: (thread: MessageRef, message: ChatMessage) => counted('reply', () => chat.reply(thread, message)),
        // Not a call on the platform: passed through so the outbox keeps within its update limit.
        ...(chat.updateWaitMs === undefined ? {} : { updateWaitMs: () => chat.updateWaitMs?.() ?? 0 }),
      };
      return metered;
    },
    outboxFor: (platform) => {
      start(platform);
      return {
        deliveryRetried: (method: OutboxOperationKind) => {
          retries.inc({ platform, method });
        },
        deliveryAbandoned: (method: OutboxOperationKind) => {
          abandoned.inc({ platform, method });
        },
      };
    },
  };
}
