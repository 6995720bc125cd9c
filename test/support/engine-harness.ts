// The engine wired as the bot wires it, but stepped by hand: a manual clock, the simulated
// cluster advanced to it, a real SQLite store, and a recording chat behind the real outbox.
import { SimulatedCluster } from '../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import type { Metrics } from '../../bot/adapters/metrics/create-metrics.ts';
import type { SimulatedClusterOptions } from '../../bot/adapters/cluster/simulated/simulation-options.ts';
import type { EngineLog } from '../../bot/core/engine/engine-log.ts';
import type { EngineSettings } from '../../bot/core/engine/engine-settings.ts';
import { MaintenanceEngine } from '../../bot/core/engine/maintenance-engine.ts';
import { OutboxDispatcher } from '../../bot/core/outbox/outbox-dispatcher.ts';
import type { Actor } from '../../bot/core/ports/chat-port.ts';
import type { Repositories, Transactions } from '../../bot/core/ports/repositories.ts';
import { openStore } from '../../storage/open-store.ts';
import type { OpenedStore } from '../../storage/open-store.ts';
import { repositoriesOn, SqliteTransactions } from '../../storage/sqlite-repositories.ts';
import { ManualClock } from './manual-clock.ts';
import { RecordingChat } from './recording-chat.ts';
import { stepping } from './stepping.ts';

export const ALICE: Actor = { id: 'console:alice', displayName: 'alice' };
export const BOB: Actor = { id: 'console:bob', displayName: 'bob' };
export const MALLORY: Actor = { id: 'console:mallory', displayName: 'mallory' };

export function testSettings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  return {
    approvals: { approvers: [ALICE.id, BOB.id], fourEyes: true, required: true, requestTtlMs: 2 * 3_600_000, leadMs: 24 * 3_600_000 },
    defaultZone: 'Europe/Zurich',
    defaultConcurrency: 1,
    maxConcurrency: 5,
    progress: { notBackAfterMs: 15 * 60_000 },
    defaultPerNodeMs: 10 * 60_000,
    reconcileEveryMs: 60_000,
    digestEveryMs: 24 * 3_600_000,
    ...overrides,
  };
}

export interface EngineHarness {
  readonly clock: ManualClock;
  readonly cluster: SimulatedCluster;
  readonly chat: RecordingChat;
  readonly engine: MaintenanceEngine;
  readonly store: OpenedStore;
  readonly repositories: Repositories;
  readonly logs: string[];
  /** Moves time on by `ms` and lets the cluster, the engine and the outbox catch up. */
  step(ms: number): Promise<void>;
  /** Steps until `done` holds; fails after `maxMs` of simulated time. */
  runUntil(done: () => Promise<boolean> | boolean, maxMs: number, stepMs?: number): Promise<number>;
  /** Stops following the cluster and closes the store (the cluster and chat stay, for a restart). */
  shutdown(): Promise<void>;
}

export interface HarnessOptions {
  readonly path: string;
  readonly start?: string;
  readonly settings?: EngineSettings;
  readonly simulation?: SimulatedClusterOptions;
  /** Reuse these across a simulated restart: the cluster and the chat outlive the bot. */
  readonly clock?: ManualClock;
  readonly cluster?: SimulatedCluster;
  readonly chat?: RecordingChat;
  /**
   * Wrap what the engine and the outbox dispatcher use to reach the store (to count transactions or
   * simulate a crash). The harness's own `repositories` stay unwrapped: the test's view of the store.
   */
  readonly wrapTransactions?: ((transactions: Transactions) => Transactions) | undefined;
  readonly wrapRepositories?: ((repositories: Repositories) => Repositories) | undefined;
  /** Report to these metrics as the bot does: engine events, metered chat, outbox retries, scrape-time gauges. */
  readonly metrics?: Metrics | undefined;
}

export async function startEngineHarness(options: HarnessOptions): Promise<EngineHarness> {
  const clock = options.clock ?? new ManualClock(options.start ?? '2026-11-25T12:00:00Z');
  const store = await openStore(options.path, { now: () => clock.now() });
  const repositories = repositoriesOn(store.database);
  const cluster = options.cluster ?? new SimulatedCluster(clock, { seed: 1, ...options.simulation });
  const chat = options.chat ?? new RecordingChat();
  const logs: string[] = [];
  const log: EngineLog = {
    info: (message) => logs.push(`info ${message}`),
    warn: (message) => logs.push(`warn ${message}`),
    error: (message, fields) => logs.push(`error ${message} ${JSON.stringify(fields)}`),
  };
  const realTransactions = new SqliteTransactions(store.database);
  const transactions = options.wrapTransactions?.(realTransactions) ?? realTransactions;
  const botRepositories = options.wrapRepositories?.(repositories) ?? repositories;
  const engine = new MaintenanceEngine({
    repositories: botRepositories,
    transactions,
    cluster,
    clock,
    settings: options.settings ?? testSettings(),
    log,
    simulation: cluster,
    outboxChanged: () => undefined,
    metrics: options.metrics?.engine,
  });
  const dispatcher = new OutboxDispatcher({
    outbox: botRepositories.outbox,
    chat: options.metrics?.meterChat(chat) ?? chat,
    clock,
    log,
    minUpdateIntervalMs: 1000,
    maxBackoffMs: 60_000,
    metrics: options.metrics?.outboxFor(chat.platform),
  });
  options.metrics?.readStateFrom({ nodes: () => engine.nodes, repositories: botRepositories, log });
  try {
    cluster.advanceTo(clock.now());
    await engine.start();
    await dispatcher.deliverDue();
  } catch (error: unknown) {
    // A bot that fails to start lets go of its database, so the next start (or afterEach) can have it.
    await engine.stop();
    await store.close();
    throw error;
  }

  const { step, runUntil } = stepping({ clock, cluster, engine, dispatcher, logs: logs });
  return {
    clock,
    cluster,
    chat,
    engine,
    store,
    repositories,
    logs,
    step,
    runUntil,
    async shutdown() {
      await engine.stop();
      await store.close();
    },
  };
}
