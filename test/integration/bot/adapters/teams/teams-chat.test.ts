// The Teams ChatPort against a local fake Bot Connector: what it sends where (a channel post, an
// in-place update of the same activity, a reply in the card's thread), how the connector's
// failures become ChatDeliveryErrors the outbox can act on (botbuilder itself must not retry),
// and its pacing within Teams' per-conversation limit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatBinding, ChatBindingRepository } from '../../../../../bot/adapters/teams/chat-binding.ts';
import type { SendLimit } from '../../../../../bot/adapters/teams/send-pacer.ts';
import { TeamsAdapter } from '../../../../../bot/adapters/teams/teams-adapter.ts';
import { parseTeamsRef, teamsRef } from '../../../../../bot/adapters/teams/teams-chat.ts';
import { ChatDeliveryError } from '../../../../../bot/core/ports/chat-port.ts';
import type { ChatMessage, ChatPort } from '../../../../../bot/core/ports/chat-port.ts';
import { captureLogger } from '../../../../support/capture-logger.ts';
import { cardActions, cardOf, cardText, FakeBotConnector } from '../../../../support/fake-bot-connector.ts';
import { GENERAL_CHANNEL, OTHER_CHANNEL, TEAMS_BOT_ID, TENANT_ID } from '../../../../support/teams-activities.ts';

let fake: FakeBotConnector;
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

class MemoryBindings implements ChatBindingRepository {
  binding: ChatBinding | undefined;

  get(): Promise<ChatBinding | undefined> {
    return Promise.resolve(this.binding);
  }

  save(binding: ChatBinding): Promise<void> {
    this.binding = binding;
    return Promise.resolve();
  }
}

function boundTo(conversationId: string, serviceUrl: string): MemoryBindings {
  const bindings = new MemoryBindings();
  bindings.binding = {
    platform: 'teams',
    conversationId,
    reference: JSON.stringify({
      channelId: 'msteams',
      serviceUrl,
      conversation: { id: conversationId, isGroup: true, conversationType: 'channel', tenantId: TENANT_ID },
      bot: { id: TEAMS_BOT_ID, name: 'patchwindow' },
    }),
    boundBy: 'teams:a11ce000-0000-4000-8000-00000000a11c',
    boundAt: new Date('2026-11-25T12:00:00Z'),
  };
  return bindings;
}

function adapter(options: { bindings?: ChatBindingRepository; sendLimits?: readonly SendLimit[] | 'default'; requestTimeoutMs?: number } = {}): TeamsAdapter {
  return new TeamsAdapter({
    appId: undefined,
    appPassword: undefined,
    appType: 'SingleTenant',
    tenantId: undefined,
    bindings: options.bindings ?? boundTo(GENERAL_CHANNEL, fake.serviceUrl),
    logger: captureLogger().logger,
    requestTimeoutMs: options.requestTimeoutMs ?? 2000,
    ...(options.sendLimits === 'default' ? {} : { sendLimits: options.sendLimits ?? [] }),
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
  fake = await FakeBotConnector.start();
  chat = adapter().chat;
});

afterEach(async () => {
  await fake.close();
});

describe('TeamsChat delivery', () => {
  it('posts an Adaptive Card to the bound channel proactively and returns conversation and activity id as the reference', async () => {
    const ref = await chat.post(CARD);
    const [call] = fake.calls;
    expect(call).toMatchObject({ kind: 'post', method: 'POST', conversationId: GENERAL_CHANNEL, activityId: undefined, outcome: 'ok' });
    expect(call?.path).toBe(`/teams/v3/conversations/${encodeURIComponent(GENERAL_CHANNEL)}/activities`);
    const [message] = fake.topLevel();
    expect(ref.id).toBe(teamsRef(GENERAL_CHANNEL, message?.id ?? ''));
    expect(parseTeamsRef(ref)).toEqual({ conversationId: GENERAL_CHANNEL, activityId: message?.id });
    expect(message?.activity).toMatchObject({ type: 'message', summary: 'Maintenance window #1: requested', from: { id: TEAMS_BOT_ID } });
    expect(message?.activity['replyToId']).toBeUndefined();
    const card = cardOf(message?.activity);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' } });
    expect(card?.['body']).toEqual([
      { type: 'TextBlock', text: '📝 Maintenance window #1: requested', size: 'Medium', weight: 'Bolder', wrap: true, style: 'heading' },
      { type: 'Container', items: [{ type: 'TextBlock', text: '**Tue 2026-11-24 14:00 → 17:00 Europe/Zurich**', wrap: true, spacing: 'None' }] },
      {
        type: 'Container',
        items: [
          { type: 'TextBlock', text: '⏳ node-a: pending', wrap: true, spacing: 'None' },
          { type: 'TextBlock', text: '⏳ node-b: pending', wrap: true, spacing: 'None' },
        ],
      },
      { type: 'TextBlock', text: 'Needs approval by an approver other than the requester.', isSubtle: true, size: 'Small', wrap: true },
    ]);
    expect(card?.['actions']).toEqual([
      {
        type: 'Action.Execute',
        title: 'Approve',
        verb: 'approve',
        data: { value: '1' },
        style: 'positive',
        fallback: { type: 'Action.Submit', title: 'Approve', data: { action: 'approve', value: '1' }, style: 'positive' },
      },
      {
        type: 'Action.ShowCard',
        title: 'Reject',
        style: 'destructive',
        card: {
          type: 'AdaptiveCard',
          body: [{ type: 'TextBlock', text: 'Reject maintenance window #1?', wrap: true }],
          actions: [
            {
              type: 'Action.Execute',
              title: 'Reject',
              verb: 'reject',
              data: { value: '1' },
              style: 'destructive',
              fallback: { type: 'Action.Submit', title: 'Reject', data: { action: 'reject', value: '1' }, style: 'destructive' },
            },
          ],
        },
      },
    ]);
  });

  it('updates the same activity in place (PUT, the re-rendered card without buttons) and replies in its thread', async () => {
    const ref = await chat.post(CARD);
    const { activityId } = parseTeamsRef(ref);
    await chat.update(ref, { fallbackText: 'approved', blocks: CARD.blocks.filter((block) => block.kind !== 'actions') });
    const reply = await chat.reply(ref, TEXT('👍 bob approved window #1.'));

    expect(fake.callsOf('update')[0]).toMatchObject({ method: 'PUT', conversationId: GENERAL_CHANNEL, activityId, outcome: 'ok' });
    const [card] = fake.topLevel();
    expect(card?.updates).toBe(1);
    expect(card?.activity['id']).toBe(activityId);
    expect(cardActions(card?.activity)).toEqual([]);

    expect(fake.callsOf('reply')[0]).toMatchObject({ method: 'POST', conversationId: `${GENERAL_CHANNEL};messageid=${activityId}`, activityId, outcome: 'ok' });
    expect(fake.replies(activityId).map((message) => cardText(message.activity))).toEqual(['👍 bob approved window #1.']);
    expect(fake.replies(activityId)[0]?.activity['replyToId']).toBe(activityId);
    expect(parseTeamsRef(reply).activityId).toBe(fake.replies(activityId)[0]?.id);
  });

  it('keeps text from users from becoming a link, and renders *bold* as Adaptive Card bold', async () => {
    await chat.post(TEXT('reason: [click](https://evil.example) and *kernel*'));
    expect(cardText(fake.topLevel()[0]?.activity)).toBe('reason: [click] (https://evil.example) and **kernel**');
  });

  it('cuts a very long node list to fit one Teams message and says how many lines are missing', async () => {
    const lines = Array.from({ length: 3000 }, (_, index) => `✅ aks-nodepool1-12345678-vmss${String(index).padStart(6, '0')}: done in 4m 12s`);
    await chat.post({ fallbackText: 'big', blocks: [{ kind: 'header', text: 'Maintenance window #9: closed' }, { kind: 'lines', lines }] });
    const body = JSON.stringify(fake.calls[0]?.body);
    expect(body.length).toBeLessThan(28_000);
    const text = cardText(fake.topLevel()[0]?.activity);
    expect(text).toMatch(/…and \d+ more lines not shown \(too long for one Teams message\)$/);
    const shown = text.split('\n').filter((line) => line.startsWith('✅')).length;
    expect(text).toContain(`…and ${3000 - shown} more lines`);
  });
});

describe('TeamsChat failures become ChatDeliveryErrors', () => {
  it('429 with Retry-After: retryable after that long, and botbuilder does not retry on its own', async () => {
    fake.failNext('post', { kind: 'status', status: 429, retryAfterS: 7 });
    const error = await failure(chat.post(CARD));
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(fake.callsOf('post')).toHaveLength(1);
  });

  it('412, 502 and 504 (and other server errors) are retryable, one call each', async () => {
    const ref = await chat.post(CARD);
    fake.failNext('update', { kind: 'status', status: 412, code: 'PreconditionFailed' });
    fake.failNext('reply', { kind: 'status', status: 502 });
    fake.failNext('post', { kind: 'status', status: 504 });
    fake.failNext('post', { kind: 'status', status: 500 });
    expect(await failure(chat.update(ref, CARD))).toMatchObject({ retryable: true, retryAfterMs: undefined });
    expect(await failure(chat.reply(ref, TEXT('x')))).toMatchObject({ retryable: true });
    expect(await failure(chat.post(CARD))).toMatchObject({ retryable: true });
    expect(await failure(chat.post(CARD))).toMatchObject({ retryable: true });
    expect(fake.calls.map((call) => call.outcome)).toEqual(['ok', 'HTTP 412', 'HTTP 502', 'HTTP 504', 'HTTP 500']);
  });

  it('permanent errors (404, 403, 400) are final: the outbox then posts anew or gives up', async () => {
    expect(await failure(chat.update({ id: teamsRef(GENERAL_CHANNEL, '1780009999999') }, CARD))).toMatchObject({ retryable: false });
    fake.failNext('post', { kind: 'status', status: 403, code: 'BotNotInConversationRoster' });
    expect(await failure(chat.post(CARD))).toMatchObject({ retryable: false, message: expect.stringContaining('HTTP 403 (BotNotInConversationRoster)') as unknown });
    fake.failNext('post', { kind: 'status', status: 400 });
    expect(await failure(chat.post(CARD))).toMatchObject({ retryable: false });
  });

  it('no answer within the timeout, or a connector not reachable at all: retryable', async () => {
    chat = adapter({ requestTimeoutMs: 200 }).chat;
    fake.failNext('post', { kind: 'hang' });
    const started = Date.now();
    expect(await failure(chat.post(CARD))).toMatchObject({ retryable: true });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.callsOf('post')).toHaveLength(1);

    const url = fake.serviceUrl;
    await fake.close();
    const closed = adapter({ bindings: boundTo(GENERAL_CHANNEL, url) }).chat;
    expect(await failure(closed.post(CARD))).toMatchObject({ retryable: true });
    fake = await FakeBotConnector.start();
  });

  it('nothing bound yet: retryable (delivered once someone binds a channel)', async () => {
    chat = adapter({ bindings: new MemoryBindings() }).chat;
    expect(await failure(chat.post(CARD))).toMatchObject({ retryable: true, message: expect.stringContaining('no Teams conversation bound yet') as unknown });
    expect(fake.calls).toEqual([]);
  });

  it('a card in a conversation the bot is no longer bound to, or a reference of another platform, is final', async () => {
    expect(await failure(chat.update({ id: teamsRef(OTHER_CHANNEL, '1780000000001') }, CARD))).toMatchObject({ retryable: false });
    expect(await failure(chat.reply({ id: teamsRef(OTHER_CHANNEL, '1780000000001') }, CARD))).toMatchObject({ retryable: false });
    expect(await failure(chat.update({ id: 'slack:C0PATCHWIN:1780000001.000001' }, CARD))).toMatchObject({ retryable: false });
    expect(await failure(chat.reply({ id: 'c1x2-7' }, CARD))).toMatchObject({ retryable: false });
    expect(fake.calls).toHaveLength(0);
  });
});

describe('TeamsChat pacing', () => {
  it('keeps within 7 operations a second per conversation, so a rate-limiting Teams never answers 429', async () => {
    await fake.close();
    fake = await FakeBotConnector.start({ limit: { count: 7, perMs: 1000 } });
    chat = adapter({ sendLimits: [{ count: 7, perMs: 1100 }] }).chat;
    const ref = await chat.post(CARD);
    await Promise.all([
      ...Array.from({ length: 8 }, (_, index) => chat.reply(ref, TEXT(`reply ${index}`))),
      ...Array.from({ length: 4 }, () => chat.update(ref, CARD)),
    ]);
    expect(fake.rateLimited).toBe(0);
    expect(fake.calls.every((call) => call.outcome === 'ok')).toBe(true);
    const times = fake.calls.map((call) => call.at);
    for (let index = 7; index < times.length; index++) expect((times[index] ?? 0) - (times[index - 7] ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(fake.replies(parseTeamsRef(ref).activityId).map((message) => cardText(message.activity))).toEqual(Array.from({ length: 8 }, (_, index) => `reply ${index}`));
  });

  it('the default limits are Teams’ documented ones: the eighth send in a second waits', async () => {
    chat = adapter({ sendLimits: 'default' }).chat;
    const started = Date.now();
    for (let index = 0; index < 8; index++) await chat.post(TEXT(`post ${index}`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.callsOf('post')).toHaveLength(8);
  });
});
