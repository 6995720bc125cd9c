// Activities Teams never sends (found by the chaos tier's fuzzing): fields botbuilder and the turn
// handler read unchecked, in the wrong type, made the turn throw and the bot answer 500 with a
// stack trace in the log. They are refused with 400 and one line; nothing reaches the engine.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, ChatInbound, InboundReply } from '../../../../../bot/core/ports/chat-port.ts';
import { FakeBotConnector } from '../../../../support/fake-bot-connector.ts';
import { ALICE, channelMention, installedInTeam } from '../../../../support/teams-activities.ts';
import type { Activity } from '../../../../support/teams-activities.ts';
import { startTeamsHarness } from '../../../../support/teams-harness.ts';
import type { TeamsHarness } from '../../../../support/teams-harness.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
let fake: FakeBotConnector;
let h: TeamsHarness;
const calls: string[] = [];

const inbound: ChatInbound = {
  command(actor: Actor, text: string): Promise<InboundReply> {
    calls.push(`command ${actor.id} ${text}`);
    return Promise.resolve({ ok: true, text: 'done' });
  },
  action(actor: Actor, action: string, value: string): Promise<InboundReply> {
    calls.push(`action ${actor.id} ${action} ${value}`);
    return Promise.resolve({ ok: true, text: 'done' });
  },
};

beforeEach(async () => {
  calls.splice(0);
  fake = await FakeBotConnector.start();
  h = await startTeamsHarness({ path: join(dirs.make(), 'p.db'), fake, inbound });
  expect((await h.send(installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(200);
});

afterEach(async () => {
  await h.shutdown();
  await fake.close();
  dirs.removeAll();
});

function mention(change: (activity: Activity) => void): Activity {
  const activity = channelMention(ALICE, 'status', { serviceUrl: fake.serviceUrl });
  change(activity);
  return activity;
}

describe('POST /api/messages with an activity of the wrong shape', () => {
  it('answers 400 with one line and never reaches the engine', async () => {
    const cases: [Activity, string][] = [
      [mention((activity) => (activity['conversation'] = { id: {} })), 'the activity needs a conversation with an id'],
      [mention((activity) => delete activity['conversation']), 'the activity needs a conversation with an id'],
      [mention((activity) => delete activity['recipient']), 'the activity needs a recipient with an id'],
      [mention((activity) => delete activity['from']), 'the activity needs a sender (from)'],
      [mention((activity) => (activity['from'] = { id: 7 })), "the sender's id must be a string"],
      [mention((activity) => (activity['text'] = ['status'])), "the activity's text must be a string"],
      [mention((activity) => (activity['entities'] = [{ type: 'mention' }])), 'a mention needs the mentioned id'],
      [mention((activity) => (activity['entities'] = [{ type: 3 }])), 'every entity needs a type'],
      [mention((activity) => (activity['entities'] = { type: 'mention' })), "the activity's entities must be a list"],
      [{ ...installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }), membersAdded: 'everyone' }, "the activity's membersAdded must be a list of accounts"],
    ];
    for (const [activity, reason] of cases) expect(await h.send(activity)).toMatchObject({ status: 400, text: `${reason}\n` });
    expect(calls).toEqual([]);
    expect(h.log.text()).not.toContain('Teams request failed');
    // A well-formed activity still works.
    expect((await h.send(channelMention(ALICE, 'status', { serviceUrl: fake.serviceUrl }))).status).toBe(200);
    expect(calls).toEqual([`command teams:${ALICE.aadObjectId} status`]);
  });
});
