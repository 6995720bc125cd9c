// The Slack ChatPort against a local fake Web API: what it sends, and how Slack's failures become
// ChatDeliveryErrors the outbox can act on (it never retries by itself).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../../../../../bot/adapters/slack/slack-adapter.ts';
import { parseSlackRef } from '../../../../../bot/adapters/slack/slack-chat.ts';
import { ChatDeliveryError } from '../../../../../bot/core/ports/chat-port.ts';
import type { ChatMessage, ChatPort } from '../../../../../bot/core/ports/chat-port.ts';
import { captureLogger } from '../../../../support/capture-logger.ts';
import { FAKE_CHANNEL, FAKE_TOKEN, FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import { SIGNING_SECRET } from '../../../../support/slack-requests.ts';

let fake: FakeSlackApi;
let chat: ChatPort;

const CARD: ChatMessage = {
  fallbackText: 'Maintenance window #1: requested',
  blocks: [
    { kind: 'header', text: '📝 Maintenance window #1: requested' },
    { kind: 'text', text: '*Tue 2026-11-24 14:00 → 17:00 Europe/Zurich*' },
    { kind: 'lines', lines: ['⏳ node-a: pending', '⏳ node-b: pending'] },
    { kind: 'context', text: 'Needs approval by an approver other than the requester.' },
    {
      kind: 'actions',
      actions: [
        { action: 'approve', label: 'Approve', style: 'primary', value: '1' },
        { action: 'reject', label: 'Reject', style: 'danger', value: '1', confirm: 'Reject maintenance window #1?' },
      ],
    },
  ],
};
const TEXT = (text: string): ChatMessage => ({ fallbackText: text, blocks: [{ kind: 'text', text }] });

function adapter(options: { minPostIntervalMs?: number; requestTimeoutMs?: number; token?: string } = {}): SlackAdapter {
  return new SlackAdapter({
    botToken: options.token ?? FAKE_TOKEN,
    signingSecret: SIGNING_SECRET,
    appToken: undefined,
    channel: FAKE_CHANNEL,
    apiUrl: fake.apiUrl,
    command: '/patchwindow',
    teamId: undefined,
    logger: captureLogger().logger,
    minPostIntervalMs: options.minPostIntervalMs ?? 0,
    requestTimeoutMs: options.requestTimeoutMs ?? 2000,
  });
}

async function failure(call: Promise<unknown>): Promise<ChatDeliveryError> {
  try {
    await call;
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ChatDeliveryError);
    return error as ChatDeliveryError;
  }
  throw new Error('expected a ChatDeliveryError');
}

beforeEach(async () => {
  fake = await FakeSlackApi.start({ postIntervalMs: 0 });
  chat = adapter().chat;
});

afterEach(async () => {
  await fake.close();
});

describe('SlackChat delivery', () => {
  it('posts Block Kit to the channel with the bot token and returns channel and ts as the reference', async () => {
    const ref = await chat.post(CARD);
    const [message] = fake.topLevel();
    expect(ref.id).toBe(`slack:${FAKE_CHANNEL}:${message?.ts ?? ''}`);
    expect(fake.callsTo('chat.postMessage')[0]?.authorization).toBe(`Bearer ${FAKE_TOKEN}`);
    expect(message?.text).toBe('Maintenance window #1: requested');
    expect(message?.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: '📝 Maintenance window #1: requested', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: '*Tue 2026-11-24 14:00 → 17:00 Europe/Zurich*' } },
      { type: 'section', text: { type: 'mrkdwn', text: '⏳ node-a: pending\n⏳ node-b: pending' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Needs approval by an approver other than the requester.' }] },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Approve', emoji: true }, action_id: 'approve', value: '1', style: 'primary' },
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Reject', emoji: true },
            action_id: 'reject',
            value: '1',
            style: 'danger',
            confirm: {
              title: { type: 'plain_text', text: 'Are you sure?', emoji: true },
              text: { type: 'plain_text', text: 'Reject maintenance window #1?', emoji: true },
              confirm: { type: 'plain_text', text: 'Reject', emoji: true },
              deny: { type: 'plain_text', text: 'Cancel', emoji: true },
              style: 'danger',
            },
          },
        ],
      },
    ]);
    expect(fake.callsTo('chat.postMessage')[0]?.args).toMatchObject({ unfurl_links: 'false', unfurl_media: 'false' });
  });

  it('updates the same message in place (the re-rendered card without buttons) and threads replies under it', async () => {
    const ref = await chat.post(CARD);
    await chat.update(ref, { fallbackText: 'approved', blocks: CARD.blocks.filter((block) => block.kind !== 'actions') });
    const reply = await chat.reply(ref, TEXT('👍 bob approved window #1.'));
    const [card] = fake.topLevel();
    expect(card?.updates).toBe(1);
    expect(card?.blocks.some((block) => (block as { type: string }).type === 'actions')).toBe(false);
    expect(fake.replies(card?.ts ?? '')).toHaveLength(1);
    expect(parseSlackRef(reply).ts).toBe(fake.replies(card?.ts ?? '')[0]?.ts);
  });

  it('escapes &, < and > so text cannot become a mention or a link', async () => {
    await chat.post(TEXT('reason: <!channel> & <https://evil.example|click>'));
    expect(fake.topLevel()[0]?.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'reason: &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;' } }]);
  });
});

describe('SlackChat failures become ChatDeliveryErrors', () => {
  it('429 with Retry-After: retryable after that many seconds, and the client does not retry on its own', async () => {
    fake.failNext('chat.postMessage', { kind: 'rate-limited', retryAfterS: 7 });
    const error = await failure(chat.post(CARD));
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('HTTP 500 and 503: retryable, one call each', async () => {
    fake.failNext('chat.update', { kind: 'http', status: 500 });
    fake.failNext('chat.postMessage', { kind: 'http', status: 503 });
    expect(await failure(chat.update({ id: `slack:${FAKE_CHANNEL}:1780000001.000001` }, CARD))).toMatchObject({ retryable: true, retryAfterMs: undefined });
    expect(await failure(chat.post(CARD))).toMatchObject({ retryable: true });
    expect(fake.calls.map((call) => call.outcome)).toEqual(['HTTP 500', 'HTTP 503']);
  });

  it('no answer within the timeout: retryable', async () => {
    chat = adapter({ requestTimeoutMs: 200 }).chat;
    fake.failNext('chat.postMessage', { kind: 'hang' });
    const started = Date.now();
    const error = await failure(chat.post(CARD));
    expect(error.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('Slack not reachable at all: retryable', async () => {
    const url = fake.apiUrl;
    await fake.close();
    const closed = new SlackAdapter({
      botToken: FAKE_TOKEN,
      signingSecret: SIGNING_SECRET,
      appToken: undefined,
      channel: FAKE_CHANNEL,
      apiUrl: url,
      command: '/patchwindow',
      teamId: undefined,
      logger: captureLogger().logger,
    });
    expect(await failure(closed.chat.post(CARD))).toMatchObject({ retryable: true });
    fake = await FakeSlackApi.start();
  });

  it('message_not_found and channel_not_found: final (the outbox then posts anew or gives up)', async () => {
    expect(await failure(chat.update({ id: `slack:${FAKE_CHANNEL}:1780009999.000001` }, CARD))).toMatchObject({ retryable: false });
    expect(await failure(chat.update({ id: 'slack:C0ELSEWHERE:1780000001.000001' }, CARD))).toMatchObject({ retryable: false });
    fake.failNext('chat.postMessage', { kind: 'error', error: 'channel_not_found' });
    expect(await failure(chat.post(CARD))).toMatchObject({ retryable: false, message: 'chat.postMessage: Slack answered channel_not_found' });
  });

  it('transient platform errors are retryable; a refused token is retried slowly', async () => {
    fake.failNext('chat.postMessage', { kind: 'error', error: 'internal_error' });
    expect(await failure(chat.post(CARD))).toMatchObject({ retryable: true });
    const wrongToken = adapter({ token: 'xoxb-not-the-right-one' }).chat;
    expect(await failure(wrongToken.post(CARD))).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
  });

  it('a reference of another platform (a console message from an earlier run) is final', async () => {
    expect(await failure(chat.update({ id: 'c1x2-7' }, CARD))).toMatchObject({ retryable: false });
    expect(await failure(chat.reply({ id: 'm1' }, CARD))).toMatchObject({ retryable: false });
    expect(fake.calls).toHaveLength(0);
  });
});

describe('SlackChat pacing', () => {
  it('posts to the channel at most once a second, so a rate-limiting Slack never answers 429', async () => {
    await fake.close();
    fake = await FakeSlackApi.start({ postIntervalMs: 1000 });
    chat = adapter({ minPostIntervalMs: 1050 }).chat;
    const ref = await chat.post(CARD);
    await Promise.all([chat.reply(ref, TEXT('one')), chat.reply(ref, TEXT('two'))]);
    const posts = fake.callsTo('chat.postMessage');
    expect(posts.map((call) => call.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(fake.rateLimited).toBe(0);
    for (let index = 1; index < posts.length; index++) {
      expect((posts[index]?.at ?? 0) - (posts[index - 1]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    }
    expect(fake.replies(fake.topLevel()[0]?.ts ?? '').map((message) => message.text)).toEqual(['one', 'two']);
  });

  it('updates are not paced by the port (the outbox coalesces them per message)', async () => {
    chat = adapter({ minPostIntervalMs: 5000 }).chat;
    const ref = await chat.post(CARD);
    const started = Date.now();
    await chat.update(ref, TEXT('a'));
    await chat.update(ref, TEXT('b'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(fake.topLevel()[0]?.updates).toBe(2);
  });
});
