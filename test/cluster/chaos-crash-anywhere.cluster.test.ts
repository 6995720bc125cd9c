// Chaos on the cluster tier (issue 11, item 1): the real `patchwindow bot` process, with Slack as
// its chat platform (the fake Slack Web API, commands as signed slash commands), runs a window over
// two nodes of a real control plane (kured deployed by the bot, played per node by the harness;
// real agents report the pending reboots). At one lifecycle point per run the bot is killed with
// SIGKILL and started again on the same database. Each run must end with the window closed on
// time, kured gone, every outbox message in Slack exactly once, each window transition audited
// once, and no reboot outside the approved window (harness/reboot-invariant.ts).
// Points: requested, awaiting approval, approved, opening (kured's DaemonSet just created), open
// with a node draining (it was just cordoned), open with a node rebooting (it just went NotReady),
// closing (kured's DaemonSet being deleted), closed. Three runs per point (24 windows, about 8
// minutes on 2 cores; CHAOS_CRASH_ROUNDS changes it), with time compressed: a 3 minute window, 1 s
// kured period, 1 s reboots. The safety-net Job is off here (no kubelet runs Jobs in this
// tier; safety-net.cluster.test.ts plays it): kured's removal is the restarted bot's alone.
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import { FAKE_CHANNEL, FAKE_TEAM_ID, FAKE_TOKEN, FakeSlackApi } from '../support/fake-slack-api.ts';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../support/slack-requests.ts';
import { tempDirs } from '../support/temp-dirs.ts';
import type { AgentProcess } from './harness/agent.ts';
import { CLI } from './harness/bot.ts';
import type { Informer } from './harness/kube.ts';
import type { DaemonSet, Node } from './harness/kube-types.ts';
import { isNodeReady } from './harness/kube-types.ts';
import { kuredMode, startKuredTier } from './harness/kured-tier.ts';
import type { KuredTier } from './harness/kured-tier.ts';
import { startTierAgents } from './harness/tier-agents.ts';
import type { ManagedProcess } from './harness/processes.ts';
import { approvedIntervals, checkInvariant, readDatabase, recordReboots, writeChaosResult } from './harness/reboot-invariant.ts';
import type { ApprovedInterval, RebootRecorder, RebootSign } from './harness/reboot-invariant.ts';

const NODES = ['node-1', 'node-2'];
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const WINDOW_MINUTES = 3;
const KURED_DS = '/apis/apps/v1/namespaces/kured/daemonsets/kured';
const TRANSITIONS = ['window.requested', 'window.approved', 'window.opening', 'window.opened', 'window.closing', 'window.closed'];
const mode = kuredMode();
const dirs = tempDirs();

type Point = 'requested' | 'awaiting-approval' | 'approved' | 'opening' | 'draining' | 'rebooting' | 'closing' | 'closed';
const POINTS: readonly Point[] = ['requested', 'awaiting-approval', 'approved', 'opening', 'draining', 'rebooting', 'closing', 'closed'];
const ROUNDS = rounds(process.env.CHAOS_CRASH_ROUNDS);
/** Every point once per round, the rounds one after the other. */
const RUNS: readonly { readonly point: Point; readonly round: number }[] = Array.from({ length: ROUNDS }, (_, index) => POINTS.map((point) => ({ point, round: index + 1 }))).flat();

function rounds(text: string | undefined): number {
  if (text === undefined || text === '') return 3;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`CHAOS_CRASH_ROUNDS must be a whole number of rounds (1 or more), not ${JSON.stringify(text)}`);
  return value;
}

async function until<T>(description: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${context() === '' ? '' : `\n${context()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface WindowRow {
  readonly id: number;
  readonly state: string;
  readonly end_at: string;
}
interface OutboxRow {
  readonly id: number;
  readonly kind: string;
  readonly delivered_at: string | null;
  readonly abandoned_at: string | null;
}
interface AuditRow {
  readonly at: string;
  readonly action: string;
}

interface RunFigures {
  readonly point: Point;
  readonly round: number;
  readonly killedIn: string;
  readonly windowState: string;
  readonly closedLateMs: number;
  readonly kuredGoneAfterCloseMs: number;
  readonly outboxPostsAndReplies: number;
  readonly slackMessages: number;
  readonly reboots: number;
}

describe.skipIf(mode === 'missing')(`chaos: the real bot killed with SIGKILL at each point of a window (${mode === 'standin' ? 'kured STAND-IN' : 'real kured'})`, () => {
  let tier: KuredTier | undefined;
  let kube: KubernetesCluster | undefined;
  let slack: FakeSlackApi | undefined;
  let nodeInformer: Informer<Node> | undefined;
  let dsInformer: Informer<DaemonSet> | undefined;
  let recorder: RebootRecorder | undefined;
  const agents: AgentProcess[] = [];
  const intervals: ApprovedInterval[] = [];
  const figures: RunFigures[] = [];
  const botsOfRun: ManagedProcess[] = [];
  let failed = false;

  beforeAll(async () => {
    tier = await startKuredTier({ nodes: NODES, periodSeconds: 1 });
    const { cluster } = tier;
    // the agents, with their manifests' RBAC, each watching its node's /var/run/reboot-required
    await startTierAgents(tier, NODES, agents);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.adminKubeconfig);
    kube = new KubernetesCluster({ kubeConfig, source: 'test admin kubeconfig' });
    slack = await FakeSlackApi.start({ postIntervalMs: 0 });
    nodeInformer = cluster.admin.informer<Node>('/api/v1/nodes');
    dsInformer = cluster.admin.informer<DaemonSet>('/apis/apps/v1/namespaces/kured/daemonsets');
    await Promise.all([nodeInformer.synced, dsInformer.synced]);
    recorder = recordReboots(nodeInformer);
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') failed = true;
    // a failed run must not leave its bot acting on the next run's window (it removes "orphan" kureds)
    for (const bot of botsOfRun.splice(0)) {
      if (bot.isRunning()) process.kill(bot.pid, 'SIGKILL');
      await bot.exited;
    }
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    recorder?.stop();
    nodeInformer?.stop();
    dsInformer?.stop();
    await kube?.close().catch((error: unknown) => problems.push(error));
    await slack?.close().catch((error: unknown) => problems.push(error));
    for (const agent of agents) await agent.stop(5000).catch((error: unknown) => problems.push(error));
    await tier?.stop(failed || problems.length > 0).catch((error: unknown) => problems.push(error));
    dirs.removeAll();
    if (problems.length > 0) throw new AggregateError(problems, 'teardown failed');
  });

  it.each(RUNS)('killed at $point (round $round), restarted on the same database: window closed on time, kured gone, every message once, audit complete', async ({ point, round }) => {
    if (tier === undefined || kube === undefined || slack === undefined || nodeInformer === undefined || dsInformer === undefined || recorder === undefined) throw new Error('not started');
    const { cluster, daemons } = tier;
    const fake = slack;
    const k = kube;
    const nodes = nodeInformer;
    const daemonSets = dsInformer;
    const db = path.join(dirs.make(`patchwindow-crash-${point}-${round}-`), 'patchwindow.db');
    const channel = FAKE_CHANNEL;
    const messagesBefore = fake.topLevel().length;
    const repliesBefore = fake.topLevel().reduce((sum, message) => sum + fake.replies(message.ts).length, 0);
    let generation = 0;

    const startBot = async (): Promise<{ process: ManagedProcess; base: string }> => {
      generation += 1;
      const name = `patchwindow-bot-${point}-${round}-${generation}`;
      const bot = cluster.supervisor.start(name, process.execPath, [CLI, 'bot'], {
        logFile: path.join(cluster.dir, 'logs', `${name}.log`),
        cwd: cluster.dir,
        env: {
          KUBECONFIG: cluster.adminKubeconfig,
          HOME: cluster.dir,
          PATCHWINDOW_CLUSTER: 'kube',
          PATCHWINDOW_LEADER_ELECTION: 'false',
          PATCHWINDOW_SAFETY_NET: 'false',
          PATCHWINDOW_HTTP_PORT: '0',
          PATCHWINDOW_DB: db,
          PATCHWINDOW_LOG_FORMAT: 'json',
          PATCHWINDOW_APPROVERS: `slack:${ALICE},slack:${BOB}`,
          SLACK_BOT_TOKEN: FAKE_TOKEN,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          PATCHWINDOW_SLACK_CHANNEL: channel,
          PATCHWINDOW_SLACK_API_URL: fake.apiUrl,
          PATCHWINDOW_SLACK_TEAM_ID: FAKE_TEAM_ID,
        },
      });
      botsOfRun.push(bot);
      const listening = JSON.parse(await bot.waitForOutput(/"msg":"HTTP server listening"/, 60_000)) as { port: number };
      return { process: bot, base: `http://127.0.0.1:${listening.port}` };
    };
    const command = async (base: string, user: string, text: string): Promise<void> => {
      const sent = await postSigned(`${base}/slack/events`, slashCommandBody({ text, userId: user, userName: user, responseUrl: fake.responseUrl() }));
      expect(sent.status, `/patchwindow ${text}`).toBe(200);
    };
    const window = async (): Promise<WindowRow | undefined> => (await readDatabase<WindowRow>(db, 'SELECT id, state, end_at FROM windows WHERE id = 1'))[0];
    const state = async (): Promise<string> => (await window())?.state ?? 'none';

    // both nodes need a reboot, as their agents report
    for (const node of NODES) daemons.touchSentinel(node);
    await until('2 pending nodes', 30_000, async () => ((await k.nodes()).filter((node) => node.pendingReboot !== undefined).length === 2 ? true : undefined));
    const signsBefore = recorder.signs().length;

    let bot = await startBot();
    let killedIn = '';
    const kill = async (): Promise<void> => {
      process.kill(bot.process.pid, 'SIGKILL');
      expect(await bot.process.exited).toMatchObject({ signal: 'SIGKILL' });
      killedIn = await state();
    };
    // the point's trigger, armed before the step that reaches it: a watch event kills at once
    let watchKill: Promise<void> | undefined;
    const killOn = (observe: (stop: () => void) => () => void): void => {
      watchKill = new Promise<void>((resolve) => {
        let fired = false;
        const off = observe(() => {
          if (fired) return;
          fired = true;
          process.kill(bot.process.pid, 'SIGKILL');
          off();
          resolve();
        });
      });
    };
    if (point === 'opening') killOn((fire) => daemonSets.onEvent((type) => { if (type === 'ADDED') fire(); }));
    if (point === 'closing') killOn((fire) => daemonSets.onEvent((type, ds) => { if (type === 'DELETED' || ds.metadata.deletionTimestamp !== undefined) fire(); }));
    if (point === 'draining') killOn((fire) => nodes.onEvent((_type, node) => { if (node.spec?.unschedulable === true && isNodeReady(node)) fire(); }));
    if (point === 'rebooting') killOn((fire) => nodes.onEvent((_type, node) => { if (!isNodeReady(node)) fire(); }));

    await command(bot.base, ALICE, `open ${WINDOW_MINUTES}m --reason "crash at ${point}, round ${round}"`);
    if (point === 'requested') {
      await until('window #1 requested', 30_000, async () => ((await state()) === 'requested' ? true : undefined));
      await kill();
    }
    if (point === 'awaiting-approval') {
      await until('window #1 requested and its approval request in Slack', 30_000, async () => {
        const outbox = await readDatabase<OutboxRow>(db, 'SELECT id, kind, delivered_at, abandoned_at FROM outbox');
        return (await state()) === 'requested' && outbox.every((row) => row.delivered_at !== null) ? true : undefined;
      });
      await kill();
    }
    if (point === 'requested' || point === 'awaiting-approval') bot = await startBot();
    await until('window #1 requested', 30_000, async () => ((await state()) === 'requested' ? true : undefined));
    await command(bot.base, BOB, 'approve 1');
    if (point === 'approved') {
      await until('window #1 approved', 30_000, async () => (['approved', 'opening', 'open'].includes(await state()) ? true : undefined));
      await kill();
    }
    if (point === 'closed') {
      await until('window #1 closed', 180_000, async () => ((await state()) === 'closed' ? true : undefined), () => bot.process.output().slice(-3000));
      await kill();
    }
    if (watchKill !== undefined) {
      await Promise.race([watchKill, bot.process.exited.then(() => undefined)]);
      await until('the bot gone', 10_000, () => (bot.process.isRunning() ? undefined : true));
      expect(await bot.process.exited, bot.process.output().slice(-3000)).toMatchObject({ signal: 'SIGKILL' });
      killedIn = await state();
    }
    if (!bot.process.isRunning()) bot = await startBot();
    const runningBot = bot;
    const story = (): string => `killed in ${killedIn}\n${runningBot.process.output().slice(-4000)}`;

    // ---- the window ends closed, on time, and kured is gone
    const closed = await until('window #1 closed', 240_000, async () => {
      const row = await window();
      return row !== undefined && ['closed', 'failed'].includes(row.state) ? row : undefined;
    }, story);
    expect(closed.state, story()).toBe('closed');
    const audit = await readDatabase<AuditRow>(db, "SELECT at, action FROM audit_log WHERE subject = 'window:1' ORDER BY id");
    const closedAt = Date.parse(audit.find((row) => row.action === 'window.closed')?.at ?? '');
    const endAt = Date.parse(closed.end_at);
    expect(closedAt, story()).toBeLessThanOrEqual(endAt);
    await until('kured gone', 10_000, async () => ((await cluster.admin.find(KURED_DS)) === undefined ? true : undefined));
    const kuredGoneAt = Date.now();
    expect(kuredGoneAt, 'kured gone within the grace (2 min) of the window end').toBeLessThan(endAt + 120_000);

    // ---- every message the outbox holds reached Slack exactly once
    await until('outbox delivered', 60_000, async () => {
      const rows = await readDatabase<OutboxRow>(db, 'SELECT id, kind, delivered_at, abandoned_at FROM outbox');
      return rows.every((row) => row.delivered_at !== null) ? true : undefined;
    }, story);
    const outbox = await readDatabase<OutboxRow>(db, 'SELECT id, kind, delivered_at, abandoned_at FROM outbox ORDER BY id');
    expect(outbox.filter((row) => row.abandoned_at !== null)).toEqual([]);
    const posts = outbox.filter((row) => row.kind === 'post').length;
    const replies = outbox.filter((row) => row.kind === 'reply').length;
    const topLevel = fake.topLevel().slice(messagesBefore);
    const slackReplies = fake.topLevel().reduce((sum, message) => sum + fake.replies(message.ts).length, 0) - repliesBefore;
    expect(topLevel.length, `posts in Slack vs outbox; ${story()}`).toBe(posts);
    expect(slackReplies, `thread replies in Slack vs outbox; ${story()}`).toBe(replies);

    // ---- the audit log: every transition of the window once, in order
    const transitions = audit.map((row) => row.action).filter((action) => TRANSITIONS.includes(action));
    expect(transitions, story()).toEqual(TRANSITIONS);

    // ---- both nodes rebooted once, inside the approved window
    await until('both nodes back', 30_000, () => (nodes.items().filter(isNodeReady).length === NODES.length ? true : undefined));
    const signs: RebootSign[] = recorder.signs().slice(signsBefore);
    const reboots = signs.filter((sign) => sign.kind === 'boot-id');
    expect(reboots.map((sign) => sign.node).sort(), JSON.stringify(signs)).toEqual([...NODES].sort());
    const approved = await approvedIntervals(db);
    intervals.push(...approved);
    const invariant = checkInvariant(signs, approved);
    expect(invariant.outside, invariant.line).toEqual([]);

    process.kill(runningBot.process.pid, 'SIGTERM');
    await runningBot.process.exited;
    figures.push({
      point,
      round,
      killedIn,
      windowState: closed.state,
      closedLateMs: closedAt - endAt,
      kuredGoneAfterCloseMs: kuredGoneAt - closedAt,
      outboxPostsAndReplies: posts + replies,
      slackMessages: topLevel.length + slackReplies,
      reboots: reboots.length,
    });
  });

  it('across every run: no reboot outside an approved window', () => {
    if (recorder === undefined) throw new Error('not started');
    expect(figures.length).toBe(RUNS.length);
    const invariant = checkInvariant(recorder.signs(), intervals);
    process.stdout.write(`${invariant.line} (crash anywhere: ${figures.length} runs, ${figures.length} SIGKILLs)\n`);
    writeChaosResult('crash-anywhere', {
      runs: figures.length,
      faults: figures.length,
      reboots: invariant.reboots,
      rebootsOutsideApprovedWindows: invariant.outside.length,
      messagesInOutbox: figures.reduce((sum, run) => sum + run.outboxPostsAndReplies, 0),
      messagesInSlack: figures.reduce((sum, run) => sum + run.slackMessages, 0),
      perRun: figures,
      note: `real bot process SIGKILLed at each lifecycle point, ${ROUNDS} rounds, and restarted on the same database; kured stand-in when CLUSTER_KURED=standin`,
    });
    expect(invariant.outside, invariant.line).toEqual([]);
    expect(invariant.reboots).toBe(figures.length * NODES.length);
  });
});
