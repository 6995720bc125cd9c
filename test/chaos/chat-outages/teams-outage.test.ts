// A whole window (request → approve → open → every node rebooted → closed) on the simulated
// cluster, with the real Teams adapter (botbuilder's CloudAdapter) and outbox, while the fake Bot
// Connector fails half of all calls: 429 with Retry-After, HTTP 500, requests that hang past the
// client's timeout, and connections dropped mid-request. Faults that leave nothing processed must
// cost nothing: every message exactly once, card updates in order. Faults that lose the answer of
// a processed call make the outbox send again (the Bot Connector has no idempotency key either):
// those copies are counted and must be exactly one per lost answer. Figures: test-results/chaos/.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCluster } from '../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { parseTeamsRef } from '../../../bot/adapters/teams/teams-chat.ts';
import { cardText, FakeBotConnector } from '../../support/fake-bot-connector.ts';
import type { ConnectorCall, ConnectorFault } from '../../support/fake-bot-connector.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { ALICE, BOB, cardAction, channelMention, GENERAL_CHANNEL, installedInTeam, invokeMessage } from '../../support/teams-activities.ts';
import type { Activity } from '../../support/teams-activities.ts';
import { startTeamsHarness } from '../../support/teams-harness.ts';
import type { TeamsHarness } from '../../support/teams-harness.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { auditDelivery, readOutbox, readRefs } from './delivery-audit.ts';
import { FaultPlan, OUTAGE_KINDS, UNPROCESSED_KINDS } from './fault-plan.ts';
import type { OutageKind, PlannedFault } from './fault-plan.ts';
import { writeFigures } from './outage-report.ts';
import { teamsFingerprint, teamsTranscript } from './platform-transcripts.ts';

const dirs = tempDirs();
const cleanups: (() => Promise<void>)[] = [];
/** The client's timeout: every hang costs this much real time. */
const REQUEST_TIMEOUT_MS = 500;
const NODES = 4;
/** kured at its real pace (the bot deploys --period=1m), so the live card changes many times while the outage lasts. */
const REAL_PACE = { kuredPeriodMs: 60_000, evictionIntervalMs: 2000, budgetRefusalMs: 30_000, shutdownMs: 60_000, bootMs: 45_000, kuredRestartMs: 20_000 };

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  dirs.removeAll();
});

function teamsFault(planned: PlannedFault | undefined): ConnectorFault | undefined {
  if (planned === undefined) return undefined;
  const faults: Record<OutageKind, ConnectorFault> = {
    'rate-limited': { kind: 'status', status: 429, retryAfterS: planned.retryAfterS, code: 'TooManyRequests' },
    'server-error': { kind: 'status', status: 500 },
    timeout: { kind: 'hang' },
    reset: { kind: 'reset' },
    'processed-then-timeout': { kind: 'response-lost', as: 'hang' },
    'processed-then-reset': { kind: 'response-lost', as: 'reset' },
  };
  return faults[planned.kind];
}

interface Run {
  readonly h: TeamsHarness;
  readonly fake: FakeBotConnector;
  readonly plan: FaultPlan;
  /** Calls that answered a command inside its turn: not outbox traffic. */
  readonly inTurn: ReadonlySet<ConnectorCall>;
  readonly approval: string;
  readonly simulatedMs: number;
}

/** Requests, approves and runs a window to its end while the plan fails calls. */
async function windowThroughOutage(seed: number, kinds: readonly OutageKind[]): Promise<Run> {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  const cluster = new SimulatedCluster(clock, { seed: 1, nodeCount: NODES, pendingAtStart: NODES, timings: REAL_PACE });
  // Teams' send limit is played by the injected 429s; the fake's real-time one is off.
  const fake = await FakeBotConnector.start({ stamp: () => clock.now().getTime() });
  cleanups.push(() => fake.close());
  const plan = new FaultPlan({ seed, rate: 0.5, kinds });
  fake.chaos = (kind) => teamsFault(plan.next(kind));
  const h = await startTeamsHarness({ path: join(dirs.make(), 'p.db'), fake, clock, cluster, sendLimits: [], requestTimeoutMs: REQUEST_TIMEOUT_MS });
  cleanups.push(() => h.shutdown());
  const inTurn = new Set<ConnectorCall>();
  /** Sends an activity; the calls the fake sees until its turn ends are the turn's own answers. */
  const send = async (activity: Activity): Promise<Awaited<ReturnType<TeamsHarness['send']>>> => {
    const first = fake.calls.length;
    const answer = await h.send(activity);
    for (const call of fake.calls.slice(first)) inTurn.add(call);
    return answer;
  };
  // Installing the app binds the channel (and says so); the outage starts with the request.
  expect((await send(installedInTeam(ALICE, { serviceUrl: fake.serviceUrl }))).status).toBe(200);
  const started = clock.now().getTime();
  plan.start();

  expect((await send(channelMention(ALICE, 'open 1h', { serviceUrl: fake.serviceUrl }))).status).toBe(200);
  expect((await h.repositories.windows.get(1))?.state).toBe('requested');
  // The approval card must be in the channel before anyone can click it.
  await h.runUntil(async () => (await h.repositories.outbox.countPending()) === 0, 10 * 60_000, 1000);
  const cardRef = await h.repositories.outbox.refFor('window:1');
  expect(cardRef).toBeDefined();
  const approved = await send(cardAction(BOB, 'approve', '1', { serviceUrl: fake.serviceUrl, cardId: parseTeamsRef(cardRef ?? { id: '' }).activityId }));
  const approval = String(invokeMessage(approved));
  expect((await h.repositories.windows.get(1))?.state).not.toBe('requested');
  await h.runUntil(async () => (await h.repositories.windows.get(1))?.state === 'closed' && (await h.repositories.outbox.countPending()) === 0, 3 * 3_600_000, 1000);
  plan.stop();
  return { h, fake, plan, inTurn, approval, simulatedMs: clock.now().getTime() - started };
}

async function audit(run: Run, name: string): Promise<ReturnType<typeof auditDelivery>> {
  const { h, fake, plan, inTurn } = run;
  const transcript = teamsTranscript(fake, (call) => inTurn.has(call));
  const result = auditDelivery({
    outbox: await readOutbox(h.store.database),
    refs: await readRefs(h.store.database),
    calls: transcript.calls,
    fingerprint: teamsFingerprint,
    finalContent: transcript.finalContent,
  });
  const window = await h.repositories.windows.get(1);
  const nodes = await h.repositories.nodeProgress.list(1);
  const answers = [...inTurn];
  writeFigures(name, {
    platform: 'teams',
    faultRate: 0.5,
    callsByKind: plan.calls(),
    faultsInjected: plan.injectedTotal(),
    faultsByKind: plan.injectedByKind(),
    ...result.figures,
    commandAnswers: { calls: answers.length, accepted: answers.filter((call) => call.outcome === 'ok').length, approvalAnswer: run.approval },
    window: { state: window?.state, closeReason: window?.closeReason, nodesDone: nodes.filter((node) => node.state === 'done').length, nodes: nodes.length },
    simulatedMinutes: Math.round(run.simulatedMs / 60_000),
  });
  return result;
}

async function expectWindowCompleted(h: TeamsHarness): Promise<void> {
  expect(await h.repositories.windows.get(1)).toMatchObject({ state: 'closed', closeReason: 'completed', decidedBy: `teams:${BOB.aadObjectId}` });
  const nodes = await h.repositories.nodeProgress.list(1);
  expect(nodes).toHaveLength(NODES);
  expect(nodes.every((node) => node.state === 'done')).toBe(true);
}

describe('Teams failing half of all calls through a whole window', () => {
  it('delivers every message exactly once, and every card update in order, when failed calls did nothing', async () => {
    const run = await windowThroughOutage(2026, UNPROCESSED_KINDS);
    await expectWindowCompleted(run.h);
    const { figures, problems } = await audit(run, 'chat-outage-teams-unprocessed');

    expect(problems).toEqual([]);
    expect(figures.duplicates).toBe(0);
    expect(figures.messagesDelivered).toBe(figures.messagesSent);
    // The outage really happened: about half of the outbox's calls failed, each kind several times.
    expect(figures.calls.failed / figures.calls.total).toBeGreaterThan(0.35);
    for (const kind of UNPROCESSED_KINDS) expect(run.plan.injectedByKind()[kind]).toBeGreaterThanOrEqual(3);
    expect(figures.retries).toBe(figures.calls.failed);
    expect(run.approval).toBe('You approved window #1.');
    const cards = run.fake.topLevel(GENERAL_CHANNEL).filter((message) => String(message.activity['summary']).includes('Maintenance window #1:'));
    expect(cards).toHaveLength(1);
    expect(cardText(run.fake.replies(cards[0]?.id ?? '').at(-1)?.activity)).toMatch(/^🏁 Window #1 closed \(completed\)\. kured removed\./);
  });

  it('sends a copy for each post or reply whose answer was lost, and nothing else goes wrong', async () => {
    const run = await windowThroughOutage(7, OUTAGE_KINDS);
    await expectWindowCompleted(run.h);
    const { figures, problems } = await audit(run, 'chat-outage-teams-answers-lost');

    expect(problems).toEqual([]);
    const lostPosts = run.fake.calls.filter((call) => !run.inTurn.has(call) && call.kind !== 'update' && call.outcome === 'ok' && call.responseLost !== undefined).length;
    expect(lostPosts).toBeGreaterThan(0);
    expect(figures.duplicates).toBe(lostPosts);
    expect(figures.messagesDelivered).toBe(figures.messagesSent + lostPosts);
  });
});
