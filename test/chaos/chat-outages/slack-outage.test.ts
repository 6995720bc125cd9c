// A whole window (request → approve → open → every node rebooted → closed) on the simulated
// cluster, with the real Slack adapter and outbox, while the fake Slack Web API fails half of all
// calls: 429 with Retry-After, HTTP 500, requests that hang past the client's timeout, and
// connections dropped mid-request. Faults that leave nothing processed must cost nothing: every
// message exactly once, updates in order. Faults that lose the answer of a processed call (Slack has
// no idempotency key) make the outbox post again: those copies are counted and must be exactly one
// per lost answer, each a copy of the message retried right after it. Figures: test-results/chaos/.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { FakeSlackApi } from '../../support/fake-slack-api.ts';
import type { Fault } from '../../support/fake-slack-api.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { ALICE_ID, BOB_ID, startSlackHarness } from '../../support/slack-harness.ts';
import type { SlackHarness } from '../../support/slack-harness.ts';
import { blockActionsBody, postSigned, slashCommandBody } from '../../support/slack-requests.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { auditDelivery, readOutbox, readRefs } from './delivery-audit.ts';
import { FaultPlan, OUTAGE_KINDS, UNPROCESSED_KINDS } from './fault-plan.ts';
import type { OutageKind, PlannedFault } from './fault-plan.ts';
import { writeFigures, until } from './outage-report.ts';
import { slackFingerprint, slackTranscript } from './platform-transcripts.ts';

const dirs = tempDirs();
const cleanups: (() => Promise<void>)[] = [];
/** The client's timeout: every hang costs this much real time. */
const REQUEST_TIMEOUT_MS = 500;
const NODES = 4;
/** More chat.update calls per real minute than the whole run makes. */
const UNCAPPED = 1_000_000;
/** kured at its real pace (the bot deploys --period=1m), so the live message changes many times while the outage lasts. */
const REAL_PACE = { kuredPeriodMs: 60_000, evictionIntervalMs: 2000, budgetRefusalMs: 30_000, shutdownMs: 60_000, bootMs: 45_000, kuredRestartMs: 20_000 };

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  dirs.removeAll();
});

function slackFault(planned: PlannedFault | undefined): Fault | undefined {
  if (planned === undefined) return undefined;
  const faults: Record<OutageKind, Fault> = {
    'rate-limited': { kind: 'rate-limited', retryAfterS: planned.retryAfterS },
    'server-error': { kind: 'http', status: 500 },
    timeout: { kind: 'hang' },
    reset: { kind: 'reset' },
    'processed-then-timeout': { kind: 'response-lost', as: 'hang' },
    'processed-then-reset': { kind: 'response-lost', as: 'reset' },
  };
  return faults[planned.kind];
}

interface Run {
  readonly h: SlackHarness;
  readonly fake: FakeSlackApi;
  readonly plan: FaultPlan;
  readonly simulatedMs: number;
}

/** Requests, approves and runs a window to its end while the plan fails calls. */
async function windowThroughOutage(seed: number, kinds: readonly OutageKind[]): Promise<Run> {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  const cluster = new SimulatedCluster(clock, { seed: 1, nodeCount: NODES, pendingAtStart: NODES, timings: REAL_PACE });
  // Slack's own limits are played by the injected 429s: the fake's real-time post limit is off, and
  // so is the adapter's real-time cap on updates (hours of simulated updates pass in seconds).
  const fake = await FakeSlackApi.start({ stamp: () => clock.now().getTime(), postIntervalMs: 0 });
  cleanups.push(() => fake.close());
  const plan = new FaultPlan({ seed, rate: 0.5, kinds });
  fake.chaos = (method) => slackFault(plan.next(method));
  const h = await startSlackHarness({ path: join(dirs.make(), 'p.db'), fake, clock, cluster, minPostIntervalMs: 0, updatesPerMinute: UNCAPPED, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  cleanups.push(() => h.shutdown());
  const started = clock.now().getTime();
  plan.start();

  expect((await postSigned(h.eventsUrl, slashCommandBody({ text: 'open 1h', userId: ALICE_ID, responseUrl: fake.responseUrl() }))).status).toBe(200);
  await until(async () => (await h.repositories.windows.get(1))?.state === 'requested', 'window #1 to be requested');
  // The approval card must be in the channel before anyone can click it.
  await h.runUntil(async () => (await h.repositories.outbox.countPending()) === 0, 10 * 60_000, 1000);
  expect((await postSigned(h.eventsUrl, blockActionsBody({ actionId: 'approve', value: '1', userId: BOB_ID, userName: 'bob', responseUrl: fake.responseUrl() }))).status).toBe(200);
  await until(async () => (await h.repositories.windows.get(1))?.state !== 'requested', 'window #1 to be decided');
  await h.runUntil(async () => (await h.repositories.windows.get(1))?.state === 'closed' && (await h.repositories.outbox.countPending()) === 0, 3 * 3_600_000, 1000);
  plan.stop();
  return { h, fake, plan, simulatedMs: clock.now().getTime() - started };
}

async function audit(run: Run, name: string): Promise<ReturnType<typeof auditDelivery>> {
  const { h, fake, plan } = run;
  const transcript = slackTranscript(fake);
  const result = auditDelivery({
    outbox: await readOutbox(h.store.database),
    refs: await readRefs(h.store.database),
    calls: transcript.calls,
    fingerprint: slackFingerprint,
    finalContent: transcript.finalContent,
  });
  const window = await h.repositories.windows.get(1);
  const nodes = await h.repositories.nodeProgress.list(1);
  writeFigures(name, {
    platform: 'slack',
    faultRate: 0.5,
    callsByMethod: plan.calls(),
    faultsInjected: plan.injectedTotal(),
    faultsByKind: plan.injectedByKind(),
    ...result.figures,
    commandAnswers: { viaResponseUrl: fake.responses.length, viaEphemeral: fake.ephemerals.length },
    window: { state: window?.state, closeReason: window?.closeReason, nodesDone: nodes.filter((node) => node.state === 'done').length, nodes: nodes.length },
    simulatedMinutes: Math.round(run.simulatedMs / 60_000),
  });
  return result;
}

async function expectWindowCompleted(h: SlackHarness): Promise<void> {
  expect(await h.repositories.windows.get(1)).toMatchObject({ state: 'closed', closeReason: 'completed', decidedBy: `slack:${BOB_ID}` });
  const nodes = await h.repositories.nodeProgress.list(1);
  expect(nodes).toHaveLength(NODES);
  expect(nodes.every((node) => node.state === 'done')).toBe(true);
}

describe('Slack failing half of all calls through a whole window', () => {
  it('delivers every message exactly once, and every update in order, when failed calls did nothing', async () => {
    const run = await windowThroughOutage(2026, UNPROCESSED_KINDS);
    await expectWindowCompleted(run.h);
    const { figures, problems } = await audit(run, 'chat-outage-slack-unprocessed');

    expect(problems).toEqual([]);
    expect(figures.duplicates).toBe(0);
    expect(figures.messagesDelivered).toBe(figures.messagesSent);
    // The outage really happened: about half of the outbox's calls failed, each kind several times.
    expect(figures.calls.failed / figures.calls.total).toBeGreaterThan(0.35);
    for (const kind of UNPROCESSED_KINDS) expect(run.plan.injectedByKind()[kind]).toBeGreaterThanOrEqual(3);
    expect(figures.retries).toBe(figures.calls.failed);
    const card = run.fake.topLevel().filter((message) => message.text.includes('Maintenance window #1:'));
    expect(card).toHaveLength(1);
    expect(run.fake.replies(card[0]?.ts ?? '').at(-1)?.text).toMatch(/^🏁 Window #1 closed \(completed\)\. kured removed\./);
  });

  it('posts a copy for each post whose answer was lost, and nothing else goes wrong', async () => {
    const run = await windowThroughOutage(7, OUTAGE_KINDS);
    await expectWindowCompleted(run.h);
    const { figures, problems } = await audit(run, 'chat-outage-slack-answers-lost');

    expect(problems).toEqual([]);
    const lostPosts = run.fake.callsTo('chat.postMessage').filter((call) => call.outcome === 'ok' && call.responseLost !== undefined).length;
    expect(lostPosts).toBeGreaterThan(0);
    expect(figures.duplicates).toBe(lostPosts);
    expect(figures.messagesDelivered).toBe(figures.messagesSent + lostPosts);
  });
});
