// A whole window streamed to (fake) Slack through the real outbox: one live card updated in
// place at most once a second, milestones in its thread, never a 429 from a Slack that enforces
// one post per second per channel; and a bot restarted mid-window goes on updating the same card.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { FakeSlackApi } from '../../../../support/fake-slack-api.ts';
import type { FakeMessage } from '../../../../support/fake-slack-api.ts';
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

async function setup(nodes = 6, pending = 4): Promise<{ fake: FakeSlackApi; clock: ManualClock; cluster: SimulatedCluster; path: string }> {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  const cluster = new SimulatedCluster(clock, { seed: 1, nodeCount: nodes, pendingAtStart: pending });
  // The fake stamps every call with the engine's (manual) time, and limits posts per channel in real time.
  const fake = await FakeSlackApi.start({ stamp: () => clock.now().getTime(), postIntervalMs: FAKE_POST_INTERVAL_MS });
  cleanups.push(() => fake.close());
  return { fake, clock, cluster, path: join(dirs.make(), 'p.db') };
}

async function start(fake: FakeSlackApi, clock: ManualClock, cluster: SimulatedCluster, path: string): Promise<SlackHarness> {
  const h = await startSlackHarness({ path, fake, clock, cluster, minPostIntervalMs: PORT_POST_INTERVAL_MS });
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
