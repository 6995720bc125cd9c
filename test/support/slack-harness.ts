// The engine wired with Slack as the bot wires it (HTTP mode): the real Slack adapter as ChatPort
// and inbound route on a real bot HTTP server, a real SQLite store and outbox dispatcher, against
// the fake Slack Web API. The engine's time is a manual clock stepped by the test; Slack's side
// (signatures, post pacing, the fake's rate limit) runs on real time.
import { SimulatedCluster } from '../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import type { SimulatedClusterOptions } from '../../bot/adapters/cluster/simulated/simulation-options.ts';
import { startHttpServer } from '../../bot/adapters/http/http-server.ts';
import type { RunningHttpServer } from '../../bot/adapters/http/http-server.ts';
import { SlackAdapter } from '../../bot/adapters/slack/slack-adapter.ts';
import type { EngineLog } from '../../bot/core/engine/engine-log.ts';
import type { EngineSettings } from '../../bot/core/engine/engine-settings.ts';
import { MaintenanceEngine } from '../../bot/core/engine/maintenance-engine.ts';
import { OutboxDispatcher } from '../../bot/core/outbox/outbox-dispatcher.ts';
import type { ChatInbound } from '../../bot/core/ports/chat-port.ts';
import type { Repositories } from '../../bot/core/ports/repositories.ts';
import { openStore } from '../../storage/open-store.ts';
import type { OpenedStore } from '../../storage/open-store.ts';
import { repositoriesOn, SqliteTransactions } from '../../storage/sqlite-repositories.ts';
import { captureLogger } from './capture-logger.ts';
import type { CapturedLogger } from './capture-logger.ts';
import { FAKE_CHANNEL, FAKE_TOKEN } from './fake-slack-api.ts';
import type { FakeSlackApi } from './fake-slack-api.ts';
import { ManualClock } from './manual-clock.ts';
import { SIGNING_SECRET } from './slack-requests.ts';
import { stepping } from './stepping.ts';

export const ALICE_ID = 'U0ALICE001';
export const BOB_ID = 'U0BOB00001';
export const MALLORY_ID = 'U0MALLORY1';

export function slackTestSettings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  return {
    approvals: { approvers: [`slack:${ALICE_ID}`, `slack:${BOB_ID}`], fourEyes: true, required: true, requestTtlMs: 2 * 3_600_000, leadMs: 24 * 3_600_000 },
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

export interface SlackHarness {
  readonly clock: ManualClock;
  readonly cluster: SimulatedCluster;
  readonly engine: MaintenanceEngine;
  readonly adapter: SlackAdapter;
  readonly store: OpenedStore;
  readonly repositories: Repositories;
  /** POST here as Slack would. */
  readonly eventsUrl: string;
  readonly log: CapturedLogger;
  readonly engineLogs: string[];
  /** Delivers what the outbox holds (as the bot's delivery task would). */
  deliver(): Promise<void>;
  /** Moves the engine's time on by `ms`, then lets the cluster, the engine and the outbox catch up. */
  step(ms: number): Promise<void>;
  runUntil(done: () => Promise<boolean> | boolean, maxMs: number, stepMs?: number): Promise<number>;
  /** Stops the adapter, the engine and the HTTP server and closes the store; the cluster and clock stay for a restart. */
  shutdown(): Promise<void>;
}

export interface SlackHarnessOptions {
  readonly path: string;
  readonly fake: FakeSlackApi;
  readonly settings?: EngineSettings;
  readonly simulation?: SimulatedClusterOptions;
  readonly clock?: ManualClock;
  readonly cluster?: SimulatedCluster;
  readonly teamId?: string;
  /** Socket Mode with this app token (no signing secret then). */
  readonly appToken?: string;
  readonly minPostIntervalMs?: number;
  /** The adapter's cap on chat.update calls per real-time minute. Default Slack's (50). */
  readonly updatesPerMinute?: number;
  /** Web API and response_url timeout. Default 3000. */
  readonly requestTimeoutMs?: number;
  /** Put something else behind the Slack route than the engine (e.g. a slow stub). */
  readonly inbound?: ChatInbound;
}

export async function startSlackHarness(options: SlackHarnessOptions): Promise<SlackHarness> {
  const clock = options.clock ?? new ManualClock('2026-11-25T12:00:00Z');
  const store = await openStore(options.path, { now: () => clock.now() });
  const repositories = repositoriesOn(store.database);
  const cluster = options.cluster ?? new SimulatedCluster(clock, { seed: 1, ...options.simulation });
  const log = captureLogger('debug');
  const engineLogs: string[] = [];
  const engineLog: EngineLog = {
    info: (message) => engineLogs.push(`info ${message}`),
    warn: (message, fields) => engineLogs.push(`warn ${message} ${JSON.stringify(fields)}`),
    error: (message, fields) => engineLogs.push(`error ${message} ${JSON.stringify(fields)}`),
  };
  const adapter = new SlackAdapter({
    botToken: FAKE_TOKEN,
    signingSecret: options.appToken === undefined ? SIGNING_SECRET : undefined,
    appToken: options.appToken,
    channel: FAKE_CHANNEL,
    apiUrl: options.fake.apiUrl,
    command: '/patchwindow',
    teamId: options.teamId,
    logger: log.logger,
    requestTimeoutMs: options.requestTimeoutMs ?? 3000,
    ...(options.minPostIntervalMs === undefined ? {} : { minPostIntervalMs: options.minPostIntervalMs }),
    ...(options.updatesPerMinute === undefined ? {} : { updatesPerMinute: options.updatesPerMinute }),
  });
  const settings = options.settings ?? slackTestSettings();
  // as the composition root: Slack user groups among the approvers are read through the adapter
  const approverGroups = adapter.approverGroups(settings.approvals.approvers);
  const engine = new MaintenanceEngine({
    repositories,
    transactions: new SqliteTransactions(store.database),
    cluster,
    clock,
    settings,
    log: engineLog,
    simulation: cluster,
    outboxChanged: () => undefined,
    approverGroups: approverGroups.needed ? () => approverGroups.snapshot() : undefined,
  });
  const dispatcher = new OutboxDispatcher({ outbox: repositories.outbox, chat: adapter.chat, clock, log: engineLog, minUpdateIntervalMs: 1000, maxBackoffMs: 60_000 });
  adapter.attach(options.inbound ?? engine);
  let http: RunningHttpServer | undefined;
  try {
    http = await startHttpServer({ host: '127.0.0.1', port: 0, routes: adapter.routes, logger: log.logger });
    cluster.advanceTo(clock.now());
    await engine.start();
    await adapter.start();
    await approverGroups.start();
    await dispatcher.deliverDue();
  } catch (error: unknown) {
    await adapter.stop(0);
    await engine.stop();
    await http?.stop(0);
    await store.close();
    throw error;
  }
  const server = http;
  const deliver = async (): Promise<void> => {
    await dispatcher.deliverDue();
  };
  const { step, runUntil } = stepping({ clock, cluster, engine, dispatcher, logs: engineLogs });
  return {
    clock,
    cluster,
    engine,
    adapter,
    store,
    repositories,
    eventsUrl: `http://127.0.0.1:${server.port}/slack/events`,
    log,
    engineLogs,
    deliver,
    step,
    runUntil,
    async shutdown() {
      approverGroups.stop();
      await adapter.stop(2000);
      await engine.stop();
      await server.stop(1000);
      await store.close();
    },
  };
}
