// Node daemons: kured (or any kured-like process) run as a host process per simulated node, in
// a sandbox that gives it what a kured pod has:
// - in-cluster config: KUBERNETES_SERVICE_HOST/PORT (loopback API server) and a service-account
//   token, CA and namespace at /var/run/secrets/kubernetes.io/serviceaccount/ - a per-node dir
//   bind-mounted over /run in a private mount namespace (unshare --mount, nothing leaks out);
// - hostPID + nsenter: kured runs its reboot command as `/usr/bin/nsenter -m/proc/1/ns/mnt -- cmd`.
//   PID 1 of this machine is not ours to enter, so the sandbox has its own PID namespace
//   (unshare --pid --fork --mount-proc) whose PID 1 is the daemon itself: nsenter enters the
//   sandbox's own mount namespace and runs the reboot command there;
// - the node's sentinel at /var/run/reboot-required (= <node dir>/run/reboot-required outside).
// The reboot command is a script that only records the request in the node dir; the harness then
// "reboots" the node: stops its daemon, marks it NotReady, removes the sentinel, waits the
// downtime, sets a new bootID, marks it Ready and starts the daemon again.
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestCluster } from './cluster.ts';
import { freePort } from './cluster.ts';
import { ContainerLog } from './container-log.ts';
import type { SimulatedNodes } from './nodes.ts';
import type { ManagedProcess } from './processes.ts';

const SERVICE_ACCOUNT_DIR = 'secrets/kubernetes.io/serviceaccount';

export interface NodeSandbox {
  readonly node: string;
  /** Host dir of this node (logs, reboot requests, the reboot script). */
  readonly dir: string;
  /** Host dir mounted over /run (so /var/run) inside the sandbox. */
  readonly runDir: string;
  /** Host path of /var/run/reboot-required inside the sandbox. */
  readonly sentinelHostPath: string;
  /** Path (same inside and outside) of the script to give kured as --reboot-command. */
  readonly rebootCommand: string;
}

export interface DaemonContext {
  readonly sandbox: NodeSandbox;
  readonly cluster: TestCluster;
  /** Which incarnation of this node's daemon (1 at start, +1 after each reboot). */
  readonly boot: number;
}

export interface DaemonSpec {
  readonly name: string;
  /** argv of the daemon inside the sandbox (argv[0] absolute). */
  argv(context: DaemonContext): Promise<readonly string[]> | readonly string[];
  /** Extra environment (KUBERNETES_SERVICE_HOST/PORT and HOME are set already). */
  env?(context: DaemonContext): Readonly<Record<string, string>>;
}

export interface RebootRecord {
  readonly node: string;
  readonly requestedAt: number;
  readonly oldBootID: string;
  downAt?: number;
  upAt?: number;
  newBootID?: string;
}

export interface NodeDaemonsOptions {
  readonly cluster: TestCluster;
  readonly nodes: SimulatedNodes;
  readonly daemon: DaemonSpec;
  /** The identity the daemons run as (default kube-system/kured; created if missing). */
  readonly serviceAccount?: { readonly namespace: string; readonly name: string };
  /** How long a rebooting node stays down (default 1000 ms); a simulation parameter, not a wait. */
  readonly rebootDowntimeMs?: number;
  /**
   * Start a daemon on every node now (default true). false: only startOn() starts one, e.g. when
   * the harness's DaemonSet controller has bound a kured pod to the node (harness/kured-pods.ts);
   * the service-account token is then requested at the first start.
   */
  readonly autoStart?: boolean;
}

export interface NodeDaemons {
  readonly sandboxes: ReadonlyMap<string, NodeSandbox>;
  /** Every reboot the harness carried out, in the order requested. */
  readonly reboots: readonly RebootRecord[];
  touchSentinel(node: string): void;
  sentinelExists(node: string): boolean;
  /** Output of all incarnations of the node's daemon so far. */
  log(node: string): string;
  current(node: string): ManagedProcess | undefined;
  /** The output of the node's current (or last) incarnation as a container log, for the kubelet log server. */
  containerLog(node: string): ContainerLog | undefined;
  /** Starts the node's daemon (and keeps restarting it after reboots) unless it runs already. */
  startOn(node: string): Promise<void>;
  /** Stops the node's daemon for good (until startOn). */
  stopOn(node: string): Promise<void>;
  /**
   * Resolves with the `count`-th line (default: the first) of the node's daemon output, over all
   * incarnations, that matches `pattern`.
   */
  waitForLog(node: string, pattern: RegExp, timeoutMs: number, count?: number): Promise<string>;
  /** Stops all daemons; throws if a reboot failed. */
  stop(): Promise<void>;
}

/** The --reboot-command script: records the request where the harness looks for it. */
function rebootScript(requestFile: string): string {
  return [
    '#!/bin/sh',
    '# kured --reboot-command of a simulated node: hands the reboot to the test harness.',
    `echo "reboot requested by pid $$ at $(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" >> '${requestFile}.tmp'`,
    `mv -f '${requestFile}.tmp' '${requestFile}'`,
    'echo "reboot handed to the test harness"',
    '',
  ].join('\n');
}

export async function startNodeDaemons(options: NodeDaemonsOptions): Promise<NodeDaemons> {
  const { cluster, nodes, daemon } = options;
  const sa = options.serviceAccount ?? { namespace: 'kube-system', name: 'kured' };
  const downtimeMs = options.rebootDowntimeMs ?? 1000;
  const runTarget = realpathSync('/var/run');
  let tokenWritten: Promise<void> | undefined;
  /** uid of the ServiceAccount the written token belongs to. */
  let tokenUid: string | undefined;
  const writeTokens = async (): Promise<void> => {
    const token = await cluster.serviceAccountToken(sa.namespace, sa.name, 3 * 3600);
    for (const sandbox of sandboxes.values()) writeFileSync(path.join(sandbox.runDir, SERVICE_ACCOUNT_DIR, 'token'), token, { mode: 0o600 });
  };

  const sandboxes = new Map<string, NodeSandbox>();
  const processes = new Map<string, ManagedProcess>();
  const containerLogs = new Map<string, ContainerLog>();
  /** Nodes whose daemon should run (restarted after each reboot). */
  const wanted = new Set<string>();
  const history = new Map<string, string[]>();
  const boots = new Map<string, number>();
  const rebooting = new Set<string>();
  const reboots: RebootRecord[] = [];
  const errors: unknown[] = [];
  let stopping = false;

  for (const node of nodes.names) {
    const dir = path.join(cluster.dir, 'nodes', node);
    const runDir = path.join(dir, 'run');
    const saDir = path.join(runDir, SERVICE_ACCOUNT_DIR);
    mkdirSync(saDir, { recursive: true });
    writeFileSync(path.join(saDir, 'ca.crt'), cluster.caPem);
    writeFileSync(path.join(saDir, 'namespace'), sa.namespace);
    const rebootCommand = path.join(dir, 'reboot-command.sh');
    writeFileSync(rebootCommand, rebootScript(path.join(dir, 'reboot-requested')));
    chmodSync(rebootCommand, 0o755);
    sandboxes.set(node, { node, dir, runDir, sentinelHostPath: path.join(runDir, 'reboot-required'), rebootCommand });
    history.set(node, []);
    boots.set(node, 0);
  }

  const sandboxOf = (node: string): NodeSandbox => {
    const sandbox = sandboxes.get(node);
    if (sandbox === undefined) throw new Error(`${node} is not a simulated node`);
    return sandbox;
  };

  async function startDaemon(node: string): Promise<void> {
    const sandbox = sandboxOf(node);
    // The bot deletes kured's ServiceAccount when a window closes and creates it anew for the
    // next one: a token of the old one is refused, so a new uid gets a new token.
    // An API server that cannot be asked (a test stopped it) keeps the token there is.
    const uid = await cluster.admin
      .find<{ metadata: { uid?: string } }>(`/api/v1/namespaces/${sa.namespace}/serviceaccounts/${sa.name}`)
      .then((account) => account?.metadata.uid)
      .catch(() => tokenUid);
    if (tokenWritten === undefined || uid !== tokenUid) {
      tokenUid = uid;
      tokenWritten = writeTokens();
    }
    await tokenWritten;
    const boot = (boots.get(node) ?? 0) + 1;
    boots.set(node, boot);
    const context: DaemonContext = { sandbox, cluster, boot };
    const argv = await daemon.argv(context);
    const proc = cluster.supervisor.start(
      `${daemon.name}@${node}#${boot}`,
      'unshare',
      [
        '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private', '--',
        '/bin/sh', '-c', 'mount --bind "$1" "$2" && shift 2 && exec "$@"', 'node-sandbox',
        sandbox.runDir, runTarget, ...argv,
      ],
      {
        logFile: path.join(cluster.dir, 'logs', `${daemon.name}-${node}.log`),
        cwd: sandbox.dir,
        env: {
          KUBERNETES_SERVICE_HOST: '127.0.0.1',
          KUBERNETES_SERVICE_PORT: String(cluster.apiPort),
          HOME: sandbox.dir,
          KUBECONFIG: path.join(sandbox.dir, 'no-kubeconfig'),
          ...daemon.env?.(context),
        },
      },
    );
    processes.set(node, proc);
    const containerLog = new ContainerLog();
    containerLogs.set(node, containerLog);
    proc.onOutput((text) => {
      containerLog.append(text);
    });
    void proc.exited.then(() => {
      containerLog.end();
    });
  }

  function log(node: string): string {
    const previous = history.get(node) ?? [];
    const current = processes.get(node);
    return [...previous, current?.output() ?? ''].join('');
  }

  async function reboot(node: string): Promise<void> {
    const sandbox = sandboxOf(node);
    const record: RebootRecord = { node, requestedAt: Date.now(), oldBootID: nodes.state(node).bootID };
    reboots.push(record);
    const proc = processes.get(node);
    if (proc !== undefined) {
      await proc.stop(0); // a reboot is abrupt: SIGKILL
      history.get(node)?.push(proc.output());
      processes.delete(node);
    }
    await nodes.down(node);
    record.downAt = Date.now();
    rmSync(sandbox.sentinelHostPath, { force: true });
    await new Promise((resolve) => setTimeout(resolve, downtimeMs)); // simulated downtime
    if (stopping) return;
    record.newBootID = await nodes.up(node);
    record.upAt = Date.now();
    if (wanted.has(node) && !processes.has(node)) await startDaemon(node);
  }

  // The reboot command writes <node dir>/reboot-requested; look for it a few times a second.
  const watcher = setInterval(() => {
    for (const [node, sandbox] of sandboxes) {
      const request = path.join(sandbox.dir, 'reboot-requested');
      if (rebooting.has(node) || stopping || !existsSync(request)) continue;
      renameSync(request, path.join(sandbox.dir, `reboot-requested.${String(reboots.length + 1)}`));
      rebooting.add(node);
      reboot(node)
        .catch((error: unknown) => errors.push(error))
        .finally(() => rebooting.delete(node));
    }
  }, 100);

  try {
    if (options.autoStart ?? true) {
      for (const node of nodes.names) {
        wanted.add(node);
        await startDaemon(node);
      }
    }
  } catch (error) {
    clearInterval(watcher);
    throw error;
  }

  const daemons: NodeDaemons = {
    sandboxes,
    reboots,
    touchSentinel(node) {
      writeFileSync(sandboxOf(node).sentinelHostPath, '*** System restart required ***\n');
    },
    sentinelExists: (node) => existsSync(sandboxOf(node).sentinelHostPath),
    log,
    current: (node) => processes.get(node),
    containerLog: (node) => containerLogs.get(node),
    async startOn(node) {
      sandboxOf(node);
      wanted.add(node);
      if (!processes.has(node) && !rebooting.has(node)) await startDaemon(node);
    },
    async stopOn(node) {
      wanted.delete(node);
      const proc = processes.get(node);
      if (proc === undefined) return;
      processes.delete(node);
      await proc.stop(0);
      history.get(node)?.push(proc.output());
    },
    waitForLog(node, pattern, timeoutMs, count = 1) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = (): void => {
          const line = log(node).split('\n').filter((candidate) => pattern.test(candidate))[count - 1];
          if (line !== undefined) {
            resolve(line);
          } else if (Date.now() > deadline) {
            reject(new Error(`${daemon.name} on ${node} did not log ${String(pattern)} within ${timeoutMs} ms:\n${log(node).slice(-4000)}`));
          } else {
            setTimeout(check, 100);
          }
        };
        check();
      });
    },
    async stop() {
      stopping = true;
      clearInterval(watcher);
      for (const proc of processes.values()) await proc.stop(0);
      if (errors.length > 0) throw new AggregateError(errors, `node reboot handling failed ${errors.length} time(s)`);
    },
  };
  return daemons;
}

export interface KuredOptions {
  readonly binary: string;
  readonly dsNamespace?: string;
  readonly dsName?: string;
  /** kured --period (default 5s). */
  readonly period?: string;
  readonly lockTtl?: string;
  readonly concurrency?: number;
  readonly annotateNodes?: boolean;
  readonly drainTimeout?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly timeZone?: string;
  readonly rebootDays?: string;
  readonly logFormat?: 'text' | 'json';
  readonly extraArgs?: readonly string[];
}

/** The real kured binary as each node's daemon. */
export function kuredDaemon(options: KuredOptions): DaemonSpec {
  return {
    name: 'kured',
    async argv({ sandbox }) {
      const metricsPort = await freePort(); // all kureds share the host network
      const optional = (flag: string, value: string | number | undefined): string[] =>
        value === undefined ? [] : [`--${flag}=${String(value)}`];
      return [
        options.binary,
        '--reboot-sentinel=/var/run/reboot-required',
        '--reboot-method=command',
        `--reboot-command=${sandbox.rebootCommand}`,
        `--period=${options.period ?? '5s'}`,
        `--ds-namespace=${options.dsNamespace ?? 'kube-system'}`,
        `--ds-name=${options.dsName ?? 'kured'}`,
        `--lock-ttl=${options.lockTtl ?? '10m'}`,
        `--concurrency=${String(options.concurrency ?? 1)}`,
        '--metrics-host=127.0.0.1',
        `--metrics-port=${String(metricsPort)}`,
        `--log-format=${options.logFormat ?? 'text'}`,
        ...(options.annotateNodes ?? true ? ['--annotate-nodes=true'] : []),
        ...optional('drain-timeout', options.drainTimeout),
        ...optional('start-time', options.startTime),
        ...optional('end-time', options.endTime),
        ...optional('time-zone', options.timeZone),
        ...optional('reboot-days', options.rebootDays),
        ...(options.extraArgs ?? []),
      ];
    },
    env: ({ sandbox }) => ({ KURED_NODE_ID: sandbox.node }),
  };
}

/** Reads a node sandbox's service-account token (for assertions). */
export function sandboxToken(sandbox: NodeSandbox): string {
  return readFileSync(path.join(sandbox.runDir, SERVICE_ACCOUNT_DIR, 'token'), 'utf8');
}

/**
 * NOT kured: harness/kured-standin.sh, a kubectl script that follows kured's loop. Only for
 * developing the harness where kured cannot be built (CLUSTER_KURED=standin).
 */
export function kuredStandinDaemon(options: { kubectl: string; periodSeconds?: number; dsNamespace?: string; dsName?: string }): DaemonSpec {
  const script = fileURLToPath(new URL('./kured-standin.sh', import.meta.url));
  return {
    name: 'kured-standin',
    argv: ({ sandbox }) => [
      '/bin/sh',
      script,
      options.kubectl,
      String(options.periodSeconds ?? 5),
      sandbox.rebootCommand,
      options.dsNamespace ?? 'kube-system',
      options.dsName ?? 'kured',
    ],
    env: ({ sandbox }) => ({ KURED_NODE_ID: sandbox.node }),
  };
}
