// Activities posted to POST /api/messages exactly as Teams sends them (unauthenticated CloudAdapter,
// as PATCHWINDOW_TEAMS=on runs on loopback), answered through a fake Bot Connector: the bot binds
// to the channel it is added to or where someone says `bind`, takes @mention commands there and
// answers in the thread, and approves or rejects from the card's buttons; self-approval and
// strangers are refused (by the engine, which audits), as are other channels and tenants.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, ChatInbound, InboundReply } from '../../../../../bot/core/ports/chat-port.ts';
import { cardActions, cardText, FakeBotConnector } from '../../../../support/fake-bot-connector.ts';
import type { ConnectorMessage } from '../../../../support/fake-bot-connector.ts';
import {
  ALICE,
  BOB,
  cardAction,
  channelMention,
  GENERAL_CHANNEL,
  installedInTeam,
  invokeMessage,
  MALLORY,
  OTHER_CHANNEL,
  personalMessage,
  removedFromTeam,
  submittedAction,
  TENANT_ID,
} from '../../../../support/teams-activities.ts';
import type { TeamsUser } from '../../../../support/teams-activities.ts';
import { startTeamsHarness } from '../../../../support/teams-harness.ts';
import type { TeamsHarness, TeamsHarnessOptions } from '../../../../support/teams-harness.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
let fake: FakeBotConnector;
const harnesses: TeamsHarness[] = [];

beforeEach(async () => {
  fake = await FakeBotConnector.start();
});

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  await fake.close();
  dirs.removeAll();
});

async function harness(options: Partial<TeamsHarnessOptions> = {}): Promise<TeamsHarness> {
  const started = await startTeamsHarness({ path: join(dirs.make(), 'p.db'), fake, ...options });
  harnesses.push(started);
  return started;
}

/** A harness already bound to the team's General channel (the app was added to the team). */
async function installed(options: Partial<TeamsHarnessOptions> = {}): Promise<TeamsHarness> {
  const h = await harness(options);
  expect((await h.send(installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(200);
  return h;
}

/** Says `@patchwindow <text>` in a channel and returns the bot's answer in that message's thread. */
async function mention(h: TeamsHarness, user: TeamsUser, text: string, channel = GENERAL_CHANNEL): Promise<string> {
  const activity = channelMention(user, text, { serviceUrl: fake.serviceUrl, channel });
  const id = String(activity['id']);
  const sent = await h.send(activity);
  expect(sent.status).toBe(200);
  await fake.waitFor(() => fake.replies(id).length > 0, 5000, `an answer to "${text}"`);
  return cardText(fake.replies(id)[0]?.activity);
}

function windowCard(id: number): ConnectorMessage | undefined {
  return fake.topLevel().find((message) => String(message.activity['summary']).includes(`Maintenance window #${id}:`));
}

/** A ChatInbound that records calls. */
class RecordingInbound implements ChatInbound {
  readonly calls: { kind: string; actor: Actor; text: string }[] = [];

  command(actor: Actor, text: string): Promise<InboundReply> {
    this.calls.push({ kind: 'command', actor, text });
    return Promise.resolve({ ok: true, text: `done: ${text}` });
  }

  action(actor: Actor, action: string, value: string): Promise<InboundReply> {
    this.calls.push({ kind: 'action', actor, text: `${action} ${value}` });
    return Promise.resolve({ ok: false, text: `refused: ${action}` });
  }
}

describe('binding to a conversation', () => {
  it('binds to the General channel when the app is added to a team, greets there, and keeps it in the store', async () => {
    const h = await harness();
    const sent = await h.send(installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }));
    expect(sent.status).toBe(200);
    const [greeting] = fake.topLevel();
    expect(greeting?.conversationId).toBe(GENERAL_CHANNEL);
    expect(cardText(greeting?.activity)).toContain('patchwindow posts here from now on');
    expect(fake.callsOf('post')[0]?.conversationId).toBe(GENERAL_CHANNEL);

    const stored = await h.bindings.get('teams');
    expect(stored).toMatchObject({ platform: 'teams', conversationId: GENERAL_CHANNEL, boundBy: `teams:${ALICE.aadObjectId}` });
    const reference = JSON.parse(stored?.reference ?? '{}') as Record<string, unknown>;
    expect(reference).toMatchObject({ channelId: 'msteams', serviceUrl: fake.serviceUrl, conversation: { id: GENERAL_CHANNEL, tenantId: TENANT_ID } });
    expect(reference['activityId']).toBeUndefined();
    const audit = await h.repositories.audit.list({ action: 'chat.bound' });
    expect(audit[0]).toMatchObject({ actor: `teams:${ALICE.aadObjectId}`, subject: 'teams', details: { conversation: GENERAL_CHANNEL, via: 'install' } });

    // Proactive posts now go to that channel.
    await h.engine.command({ id: `teams:${ALICE.aadObjectId}`, displayName: 'Alice' }, 'open 1h');
    await h.deliver();
    expect(windowCard(1)?.conversationId).toBe(GENERAL_CHANNEL);
  });

  it('moves to another channel when someone says "@patchwindow bind" there, and answers in the thread', async () => {
    const h = await installed();
    const answer = await mention(h, BOB, 'bind', OTHER_CHANNEL);
    expect(answer).toContain('patchwindow posts here from now on');
    expect((await h.bindings.get('teams'))?.conversationId).toBe(OTHER_CHANNEL);
    expect((await h.repositories.audit.list({ action: 'chat.bound' }))[0]?.details).toMatchObject({ conversation: OTHER_CHANNEL, previous: GENERAL_CHANNEL, via: 'command' });
    expect(await mention(h, BOB, 'bind', OTHER_CHANNEL)).toContain('already posts here');

    await h.engine.command({ id: `teams:${ALICE.aadObjectId}`, displayName: 'Alice' }, 'open 1h');
    await h.deliver();
    expect(windowCard(1)?.conversationId).toBe(OTHER_CHANNEL);
  });

  it('binds by "bind" without an install event, and not in a personal chat', async () => {
    const h = await harness();
    const personal = personalMessage(ALICE, 'bind', { serviceUrl: fake.serviceUrl });
    expect((await h.send(personal)).status).toBe(200);
    await fake.waitFor(() => fake.replies(String(personal['id'])).length === 1);
    expect(cardText(fake.replies(String(personal['id']))[0]?.activity)).toContain('a personal chat cannot be bound');
    expect(await h.bindings.get('teams')).toBeUndefined();

    expect(await mention(h, ALICE, 'bind')).toContain('posts here from now on');
    expect((await h.bindings.get('teams'))?.conversationId).toBe(GENERAL_CHANNEL);
  });

  it('keeps what was posted before any binding in the outbox and delivers it, in order, once bound', async () => {
    const h = await harness();
    await h.engine.command({ id: `teams:${ALICE.aadObjectId}`, displayName: 'Alice' }, 'open 1h');
    await h.deliver();
    expect(fake.calls).toEqual([]);
    expect(h.engineLogs.some((line) => line.startsWith('warn chat delivery failed; will retry') && line.includes('no Teams conversation bound yet'))).toBe(true);
    expect(await h.repositories.outbox.countPending()).toBeGreaterThan(0);

    expect((await h.send(installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(200);
    await h.step(5000);
    expect(windowCard(1)?.conversationId).toBe(GENERAL_CHANNEL);
    expect(await h.repositories.outbox.countPending()).toBe(0);
  });

  it('keeps the binding when removed from the team, and says so in the log', async () => {
    const h = await installed();
    expect((await h.send(removedFromTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(200);
    expect(h.log.text()).toContain('patchwindow was removed from the conversation it posts to');
  });
});

describe('commands by @mention', () => {
  it('strip the mention, reach the engine as teams:<object id>, and are answered in the message thread', async () => {
    const recording = new RecordingInbound();
    const h = await installed({ inbound: recording });
    expect(await mention(h, ALICE, 'status')).toBe('done: status');
    expect(recording.calls).toEqual([{ kind: 'command', actor: { id: `teams:${ALICE.aadObjectId}`, displayName: 'Alice Andersen' }, text: 'status' }]);
    const reply = fake.callsOf('reply')[0];
    expect(reply?.conversationId).toMatch(/^19:.*@thread\.tacv2;messageid=\d+$/);
    expect(reply?.activityId).toBe(reply?.conversationId.split(';messageid=')[1]);
    expect(reply?.body['replyToId']).toBe(reply?.activityId);
  });

  it('open posts the window card with Approve and Reject as universal actions (Action.Submit fallback) to the bound channel', async () => {
    const h = await installed();
    expect(await mention(h, ALICE, 'open 1h --reason "kernel update"')).toMatch(/^Requested window #1 /);
    await h.deliver();
    const card = windowCard(1);
    expect(card?.conversationId).toBe(GENERAL_CHANNEL);
    expect(cardText(card?.activity)).toContain('Maintenance window #1: requested');
    expect(cardText(card?.activity)).toContain('"kernel update"');
    const actions = cardActions(card?.activity);
    expect(actions.map((action) => [action['type'], action['verb'], action['data'], action['style']])).toEqual([
      ['Action.Execute', 'approve', { value: '1' }, 'positive'],
      ['Action.Execute', 'reject', { value: '1' }, 'destructive'],
    ]);
    expect(actions.map((action) => action['fallback'])).toEqual([
      { type: 'Action.Submit', title: 'Approve', data: { action: 'approve', value: '1' }, style: 'positive' },
      { type: 'Action.Submit', title: 'Reject', data: { action: 'reject', value: '1' }, style: 'destructive' },
    ]);
  });

  it('tell the caller what was wrong, and give help for a bare mention; nothing is stored or posted', async () => {
    const h = await installed();
    await h.deliver();
    const postsBefore = fake.callsOf('post').length;
    expect(await mention(h, ALICE, 'opne 1h')).toContain('open');
    expect(await mention(h, ALICE, '')).toContain('patchwindow commands:');
    await h.deliver();
    expect(fake.callsOf('post')).toHaveLength(postsBefore);
    expect(await h.repositories.windows.listLive()).toEqual([]);
  });

  it('work in a personal chat with the bot, without a mention', async () => {
    const recording = new RecordingInbound();
    const h = await installed({ inbound: recording });
    const personal = personalMessage(BOB, 'nodes', { serviceUrl: fake.serviceUrl });
    expect((await h.send(personal)).status).toBe(200);
    await fake.waitFor(() => fake.replies(String(personal['id'])).length === 1);
    expect(cardText(fake.replies(String(personal['id']))[0]?.activity)).toBe('done: nodes');
    expect(recording.calls.map((call) => call.text)).toEqual(['nodes']);
  });

  it('are refused in a channel the bot is not bound to, and before any binding', async () => {
    const recording = new RecordingInbound();
    const unbound = await harness({ inbound: recording });
    expect(await mention(unbound, ALICE, 'status')).toContain('not bound to a channel yet');
    await unbound.shutdown();
    harnesses.splice(0);

    const h = await installed({ inbound: recording });
    expect(await mention(h, ALICE, 'status', OTHER_CHANNEL)).toContain('works in the channel it is bound to');
    expect(recording.calls).toEqual([]);
  });

  it('act once on an activity Teams delivers twice', async () => {
    const recording = new RecordingInbound();
    const h = await installed({ inbound: recording });
    const activity = channelMention(ALICE, 'status', { serviceUrl: fake.serviceUrl });
    expect((await h.send(activity)).status).toBe(200);
    expect((await h.send(activity)).status).toBe(200);
    expect(recording.calls).toHaveLength(1);
    expect(fake.replies(String(activity['id']))).toHaveLength(1);
  });
});

describe('card buttons', () => {
  it('an approver approves with Action.Execute; self-approval and non-approvers are refused in the invoke response and audited; the card is updated in place', async () => {
    const h = await installed();
    await mention(h, ALICE, 'open 1h');
    await h.deliver();
    const card = windowCard(1);
    const cardId = card?.id ?? '';
    const click = (user: TeamsUser, verb: string) => h.send(cardAction(user, verb, '1', { serviceUrl: fake.serviceUrl, cardId }));

    const self = await click(ALICE, 'approve');
    expect(self.status).toBe(200);
    expect(self.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(invokeMessage(self)).toBe('refused: four-eyes: someone other than the requester must approve');
    expect(invokeMessage(await click(MALLORY, 'approve'))).toContain(`teams:${MALLORY.aadObjectId} is not an approver`);
    expect((await h.repositories.windows.get(1))?.state).toBe('requested');

    expect(invokeMessage(await click(BOB, 'approve'))).toBe('You approved window #1.');
    expect((await h.repositories.windows.get(1))?.state).not.toBe('requested');

    await h.step(1000);
    const updates = fake.callsOf('update').filter((call) => call.activityId === cardId);
    expect(updates.length).toBeGreaterThan(0);
    expect(updates[0]?.conversationId).toBe(GENERAL_CHANNEL);
    expect(card?.updates).toBeGreaterThan(0);
    expect(cardActions(card?.activity)).toEqual([]);
    expect(cardText(card?.activity)).toContain(`Approved by teams:${BOB.aadObjectId}`);
    expect(fake.replies(cardId).map((reply) => cardText(reply.activity))).toContain('👍 Bob Berg approved window #1.');

    const audit = (await h.repositories.audit.list({ subject: 'window:1', limit: 20 })).reverse();
    expect(audit.map((entry) => [entry.actor, entry.action])).toEqual(
      expect.arrayContaining([
        [`teams:${ALICE.aadObjectId}`, 'window.requested'],
        [`teams:${ALICE.aadObjectId}`, 'window.decision-refused'],
        [`teams:${MALLORY.aadObjectId}`, 'window.decision-refused'],
        [`teams:${BOB.aadObjectId}`, 'window.approved'],
      ]),
    );
    expect(audit.find((entry) => entry.action === 'window.approved')?.details).toMatchObject({ surface: 'button' });
  });

  it('the Action.Submit fallback reaches the engine the same way and is answered in the card thread', async () => {
    const h = await installed();
    await mention(h, ALICE, 'open 1h');
    await h.deliver();
    const cardId = windowCard(1)?.id ?? '';
    const submitted = submittedAction(BOB, 'reject', '1', { serviceUrl: fake.serviceUrl, cardId });
    expect((await h.send(submitted)).status).toBe(200);
    await fake.waitFor(() => fake.replies(cardId).length > 0);
    expect(cardText(fake.replies(cardId)[0]?.activity)).toBe('You rejected window #1.');
    expect((await h.repositories.windows.get(1))?.state).toBe('rejected');
  });

  it('a click on an action the engine does not know is refused (and audited by the engine)', async () => {
    const h = await installed();
    const sent = await h.send(cardAction(BOB, 'delete-everything', '1', { serviceUrl: fake.serviceUrl, cardId: '1780000000001' }));
    expect(invokeMessage(sent)).toBe('unknown action');
    expect((await h.repositories.audit.list({ action: 'action.refused' }))[0]?.actor).toBe(`teams:${BOB.aadObjectId}`);
  });

  it('a click from a card in another channel is refused without reaching the engine', async () => {
    const recording = new RecordingInbound();
    const h = await installed({ inbound: recording });
    const sent = await h.send(cardAction(BOB, 'approve', '1', { serviceUrl: fake.serviceUrl, cardId: '1780000000001', channel: OTHER_CHANNEL }));
    expect(invokeMessage(sent)).toContain('works in the channel it is bound to');
    expect(recording.calls).toEqual([]);
  });

  it('a click Teams delivers twice acts once', async () => {
    const h = await installed();
    await mention(h, ALICE, 'open 1h');
    await h.deliver();
    const click = cardAction(BOB, 'approve', '1', { serviceUrl: fake.serviceUrl, cardId: windowCard(1)?.id ?? '' });
    expect(invokeMessage(await h.send(click))).toBe('You approved window #1.');
    expect(invokeMessage(await h.send(click))).toBe('Already done.');
    expect(await h.repositories.audit.list({ action: 'window.decision-refused' })).toEqual([]);
  });
});

describe('tenant', () => {
  it('without a tenant configured, serves the tenant of the bound conversation only', async () => {
    const recording = new RecordingInbound();
    const h = await installed({ inbound: recording });
    const stranger = '0f0f0f0f-0000-4000-8000-0000000f0f0f';
    const bind = channelMention(MALLORY, 'bind', { serviceUrl: fake.serviceUrl, channel: OTHER_CHANNEL, tenantId: stranger });
    expect((await h.send(bind)).status).toBe(200);
    expect((await h.send(installedInTeam(MALLORY, { serviceUrl: fake.serviceUrl, tenantId: stranger }))).status).toBe(200);
    expect((await h.bindings.get('teams'))?.conversationId).toBe(GENERAL_CHANNEL);
    expect((await h.repositories.audit.list({ action: 'chat.bound' })).map((entry) => entry.actor)).toEqual([`teams:${ALICE.aadObjectId}`]);
    expect(fake.replies(String(bind['id']))).toEqual([]);
    expect(await mention(h, ALICE, 'status')).toBe('done: status');
    expect(recording.calls).toHaveLength(1);
  });

  it('with a tenant configured, activities from another tenant are refused without effect', async () => {
    const recording = new RecordingInbound();
    const h = await harness({ inbound: recording, tenantId: TENANT_ID });
    const stranger = '0f0f0f0f-0000-4000-8000-0000000f0f0f';
    expect((await h.send(installedInTeam(MALLORY, { serviceUrl: fake.serviceUrl, tenantId: stranger }))).status).toBe(200);
    expect(await h.bindings.get('teams')).toBeUndefined();
    const click = await h.send(cardAction(MALLORY, 'approve', '1', { serviceUrl: fake.serviceUrl, cardId: '1780000000001', tenantId: stranger }));
    expect(invokeMessage(click)).toBe('This patchwindow serves another Microsoft 365 tenant.');
    expect((await h.send(channelMention(MALLORY, 'status', { serviceUrl: fake.serviceUrl, tenantId: stranger }))).status).toBe(200);
    expect(recording.calls).toEqual([]);
    expect(fake.calls).toEqual([]);
    expect(h.log.text()).toContain('Teams activity from another tenant refused');
  });
});
