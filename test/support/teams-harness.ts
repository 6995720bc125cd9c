// The engine wired with Teams as the bot wires it: the real Teams adapter (botbuilder's
// CloudAdapter) as ChatPort and as the POST /api/messages route on a real bot HTTP server, a real
// SQLite store (with the conversation binding) and outbox dispatcher, against the fake Bot
// Connector. Unauthenticated by default (as PATCHWINDOW_TEAMS=on on loopback); with `appId`, the
// adapter checks Bot Framework tokens. The engine's time is a manual clock stepped by the test;
// Teams' side (pacing, the fake's rate limit) runs on real time.
import { SimulatedCluster } from '../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import type { SimulatedClusterOptions } from '../../bot/adapters/cluster/simulated/simulation-options.ts';
import { startHttpServer } from '../../bot/adapters/http/http-server.ts';
import type { RunningHttpServer } from '../../bot/adapters/http/http-server.ts';
import { TeamsAdapter } from '../../bot/adapters/teams/teams-adapter.ts';
import type { SendLimit } from '../../bot/adapters/teams/send-pacer.ts';
import type { EngineLog } from '../../bot/core/engine/engine-log.ts';
import type { EngineSettings } from '../../bot/core/engine/engine-settings.ts';
import { MaintenanceEngine } from '../../bot/core/engine/maintenance-engine.ts';
import { OutboxDispatcher } from '../../bot/core/outbox/outbox-dispatcher.ts';
import type { ChatInbound } from '../../bot/core/ports/chat-port.ts';
import type { Repositories } from '../../bot/core/ports/repositories.ts';
import { openStore } from '../../storage/open-store.ts';
import type { OpenedStore } from '../../storage/open-store.ts';
import { SqliteChatBindingRepository } from '../../storage/sqlite-chat-binding-repository.ts';
import { repositoriesOn, SqliteTransactions } from '../../storage/sqlite-repositories.ts';
import { captureLogger } from './capture-logger.ts';
import type { CapturedLogger } from './capture-logger.ts';
import type { FakeBotConnector } from './fake-bot-connector.ts';
import { ManualClock } from './manual-clock.ts';
import { ALICE, BOB } from './teams-activities.ts';
import { postActivity } from './teams-activities.ts';
import type { Activity, PostedActivity } from './teams-activities.ts';
import { stepping } from './stepping.ts';

export function teamsTestSettings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  return {
    approvals: { approvers: [`teams:${ALICE.aadObjectId}`, `teams:${BOB.aadObjectId}`], fourEyes: true, required: true, requestTtlMs: 2 * 3_600_000, leadMs: 24 * 3_600_000 },
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

export interface TeamsHarness {
  readonly clock: ManualClock;
  readonly cluster: SimulatedCluster;
  readonly engine: MaintenanceEngine;
  readonly adapter: TeamsAdapter;
  readonly store: OpenedStore;
  readonly repositories: Repositories;
  readonly bindings: SqliteChatBindingRepository;
  /** The bot's messaging endpoint: POST activities here as Teams would. */
  readonly messagesUrl: string;
  readonly log: CapturedLogger;
  readonly engineLogs: string[];
  /** POSTs an activity to the messaging endpoint. */
  send(activity: Activity, options?: { authorization?: string }): Promise<PostedActivity>;
  /** Delivers what the outbox holds (as the bot's delivery task would). */
  deliver(): Promise<void>;
  /** Moves the engine's time on by `ms`, then lets the cluster, the engine and the outbox catch up. */
  step(ms: number): Promise<void>;
  runUntil(done: () => Promise<boolean> | boolean, maxMs: number, stepMs?: number): Promise<number>;
  /** Stops the adapter, the engine and the HTTP server and closes the store; the cluster and clock stay for a restart. */
  shutdown(): Promise<void>;
}

export interface TeamsHarnessOptions {
  readonly path: string;
  readonly fake: FakeBotConnector;
  readonly settings?: EngineSettings;
  readonly simulation?: SimulatedClusterOptions;
  readonly clock?: ManualClock;
  readonly cluster?: SimulatedCluster;
  /** Set: authenticated mode (tokens are checked), as with MicrosoftAppId. */
  readonly appId?: string;
  readonly tenantId?: string;
  readonly sendLimits?: readonly SendLimit[];
  readonly requestTimeoutMs?: number;
  /** Put something else behind the Teams route than the engine (e.g. a recording stub). */
  readonly inbound?: ChatInbound;
}

export async function startTeamsHarness(options: TeamsHarnessOptions): Promise<TeamsHarness> {
  const clock = options.clock ?? new ManualClock('2026-11-25T12:00:00Z');
  const store = await openStore(options.path, { now: () => clock.now() });
  const repositories = repositoriesOn(store.database);
  const bindings = new SqliteChatBindingRepository(store.database);
  const cluster = options.cluster ?? new SimulatedCluster(clock, { seed: 1, ...options.simulation });
  const log = captureLogger('debug');
  const engineLogs: string[] = [];
  const engineLog: EngineLog = {
    info: (message) => engineLogs.push(`info ${message}`),
    warn: (message, fields) => engineLogs.push(`warn ${message} ${JSON.stringify(fields)}`),
    error: (message, fields) => engineLogs.push(`error ${message} ${JSON.stringify(fields)}`),
  };
  const adapter = new TeamsAdapter({
    appId: options.appId,
    appPassword: options.appId === undefined ? undefined : 'not-a-real-client-secret',
    appType: 'SingleTenant',
    tenantId: options.tenantId ?? (options.appId === undefined ? undefined : '72f988bf-86f1-41af-91ab-2d7cd011db47'),
    bindings,
    audit: repositories.audit,
    logger: log.logger,
    requestTimeoutMs: options.requestTimeoutMs ?? 3000,
    sendLimits: options.sendLimits ?? [],
  });
  const engine = new MaintenanceEngine({
    repositories,
    transactions: new SqliteTransactions(store.database),
    cluster,
    clock,
    settings: options.settings ?? teamsTestSettings(),
    log: engineLog,
    simulation: cluster,
    outboxChanged: () => undefined,
  });
  const dispatcher = new OutboxDispatcher({ outbox: repositories.outbox, chat: adapter.chat, clock, log: engineLog, minUpdateIntervalMs: 1000, maxBackoffMs: 60_000 });
  adapter.attach(options.inbound ?? engine);
  let http: RunningHttpServer | undefined;
  try {
    http = await startHttpServer({ host: '127.0.0.1', port: 0, routes: adapter.routes, logger: log.logger });
    cluster.advanceTo(clock.now());
    await engine.start();
    await adapter.start();
  } catch (error: unknown) {
    await adapter.stop(0);
    await engine.stop();
    await http?.stop(0);
    await store.close();
    throw error;
  }
  const server = http;
  const messagesUrl = `http://127.0.0.1:${server.port}/api/messages`;
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
    bindings,
    messagesUrl,
    log,
    engineLogs,
    send: (activity, sendOptions) => postActivity(messagesUrl, activity, sendOptions),
    deliver,
    step,
    runUntil,
    async shutdown() {
      await adapter.stop(2000);
      await engine.stop();
      await server.stop(1000);
      await store.close();
    },
  };
}
