// The agent's composition root: turns validated configuration into a detector, a reporter, the
// scan loop and the HTTP endpoints, and wires them. `patchwindow agent` calls startAgent.
import { randomInt } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { startHttpServer } from '../bot/adapters/http/http-server.ts';
import type { Logger } from '../bot/adapters/logging/create-logger.ts';
import type { Config } from '../bot/config/config.ts';
import { ConfigError } from '../bot/config/config-error.ts';
import type { Random } from './core/timing.ts';
import { livenessRoute, metricsRoute } from '../bot/adapters/http/health-routes.ts';
import { DIRECTORY_CHECK_MS, DirectoryWatcher, WATCH_BACKOFF } from './adapters/directory-watcher.ts';
import { HttpsNodeApi } from './adapters/https-node-api.ts';
import { loadApiServerConnection } from './adapters/load-api-server-connection.ts';
import { PrometheusAgentMetrics } from './adapters/prometheus-agent-metrics.ts';
import { SentinelCommandDetector } from './adapters/sentinel-command-detector.ts';
import { SentinelFileDetector } from './adapters/sentinel-file-detector.ts';
import { systemTimers } from './adapters/system-timers.ts';
import { NodeAgent } from './node-agent.ts';
import { NodeReporter } from './node-reporter.ts';
import type { Detector } from './ports/detector.ts';
import type { NodeApi } from './ports/node-api.ts';
import { sleep } from './ports/timers.ts';
import type { Timers } from './ports/timers.ts';

export interface AgentDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly version: string;
  /** The process environment: KUBERNETES_SERVICE_HOST tells a pod from elsewhere. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly now?: () => Date;
  readonly timers?: Timers;
  readonly random?: Random;
  /** Replaces the Kubernetes API calls, e.g. with an in-memory fake. */
  readonly nodeApi?: NodeApi;
}

export interface RunningAgent {
  readonly http: { readonly host: string; readonly port: number };
  readonly agent: NodeAgent;
  readonly reporter: NodeReporter;
  readonly metrics: PrometheusAgentMetrics;
  /** Stops scanning and retrying, then the HTTP server (letting requests finish for up to `graceMs`). */
  stop(graceMs: number): Promise<void>;
}

/** Kubernetes node names are DNS subdomains. */
const NODE_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const secureRandom: Random = () => randomInt(0, 2 ** 32) / 2 ** 32;

export async function startAgent(dependencies: AgentDependencies): Promise<RunningAgent> {
  const { config, logger, version } = dependencies;
  const nodeName = requireNodeName(config.agent.nodeName);
  const now = dependencies.now ?? (() => new Date());
  const timers = dependencies.timers ?? systemTimers;
  const random = dependencies.random ?? secureRandom;
  const stopping = new AbortController();

  const api = dependencies.nodeApi ?? (await kubeNodeApi(dependencies, logger));
  const metrics = new PrometheusAgentMetrics(version);
  const detector: Detector =
    config.agent.sentinelCommand === undefined
      ? new SentinelFileDetector(config.agent.sentinelFile)
      : new SentinelCommandDetector({
          command: config.agent.sentinelCommand,
          rebootExitCode: config.agent.rebootExitCode,
          nsenter: config.agent.nsenter,
          timeoutMs: config.agent.commandTimeoutMs,
          signal: stopping.signal,
        });
  const reporter = new NodeReporter({
    api,
    nodeName,
    version,
    heartbeatIntervalMs: config.agent.heartbeatIntervalMs,
    random,
    delay: (ms, signal) => sleep(timers, ms, signal),
    metrics,
    logger,
  });
  const agent = new NodeAgent({ detector, reporter, now, timers, random, scanIntervalMs: config.agent.scanIntervalMs, metrics, logger });
  const watcher = detector instanceof SentinelFileDetector ? fileWatcher(config.agent.sentinelFile, agent, timers, random, logger) : undefined;

  const http = await startHttpServer({ host: config.agent.host, port: config.agent.port, routes: [livenessRoute(), metricsRoute(metrics.registry)], logger });
  logger.info(
    {
      version,
      node: nodeName,
      detector: detector.description,
      scanIntervalMs: config.agent.scanIntervalMs,
      heartbeatIntervalMs: config.agent.heartbeatIntervalMs,
      host: http.host,
      port: http.port,
    },
    'patchwindow agent started',
  );
  agent.start();
  watcher?.start();

  return {
    http: { host: http.host, port: http.port },
    agent,
    reporter,
    metrics,
    stop: async (graceMs) => {
      watcher?.stop();
      stopping.abort();
      await agent.stop();
      await reporter.stop();
      await http.stop(graceMs);
      logger.info('patchwindow agent stopped');
    },
  };
}

function requireNodeName(nodeName: string | undefined): string {
  if (nodeName === undefined) {
    throw new ConfigError('NODE_NAME is required by the agent: expected the name of the node it runs on (the manifests set it from spec.nodeName)');
  }
  if (!NODE_NAME.test(nodeName)) {
    throw new ConfigError(`NODE_NAME=${JSON.stringify(nodeName)}: expected a Kubernetes node name (lower-case DNS subdomain)`);
  }
  return nodeName;
}

async function kubeNodeApi(dependencies: AgentDependencies, logger: Logger): Promise<NodeApi> {
  const loaded = await loadApiServerConnection({ kubeconfig: dependencies.config.cluster.kubeconfig, env: dependencies.env, homeDir: dependencies.homeDir });
  if (loaded.skipped.length > 0) logger.warn({ skipped: loaded.skipped }, 'KUBECONFIG names files that do not exist; skipped, as kubectl does');
  logger.info({ source: loaded.source, server: loaded.server, auth: loaded.connection.auth }, 'Kubernetes API');
  return new HttpsNodeApi(loaded.connection);
}

function fileWatcher(sentinelFile: string, agent: NodeAgent, timers: Timers, random: Random, logger: Logger): DirectoryWatcher {
  const name = basename(sentinelFile);
  return new DirectoryWatcher({
    directory: dirname(sentinelFile),
    names: [name, `${name}.pkgs`],
    onChange: () => {
      agent.changed();
    },
    onProblem: (message, error) => {
      logger.warn({ err: error }, message);
    },
    timers,
    random,
    checkIntervalMs: DIRECTORY_CHECK_MS,
    backoff: WATCH_BACKOFF,
  });
}
