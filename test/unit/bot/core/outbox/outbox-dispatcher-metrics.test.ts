// The outbox dispatcher reports to its OutboxMetrics: one retry per failed attempt it schedules
// again (with the operation it was), one give-up per entry a permanent error ends, nothing for
// deliveries that went through.
import { describe, expect, it } from 'vitest';
import type { EngineLog } from '../../../../../bot/core/engine/engine-log.ts';
import { OutboxDispatcher } from '../../../../../bot/core/outbox/outbox-dispatcher.ts';
import { ChatDeliveryError } from '../../../../../bot/core/ports/chat-port.ts';
import type { ChatMessage, MessageRef } from '../../../../../bot/core/ports/chat-port.ts';
import type { OutboxMetrics } from '../../../../../bot/core/ports/metrics-port.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { MemoryOutbox } from '../../../../support/memory-outbox.ts';
import { RecordingChat } from '../../../../support/recording-chat.ts';

const SILENT: EngineLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
const text = (value: string): ChatMessage => ({ fallbackText: value, blocks: [{ kind: 'text', text: value }] });

/** Refuses posts of messages whose text starts with "refuse" for good, as Slack does for channel_not_found. */
class RefusingChat extends RecordingChat {
  override post(message: ChatMessage): Promise<MessageRef> {
    if (message.fallbackText.startsWith('refuse')) return Promise.reject(new ChatDeliveryError('channel_not_found', { retryable: false }));
    return super.post(message);
  }
}

function setup(): { clock: ManualClock; outbox: MemoryOutbox; chat: RefusingChat; dispatcher: OutboxDispatcher; reported: string[] } {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  const outbox = new MemoryOutbox();
  const chat = new RefusingChat();
  const reported: string[] = [];
  const metrics: OutboxMetrics = {
    deliveryRetried: (operation) => reported.push(`retried ${operation}`),
    deliveryAbandoned: (operation) => reported.push(`abandoned ${operation}`),
  };
  const dispatcher = new OutboxDispatcher({ outbox, chat, clock, log: SILENT, minUpdateIntervalMs: 1000, maxBackoffMs: 60_000, metrics });
  return { clock, outbox, chat, dispatcher, reported };
}

describe('OutboxDispatcher metrics', () => {
  it('reports each retry it schedules, by operation, and nothing for what went through', async () => {
    const { clock, outbox, chat, dispatcher, reported } = setup();
    await outbox.enqueue({ kind: 'post', key: 'window:1', message: text('window 1') }, clock.now());
    await outbox.enqueue({ kind: 'reply', threadKey: 'window:1', message: text('n1 cordoned') }, clock.now());
    chat.failNext = 2;
    expect(await dispatcher.deliverDue()).toMatchObject({ delivered: 0 });
    expect(reported).toEqual(['retried post']);
    clock.advance(60_000);
    await dispatcher.deliverDue();
    expect(reported).toEqual(['retried post', 'retried post']);
    clock.advance(60_000);
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 2, waitMs: undefined });
    expect(reported).toEqual(['retried post', 'retried post']);

    chat.failNext = 1;
    await outbox.enqueue({ kind: 'reply', threadKey: 'window:1', message: text('n1 done') }, clock.now());
    await dispatcher.deliverDue();
    expect(reported).toEqual(['retried post', 'retried post', 'retried reply']);
  });

  it('reports an entry given up on after a permanent error, and goes on with the next', async () => {
    const { clock, outbox, dispatcher, reported } = setup();
    await outbox.enqueue({ kind: 'post', key: 'a', message: text('refuse this') }, clock.now());
    await outbox.enqueue({ kind: 'post', key: 'b', message: text('take this') }, clock.now());
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
    expect(reported).toEqual(['abandoned post']);
  });
});
