// A whole window streamed to (fake) Slack through the real outbox: one live card updated in
// place at most once a second, milestones in its thread, never a 429 from a Slack that enforces
// one post per second per channel (nor, in a busy window, from one that enforces chat.update's
// 50 a minute); and a bot restarted mid-window goes on updating the same card.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import type { FakeCall, FakeMessage } from '../../../../support/fake-slack-api.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { ALICE_ID, BOB_ID, startSlackHarness } from '../../../../support/slack-harness.ts';
import type { SlackHarness } from '../../../../support/slack-harness.ts';
import { blockActionsBody, postSigned, slashCommandBody } from '../../../../support/slack-requests.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
// Slack allows about one post per second per channel. The pacing itself is tested at that rate
// (slack-chat.test.ts); here, to keep a window's ~25 posts quick, the fake enforces a quarter of it
// and the port paces a little above that, the same relation as in production (1 s against Slack's 1 s).
const FAKE_POST_INTERVAL_MS = 250;
const PORT_POST_INTERVAL_MS = 300;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  dirs.removeAll();
});

async function setup(nodes = 6, pending = 4, updatesPerMinute = 0, postIntervalMs = FAKE_POST_INTERVAL_MS): Promise<{ fake: FakeSlackApi; clock: ManualClock; cluster: SimulatedCluster; path: string }> {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  const cluster = new SimulatedCluster(clock, { seed: 1, nodeCount: nodes, pendingAtStart: pending });
  // The fake stamps every call with the engine's (manual) time, and limits posts per channel in real time.
  const fake = await FakeSlackApi.start({ stamp: () => clock.now().getTime(), postIntervalMs, updatesPerMinute });
  cleanups.push(() => fake.close());
  return { fake, clock, cluster, path: join(dirs.make(), 'p.db') };
}

async function start(fake: FakeSlackApi, clock: ManualClock, cluster: SimulatedCluster, path: string, minPostIntervalMs = PORT_POST_INTERVAL_MS): Promise<SlackHarness> {
  const h = await startSlackHarness({ path, fake, clock, cluster, minPostIntervalMs });
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

async function requestAndApprove(h: SlackHarness, fake: FakeSlackApi, command = 'open 1h'): Promise<void> {
  expect((await postSigned(h.eventsUrl, slashCommandBody({ text: command, userId: ALICE_ID, responseUrl: fake.responseUrl() }))).status).toBe(200);
  await fake.waitFor(() => fake.responses.length === 1);
  expect((await postSigned(h.eventsUrl, blockActionsBody({ actionId: 'approve', value: '1', userId: BOB_ID, userName: 'bob', responseUrl: fake.responseUrl() }))).status).toBe(200);
  await fake.waitFor(() => fake.responses.length === 2);
  expect(fake.responses[1]?.body['text']).toBe('You approved window #1.');
}

function card(fake: FakeSlackApi): FakeMessage | undefined {
  return fake.topLevel().find((message) => message.text.includes('Maintenance window #1:'));
}

function cardUpdates(fake: FakeSlackApi, ts: string): number[] {
  return fake
    .callsTo('chat.update')
    .filter((call) => call.args['ts'] === ts && call.outcome === 'ok')
    .map((call) => call.stamp ?? 0);
}

/**
 * Steps the bot about as fast as real time until `done`, within `timeoutMs` of real time: what
 * waits for Slack's update limit (kept in real time) goes out once it allows.
 */
async function stepInRealTimeUntil(h: SlackHarness, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms; pending: ${JSON.stringify(await h.repositories.outbox.pending(5))}`);
    await h.step(250);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The most calls that fell into any rolling real-time minute. */
function busiestMinute(calls: readonly FakeCall[]): number {
  return Math.max(0, ...calls.map((call) => calls.filter((other) => other.at > call.at - 60_000 && other.at <= call.at).length));
}

function expectAtMostOncePerSecond(stamps: readonly number[]): void {
  for (let index = 1; index < stamps.length; index++) expect((stamps[index] ?? 0) - (stamps[index - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
}

describe('a window streamed to Slack', () => {
  it('streams a 20-node window: one card updated at most once a second, milestones threaded, never a 429', async () => {
    const { fake, clock, cluster, path } = await setup(20, 20);
    const h = await start(fake, clock, cluster, path);
    await requestAndApprove(h, fake, 'open 1h --concurrency 4');
    await h.runUntil(async () => (await h.repositories.windows.get(1))?.state === 'closed', 10 * 60_000);
    await h.step(1000);

    const live = card(fake);
    expect(live).toBeDefined();
    const ts = live?.ts ?? '';
    expect(fake.topLevel().filter((message) => message.text.includes('Maintenance window #1:'))).toHaveLength(1);
    const updates = cardUpdates(fake, ts);
    expect(updates.length).toBeGreaterThan(5);
    expectAtMostOncePerSecond(updates);
    expect(live?.text).toContain('closed');
    expect(JSON.stringify(live?.blocks)).toContain('20/20 done');
    expect(JSON.stringify(live?.blocks)).not.toContain('"actions"');

    const thread = fake.replies(ts).map((message) => message.text);
    expect(thread[0]).toBe('👍 bob approved window #1.');
    expect(thread.at(-1)).toMatch(/^🏁 Window #1 closed \(completed\)\. kured removed\./);

    expect(fake.rateLimited).toBe(0);
    expect(fake.calls.filter((call) => call.outcome !== 'ok')).toEqual([]);
    expect(await h.repositories.outbox.pending(10)).toEqual([]);
  }, 120_000); // about 120 thread replies, each paced in real time as Slack requires

  it('keeps within chat.update\'s workspace limit (50 a minute) in a busy window: no 429, and the card still ends in its final state', async () => {
    // The fake enforces Slack's tier-3 limit in real time, as Slack does. 50 nodes, posts paced at
    // a tenth of Slack's interval: the engine's clock runs faster than real time, so the card
    // (updated once a second of engine time) wants well over 50 updates in a real minute.
    const { fake, clock, cluster, path } = await setup(50, 50, 50, 100);
    const h = await start(fake, clock, cluster, path, 120);
    await requestAndApprove(h, fake, 'open 2h --concurrency 5');
    await h.runUntil(async () => (await h.repositories.windows.get(1))?.state === 'closed', 10 * 60_000);
    // What waited for the limit goes out once it allows (in real time): the card's last state.
    await stepInRealTimeUntil(h, async () => (await h.repositories.outbox.pending(10)).length === 0, 70_000);
    expect(card(fake)?.text).toContain('closed');
    expect(JSON.stringify(card(fake)?.blocks)).toContain('50/50 done');

    const updates = fake.callsTo('chat.update');
    expect(fake.updatesRateLimited).toBe(0);
    expect(fake.rateLimited).toBe(0);
    expect(fake.calls.filter((call) => call.outcome !== 'ok')).toEqual([]);
    expect(busiestMinute(updates)).toBeLessThanOrEqual(50);
    expect(JSON.stringify(card(fake)?.blocks)).not.toContain('"actions"');
    expect(fake.replies(card(fake)?.ts ?? '').at(-1)?.text).toMatch(/^🏁 Window #1 closed \(completed\)\./);
  }, 180_000);

  it('goes on updating the same card after a restart mid-window, without posting it again', async () => {
    const { fake, clock, cluster, path } = await setup();
    const first = await start(fake, clock, cluster, path);
    await requestAndApprove(first, fake);
    await first.runUntil(async () => (await first.repositories.nodeProgress.list(1)).some((node) => node.state === 'done'), 10 * 60_000);
    expect((await first.repositories.windows.get(1))?.state).toBe('open');
    const ts = card(fake)?.ts ?? '';
    const updatesBefore = cardUpdates(fake, ts).length;
    const postsBefore = fake.callsTo('chat.postMessage').length;
    await first.shutdown();
    // A process restart takes longer than Slack's post interval.
    await new Promise((resolve) => setTimeout(resolve, PORT_POST_INTERVAL_MS));

    // A new process: new engine, new outbox dispatcher, new Slack adapter, the same database.
    const second = await start(fake, clock, cluster, path);
    await second.runUntil(async () => (await second.repositories.windows.get(1))?.state === 'closed', 10 * 60_000);
    await second.step(1000);

    expect(fake.topLevel().filter((message) => message.text.includes('Maintenance window #1:'))).toHaveLength(1);
    expect(card(fake)?.ts).toBe(ts);
    expect(cardUpdates(fake, ts).length).toBeGreaterThan(updatesBefore);
    expect(JSON.stringify(card(fake)?.blocks)).toContain('4/4 done');
    const newPosts = fake.callsTo('chat.postMessage').slice(postsBefore);
    expect(newPosts.every((call) => call.args['thread_ts'] === ts)).toBe(true);
    expect(fake.replies(ts).at(-1)?.text).toMatch(/^🏁 Window #1 closed/);
    expect(fake.rateLimited).toBe(0);
    expect(fake.calls.filter((call) => call.outcome !== 'ok')).toEqual([]);
  });
});
