// The composition root: the one place that turns validated configuration into running parts
// and wires them together. Everything else receives what it needs as arguments.
import type { Config } from './config/config.ts';
import { maskSecret } from './config/mask-secret.ts';
import { healthRoutes } from './adapters/http/health-routes.ts';
import { startHttpServer } from './adapters/http/http-server.ts';
import type { RunningHttpServer } from './adapters/http/http-server.ts';
import { Readiness } from './adapters/http/readiness.ts';
import type { Logger } from './adapters/logging/create-logger.ts';
import { createMetrics } from './adapters/metrics/create-metrics.ts';
import { openStore } from '../storage/open-store.ts';
import { SqliteAuditLog } from '../storage/sqlite-audit-log.ts';

export interface BotDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly version: string;
  readonly now: () => Date;
}

export interface RunningBot {
  readonly http: { readonly host: string; readonly port: number };
  /** Stops taking requests, lets those in flight finish (up to `graceMs`), closes the store. */
  stop(graceMs: number): Promise<void>;
}

export async function startBot({ config, logger, version, now }: BotDependencies): Promise<RunningBot> {
  logger.info({ version, config: describeConfig(config) }, 'patchwindow bot starting');
  const readiness = new Readiness();
  readiness.expect('store', 'database not open yet');
  readiness.expect('http', 'HTTP server not listening yet');
  const metrics = createMetrics(version);

  const store = await openStore(config.db.path, { now });
  const { database, migration } = store;
  readiness.ready('store');
  logger.info({ db: config.db.path, schemaFrom: migration.from, schemaTo: migration.to }, 'database open');
  const audit = new SqliteAuditLog(database);

  let http: RunningHttpServer;
  try {
    http = await startHttpServer({ host: config.http.host, port: config.http.port, routes: healthRoutes(readiness, metrics), logger });
  } catch (error: unknown) {
    await store.close();
    throw error;
  }
  readiness.ready('http');
  await audit.record({ at: now(), actor: 'system', action: 'bot.started', subject: '', details: { version } });
  logger.info({ host: http.host, port: http.port }, 'HTTP server listening');
  if (config.slack.botToken !== undefined || config.teams.appId !== undefined) {
    logger.warn('Slack or Teams settings are present, but this version has no chat adapter yet; they are not used');
  }

  return {
    http: { host: http.host, port: http.port },
    stop: async (graceMs) => {
      readiness.notReady('shutdown', 'shutting down');
      await http.stop(graceMs);
      await audit.record({ at: now(), actor: 'system', action: 'bot.stopped', subject: '', details: { version } });
      await store.close();
      logger.info('patchwindow bot stopped');
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
    slack: present({
      botToken: mask(config.slack.botToken),
      signingSecret: mask(config.slack.signingSecret),
      appToken: mask(config.slack.appToken),
    }),
    teams: present({ ...config.teams, appPassword: mask(config.teams.appPassword) }),
  };
}

function mask(value: string | undefined): string | undefined {
  return value === undefined ? undefined : maskSecret(value);
}
