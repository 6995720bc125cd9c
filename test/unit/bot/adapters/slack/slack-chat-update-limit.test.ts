// SlackChat keeps chat.update within Slack's workspace limit (tier 3, about 50 a minute) across
// all messages: it tells the outbox how long to wait, and holds a caller that does not ask.
import { describe, expect, it } from 'vitest';
import { SLACK_UPDATES_PER_MINUTE, SlackChat } from '../../../../../bot/adapters/slack/slack-chat.ts';
import type { SlackChatClient } from '../../../../../bot/adapters/slack/slack-chat.ts';

const MESSAGE = { fallbackText: 'card', blocks: [{ kind: 'text', text: 'card' }] } as const;

function limitedChat(updatesPerMinute?: number): { chat: SlackChat; updates: number[]; sleeps: number[]; clock: { now: number } } {
  const clock = { now: 0 };
  const updates: number[] = [];
  const sleeps: number[] = [];
  const client: SlackChatClient = {
    chat: {
      postMessage: () => Promise.resolve({ ok: true, channel: 'C1', ts: '1.000001' }),
      update: () => {
        updates.push(clock.now);
        return Promise.resolve({ ok: true });
      },
    },
  };
  const chat = new SlackChat({
    client,
    channel: 'C1',
    now: () => clock.now,
    sleep: (ms) => {
      sleeps.push(ms);
      clock.now += ms;
      return Promise.resolve();
    },
    ...(updatesPerMinute === undefined ? {} : { updatesPerMinute }),
  });
  return { chat, updates, sleeps, clock };
}

describe('SlackChat update limit', () => {
  it('takes 50 updates a minute (counted over 61 s, for transit time) across all messages by default, then says how long until the next', async () => {
    expect(SLACK_UPDATES_PER_MINUTE).toBe(50);
    const { chat, clock } = limitedChat();
    for (let index = 0; index < 50; index++) {
      expect(chat.updateWaitMs()).toBe(0);
      await chat.update({ id: `slack:C1:1.${String(index).padStart(6, '0')}` }, MESSAGE);
      clock.now += 100;
    }
    expect(chat.updateWaitMs()).toBe(61_000 - 5000);
    clock.now = 60_000;
    expect(chat.updateWaitMs()).toBe(1000);
    clock.now = 61_000;
    expect(chat.updateWaitMs()).toBe(0);
  });

  it('holds an update that comes while the minute is full until the limit allows it', async () => {
    const { chat, updates, sleeps, clock } = limitedChat(2);
    await chat.update({ id: 'slack:C1:1.000001' }, MESSAGE);
    clock.now = 10_000;
    await chat.update({ id: 'slack:C1:1.000002' }, MESSAGE);
    clock.now = 20_000;
    await chat.update({ id: 'slack:C1:1.000001' }, MESSAGE);
    expect(sleeps).toEqual([41_000]);
    expect(updates).toEqual([0, 10_000, 61_000]);
  });
});
