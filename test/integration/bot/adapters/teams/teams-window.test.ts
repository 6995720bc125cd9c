// A whole window streamed to (fake) Teams through the real outbox: one live card updated in place
// (updateActivity) at most once a second, milestones as replies in its thread, within a connector
// that enforces a per-conversation send limit; a 429 with Retry-After is retried by the outbox
// after that long; and a bot restarted mid-window goes on updating the same card.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { cardActions, cardText, FakeBotConnector } from '../../../../support/fake-bot-connector.ts';
import type { ConnectorMessage } from '../../../../support/fake-bot-connector.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { ALICE, BOB, cardAction, channelMention, GENERAL_CHANNEL, installedInTeam, invokeMessage } from '../../../../support/teams-activities.ts';
import { startTeamsHarness } from '../../../../support/teams-harness.ts';
import type { TeamsHarness } from '../../../../support/teams-harness.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
// Teams allows 7 operations a second per conversation. The pacing itself is tested at that rate
// (teams-chat.test.ts); here, to keep a window's ~60 operations quick, the fake enforces 7 per
// 250 ms and the port paces 7 per 300 ms: the same relation as in production.
const FAKE_LIMIT = { count: 7, perMs: 250 };
const PORT_LIMITS = [{ count: 7, perMs: 300 }];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  dirs.removeAll();
});

async function setup(): Promise<{ fake: FakeBotConnector; clock: ManualClock; cluster: SimulatedCluster; path: string }> {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  const cluster = new SimulatedCluster(clock, { seed: 1 });
  // The fake stamps every call with the engine's (manual) time, and limits sends per conversation in real time.
  const fake = await FakeBotConnector.start({ stamp: () => clock.now().getTime(), limit: FAKE_LIMIT });
  cleanups.push(() => fake.close());
  return { fake, clock, cluster, path: join(dirs.make(), 'p.db') };
}

async function start(fake: FakeBotConnector, clock: ManualClock, cluster: SimulatedCluster, path: string): Promise<TeamsHarness> {
  const h = await startTeamsHarness({ path, fake, clock, cluster, sendLimits: PORT_LIMITS });
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await h.shutdown();
  });
  const shutdown = h.shutdown.bind(h);
  return {
    ...h,
    shutdown: async () => {
      stopped = true;
      await shutdown();
    },
  };
}

async function installRequestAndApprove(h: TeamsHarness, fake: FakeBotConnector): Promise<string> {
  expect((await h.send(installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(200);
  const open = channelMention(ALICE, 'open 1h', { serviceUrl: fake.serviceUrl });
  expect((await h.send(open)).status).toBe(200);
  expect(cardText(fake.replies(String(open['id']))[0]?.activity)).toMatch(/^Requested window #1 /);
  await h.deliver();
  const cardId = card(fake)?.id ?? '';
  expect(cardId).not.toBe('');
  const approved = await h.send(cardAction(BOB, 'approve', '1', { serviceUrl: fake.serviceUrl, cardId }));
  expect(invokeMessage(approved)).toBe('You approved window #1.');
  return cardId;
}

function cards(fake: FakeBotConnector): ConnectorMessage[] {
  return fake.topLevel(GENERAL_CHANNEL).filter((message) => String(message.activity['summary']).includes('Maintenance window #1:'));
}

function card(fake: FakeBotConnector): ConnectorMessage | undefined {
  return cards(fake)[0];
}

function cardUpdates(fake: FakeBotConnector, id: string): number[] {
  return fake
    .callsOf('update')
    .filter((call) => call.activityId === id && call.outcome === 'ok')
    .map((call) => call.stamp ?? 0);
}

function expectAtMostOncePerSecond(stamps: readonly number[]): void {
  for (let index = 1; index < stamps.length; index++) expect((stamps[index] ?? 0) - (stamps[index - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
}

describe('a window streamed to Teams', () => {
  it('updates one card in place at most once a second, threads the milestones, and never draws a 429', async () => {
    const { fake, clock, cluster, path } = await setup();
    const h = await start(fake, clock, cluster, path);
    const cardId = await installRequestAndApprove(h, fake);
    await h.runUntil(async () => (await h.repositories.windows.get(1))?.state === 'closed', 10 * 60_000);
    await h.step(1000);

    expect(cards(fake)).toHaveLength(1);
    const live = card(fake);
    const updates = cardUpdates(fake, cardId);
    expect(updates.length).toBeGreaterThan(5);
    expectAtMostOncePerSecond(updates);
    expect(fake.callsOf('update').every((call) => call.conversationId === GENERAL_CHANNEL && call.body['id'] === cardId)).toBe(true);
    expect(cardText(live?.activity)).toContain('Maintenance window #1: closed');
    expect(cardText(live?.activity)).toContain('4/4 done');
    expect(cardActions(live?.activity)).toEqual([]);

    const thread = fake.replies(cardId).map((message) => cardText(message.activity));
    expect(thread[0]).toBe('👍 Bob Berg approved window #1.');
    expect(thread.at(-1)).toMatch(/^🏁 Window #1 closed \(completed\)\. kured removed\./);
    const threadCalls = fake.callsOf('reply').filter((call) => call.activityId === cardId);
    expect(threadCalls).toHaveLength(thread.length);
    expect(threadCalls.every((call) => call.conversationId === `${GENERAL_CHANNEL};messageid=${cardId}`)).toBe(true);

    expect(fake.rateLimited).toBe(0);
    expect(fake.calls.filter((call) => call.outcome !== 'ok')).toEqual([]);
    expect(await h.repositories.outbox.pending(10)).toEqual([]);
  });

  it('retries a card update Teams answers with 429 after its Retry-After, through the outbox, in order', async () => {
    const { fake, clock, cluster, path } = await setup();
    const h = await start(fake, clock, cluster, path);
    const cardId = await installRequestAndApprove(h, fake);
    await h.runUntil(async () => (await h.repositories.nodeProgress.list(1)).some((node) => node.state === 'draining'), 10 * 60_000);
    fake.failNext('update', { kind: 'status', status: 429, retryAfterS: 3 });
    await h.runUntil(() => fake.callsOf('update').some((call) => call.outcome === '429'), 60_000);
    const throttled = fake.callsOf('update').find((call) => call.outcome === '429');
    expect(h.engineLogs.some((line) => line.startsWith('warn chat delivery failed; will retry') && line.includes('HTTP 429'))).toBe(true);

    await h.runUntil(async () => (await h.repositories.windows.get(1))?.state === 'closed', 10 * 60_000);
    await h.step(1000);
    const after = fake.calls.filter((call) => call.at > (throttled?.at ?? 0));
    // Nothing went out to the conversation before the Retry-After had passed (the outbox keeps order).
    expect(after[0]?.stamp ?? 0).toBeGreaterThanOrEqual((throttled?.stamp ?? 0) + 3000);
    expect(after[0]).toMatchObject({ kind: 'update', activityId: cardId, outcome: 'ok' });
    expect(cardText(card(fake)?.activity)).toContain('4/4 done');
    expect(cards(fake)).toHaveLength(1);
    expect(fake.calls.filter((call) => call.outcome !== 'ok')).toHaveLength(1);
    expect(await h.repositories.outbox.pending(10)).toEqual([]);
  });

  it('goes on updating the same card after a restart mid-window, without posting it again', async () => {
    const { fake, clock, cluster, path } = await setup();
    const first = await start(fake, clock, cluster, path);
    const cardId = await installRequestAndApprove(first, fake);
    await first.runUntil(async () => (await first.repositories.nodeProgress.list(1)).some((node) => node.state === 'done'), 10 * 60_000);
    expect((await first.repositories.windows.get(1))?.state).toBe('open');
    const updatesBefore = cardUpdates(fake, cardId).length;
    const postsBefore = fake.callsOf('post').length;
    await first.shutdown();
    // A process restart takes longer than the conversation's rate-limit window.
    await new Promise((resolve) => setTimeout(resolve, FAKE_LIMIT.perMs + 50));

    // A new process: new engine, new outbox dispatcher, new Teams adapter, the same database.
    const second = await start(fake, clock, cluster, path);
    await second.runUntil(async () => (await second.repositories.windows.get(1))?.state === 'closed', 10 * 60_000);
    await second.step(1000);

    expect(cards(fake)).toHaveLength(1);
    expect(card(fake)?.id).toBe(cardId);
    expect(cardUpdates(fake, cardId).length).toBeGreaterThan(updatesBefore);
    expect(cardText(card(fake)?.activity)).toContain('4/4 done');
    expect(fake.callsOf('post')).toHaveLength(postsBefore);
    expect(fake.replies(cardId).map((message) => cardText(message.activity)).at(-1)).toMatch(/^🏁 Window #1 closed/);
    expect(fake.rateLimited).toBe(0);
    expect(fake.calls.filter((call) => call.outcome !== 'ok')).toEqual([]);
  });
});
