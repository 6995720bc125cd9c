// With credentials configured (MicrosoftAppId), POST /api/messages takes only activities that
// carry a valid Bot Framework token: anything else gets 401 and has no effect at all (nothing
// reaches the engine, nothing is bound, nothing is sent). Valid tokens need Microsoft's signing
// keys, which a test cannot have; botbuilder's own tests cover their validation.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, ChatInbound, InboundReply } from '../../../../../bot/core/ports/chat-port.ts';
import { FakeBotConnector } from '../../../../support/fake-bot-connector.ts';
import { ALICE, BOB, cardAction, channelMention, installedInTeam, TEAMS_APP_ID } from '../../../../support/teams-activities.ts';
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

/** A JWT-shaped token nobody signed, claiming to be for our app from a made-up issuer. */
function forgedToken(): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'forged' })}.${part({ iss: 'https://evil.example/', aud: TEAMS_APP_ID, exp: now + 3600, nbf: now - 60, serviceurl: 'http://127.0.0.1/' })}.${Buffer.from('not-a-signature').toString('base64url')}`;
}

beforeEach(async () => {
  calls.splice(0);
  fake = await FakeBotConnector.start();
  h = await startTeamsHarness({ path: join(dirs.make(), 'p.db'), fake, appId: TEAMS_APP_ID, inbound });
});

afterEach(async () => {
  await h.shutdown();
  await fake.close();
  dirs.removeAll();
});

describe('POST /api/messages with MicrosoftAppId configured', () => {
  it('answers 401 to activities without a valid Bot Framework token, and nothing happens', async () => {
    const where = { serviceUrl: fake.serviceUrl };
    const activities = [installedInTeam(ALICE, where), channelMention(ALICE, 'open 1h', where), cardAction(BOB, 'approve', '1', { ...where, cardId: '1780000000001' })];
    const statuses: number[] = [];
    for (const activity of activities) {
      statuses.push((await h.send(activity)).status);
      statuses.push((await h.send(activity, { authorization: 'Bearer not-a-jwt' })).status);
      statuses.push((await h.send(activity, { authorization: `Bearer ${forgedToken()}` })).status);
      statuses.push((await h.send(activity, { authorization: 'Basic YWxpY2U6c2VjcmV0' })).status);
    }
    expect(statuses).toEqual(Array.from({ length: 12 }, () => 401));
    expect(calls).toEqual([]);
    expect(await h.bindings.get('teams')).toBeUndefined();
    expect(await h.repositories.audit.list({ action: 'chat.bound' })).toEqual([]);
    expect(fake.calls).toEqual([]);
    expect(h.adapter.mode).toBe('authenticated');
    expect(h.log.text()).toContain('Teams request refused: no Bot Framework token');
    expect(h.log.text()).toContain('Teams request refused: the Bot Framework token is not valid');
    expect(h.log.text()).not.toContain('not-a-real-client-secret');
  });

  it('refuses what is not an activity before looking further', async () => {
    const notJson = await fetch(h.messagesUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer x' }, body: '{' });
    const notActivity = await fetch(h.messagesUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer x' }, body: '[1]' });
    const form = await fetch(h.messagesUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer x' }, body: 'a=1' });
    const get = await fetch(h.messagesUrl);
    expect([notJson.status, notActivity.status, form.status, get.status]).toEqual([400, 400, 415, 405]);
    expect(calls).toEqual([]);
  });

  it('answers 503 once stopping', async () => {
    await h.adapter.stop();
    expect((await h.send(channelMention(ALICE, 'status', { serviceUrl: fake.serviceUrl }), { authorization: `Bearer ${forgedToken()}` })).status).toBe(503);
    expect(calls).toEqual([]);
  });
});
