// Leader election for the composition root. In a real cluster (by default) the bot waits here
// until it holds the Lease, serving only /healthz, /readyz (503 "standby: leader is <identity>")
// and /metrics (patchwindow_leader 0): it opens no database and starts no engine, dispatcher,
// chat platform or timer, so a standby never acts. Once leading, main.ts starts everything and
// the same HTTP server takes the full route table. Losing the Lease ends the process at once
// (Kubernetes restarts it as a standby): stopping each part in turn could let one more action
// through after another replica took over. A clean shutdown releases the Lease, so a standby
// takes over at its next attempt instead of after the lease duration.
import { randomBytes } from 'node:crypto';
import { homedir, hostname } from 'node:os';
import { connectToCluster } from '../adapters/cluster/kubernetes/kube-connection.ts';
import { healthRoutes } from '../adapters/http/health-routes.ts';
import { startHttpServer } from '../adapters/http/http-server.ts';
import type { HttpServerOptions, Route, RunningHttpServer } from '../adapters/http/http-server.ts';
import type { Readiness } from '../adapters/http/readiness.ts';
import { kubeLeaseStore } from '../adapters/leadership/kube-lease-store.ts';
import { LeaseElector } from '../adapters/leadership/lease-elector.ts';
import type { ElectorStatus } from '../adapters/leadership/lease-elector.ts';
import { LeaseConflict } from '../adapters/leadership/lease-store.ts';
import type { LeaseStore } from '../adapters/leadership/lease-store.ts';
import type { Logger } from '../adapters/logging/create-logger.ts';
import type { Metrics } from '../adapters/metrics/create-metrics.ts';
import type { Config } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { DEFAULT_ELECTION_TIMINGS } from '../core/leadership/lease-election.ts';
import type { ElectionTimings } from '../core/leadership/lease-election.ts';

/** The exit code of a bot that lost the Lease; any non-zero code makes Kubernetes restart it. */
export const LEADERSHIP_LOST_EXIT_CODE = 1;

export interface LeadershipOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly readiness: Readiness;
  readonly metrics: Metrics;
  /** Whether the bot runs against a real cluster; the simulated one has no replicas to elect among. */
  readonly realCluster: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir?: string;
  /** Aborted when the process is asked to stop: a standby stops waiting. */
  readonly shutdown?: AbortSignal | undefined;
  /** Ends the process when leadership is lost; process.exit unless a test supplies one. */
  readonly exit?: (code: number) => void;
  /** Tests: another Lease, clock and timings. */
  readonly election?: {
    readonly store?: LeaseStore;
    readonly timings?: ElectionTimings;
    readonly now?: () => number;
    readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  };
}

export interface Leadership {
  /** The identity in the Lease; undefined when leader election is off. */
  readonly identity: string | undefined;
  /** Starts the bot's HTTP server, or gives the standby's (already listening) the full route table. */
  startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer>;
  /** Gives the Lease back; call it once the bot has stopped acting. Never throws. */
  release(): Promise<void>;
  /**
   * For a start that failed after leadership: gives the Lease back and closes the HTTP server
   * (unless already closed), so the process exits and another replica takes over at once
   * instead of a broken bot holding the Lease. Rethrows `error`.
   */
  readonly failStart: (error: unknown) => Promise<never>;
}

/** What startBot returns for a standby stopped before it ever led: only its HTTP server to close. */
export interface StoppedStandby {
  readonly http: { readonly host: string; readonly port: number };
  stop(graceMs: number): Promise<void>;
}

export type LeadershipOutcome = { readonly leading: Leadership; readonly stopped?: undefined } | { readonly leading?: undefined; readonly stopped: StoppedStandby };

/**
 * Returns once this process may act (it leads, or leader election is off), or once `shutdown`
 * aborts while it is still standing by. Throws ConfigError for settings that cannot work.
 */
export async function awaitLeadership(options: LeadershipOptions): Promise<LeadershipOutcome> {
  const { config, logger, readiness, metrics } = options;
  const leaderGauge = metrics.leader;
  const enabled = config.leaderElection.enabled ?? options.realCluster;
  if (!enabled) {
    leaderGauge.set(1);
    return { leading: { identity: undefined, startHttpServer, release: () => Promise.resolve(), failStart: rethrow } };
  }
  if (!options.realCluster) {
    throw new ConfigError(
      'PATCHWINDOW_LEADER_ELECTION=true needs a real cluster to hold the Lease, but the bot runs against the simulated one: set PATCHWINDOW_CLUSTER=kube, or unset PATCHWINDOW_LEADER_ELECTION',
    );
  }
  const store = options.election?.store ?? leaseStoreFor(config, options.env, options.homeDir ?? homedir());
  const identity = config.leaderElection.identity ?? defaultIdentity(options.env);
  const timings = options.election?.timings ?? DEFAULT_ELECTION_TIMINGS;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  leaderGauge.set(0);
  readiness.notReady('standby', `reading Lease ${store.description}`);

  // The standby serves health only; once leading, main.ts's routes replace these in place.
  const routes: Route[] = healthRoutes(readiness, metrics);
  const http = await startHttpServer({ host: config.http.host, port: config.http.port, routes, logger });
  readiness.ready('http');
  logger.info(
    { identity, lease: store.description, host: http.host, port: http.port, leaseDurationMs: timings.leaseDurationMs },
    'leader election: this bot acts only while it holds the Lease; until then it serves /healthz, /readyz and /metrics only',
  );

  const startedAt = Date.now();
  const reportStatus = (status: ElectorStatus): void => {
    if (status.leading) {
      leaderGauge.set(1);
      readiness.ready('standby');
      logger.info({ identity, lease: store.description, waitedMs: Date.now() - startedAt }, 'became leader: this bot now acts');
      return;
    }
    leaderGauge.set(0);
    readiness.notReady('standby', `leader is ${status.holder ?? 'nobody yet'}`);
    logger.info({ identity, lease: store.description, leader: status.holder }, `standing by: leader is ${status.holder ?? 'nobody yet'}`);
  };

  let failing = false;
  const elector = new LeaseElector({
    store,
    identity,
    timings,
    now: options.election?.now ?? Date.now,
    sleep: options.election?.sleep ?? unrefSleep,
    onStatus: (status) => {
      failing = false;
      reportStatus(status);
    },
    onLost: (reason) => {
      leaderGauge.set(0);
      readiness.notReady('standby', 'leadership lost');
      logger.error({ identity, lease: store.description, reason }, `lost leadership (${reason}): exiting so Kubernetes restarts this bot as a standby`);
      exit(LEADERSHIP_LOST_EXIT_CODE);
    },
    onAttemptFailed: (error) => {
      // A conflict is another candidate winning a race, not a fault; a failing API server is
      // worth one warning per streak, not one every retry period.
      if (error instanceof LeaseConflict || failing) {
        logger.debug({ err: error, lease: store.description }, 'leader election attempt failed');
        return;
      }
      failing = true;
      logger.warn({ err: error, lease: store.description, identity }, 'leader election: cannot read or write the Lease; trying again every retry period');
    },
  });
  elector.start();
  const stopped = await leadOrStop(elector, options.shutdown);
  if (stopped) {
    await elector.release().catch((error: unknown) => {
      logger.warn({ err: error, lease: store.description }, 'could not release the Lease taken while stopping; it expires on its own');
    });
    logger.info({ identity }, 'stopped while standing by');
    return {
      stopped: {
        http: { host: http.host, port: http.port },
        stop: async (graceMs) => {
          await http.stop(graceMs);
          logger.info('patchwindow bot stopped');
        },
      },
    };
  }
  let httpStopped = false;
  const sharedHttp: RunningHttpServer = {
    host: http.host,
    port: http.port,
    stop: async (graceMs) => {
      httpStopped = true;
      await http.stop(graceMs);
    },
  };
  const release = async (): Promise<void> => {
    try {
      if (await elector.release()) logger.info({ identity, lease: store.description }, 'Lease released: a standby takes over at its next attempt');
    } catch (error: unknown) {
      logger.warn({ err: error, lease: store.description }, 'could not release the Lease; a standby takes over once it expires');
    }
  };
  return {
    leading: {
      identity,
      startHttpServer: (serverOptions) => {
        routes.splice(0, routes.length, ...serverOptions.routes);
        return Promise.resolve(sharedHttp);
      },
      release,
      failStart: async (error) => {
        await release();
        if (!httpStopped) await sharedHttp.stop(1000);
        throw error;
      },
    },
  };
}

/** With leader election off there is nothing to give back: the error goes on as it is. */
function rethrow(error: unknown): Promise<never> {
  return Promise.reject(error instanceof Error ? error : new Error(String(error), { cause: error }));
}

/** True when `shutdown` aborted first. */
async function leadOrStop(elector: LeaseElector, shutdown: AbortSignal | undefined): Promise<boolean> {
  if (shutdown?.aborted === true) return true;
  const aborted = new Promise<boolean>((resolve) => shutdown?.addEventListener('abort', () => { resolve(true); }, { once: true }));
  return Promise.race([elector.whenLeading().then(() => false), aborted]);
}

function leaseStoreFor(config: Config, env: Readonly<Record<string, string | undefined>>, homeDir: string): LeaseStore {
  const { kubeConfig } = connectToCluster({ kubeconfig: config.cluster.kubeconfig, context: config.cluster.context, env, homeDir });
  return kubeLeaseStore({ kubeConfig, namespace: leaseNamespace(config, kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace), name: config.leaderElection.lease });
}

/**
 * kubectl's rule: the setting, else the current context's namespace (in a pod that is the pod's
 * own, read from its ServiceAccount's namespace file), else `default`.
 */
export function leaseNamespace(config: Config, contextNamespace: string | undefined): string {
  const fromContext = contextNamespace?.trim();
  return config.leaderElection.namespace ?? (fromContext === undefined || fromContext === '' ? 'default' : fromContext);
}

/** The pod name (HOSTNAME in a pod) plus a random suffix: a restarted pod is a new candidate, as in client-go. */
export function defaultIdentity(env: Readonly<Record<string, string | undefined>>): string {
  const host = env['HOSTNAME'] ?? hostname();
  return `${host === '' ? 'patchwindow' : host}_${randomBytes(4).toString('hex')}`;
}

/** Timers that do not keep the process alive: the HTTP server does while the bot should run. */
function unrefSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}
