// The patchwindow node agent as real processes against the test cluster: its Namespace,
// ServiceAccount and RBAC applied from manifests/agent/base (parsed, not copied), a kubeconfig
// that authenticates as that ServiceAccount (a TokenRequest token), and one `patchwindow agent`
// process per simulated node, each with its own sentinel directory. Plus what the tests measure:
// /proc figures of a process (RSS, CPU time) and percentiles.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { TestCluster } from './cluster.ts';
import type { Manifest } from './objects.ts';
import type { ManagedProcess, ProcessExit } from './processes.ts';
import { REPO_ROOT } from './tools.ts';

/** Where manifests/agent/base/kustomization.yaml puts the agent's namespaced objects. */
export const AGENT_NAMESPACE = 'patchwindow';
export const AGENT_SERVICE_ACCOUNT = 'patchwindow-agent';
export const AGENT_BASE_DIR = path.join(REPO_ROOT, 'manifests', 'agent', 'base');
const CLI = path.join(REPO_ROOT, 'bot', 'cli.ts');

function isManifest(value: unknown): value is Manifest {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<'apiVersion' | 'kind' | 'metadata', unknown>>;
  const metadata = candidate.metadata as { name?: unknown } | undefined;
  return typeof candidate.apiVersion === 'string' && typeof candidate.kind === 'string' && typeof metadata?.name === 'string';
}

/** Every document of a manifest file, parsed with the `yaml` package. */
export function readManifests(file: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isManifest(value)) throw new Error(`${file}: a document that is not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    manifests.push(value);
  }
  return manifests;
}

/**
 * The agent's identity and permissions as the base kustomization applies them: namespace.yaml,
 * serviceaccount.yaml and rbac.yaml, namespaced objects put into `patchwindow` (the
 * kustomization's `namespace:`). The ClusterRole and its binding are exactly rbac.yaml's.
 */
export function agentAccessManifests(): Manifest[] {
  return ['namespace.yaml', 'serviceaccount.yaml', 'rbac.yaml']
    .flatMap((file) => readManifests(path.join(AGENT_BASE_DIR, file)))
    .map((manifest) =>
      manifest.kind === 'ServiceAccount' ? { ...manifest, metadata: { ...manifest.metadata, namespace: manifest.metadata.namespace ?? AGENT_NAMESPACE } } : manifest,
    );
}

/** A kubeconfig file for `token` against the test cluster (the CA pinned), optionally with the context's namespace. */
export function writeTokenKubeconfig(file: string, cluster: TestCluster, user: string, token: string, namespace?: string): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server: cluster.server, 'certificate-authority': cluster.pki.caCert } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user, ...(namespace === undefined ? {} : { namespace }) } }],
    'current-context': 'test',
  };
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}

export interface AgentProcessOptions {
  readonly cluster: TestCluster;
  readonly node: string;
  /** Kubeconfig the agent authenticates with. */
  readonly kubeconfig: string;
  /** More PATCHWINDOW_* settings, e.g. PATCHWINDOW_AGENT_HEARTBEAT_INTERVAL. */
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

export interface AgentProcess {
  readonly node: string;
  /** This agent's own directory (its cwd and HOME); the sentinel lives in `<dir>/run`. */
  readonly dir: string;
  readonly sentinelFile: string;
  readonly packagesFile: string;
  readonly process: ManagedProcess;
  /** Pid of the agent's node process (setpriv execs it, so the group leader). */
  readonly pid: number;
  /** Port of /healthz and /metrics, from the start-up log line. */
  readonly port: number;
  /** Writes `<sentinel>.pkgs` (when packages are given), then the sentinel. */
  touch(packages?: readonly string[]): void;
  /** Removes the sentinel and its .pkgs file. */
  clear(): void;
  /** GET on the agent's HTTP server. */
  http(pathname: string): Promise<{ status: number; body: string }>;
  /** The agent's JSON log lines so far, parsed (other output is skipped). */
  logLines(): Record<string, unknown>[];
  /** SIGTERM; SIGKILL only after `graceMs`. */
  stop(graceMs: number): Promise<ProcessExit>;
}

export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const { cluster, node } = options;
  const dir = path.join(cluster.dir, 'agents', node);
  const runDir = path.join(dir, 'run');
  mkdirSync(runDir, { recursive: true });
  const sentinelFile = path.join(runDir, 'reboot-required');
  const packagesFile = `${sentinelFile}.pkgs`;
  const proc = cluster.supervisor.start(`patchwindow-agent@${node}`, process.execPath, [CLI, 'agent'], {
    logFile: path.join(cluster.dir, 'logs', `patchwindow-agent-${node}.log`),
    cwd: dir, // no patchwindow.yaml here
    env: {
      NODE_NAME: node,
      KUBECONFIG: options.kubeconfig,
      HOME: dir, // no ~/.kube/config to fall back on
      PATCHWINDOW_AGENT_SENTINEL_FILE: sentinelFile,
      PATCHWINDOW_AGENT_HOST: '127.0.0.1',
      PATCHWINDOW_AGENT_PORT: '0',
      PATCHWINDOW_LOG_FORMAT: 'json',
      PATCHWINDOW_LOG_LEVEL: 'info',
      ...options.env,
    },
  });
  const started = await proc.waitForOutput(/"msg":"patchwindow agent started"/, options.startTimeoutMs ?? 60_000);
  const port = (JSON.parse(started) as { port?: unknown }).port;
  if (typeof port !== 'number') throw new Error(`agent on ${node} logged no port: ${started}`);

  return {
    node,
    dir,
    sentinelFile,
    packagesFile,
    process: proc,
    pid: proc.pid,
    port,
    touch(packages) {
      if (packages !== undefined) writeFileSync(packagesFile, packages.map((name) => `${name}\n`).join(''));
      writeFileSync(sentinelFile, '*** System restart required ***\n');
    },
    clear() {
      rmSync(sentinelFile, { force: true });
      rmSync(packagesFile, { force: true });
    },
    async http(pathname) {
      const res = await fetch(`http://127.0.0.1:${port}${pathname}`);
      return { status: res.status, body: await res.text() };
    },
    logLines() {
      const lines: Record<string, unknown>[] = [];
      for (const line of proc.output().split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // a line cut by the output limit
        }
      }
      return lines;
    },
    stop: (graceMs) => proc.stop(graceMs),
  };
}

export interface ProcessSample {
  /** performance.now() when read. */
  readonly at: number;
  /** Resident set size in KiB (VmRSS), its anonymous and file-backed parts, and its peak (VmHWM). */
  readonly rssKiB: number;
  readonly rssAnonKiB: number;
  readonly rssFileKiB: number;
  readonly peakRssKiB: number;
  /** utime + stime in clock ticks. */
  readonly cpuTicks: number;
}

/** VmRSS from /proc/<pid>/status and utime+stime from /proc/<pid>/stat. */
export function sampleProcess(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const value = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status)?.[1];
    if (value === undefined) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(value);
  };
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // after "(comm) ": field 3 (state) is index 0, so utime (14) is 11 and stime (15) is 12
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new Error(`/proc/${pid}/stat: no utime/stime in ${stat}`);
  return {
    at: performance.now(),
    rssKiB: kib('VmRSS'),
    rssAnonKiB: kib('RssAnon'),
    rssFileKiB: kib('RssFile'),
    peakRssKiB: kib('VmHWM'),
    cpuTicks: utime + stime,
  };
}

let clockTicks: number | undefined;

/** Clock ticks per second (getconf CLK_TCK), for /proc/<pid>/stat times. */
export function clockTicksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(clockTicks) || clockTicks <= 0) throw new Error(`getconf CLK_TCK: ${String(clockTicks)}`);
  return clockTicks;
}

/** CPU use between two samples of one process, in percent of one core. */
export function cpuPercent(before: ProcessSample, after: ProcessSample): number {
  const cpuSeconds = (after.cpuTicks - before.cpuTicks) / clockTicksPerSecond();
  const wallSeconds = (after.at - before.at) / 1000;
  return (cpuSeconds / wallSeconds) * 100;
}

export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly min: number;
  readonly mean: number;
}

/** Nearest-rank percentiles, in the samples' unit, rounded to 0.1. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  const round = (value: number): number => Math.round(value * 10) / 10;
  return {
    count: sorted.length,
    p50: round(rank(50)),
    p95: round(rank(95)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    min: round(sorted[0] ?? Number.NaN),
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
  };
}

/** Merges `section` into a JSON results file (created with its directory when missing). */
export function recordResults(file: string, section: Record<string, unknown>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // first write of this run
  }
  writeFileSync(file, `${JSON.stringify({ ...existing, ...section }, null, 2)}\n`);
}
