// Chat metrics against the fake Slack Web API: the real Slack ChatPort, metered as the bot meters
// it, behind the real outbox dispatcher. A chat.postMessage answered with HTTP 500 is one call,
// one retryable error and one retry; its retry is one more call that goes through. A permanent
// refusal is an error that is not retried and a message given up on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../../../bot/adapters/metrics/create-metrics.ts';
import type { Metrics } from '../../../../../bot/adapters/metrics/create-metrics.ts';
import { SlackAdapter } from '../../../../../bot/adapters/slack/slack-adapter.ts';
import type { EngineLog } from '../../../../../bot/core/engine/engine-log.ts';
import { OutboxDispatcher } from '../../../../../bot/core/outbox/outbox-dispatcher.ts';
import type { ChatMessage } from '../../../../../bot/core/ports/chat-port.ts';
import { captureLogger } from '../../../../support/capture-logger.ts';
import { FAKE_CHANNEL, FAKE_TOKEN, FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { MemoryOutbox } from '../../../../support/memory-outbox.ts';
import { sampleValue } from '../../../../support/prometheus-text.ts';
import { SIGNING_SECRET } from '../../../../support/slack-requests.ts';

const SILENT: EngineLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
const TEXT = (text: string): ChatMessage => ({ fallbackText: text, blocks: [{ kind: 'text', text }] });

let fake: FakeSlackApi;
let metrics: Metrics;
let clock: ManualClock;
let outbox: MemoryOutbox;
let dispatcher: OutboxDispatcher;

beforeEach(async () => {
  fake = await FakeSlackApi.start({ postIntervalMs: 0 });
  const slack = new SlackAdapter({
    botToken: FAKE_TOKEN,
    signingSecret: SIGNING_SECRET,
    appToken: undefined,
    channel: FAKE_CHANNEL,
    apiUrl: fake.apiUrl,
    command: '/patchwindow',
    teamId: undefined,
    logger: captureLogger().logger,
    minPostIntervalMs: 0,
    requestTimeoutMs: 2000,
  });
  metrics = createMetrics('0.0.0-test');
  clock = new ManualClock('2026-11-25T12:00:00Z');
  outbox = new MemoryOutbox();
  dispatcher = new OutboxDispatcher({
    outbox,
    chat: metrics.meterChat(slack.chat),
    clock,
    log: SILENT,
    minUpdateIntervalMs: 1000,
    maxBackoffMs: 60_000,
    metrics: metrics.outboxFor(slack.chat.platform),
  });
});

afterEach(async () => {
  await fake.close();
});

const value = async (name: string, labels: Record<string, string>): Promise<number> => sampleValue(await metrics.registry.metrics(), name, { platform: 'slack', ...labels });

describe('chat metrics against Slack', () => {
  it('count a post answered with HTTP 500 as a call, a retryable error and a retry, and its retry as one more call', async () => {
    fake.failNext('chat.postMessage', { kind: 'http', status: 500 });
    await outbox.enqueue({ kind: 'post', key: 'window:1', message: TEXT('window #1 requested') }, clock.now());
    expect(await dispatcher.deliverDue()).toMatchObject({ delivered: 0 });
    expect(fake.calls.map((call) => `${call.method} ${call.outcome}`)).toEqual(['chat.postMessage HTTP 500']);
    expect(await value('patchwindow_chat_api_calls_total', { method: 'post' })).toBe(1);
    expect(await value('patchwindow_chat_api_errors_total', { method: 'post', retryable: 'true' })).toBe(1);
    expect(await value('patchwindow_chat_api_retries_total', { method: 'post' })).toBe(1);
    expect(await outbox.countPending()).toBe(1);

    clock.advance(60_000);
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
    expect(fake.messages).toHaveLength(1);
    expect(await value('patchwindow_chat_api_calls_total', { method: 'post' })).toBe(2);
    expect(await value('patchwindow_chat_api_errors_total', { method: 'post', retryable: 'true' })).toBe(1);
    expect(await value('patchwindow_chat_api_retries_total', { method: 'post' })).toBe(1);
    expect(await value('patchwindow_chat_messages_abandoned_total', { method: 'post' })).toBe(0);
  });

  it('count a rate-limited update as a retryable error and retry, and a refused reply as given up on', async () => {
    await outbox.enqueue({ kind: 'post', key: 'window:1', message: TEXT('window #1') }, clock.now());
    await dispatcher.deliverDue();
    fake.failNext('chat.update', { kind: 'rate-limited', retryAfterS: 2 });
    await outbox.enqueue({ kind: 'update', key: 'window:1', message: TEXT('window #1 open') }, clock.now());
    expect(await dispatcher.deliverDue()).toMatchObject({ delivered: 0 });
    clock.advance(2000);
    expect(await dispatcher.deliverDue()).toMatchObject({ delivered: 1 });
    expect(await value('patchwindow_chat_api_calls_total', { method: 'update' })).toBe(2);
    expect(await value('patchwindow_chat_api_errors_total', { method: 'update', retryable: 'true' })).toBe(1);
    expect(await value('patchwindow_chat_api_retries_total', { method: 'update' })).toBe(1);

    // A reply Slack refuses for good goes out as a new post; a post refused for good is given up on.
    fake.failNext('chat.postMessage', { kind: 'error', error: 'channel_not_found' }, 2);
    await outbox.enqueue({ kind: 'reply', threadKey: 'window:1', message: TEXT('n1 done') }, clock.now());
    expect(await dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: undefined });
    expect(await value('patchwindow_chat_api_errors_total', { method: 'reply', retryable: 'false' })).toBe(1);
    expect(await value('patchwindow_chat_api_errors_total', { method: 'post', retryable: 'false' })).toBe(1);
    expect(await value('patchwindow_chat_messages_abandoned_total', { method: 'reply' })).toBe(1);
    expect(await value('patchwindow_chat_api_retries_total', { method: 'reply' })).toBe(0);
    expect(await outbox.countPending()).toBe(0);
  });
});
