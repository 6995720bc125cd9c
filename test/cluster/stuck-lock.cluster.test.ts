// A stuck kured lock on a real API server: the lock annotation names a node that was deleted, or a
// node that has held it longer than its TTL. KubernetesCluster reports each holder with since and
// TTL (both annotation forms) and frees exactly the acquisition asked about; the engine on top of
// it posts one alert per stuck holder and releases it on an approver's click or command.
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import { findStuckLocks } from '../../bot/core/cluster/stuck-locks.ts';
import { PAUSE_LOCK_OWNER } from '../../bot/core/engine/advance-windows.ts';
import type { EngineLog } from '../../bot/core/engine/engine-log.ts';
import { MaintenanceEngine } from '../../bot/core/engine/maintenance-engine.ts';
import { OutboxDispatcher } from '../../bot/core/outbox/outbox-dispatcher.ts';
import type { MessageAction } from '../../bot/core/ports/chat-port.ts';
import type { RebootDaemonSpec } from '../../bot/core/ports/cluster-port.ts';
import { openStore } from '../../storage/open-store.ts';
import { repositoriesOn, SqliteTransactions } from '../../storage/sqlite-repositories.ts';
import { ALICE, BOB, MALLORY, testSettings } from '../support/engine-harness.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { messageText, RecordingChat } from '../support/recording-chat.ts';
import type { RecordedMessage } from '../support/recording-chat.ts';
import { tempDirs } from '../support/temp-dirs.ts';
import { failureLogDir, startCluster } from './harness/cluster.ts';
import type { TestCluster } from './harness/cluster.ts';
import { startSimulatedNodes } from './harness/nodes.ts';
import type { SimulatedNodes } from './harness/nodes.ts';

const NODES = ['node-a', 'node-b', 'node-c'];
const GONE = 'node-gone';
const LOCK = 'weave.works/kured-node-lock';
const DS_PATH = '/apis/apps/v1/namespaces/kured/daemonsets/kured';
const MINUTE = 60_000;
/** kured's --lock-ttl=30m as the annotation carries it: a Go duration in nanoseconds. */
const TTL_30M_NS = 30 * MINUTE * 1e6;
const dirs = tempDirs();

async function until<T>(description: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** kured's RFC 3339 time with nanoseconds, `minutes` before `now`. */
function created(now: Date, minutes: number): string {
  return new Date(now.getTime() - minutes * MINUTE).toISOString().replace(/\.(\d{3})Z$/, '.$1456789Z');
}

function spec(windowId: number, concurrency: number): RebootDaemonSpec {
  const now = Date.now();
  return { windowId, start: new Date(now - MINUTE), end: new Date(now + 3_600_000), zone: 'UTC', concurrency, nodeSelector: undefined };
}

describe('a stuck kured lock on a real API server', () => {
  let cluster: TestCluster | undefined;
  let sim: SimulatedNodes | undefined;
  let kube: KubernetesCluster | undefined;
  let failed = false;

  const started = (): { cluster: TestCluster; kube: KubernetesCluster } => {
    if (cluster === undefined || kube === undefined) throw new Error('cluster not started');
    return { cluster, kube };
  };

  const annotation = async (): Promise<string | undefined> =>
    (await started().cluster.admin.get<{ metadata: { annotations?: Record<string, string> } }>(DS_PATH)).metadata.annotations?.[LOCK];

  const setLock = async (value: unknown): Promise<void> => {
    await started().cluster.admin.patch(DS_PATH, { metadata: { annotations: { [LOCK]: JSON.stringify(value) } } });
  };

  beforeAll(async () => {
    cluster = await startCluster({ scheduler: false });
    sim = await startSimulatedNodes(cluster.admin, { names: NODES, heartbeatMs: 2000 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.adminKubeconfig);
    kube = new KubernetesCluster({ kubeConfig, source: 'test admin kubeconfig', removeTimeoutMs: 30_000 });
    // A node that existed and was deleted (scaled in, replaced) while kured's lock named it.
    await cluster.admin.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: GONE } });
    await until(`${GONE} listed`, 30_000, async () => ((await kube?.nodes())?.some((node) => node.name === GONE) === true ? true : undefined));
    await cluster.admin.delete(`/api/v1/nodes/${GONE}`);
    await until(`${GONE} gone from the node list`, 30_000, async () => {
      const names = (await kube?.nodes())?.map((node) => node.name) ?? [];
      return names.length === NODES.length && !names.includes(GONE) ? true : undefined;
    });
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    await kube?.removeRebootDaemon().catch((error: unknown) => problems.push(error));
    await kube?.close().catch((error: unknown) => problems.push(error));
    try {
      sim?.stop();
    } catch (error) {
      problems.push(error);
    }
    await cluster?.stop(failed || problems.length > 0 ? { keepLogsIn: failureLogDir() } : {}).catch((error: unknown) => problems.push(error));
    dirs.removeAll();
    if (problems.length > 0) throw new AggregateError(problems, 'cluster teardown failed');
  });

  it('readLock reports each holder with its age and TTL; a deleted holder and an expired one are stuck; the adapter frees exactly those', async () => {
    const { kube: port } = started();
    const now = new Date();
    await port.deployRebootDaemon(spec(21, 3));
    const healthy = { nodeID: 'node-c', metadata: { unschedulable: false }, created: created(now, 1), TTL: TTL_30M_NS };
    await setLock({
      maxOwners: 3,
      locks: [
        { nodeID: GONE, metadata: { unschedulable: false }, created: created(now, 5), TTL: TTL_30M_NS },
        { nodeID: 'node-b', metadata: { unschedulable: false }, created: created(now, 47), TTL: TTL_30M_NS },
        healthy,
      ],
    });

    const lock = await port.readLock();
    expect(lock.maxOwners).toBe(3);
    expect(lock.holdings).toEqual([
      { holder: GONE, since: new Date(now.getTime() - 5 * MINUTE), ttlMs: 30 * MINUTE },
      { holder: 'node-b', since: new Date(now.getTime() - 47 * MINUTE), ttlMs: 30 * MINUTE },
      { holder: 'node-c', since: new Date(now.getTime() - MINUTE), ttlMs: 30 * MINUTE },
    ]);
    const nodeNames = new Set((await port.nodes()).map((node) => node.name));
    const stuck = findStuckLocks({ lock, nodeNames, now, fallbackTtlMs: 30 * MINUTE, ownHoldOwners: [PAUSE_LOCK_OWNER] });
    expect(stuck.map((entry) => [entry.holder, entry.reason, entry.heldMs])).toEqual([
      [GONE, 'holder-gone', 5 * MINUTE],
      ['node-b', 'expired', 47 * MINUTE],
    ]);

    // Only the acquisition judged stuck: an older or newer one by the same node is not freed.
    expect(await port.releaseLockHolder('node-b', new Date(now.getTime() - 46 * MINUTE))).toBe(false);
    expect(await port.releaseLockHolder('node-b', lock.holdings[1]?.since)).toBe(true);
    expect(await port.releaseLockHolder('node-b', lock.holdings[1]?.since)).toBe(false);
    expect(await port.releaseLockHolder(GONE, lock.holdings[0]?.since)).toBe(true);
    // What kured wrote for the healthy holder is kept exactly.
    expect(JSON.parse((await annotation()) ?? '{}')).toEqual({ maxOwners: 3, locks: [healthy] });
    expect((await port.readLock()).holders).toEqual(['node-c']);

    // The single form: freeing the holder removes the annotation.
    await port.deployRebootDaemon(spec(22, 1));
    await started().cluster.admin.patch(DS_PATH, { metadata: { annotations: { [LOCK]: null } } });
    await setLock({ nodeID: GONE, metadata: { unschedulable: false }, created: created(now, 3), TTL: 0 });
    const single = await port.readLock();
    expect(single.holdings).toEqual([{ holder: GONE, since: new Date(now.getTime() - 3 * MINUTE), ttlMs: undefined }]);
    expect(await port.releaseLockHolder(GONE)).toBe(true);
    expect(await annotation()).toBeUndefined();
    expect(await port.readLock()).toMatchObject({ holders: [], holdings: [] });
    await port.removeRebootDaemon();
  });

  it('the engine on the real adapter: one alert per stuck holder, released by an approver (button and command)', async () => {
    const { kube: port } = started();
    const clock = new ManualClock(new Date());
    const store = await openStore(join(dirs.make(), 'p.db'), { now: () => clock.now() });
    const repositories = repositoriesOn(store.database);
    const logs: string[] = [];
    const log: EngineLog = { info: (message) => logs.push(message), warn: (message) => logs.push(message), error: (message, fields) => logs.push(`${message} ${String(fields?.['err'])}`) };
    const chat = new RecordingChat();
    const engine = new MaintenanceEngine({
      repositories,
      transactions: new SqliteTransactions(store.database),
      cluster: port,
      clock,
      settings: testSettings(),
      log,
      simulation: undefined,
      outboxChanged: () => undefined,
    });
    const dispatcher = new OutboxDispatcher({ outbox: repositories.outbox, chat, clock, log, minUpdateIntervalMs: 0, maxBackoffMs: 1000 });
    const tick = async (): Promise<void> => {
      clock.advance(1000);
      await engine.tick();
      await dispatcher.deliverDue();
    };
    const alerts = (): RecordedMessage[] => chat.topLevel().filter((message) => message.message.fallbackText.includes("kured's lock"));
    const release = (message: RecordedMessage | undefined): MessageAction | undefined =>
      message?.message.blocks.flatMap((block) => (block.kind === 'actions' ? block.actions : [])).find((action) => action.action === 'release-lock');
    try {
      await engine.start();
      expect(await engine.command(ALICE, 'open 1h')).toMatchObject({ ok: true });
      expect(await engine.action(BOB, 'approve', '1')).toMatchObject({ ok: true });
      await tick();
      expect((await repositories.windows.get(1))?.state).toBe('open');
      expect(await port.rebootDaemon()).toEqual({ present: true, windowId: 1 });

      // kured's lock names the deleted node: reported at once, once.
      await setLock({ nodeID: GONE, metadata: { unschedulable: false }, created: created(clock.now(), 2), TTL: TTL_30M_NS });
      for (let turn = 0; turn < 3; turn++) await tick();
      expect(alerts()).toHaveLength(1);
      expect(messageText(alerts()[0]?.message ?? { fallbackText: '', blocks: [] })).toContain(`kured's lock is held by *${GONE}*, which no longer exists in the cluster (for 2 min).`);
      const button = release(alerts()[0]);
      expect(await engine.action(MALLORY, 'release-lock', button?.value ?? '')).toMatchObject({ ok: false });
      expect(await annotation()).toContain(GONE);
      expect(await engine.action(BOB, 'release-lock', button?.value ?? '')).toEqual({ ok: true, text: `You released kured's lock held by ${GONE}.` });
      expect(await annotation()).toBeUndefined();
      await tick();
      expect(release(alerts()[0])).toBeUndefined();
      expect(chat.repliesTo(alerts()[0]?.id ?? '')).toEqual([`🔓 bob released kured's lock held by ${GONE}; kured may now reboot the next node.`]);

      // A node of the cluster holding it past its TTL: a second alert; `release-lock` frees it.
      await setLock({ nodeID: 'node-b', metadata: { unschedulable: false }, created: created(clock.now(), 47), TTL: TTL_30M_NS });
      for (let turn = 0; turn < 3; turn++) await tick();
      expect(alerts()).toHaveLength(2);
      expect(messageText(alerts()[1]?.message ?? { fallbackText: '', blocks: [] })).toContain("kured's lock has been held by *node-b* for 47 min, longer than its TTL of 30m.");
      expect(await engine.command(ALICE, 'release-lock node-b')).toEqual({ ok: true, text: "You released kured's lock held by node-b." });
      expect(await annotation()).toBeUndefined();
      // A lock by hand without a time, naming a node of the cluster, cannot be judged: not released.
      await setLock({ nodeID: 'node-a' });
      await tick();
      expect(alerts()).toHaveLength(2);
      expect(await engine.command(ALICE, 'release-lock node-a')).toEqual({
        ok: false,
        text: "node-a holds kured's lock without saying since when, and is a node of the cluster: it is not stuck, so patchwindow does not release it.",
      });
      expect(await annotation()).toContain('node-a');
      await started().cluster.admin.patch(DS_PATH, { metadata: { annotations: { [LOCK]: null } } });
      expect((await repositories.audit.list({ action: 'lock.released' })).map((entry) => [entry.actor, entry.subject])).toEqual([
        [ALICE.id, 'node:node-b'],
        [BOB.id, `node:${GONE}`],
      ]);

      expect(await engine.command(ALICE, 'close')).toMatchObject({ ok: true });
      await until('kured removed', 60_000, async () => {
        await tick();
        return (await port.rebootDaemon()).present ? undefined : true;
      });
      expect(logs.filter((line) => line.includes('failed'))).toEqual([]);
    } finally {
      await engine.stop();
      await store.close();
    }
  });
});
