// Chat API calls through the metered ChatPort: every call counted by platform and method,
// failures by whether the outbox retries them, errors and results passed through untouched;
// the outbox's retries and give-ups by platform and method.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../../../bot/adapters/metrics/create-metrics.ts';
import { ChatDeliveryError } from '../../../../../bot/core/ports/chat-port.ts';
import type { ChatMessage, MessageRef } from '../../../../../bot/core/ports/chat-port.ts';
import { RecordingChat } from '../../../../support/recording-chat.ts';
import { rejectionOf } from '../../../../support/rejection.ts';
import { sampleValue, samplesOf } from '../../../../support/prometheus-text.ts';

const MESSAGE: ChatMessage = { fallbackText: 'hello', blocks: [{ kind: 'text', text: 'hello' }] };

describe('metered chat', () => {
  it('counts each call by platform and method and passes results through', async () => {
    const metrics = createMetrics('1.2.3');
    const inner = new RecordingChat();
    const chat = metrics.meterChat(inner);
    expect(chat.platform).toBe('console');
    const ref = await chat.post(MESSAGE);
    await chat.update(ref, MESSAGE);
    await chat.update(ref, MESSAGE);
    const reply = await chat.reply(ref, MESSAGE);
    expect(inner.messages.map((message) => message.id)).toEqual([ref.id, reply.id]);
    expect(inner.operations).toEqual(['post', 'update', 'update', 'reply']);

    const text = await metrics.registry.metrics();
    expect(sampleValue(text, 'patchwindow_chat_api_calls_total', { platform: 'console', method: 'post' })).toBe(1);
    expect(sampleValue(text, 'patchwindow_chat_api_calls_total', { platform: 'console', method: 'update' })).toBe(2);
    expect(sampleValue(text, 'patchwindow_chat_api_calls_total', { platform: 'console', method: 'reply' })).toBe(1);
    expect(samplesOf(text, 'patchwindow_chat_api_errors_total').map((sample) => sample.value)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('passes the platform\'s update limit through (the outbox asks it), and adds none to a platform without one', () => {
    const metrics = createMetrics('1.2.3');
    expect('updateWaitMs' in metrics.meterChat(new RecordingChat())).toBe(false);
    const limited = Object.assign(new RecordingChat(), { wait: 1234, updateWaitMs(): number { return this.wait; } });
    const chat = metrics.meterChat(limited);
    expect(chat.updateWaitMs?.()).toBe(1234);
    limited.wait = 0;
    expect(chat.updateWaitMs?.()).toBe(0);
  });

  it('counts failures by whether they are retried, and rethrows the same error', async () => {
    const metrics = createMetrics('1.2.3');
    const inner = new RecordingChat();
    const chat = metrics.meterChat(inner);
    inner.failNext = 2;
    const outage = await rejectionOf(chat.post(MESSAGE));
    expect(outage).toBeInstanceOf(ChatDeliveryError);
    expect((outage as ChatDeliveryError).retryAfterMs).toBe(1000);
    await rejectionOf(chat.reply({ id: 'm1' }, MESSAGE));
    // RecordingChat refuses an update of a message it does not have, for good.
    const gone = await rejectionOf(chat.update({ id: 'nowhere' } satisfies MessageRef, MESSAGE));
    expect(gone).toMatchObject({ retryable: false });
    // Anything that is not a ChatDeliveryError is retried by the outbox, so it counts as retryable.
    const broken = metrics.meterChat({ platform: 'teams', post: () => Promise.reject(new TypeError('bug')), update: () => Promise.resolve(), reply: () => Promise.resolve({ id: 'x' }) });
    expect(await rejectionOf(broken.post(MESSAGE))).toBeInstanceOf(TypeError);

    const text = await metrics.registry.metrics();
    const errors = (labels: Record<string, string>): number => sampleValue(text, 'patchwindow_chat_api_errors_total', labels);
    expect(errors({ platform: 'console', method: 'post', retryable: 'true' })).toBe(1);
    expect(errors({ platform: 'console', method: 'reply', retryable: 'true' })).toBe(1);
    expect(errors({ platform: 'console', method: 'update', retryable: 'false' })).toBe(1);
    expect(errors({ platform: 'console', method: 'update', retryable: 'true' })).toBe(0);
    expect(errors({ platform: 'teams', method: 'post', retryable: 'true' })).toBe(1);
    // A failed call is still a call.
    expect(sampleValue(text, 'patchwindow_chat_api_calls_total', { platform: 'console', method: 'post' })).toBe(1);
    expect(sampleValue(text, 'patchwindow_chat_api_calls_total', { platform: 'teams', method: 'post' })).toBe(1);
  });

  it('counts the outbox retries and give-ups of a platform, with every series there from the start', async () => {
    const metrics = createMetrics('1.2.3');
    const outbox = metrics.outboxFor('slack');
    let text = await metrics.registry.metrics();
    for (const method of ['post', 'update', 'reply']) {
      expect(sampleValue(text, 'patchwindow_chat_api_retries_total', { platform: 'slack', method })).toBe(0);
      expect(sampleValue(text, 'patchwindow_chat_messages_abandoned_total', { platform: 'slack', method })).toBe(0);
      expect(sampleValue(text, 'patchwindow_chat_api_calls_total', { platform: 'slack', method })).toBe(0);
    }
    outbox.deliveryRetried('post');
    outbox.deliveryRetried('post');
    outbox.deliveryRetried('update');
    outbox.deliveryAbandoned('reply');
    text = await metrics.registry.metrics();
    expect(sampleValue(text, 'patchwindow_chat_api_retries_total', { platform: 'slack', method: 'post' })).toBe(2);
    expect(sampleValue(text, 'patchwindow_chat_api_retries_total', { platform: 'slack', method: 'update' })).toBe(1);
    expect(sampleValue(text, 'patchwindow_chat_messages_abandoned_total', { platform: 'slack', method: 'reply' })).toBe(1);
    expect(samplesOf(text, 'patchwindow_chat_api_calls_total', { platform: 'console' })).toEqual([]);
  });
});
