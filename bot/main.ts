// The composition root: the one place that turns validated configuration into running parts
// and wires them together. Everything else receives what it needs as arguments.
import type { Config } from './config/config.ts';
import { ConfigError } from './config/config-error.ts';
import { maskSecret } from './config/mask-secret.ts';
import { LogChat } from './adapters/chat/log-chat.ts';
import { selectCluster } from './adapters/cluster/kubernetes/cluster-selection.ts';
import { ConsoleChannel } from './adapters/console/console-channel.ts';
import { consoleRoutes, isLoopbackHost } from './adapters/console/console-routes.ts';
import type { ConsoleRoutes } from './adapters/console/console-routes.ts';
import { healthRoutes } from './adapters/http/health-routes.ts';
import type { Route, RunningHttpServer } from './adapters/http/http-server.ts';
import { Readiness } from './adapters/http/readiness.ts';
import type { SlackAdapter } from './adapters/slack/slack-adapter.ts';
import { SLACK_GROUP_PREFIX } from './adapters/slack/slack-user-groups.ts';
import type { TeamsAdapterOptions } from './adapters/teams/teams-adapter.ts';
import type { Logger } from './adapters/logging/create-logger.ts';
import { createMetrics } from './adapters/metrics/create-metrics.ts';
import { RepeatingTask } from './adapters/process/repeating-task.ts';
import { awaitLeadership } from './composition/leadership.ts';
import type { EngineLog } from './core/engine/engine-log.ts';
import { goDurationMs } from './adapters/cluster/kubernetes/kured-options.ts';
import type { EngineSettings } from './core/engine/engine-settings.ts';
import { DEFAULT_KURED_LOCK_TTL_MS } from './core/engine/engine-settings.ts';
import { MaintenanceEngine } from './core/engine/maintenance-engine.ts';
import { OutboxDispatcher } from './core/outbox/outbox-dispatcher.ts';
import type { ChatPort } from './core/ports/chat-port.ts';
import type { Clock } from './core/ports/clock.ts';
import { explainStorageFailure, openStore } from '../storage/open-store.ts';
import { SqliteChatBindingRepository } from '../storage/sqlite-chat-binding-repository.ts';
import { repositoriesOn, SqliteTransactions } from '../storage/sqlite-repositories.ts';

export interface BotDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly version: string;
  readonly now: () => Date;
  /** Aborted when the process is asked to stop: a leader-election standby stops waiting. */
  readonly shutdown?: AbortSignal;
}

export interface RunningBot {
  readonly http: { readonly host: string; readonly port: number };
  /** Stops taking requests, lets those in flight finish (up to `graceMs`), closes the store. */
  stop(graceMs: number): Promise<void>;
}

const ENGINE_TICK_MS = 1000;
const OUTBOX_POLL_MS = 1000;
const SLACK_SAFE_UPDATE_INTERVAL_MS = 1000;
const MAX_CHAT_BACKOFF_MS = 60_000;

export async function startBot({ config, logger, version, now, shutdown }: BotDependencies): Promise<RunningBot> {
  logger.info({ version, config: describeConfig(config) }, 'patchwindow bot starting');
  // Slack or Teams replaces the web console as the chat platform, unless the console is asked for explicitly.
  const slackWanted = config.slack.botToken !== undefined;
  const slackEnabled = slackWanted && config.console.mode !== 'on';
  const teamsWanted = config.teams.mode === 'on' || (config.teams.mode === 'auto' && config.teams.appId !== undefined);
  const teamsEnabled = teamsWanted && config.console.mode !== 'on';
  if (slackEnabled && teamsEnabled) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN and Teams (MicrosoftAppId or PATCHWINDOW_TEAMS=on) are both set, but patchwindow posts to one chat platform: unset one of them, or set PATCHWINDOW_TEAMS=off',
    );
  }
  const consoleEnabled = config.console.mode === 'on' || (config.console.mode === 'auto' && !slackEnabled && !teamsEnabled);
  // Chat SDKs are loaded only for the platform in use: botbuilder alone is ~50 MiB resident.
  const slack = slackEnabled ? new (await import('./adapters/slack/slack-adapter.ts')).SlackAdapter(slackOptions(config, logger)) : undefined;
  const teamsSettings = teamsEnabled ? teamsOptions(config) : undefined;
  if (consoleEnabled && !isLoopbackHost(config.http.host) && config.console.token === undefined) {
    throw new ConfigError(
      `PATCHWINDOW_HTTP_HOST=${config.http.host} is not a loopback address, so the web console needs PATCHWINDOW_CONSOLE_TOKEN (or set PATCHWINDOW_CONSOLE=off)`,
    );
  }
  const clock: Clock = { now };
  // PATCHWINDOW_CLUSTER: a real cluster (kube, or auto in a pod / with a kubeconfig) or the simulated one, which says so loudly.
  const clusterRuntime = selectCluster(config, clock, logger, { env: process.env });
  const cluster = clusterRuntime.cluster;
  const readiness = new Readiness();
  readiness.expect('store', 'database not open yet');
  readiness.expect('http', 'HTTP server not listening yet');
  readiness.expect('engine', 'engine not started yet');
  if (slack !== undefined) readiness.expect('slack', 'Slack not connected yet');
  if (teamsSettings !== undefined) readiness.expect('teams', 'Teams not ready yet');
  const metrics = createMetrics(version);
  // In a real cluster replicas elect one active bot (bot/composition/leadership.ts): a standby
  // waits here, serving health only, and opens nothing until it leads.
  const election = await awaitLeadership({ config, logger, readiness, metrics, realCluster: clusterRuntime.simulation === undefined, env: process.env, shutdown });
  if (election.stopped !== undefined) return election.stopped;
  const leadership = election.leading;

  const store = await openStore(config.db.path, { now }).catch(leadership.failStart);
  readiness.ready('store');
  logger.info({ db: config.db.path, schemaFrom: store.migration.from, schemaTo: store.migration.to }, 'database open');
  const repositories = repositoriesOn(store.database);
  const outboxNudge = { nudge: (): void => undefined };
  const teams =
    teamsSettings === undefined
      ? undefined
      : new (await import('./adapters/teams/teams-adapter.ts')).TeamsAdapter({
          ...teamsSettings,
          bindings: new SqliteChatBindingRepository(store.database),
          audit: repositories.audit,
          logger,
          // What waited for a conversation goes out as soon as there is one.
          onBound: () => {
            outboxNudge.nudge();
          },
        });

  // Ids unique to this start: message references stored by an earlier run must not hit new messages.
  const channel = consoleEnabled ? new ConsoleChannel({ now, idPrefix: `c${now().getTime().toString(36)}-` }) : undefined;
  const chat: ChatPort = channel ?? slack?.chat ?? teams?.chat ?? new LogChat(logger);
  const log = engineLog(logger);
  // Slack user groups among the approvers: their members are read from Slack, the engine checks a snapshot.
  const approverGroups = slack?.approverGroups(config.approvals.approvers);
  const engine = new MaintenanceEngine({
    repositories,
    transactions: new SqliteTransactions(store.database),
    cluster,
    clock,
    settings: engineSettings(config),
    log,
    simulation: clusterRuntime.simulation,
    outboxChanged: () => {
      outboxNudge.nudge();
    },
    metrics: metrics.engine,
    approverGroups: approverGroups?.needed === true ? () => approverGroups.snapshot() : undefined,
  });
  const dispatcher = new OutboxDispatcher({
    outbox: repositories.outbox,
    chat: metrics.meterChat(chat),
    clock,
    log,
    minUpdateIntervalMs: SLACK_SAFE_UPDATE_INTERVAL_MS,
    maxBackoffMs: MAX_CHAT_BACKOFF_MS,
    metrics: metrics.outboxFor(chat.platform),
  });
  // Pending nodes, windows and outbox depth are read when Prometheus scrapes (bot/adapters/metrics).
  metrics.readStateFrom({ nodes: () => engine.nodes, repositories, log });
  const delivery = new RepeatingTask('outbox delivery', OUTBOX_POLL_MS, async () => (await dispatcher.deliverDue()).waitMs, logger);
  outboxNudge.nudge = () => {
    delivery.nudge();
  };
  const ticking = new RepeatingTask(
    'engine tick',
    ENGINE_TICK_MS,
    async () => {
      await engine.tick();
      return undefined;
    },
    logger,
  );

  const console: ConsoleRoutes | undefined =
    channel === undefined ? undefined : consoleRoutes({ channel, inbound: engine, users: config.console.users, token: config.console.token, logger });
  slack?.attach(engine);
  teams?.attach(engine);
  const routes: Route[] = [...healthRoutes(readiness, metrics), ...(console?.routes ?? []), ...(slack?.routes ?? []), ...(teams?.routes ?? [])];

  let http: RunningHttpServer;
  try {
    http = await leadership.startHttpServer({ host: config.http.host, port: config.http.port, routes, logger });
  } catch (error: unknown) {
    await store.close();
    throw error;
  }
  readiness.ready('http');
  clusterRuntime.start();
  // A start that fails from here on lets go of everything it took (HTTP server, cluster watch,
  // store, Lease): otherwise the process would neither serve nor exit.
  const abandonStart = async (error: unknown): Promise<never> => {
    await ticking.stop();
    await delivery.stop();
    approverGroups?.stop();
    await slack?.stop(0);
    await teams?.stop(0);
    await engine.stop();
    clusterRuntime.stop();
    await http.stop(1000);
    await store.close();
    await leadership.release();
    throw explainStorageFailure(config.db.path, error);
  };
  await engine.start().catch(abandonStart);
  // At most one chat platform is enabled (checked above); a failed connection undoes the start.
  for (const [part, platform] of [['slack', slack], ['teams', teams]] as const) {
    if (platform === undefined) continue;
    try {
      await platform.start();
    } catch (error: unknown) {
      await abandonStart(error);
    }
    readiness.ready(part);
  }
  await approverGroups?.start();
  if (slack === undefined && config.approvals.approvers.some((approver) => approver.startsWith(SLACK_GROUP_PREFIX))) {
    logger.warn({ approvers: config.approvals.approvers }, 'PATCHWINDOW_APPROVERS names Slack user groups, but Slack is not the chat platform: nobody is an approver through them');
  }
  if (teams !== undefined) {
    if (!config.approvals.approvers.some((approver) => approver.startsWith('teams:'))) {
      logger.warn({ approvers: config.approvals.approvers }, 'Teams is the chat platform, but no approver is a Teams user: add teams:<Entra ID object id> to PATCHWINDOW_APPROVERS');
    }
  }
  ticking.start();
  delivery.start();
  readiness.ready('engine');
  await repositories.audit.record({ at: now(), actor: 'system', action: 'bot.started', subject: '', details: { version } }).catch(abandonStart);
  logger.info({ host: http.host, port: http.port }, 'HTTP server listening');
  if (channel !== undefined) {
    const url = `http://${http.host.includes(':') ? `[${http.host}]` : http.host}:${http.port}/`;
    logger.info({ url }, `web console: ${url}${config.console.token === undefined ? '' : ' (append ?token=<PATCHWINDOW_CONSOLE_TOKEN>)'}`);
  }
  if (slackWanted && !slackEnabled) {
    logger.warn('SLACK_BOT_TOKEN is set, but PATCHWINDOW_CONSOLE=on: the web console is the chat platform and Slack is not connected');
  }
  if (teamsWanted && !teamsEnabled) {
    logger.warn('Teams is configured, but PATCHWINDOW_CONSOLE=on: the web console is the chat platform and Teams is not connected');
  }
  if (config.teams.mode === 'off' && config.teams.appId !== undefined) {
    logger.info('MicrosoftAppId is set, but PATCHWINDOW_TEAMS=off: Teams is not connected');
  }

  return {
    http: { host: http.host, port: http.port },
    stop: async (graceMs) => {
      readiness.notReady('shutdown', 'shutting down');
      console?.close();
      // Answers in progress get a short grace of their own: the HTTP server's comes after.
      approverGroups?.stop();
      await slack?.stop(Math.min(graceMs, 2000));
      await teams?.stop(Math.min(graceMs, 2000));
      await ticking.stop();
      await engine.stop();
      clusterRuntime.stop();
      await http.stop(graceMs);
      await delivery.stop();
      // A full or read-only volume must not keep the store open and the Lease held at exit.
      await repositories.audit.record({ at: now(), actor: 'system', action: 'bot.stopped', subject: '', details: { version } }).catch((error: unknown) => {
        logger.error({ err: error }, 'could not record bot.stopped in the audit log');
      });
      await store.close();
      await leadership.release();
      logger.info('patchwindow bot stopped');
    },
  };
}

/** The Slack adapter's options, or a ConfigError naming what is missing. */
function slackOptions(config: Config, logger: Logger): ConstructorParameters<typeof SlackAdapter>[0] {
  const { botToken, signingSecret, appToken, channel, apiUrl, command, teamId } = config.slack;
  if (botToken === undefined) throw new ConfigError('SLACK_BOT_TOKEN is required for Slack: expected a Slack bot token starting with xoxb-');
  if (channel === undefined) {
    throw new ConfigError('SLACK_BOT_TOKEN is set, so PATCHWINDOW_SLACK_CHANNEL is required: expected a Slack channel id such as C0123456789');
  }
  if (appToken === undefined && signingSecret === undefined) {
    throw new ConfigError(
      'Slack over HTTP (no SLACK_APP_TOKEN) needs SLACK_SIGNING_SECRET to verify requests: expected the Slack app signing secret, or set SLACK_APP_TOKEN for Socket Mode',
    );
  }
  return { botToken, signingSecret, appToken, channel, apiUrl, command, teamId, logger };
}

/**
 * The Teams adapter's settings, or a ConfigError naming what is missing: each app type needs its
 * credentials, and without an app id (unauthenticated, local testing) only a loopback address.
 */
function teamsOptions(config: Config): Pick<TeamsAdapterOptions, 'appId' | 'appPassword' | 'appType' | 'tenantId'> {
  const { appId, appPassword, appType, tenantId } = config.teams;
  if (appId === undefined) {
    if (!isLoopbackHost(config.http.host)) {
      throw new ConfigError(
        `PATCHWINDOW_TEAMS=on without MicrosoftAppId runs Teams unauthenticated (for local testing only), so PATCHWINDOW_HTTP_HOST=${config.http.host} must be a loopback address: ` +
          'expected 127.0.0.1 or localhost, or set MicrosoftAppId and MicrosoftAppPassword of the Azure bot registration',
      );
    }
    return { appId: undefined, appPassword: undefined, appType, tenantId };
  }
  if (appType !== 'UserAssignedMSI' && appPassword === undefined) {
    throw new ConfigError(`MicrosoftAppId is set with MicrosoftAppType=${appType}, so MicrosoftAppPassword is required: expected the client secret of the app registration`);
  }
  if (appType === 'UserAssignedMSI' && appPassword !== undefined) {
    throw new ConfigError('MicrosoftAppType=UserAssignedMSI uses the managed identity, so MicrosoftAppPassword must not be set');
  }
  if (appType !== 'MultiTenant' && tenantId === undefined) {
    throw new ConfigError(`MicrosoftAppId is set with MicrosoftAppType=${appType}, so MicrosoftAppTenantId is required: expected a GUID (the Entra ID tenant id)`);
  }
  return { appId, appPassword, appType, tenantId };
}

function engineSettings(config: Config): EngineSettings {
  return {
    approvals: {
      approvers: config.approvals.approvers,
      fourEyes: config.approvals.fourEyes,
      required: config.approvals.required,
      requestTtlMs: config.approvals.requestTtlMs,
      leadMs: config.approvals.leadMs,
    },
    defaultZone: config.schedules.defaultZone,
    defaultConcurrency: config.windows.concurrency,
    maxConcurrency: config.windows.maxConcurrency,
    progress: { notBackAfterMs: config.windows.notBackAfterMs },
    defaultPerNodeMs: config.windows.nodeTimeMs,
    reconcileEveryMs: 60_000,
    digestEveryMs: 24 * 3_600_000,
    // Validated as a positive Go duration when loaded; the engine judges TTL-less locks by it.
    kuredLockTtlMs: goDurationMs(config.kured.lockTtl) ?? DEFAULT_KURED_LOCK_TTL_MS,
  };
}

function engineLog(logger: Logger): EngineLog {
  return {
    info: (message, fields) => {
      logger.info(fields ?? {}, message);
    },
    warn: (message, fields) => {
      logger.warn(fields ?? {}, message);
    },
    error: (message, fields) => {
      logger.error(fields ?? {}, message);
    },
  };
}

/** The configuration as it is safe to log: secrets masked (and redacted by the logger), unset ones left out. */
function describeConfig(config: Config): Record<string, unknown> {
  const present = (values: Record<string, string | undefined>): Record<string, string> =>
    Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return {
    file: config.file,
    http: config.http,
    log: config.log,
    db: config.db,
    schedules: config.schedules,
    cluster: config.cluster,
    leaderElection: config.leaderElection,
    sim: config.sim,
    console: { mode: config.console.mode, users: config.console.users, token: mask(config.console.token) ?? 'unset' },
    approvals: config.approvals,
    windows: config.windows,
    slack: present({
      botToken: mask(config.slack.botToken),
      signingSecret: mask(config.slack.signingSecret),
      appToken: mask(config.slack.appToken),
      channel: config.slack.channel,
      apiUrl: config.slack.apiUrl,
      command: config.slack.command,
      teamId: config.slack.teamId,
    }),
    teams: present({ ...config.teams, appPassword: mask(config.teams.appPassword) }),
  };
}

function mask(value: string | undefined): string | undefined {
  return value === undefined ? undefined : maskSecret(value);
}
