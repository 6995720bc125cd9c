// The whole flow on a real API server: the bot's MaintenanceEngine wired as bot/main.ts wires it
// (SQLite store, outbox, a recording chat, the real clock, ticking and delivery as background
// tasks) with a KubernetesCluster; real patchwindow agents on three simulated nodes report their
// pending reboots; alice asks for a window, bob approves it; the bot deploys kured by its own
// manifests (the harness plays the DaemonSet controller and the kubelets; kured runs per node in
// its sandbox); the nodes reboot one at a time and every progress state is seen in order - waiting,
// cordoned, draining with pods left, drain-blocked by the PodDisruptionBudget and then cleared,
// rebooting, back, done - in the stored progress and in the channel; the window closes itself and
// every kured resource is gone.
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import { clusterRoleName } from '../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import { RepeatingTask } from '../../bot/adapters/process/repeating-task.ts';
import type { EngineLog } from '../../bot/core/engine/engine-log.ts';
import { MaintenanceEngine } from '../../bot/core/engine/maintenance-engine.ts';
import { OutboxDispatcher } from '../../bot/core/outbox/outbox-dispatcher.ts';
import type { Repositories, Transactions } from '../../bot/core/ports/repositories.ts';
import type { NodeProgress, NodeState } from '../../bot/core/windows/node-progress.ts';
import { openStore } from '../../storage/open-store.ts';
import type { OpenedStore } from '../../storage/open-store.ts';
import { repositoriesOn, SqliteTransactions } from '../../storage/sqlite-repositories.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { ALICE, BOB, testSettings } from '../support/engine-harness.ts';
import { liveText, threadOf } from '../support/engine-scenario.ts';
import { RecordingChat } from '../support/recording-chat.ts';
import { tempDirs } from '../support/temp-dirs.ts';
import type { AgentProcess } from './harness/agent.ts';
import type { PodDisruptionBudget } from './harness/kube-types.ts';
import { isNodeReady, isPodReady } from './harness/kube-types.ts';
import { kuredMode, startKuredTier } from './harness/kured-tier.ts';
import type { KuredTier } from './harness/kured-tier.ts';
import { startTierAgents } from './harness/tier-agents.ts';
import { createObjects, namespaceObject, workloadObjects } from './harness/objects.ts';

const NODES = ['node-1', 'node-2', 'node-3'];
const SHOP = 'shop';
const BUDGET = `PodDisruptionBudget ${SHOP}/web`;
const KURED_NS = 'kured';
const mode = kuredMode();
const dirs = tempDirs();

interface ProgressRow {
  readonly at: number;
  readonly node: string;
  readonly state: NodeState;
  readonly podsLeft: number | undefined;
  readonly blockedBy: string | undefined;
}

/** Records every node progress the engine stores (after its transaction committed). */
function recordingProgress(real: Transactions, rows: ProgressRow[]): Transactions {
  return {
    async run(work) {
      const saved: ProgressRow[] = [];
      const result = await real.run((repositories) => {
        const nodeProgress: Repositories['nodeProgress'] = {
          list: (windowId) => repositories.nodeProgress.list(windowId),
          recentDurations: (limit) => repositories.nodeProgress.recentDurations(limit),
          async save(windowId, progress: NodeProgress) {
            await repositories.nodeProgress.save(windowId, progress);
            saved.push({ at: Date.now(), node: progress.node, state: progress.state, podsLeft: progress.podsLeft, blockedBy: progress.blockedBy });
          },
        };
        return work({ ...repositories, nodeProgress });
      });
      rows.push(...saved);
      return result;
    },
  };
}

async function until<T>(description: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${context() === '' ? '' : `\n${context()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A node's states in the order stored, repeats folded. */
function statesOf(rows: readonly ProgressRow[], node: string): NodeState[] {
  const states: NodeState[] = [];
  for (const row of rows) if (row.node === node && states.at(-1) !== row.state) states.push(row.state);
  return states;
}

describe.skipIf(mode === 'missing')(`a maintenance window on a real API server (${mode === 'standin' ? 'kured STAND-IN, not kured' : 'real kured'})`, () => {
  let tier: KuredTier | undefined;
  let kube: KubernetesCluster | undefined;
  let store: OpenedStore | undefined;
  let engine: MaintenanceEngine | undefined;
  const tasks: RepeatingTask[] = [];
  const agents: AgentProcess[] = [];
  const watchErrors: unknown[] = [];
  const engineErrors: string[] = [];
  let failed = false;

  beforeAll(async () => {
    tier = await startKuredTier({ nodes: NODES, periodSeconds: 1 });
    const { cluster } = tier;
    // the agents, with their manifests' RBAC, each watching its node's /var/run/reboot-required
    await startTierAgents(tier, NODES, agents);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.adminKubeconfig);
    kube = new KubernetesCluster({ kubeConfig, source: 'test admin kubeconfig', onWatchError: (error) => watchErrors.push(error) });
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    for (const task of tasks) await task.stop().catch((error: unknown) => problems.push(error));
    await engine?.stop().catch((error: unknown) => problems.push(error));
    await store?.close().catch((error: unknown) => problems.push(error));
    await kube?.close().catch((error: unknown) => problems.push(error));
    for (const agent of agents) await agent.stop(5000).catch((error: unknown) => problems.push(error));
    await tier?.stop(failed || problems.length > 0).catch((error: unknown) => problems.push(error));
    dirs.removeAll();
    if (problems.length > 0) throw new AggregateError(problems, 'teardown failed');
  });

  it('3 pending nodes → requested and approved → kured deployed → one reboot at a time through every state → closed, kured gone', async () => {
    if (tier === undefined || kube === undefined) throw new Error('not started');
    const { cluster, nodes, daemons } = tier;
    const { admin } = cluster;
    const startedAt = Date.now();

    // a workload over the three nodes whose budget allows one disruption: a node with two of its
    // pods cannot be drained in one go
    await nodes.nodeInformer.waitFor('3 Ready nodes', (items) => (items.filter(isNodeReady).length === 3 ? true : undefined), 30_000);
    await createObjects(admin, [namespaceObject(SHOP), ...workloadObjects({ namespace: SHOP, name: 'web', replicas: 4, minAvailable: 3 })]);
    await nodes.podInformer.waitFor(
      '4 web pods Running on 3 nodes',
      (pods) => {
        const ready = pods.filter((pod) => pod.metadata.namespace === SHOP && isPodReady(pod));
        return ready.length === 4 && new Set(ready.map((pod) => pod.spec.nodeName)).size === 3 ? true : undefined;
      },
      60_000,
    );
    const budgets = admin.informer<PodDisruptionBudget>(`/apis/policy/v1/namespaces/${SHOP}/poddisruptionbudgets`);
    await budgets.waitFor('PDB web allows 1 disruption', (items) => (items[0]?.status?.disruptionsAllowed === 1 ? true : undefined), 60_000).finally(() => {
      budgets.stop();
    });

    // the bot, wired as bot/main.ts wires it (the real clock; ticking and delivery in the background)
    const dbDir = dirs.make('patchwindow-window-flow-');
    const clock = { now: () => new Date() };
    store = await openStore(path.join(dbDir, 'patchwindow.db'), { now: clock.now });
    const repositories = repositoriesOn(store.database);
    const rows: ProgressRow[] = [];
    const chat = new RecordingChat();
    const { logger, lines: logLines } = captureLogger();
    const log: EngineLog = {
      info: (message, fields) => {
        logger.info(fields ?? {}, message);
      },
      warn: (message, fields) => {
        logger.warn(fields ?? {}, message);
      },
      error: (message, fields) => {
        engineErrors.push(`${message} ${JSON.stringify(fields ?? {})}`);
        logger.error(fields ?? {}, message);
      },
    };
    const delivery = new RepeatingTask('outbox delivery', 250, async () => (await dispatcher.deliverDue()).waitMs, logger);
    const bot = new MaintenanceEngine({
      repositories,
      transactions: recordingProgress(new SqliteTransactions(store.database), rows),
      cluster: kube,
      clock,
      settings: testSettings({ defaultZone: 'UTC', reconcileEveryMs: 5000 }),
      log,
      simulation: undefined,
      outboxChanged: () => {
        delivery.nudge();
      },
    });
    engine = bot;
    const dispatcher = new OutboxDispatcher({ outbox: repositories.outbox, chat, clock, log, minUpdateIntervalMs: 200, maxBackoffMs: 5000 });
    const ticking = new RepeatingTask(
      'engine tick',
      250,
      async () => {
        await bot.tick();
        return undefined;
      },
      logger,
    );
    tasks.push(ticking, delivery);
    await bot.start();
    ticking.start();
    delivery.start();
    const story = (): string =>
      [
        `progress: ${JSON.stringify(rows.map((row) => [Math.round((row.at - startedAt) / 100) / 10, row.node, row.state, row.podsLeft, row.blockedBy]))}`,
        `thread: ${JSON.stringify(threadOf(chat, 1))}`,
        `engine errors: ${JSON.stringify(engineErrors)}; watch errors: ${watchErrors.map(String).join(' | ')}`,
        `bot log: ${logLines().slice(-10).map((line) => JSON.stringify(line)).join('\n')}`,
      ].join('\n');

    // three nodes need a reboot: the agents say so
    for (const node of NODES) daemons.touchSentinel(node);
    await until('3 pending nodes', 30_000, async () => ((await kube?.nodes())?.filter((node) => node.pendingReboot !== undefined).length === 3 ? true : undefined));
    const status = await bot.command(ALICE, 'status');
    expect(status.text).toContain('3 node(s) need a reboot: node-1, node-2, node-3');

    // alice asks, cannot approve her own request, bob approves
    const request = await bot.command(ALICE, 'open 1h --reason "kernel update"');
    expect(request).toMatchObject({ ok: true });
    expect(request.text).toMatch(/^Requested window #1 /);
    expect(await bot.action(ALICE, 'approve', '1')).toMatchObject({ ok: false });
    expect(await bot.action(BOB, 'approve', '1')).toMatchObject({ ok: true });

    // kured deployed by the bot: its DaemonSet, and (the harness being the controller) a pod per node
    await until('window #1 open', 60_000, async () => ((await repositories.windows.get(1))?.state === 'open' ? true : undefined), story);
    expect(await admin.find(`/apis/apps/v1/namespaces/${KURED_NS}/daemonsets/kured`)).toBeDefined();
    await nodes.podInformer.waitFor(
      'a kured pod on every node',
      (pods) => (NODES.every((node) => pods.some((pod) => pod.metadata.namespace === KURED_NS && pod.spec.nodeName === node)) ? true : undefined),
      30_000,
    );

    // the window runs to its end by itself: every node done, kured removed, window closed
    const closed = await until('window #1 closed', 240_000, async () => {
      const window = await repositories.windows.get(1);
      return window?.state === 'closed' || window?.state === 'failed' ? window : undefined;
    }, story);
    expect(closed.state, story()).toBe('closed');

    // ---- every node went through every state, in order
    const order = [...NODES].sort((a, b) => (rows.find((row) => row.node === a && row.state === 'cordoned')?.at ?? Infinity) - (rows.find((row) => row.node === b && row.state === 'cordoned')?.at ?? Infinity));
    for (const [index, node] of order.entries()) {
      const states = statesOf(rows, node);
      const at = (state: NodeState): number => states.indexOf(state);
      expect(states[0], `${node}: ${states.join(' → ')}\n${story()}`).toBe('pending');
      if (index > 0) expect(at('waiting'), `${node} waited for the lock: ${states.join(' → ')}`).toBeGreaterThan(0);
      expect(at('cordoned'), `${node}: ${states.join(' → ')}`).toBeGreaterThan(0);
      expect(at('draining'), `${node}: ${states.join(' → ')}`).toBeGreaterThan(at('cordoned'));
      expect(at('rebooting'), `${node}: ${states.join(' → ')}`).toBeGreaterThan(Math.max(states.lastIndexOf('draining'), states.lastIndexOf('drain-blocked')));
      expect(at('back'), `${node}: ${states.join(' → ')}`).toBeGreaterThan(at('rebooting'));
      expect(states.at(-1), `${node}: ${states.join(' → ')}`).toBe('done');
      expect(states.slice(at('cordoned')).includes('waiting'), `${node} went back to waiting: ${states.join(' → ')}`).toBe(false);
      // draining reports the pods left, never more as it goes
      const left = rows.filter((row) => row.node === node && (row.state === 'draining' || row.state === 'drain-blocked')).map((row) => row.podsLeft ?? -1);
      for (let i = 1; i < left.length; i++) expect(left[i], `${node} pods left ${left.join(',')}`).toBeLessThanOrEqual(left[i - 1] ?? Infinity);
      expect(left.every((count) => count >= 0), `${node} pods left ${left.join(',')}`).toBe(true);
    }
    // a drain somewhere met the budget's refusal, reported and then cleared before that node rebooted
    const blockedNode = order.find((node) => statesOf(rows, node).includes('drain-blocked'));
    expect(blockedNode, story()).toBeDefined();
    const blockedStates = statesOf(rows, blockedNode ?? '');
    const blockedAt = blockedStates.indexOf('drain-blocked');
    expect(blockedStates.slice(blockedAt + 1, blockedStates.indexOf('rebooting')), blockedStates.join(' → ')).toContain('draining');
    expect(rows.filter((row) => row.state === 'drain-blocked').every((row) => row.blockedBy === BUDGET), story()).toBe(true);
    expect(rows.some((row) => row.state === 'draining' && (row.podsLeft ?? 0) >= 1), story()).toBe(true);

    // ---- one node at a time: each node's turn (cordoned → done) ends before the next begins
    for (let i = 1; i < order.length; i++) {
      const previousDone = rows.find((row) => row.node === order[i - 1] && row.state === 'done')?.at ?? Infinity;
      const nextCordoned = rows.find((row) => row.node === order[i] && row.state === 'cordoned')?.at ?? -Infinity;
      expect(nextCordoned, story()).toBeGreaterThan(previousDone);
    }
    expect(daemons.reboots.map((reboot) => reboot.node).sort()).toEqual([...NODES].sort());

    // ---- the channel: the live message and a thread reply for every milestone, in order
    await until('the final live message', 10_000, () => (/closed/i.test(liveText(chat, 1)) ? true : undefined), story);
    const thread = threadOf(chat, 1);
    for (const node of NODES) {
      const replies = thread.filter((text) => text.includes(node));
      const index = (pattern: RegExp): number => replies.findIndex((text) => pattern.test(text));
      expect(index(new RegExp(`${node} cordoned`)), replies.join(' | ')).toBeGreaterThanOrEqual(0);
      expect(index(new RegExp(`${node} draining \\(\\d+ pods?\\)`)), replies.join(' | ')).toBeGreaterThan(index(new RegExp(`${node} cordoned`)));
      expect(index(new RegExp(`${node} rebooting`)), replies.join(' | ')).toBeGreaterThan(index(new RegExp(`${node} draining`)));
      expect(index(new RegExp(`${node} is back`)), replies.join(' | ')).toBeGreaterThan(index(new RegExp(`${node} rebooting`)));
      expect(index(new RegExp(`${node} done`)), replies.join(' | ')).toBeGreaterThan(index(new RegExp(`${node} is back`)));
    }
    expect(thread.some((text) => text.includes(`${blockedNode ?? '?'}: drain blocked by ${BUDGET}`)), thread.join(' | ')).toBe(true);

    // ---- every kured resource is gone (its namespace stays), and so are its pods and processes
    const rbac = clusterRoleName(KURED_NS);
    for (const resource of [
      `/apis/apps/v1/namespaces/${KURED_NS}/daemonsets/kured`,
      `/api/v1/namespaces/${KURED_NS}/serviceaccounts/kured`,
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${KURED_NS}/roles/kured`,
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${KURED_NS}/rolebindings/kured`,
      `/apis/rbac.authorization.k8s.io/v1/clusterroles/${rbac}`,
      `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${rbac}`,
    ]) {
      expect(await admin.find(resource), resource).toBeUndefined();
    }
    expect((await admin.get<{ items: unknown[] }>(`/api/v1/namespaces/${KURED_NS}/pods`)).items).toEqual([]);
    await until('kured processes stopped and no log followed', 10_000, () =>
      NODES.every((node) => daemons.current(node) === undefined) && tier?.logServer.openStreams() === 0 ? true : undefined,
    );
    // the agents saw the reboots: nothing pending any more
    await until('no pending node', 30_000, async () => ((await kube?.nodes())?.every((node) => node.pendingReboot === undefined) === true ? true : undefined));

    expect(engineErrors, story()).toEqual([]);
    expect(watchErrors.map(String), story()).toEqual([]);
  });
});
