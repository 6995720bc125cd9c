// Attacks on POST /api/messages when Teams credentials are configured, beyond the integration
// tier's missing and forged tokens (test/integration/bot/adapters/teams/teams-auth.test.ts):
// unsigned tokens (alg none), tokens signed with the app's own client secret (HS256 confusion),
// tokens claiming Bot Framework's or the Emulator's issuer with a key of the attacker's, expired
// ones, odd Authorization headers; and oversized activities. All refused without effect: nothing
// reaches the engine, nothing is bound, nothing is sent.
import { createHmac, generateKeyPairSync, createSign } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, ChatInbound, InboundReply } from '../../../bot/core/ports/chat-port.ts';
import { FakeBotConnector } from '../../support/fake-bot-connector.ts';
import { ALICE, BOB, cardAction, channelMention, installedInTeam, TEAMS_APP_ID, TENANT_ID } from '../../support/teams-activities.ts';
import type { Activity } from '../../support/teams-activities.ts';
import { startTeamsHarness } from '../../support/teams-harness.ts';
import type { TeamsHarness } from '../../support/teams-harness.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const dirs = tempDirs();
let fake: FakeBotConnector;
const calls: string[] = [];
const harnesses: TeamsHarness[] = [];
/** What the Teams harness configures as the app's client secret. */
const APP_PASSWORD = 'not-a-real-client-secret';

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
});

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown();
  await fake.close();
  dirs.removeAll();
});

async function harness(authenticated: boolean): Promise<TeamsHarness> {
  const started = await startTeamsHarness({ path: join(dirs.make(), 'p.db'), fake, inbound, ...(authenticated ? { appId: TEAMS_APP_ID } : {}) });
  harnesses.push(started);
  return started;
}

const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function claims(issuer: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, aud: TEAMS_APP_ID, exp: now + 3600, nbf: now - 60, iat: now - 60, serviceurl: fake.serviceUrl, appid: TEAMS_APP_ID, tid: TENANT_ID, ...overrides };
}

function hs256(payload: Record<string, unknown>, secret: string): string {
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** RS256 with a key pair of the attacker's, naming a key id as Microsoft's keys do. */
function rs256(payload: Record<string, unknown>, kid: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT', kid, x5t: kid })}.${part(payload)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
}

const BOT_FRAMEWORK = 'https://api.botframework.com';
const EMULATOR = 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/';

function attacks(): [string, string][] {
  return [
    ['alg none', `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${part(claims(BOT_FRAMEWORK))}.`],
    ['alg none, no dot', `Bearer ${part({ alg: 'none' })}.${part(claims(BOT_FRAMEWORK))}`],
    ['HS256 with the app password', `Bearer ${hs256(claims(BOT_FRAMEWORK), APP_PASSWORD)}`],
    ['HS256 with the app id', `Bearer ${hs256(claims(BOT_FRAMEWORK), TEAMS_APP_ID)}`],
    ['RS256, attacker key, Bot Framework issuer', `Bearer ${rs256(claims(BOT_FRAMEWORK), 'OzZ5Dbmcso9Qzt2ModGmihg30Bo')}`],
    ['RS256, attacker key, Emulator issuer', `Bearer ${rs256(claims(EMULATOR, { ver: '1.0' }), 'nOo3ZDrODXEK1jKWhXslHR_KXEg')}`],
    ['expired HS256', `Bearer ${hs256(claims(BOT_FRAMEWORK, { exp: 1_000_000_000, nbf: 999_999_000 }), APP_PASSWORD)}`],
    ['another audience', `Bearer ${hs256(claims(BOT_FRAMEWORK, { aud: '00000000-0000-0000-0000-000000000000' }), APP_PASSWORD)}`],
    ['lowercase scheme', `bearer ${hs256(claims(BOT_FRAMEWORK), APP_PASSWORD)}`],
    ['two tokens', `Bearer ${hs256(claims(BOT_FRAMEWORK), APP_PASSWORD)} ${hs256(claims(BOT_FRAMEWORK), APP_PASSWORD)}`],
    ['empty bearer', 'Bearer '],
    ['the app password itself', `Bearer ${APP_PASSWORD}`],
  ];
}

describe('POST /api/messages with credentials configured', () => {
  it('refuses every token not signed by Microsoft: nothing reaches the engine, nothing is bound or sent', async () => {
    const h = await harness(true);
    const where = { serviceUrl: fake.serviceUrl };
    const activities: Activity[] = [installedInTeam(ALICE, where), channelMention(ALICE, 'open 1h', where), cardAction(BOB, 'approve', '1', { ...where, cardId: '1790000000001' })];
    const answered: string[] = [];
    for (const [name, authorization] of attacks()) {
      for (const activity of activities) {
        const started = performance.now();
        const sent = await h.send(activity, { authorization });
        answered.push(`${name}: ${sent.status}`);
        // Refused quickly: the bot does not hang on a key it cannot fetch.
        expect(performance.now() - started, name).toBeLessThan(15_000);
      }
    }
    // A token naming Microsoft's issuers makes botbuilder fetch Microsoft's signing keys. Where
    // Microsoft cannot be reached (this test machine, offline CI) that fails and the request is
    // answered 503 (the token cannot be verified now) instead of 401: refused all the same, with the
    // reason logged as a warning - never a 500.
    const keysUnreachable = h.log.text().includes('signing keys cannot be fetched');
    expect(answered.filter((entry) => !entry.endsWith(': 401') && !(keysUnreachable && entry.endsWith(': 503')))).toEqual([]);
    expect(answered.filter((entry) => entry.endsWith(': 401')).length).toBeGreaterThan(0);
    expect(calls).toEqual([]);
    expect(await h.bindings.get('teams')).toBeUndefined();
    expect(await h.repositories.audit.list({ limit: 10 })).toEqual([]);
    expect(fake.calls).toEqual([]);
    expect(h.log.text()).not.toContain(APP_PASSWORD);
  });

  it('refuses an activity of 1 MB or more with 413 once a bearer token is presented, and with 401 before reading it without one', async () => {
    const h = await harness(true);
    const activity = channelMention(ALICE, `status ${'x'.repeat(1024 * 1024)}`, { serviceUrl: fake.serviceUrl });
    expect((await h.send(activity, { authorization: `Bearer ${hs256(claims(BOT_FRAMEWORK), APP_PASSWORD)}` })).status).toBe(413);
    expect((await h.send(activity)).status).toBe(401);
    expect(calls).toEqual([]);
  });
});

describe('POST /api/messages without credentials (local testing)', () => {
  it('refuses an activity of 1 MB or more with 413, declared or streamed, and goes on', async () => {
    const h = await harness(false);
    expect((await h.send(installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(200);
    const huge = channelMention(ALICE, `open 1h --reason ${'x'.repeat(1024 * 1024)}`, { serviceUrl: fake.serviceUrl });
    expect((await h.send(huge)).status).toBe(413);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"type":"message","text":"'));
        for (let index = 0; index < 5; index++) controller.enqueue(new TextEncoder().encode('a'.repeat(1024 * 1024)));
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const response = await fetch(h.messagesUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: streamed, duplex: 'half' });
    expect(response.status).toBe(413);
    await response.text();
    expect(calls).toEqual([]);
    expect((await h.send(channelMention(ALICE, 'status', { serviceUrl: fake.serviceUrl }))).status).toBe(200);
    expect(calls).toEqual([`command teams:${ALICE.aadObjectId} status`]);
  });
});
