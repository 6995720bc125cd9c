// agent_rss_mb, agent_idle_cpu_pct and agent_writes_per_node_hour, from real agent processes on the
// real API server, measured over a period (the detection trials run meanwhile on other nodes):
// - RSS and CPU of the agent with every default (30 min heartbeat, 5 min rescan, file events),
//   from /proc/<pid>/status and /proc/<pid>/stat;
// - API writes counted at the counting proxy: the idle agent's (none expected between heartbeats)
//   and those of an agent heartbeating every 5 s, whose writes per heartbeat, times the default's
//   two heartbeats an hour (30 min, jitter ±10 % averages out), give the writes per node-hour.
import { performance } from 'node:perf_hooks';
import type { AgentProcess, ProcessSample } from '../cluster/harness/agent.ts';
import { clockTicksPerSecond, cpuPercent, sampleProcess } from '../cluster/harness/agent.ts';
import type { BenchCluster } from './bench-cluster.ts';
import { HEARTBEAT_MS, LEAN_NODE_OPTIONS } from './bench-cluster.ts';
import type { Figures } from './bench-report.ts';
import { isWrite } from '../cluster/harness/counting-proxy.ts';
import type { ProxiedRequest } from '../cluster/harness/counting-proxy.ts';

const DEFAULT_HEARTBEAT_MS = 30 * 60_000;
const HOUR_MS = 3_600_000;
/** Below this an idle CPU figure says little (ticks are 10 ms). */
const MIN_PERIOD_MS = 60_000;
const RSS_SAMPLE_MS = 10_000;

function mib(kib: number): number {
  return Math.round(kib / 1024);
}

/** Median, minimum and maximum VmRSS of the samples, in MiB, and the sample with the median RSS. */
function rssSummary(samples: readonly ProcessSample[]): { median: number; min: number; max: number; at: ProcessSample } {
  const sorted = [...samples].sort((a, b) => a.rssKiB - b.rssKiB);
  const middle = sorted[Math.ceil(sorted.length / 2) - 1];
  if (middle === undefined) throw new Error('no RSS samples');
  return { median: middle.rssKiB / 1024, min: mib(sorted[0]?.rssKiB ?? 0), max: mib(sorted.at(-1)?.rssKiB ?? 0), at: middle };
}

export interface AgentLoadPeriod {
  /** Ends the period and computes the figures. */
  finish(): Promise<Figures>;
}

function nodeRequests(requests: readonly ProxiedRequest[], from: number, node: string): ProxiedRequest[] {
  return requests.slice(from).filter((request) => new URL(request.path, 'https://x').pathname.replace(/\/status$/, '') === `/api/v1/nodes/${node}`);
}

async function heapUsedMiB(agent: AgentProcess): Promise<number | undefined> {
  const { body } = await agent.http('/metrics');
  const value = /^patchwindow_agent_nodejs_heap_size_used_bytes (\S+)$/m.exec(body)?.[1];
  return value === undefined ? undefined : Math.round(Number(value) / 2 ** 20);
}

export function startAgentLoadPeriod(bench: BenchCluster): AgentLoadPeriod {
  const { idleAgent, heartbeatAgent, leanAgent, proxy } = bench;
  const from = proxy.requests.length;
  const startedAt = performance.now();
  const before: ProcessSample = sampleProcess(idleAgent.pid);
  // RSS moves with every GC: sampled through the period, the median is quoted.
  const idleRss: ProcessSample[] = [];
  const leanRss: ProcessSample[] = [];
  const sample = (): void => {
    idleRss.push(sampleProcess(idleAgent.pid));
    leanRss.push(sampleProcess(leanAgent.pid));
  };
  sample();
  const sampling = setInterval(sample, RSS_SAMPLE_MS);
  return {
    async finish() {
      clearInterval(sampling);
      sample();
      const after = sampleProcess(idleAgent.pid);
      const periodMs = performance.now() - startedAt;
      if (periodMs < MIN_PERIOD_MS) throw new Error(`the agent load period lasted ${Math.round(periodMs)} ms; at least ${MIN_PERIOD_MS} ms are needed for an idle CPU figure`);
      const idleRequests = nodeRequests(proxy.requests, from, idleAgent.node);
      const beating = nodeRequests(proxy.requests, from, heartbeatAgent.node);
      const idleWrites = idleRequests.filter(isWrite).length;
      const beatWrites = beating.filter(isWrite).length;
      // Every heartbeat reads the Node first (it repairs what others changed): reads count heartbeats.
      const heartbeats = beating.filter((request) => request.method === 'GET').length;
      const expectedHeartbeats = periodMs / HEARTBEAT_MS;
      const perHeartbeat = heartbeats > 0 ? beatWrites / heartbeats : Number.NaN;
      const idleWritesPerHour = (idleWrites / periodMs) * HOUR_MS;
      const writesPerHour = perHeartbeat * (HOUR_MS / DEFAULT_HEARTBEAT_MS) + idleWritesPerHour;
      const ticks = after.cpuTicks - before.cpuTicks;
      const seconds = Math.round(periodMs / 1000);
      const heap = await heapUsedMiB(idleAgent);
      const others = bench.detectionAgents.map((agent) => mib(sampleProcess(agent.pid).rssKiB));
      const idle = rssSummary(idleRss);
      const lean = rssSummary(leanRss);
      return {
        agent_rss_mb: {
          value: idle.median,
          unit: 'MiB',
          target: 60,
          runs: idleRss.length,
          note:
            `median VmRSS of the idle agent, sampled every ${RSS_SAMPLE_MS / 1000} s for ${seconds} s (${idle.min}-${idle.max} MiB; at the median anonymous ${mib(idle.at.rssAnonKiB)} MiB, ` +
            `file-backed ${mib(idle.at.rssFileKiB)} MiB; peak ${mib(after.peakRssKiB)} MiB; V8 heap used ${heap ?? '?'} MiB at the end); the detection agents after 100 trials: ${others.join(', ')} MiB; ` +
            'what it is made of: agent_import_rss_mb_*',
        },
        agent_rss_mb_semispace_1: {
          value: lean.median,
          unit: 'MiB',
          runs: leanRss.length,
          note: `the same idle agent started with NODE_OPTIONS=${LEAN_NODE_OPTIONS}, sampled alike (${lean.min}-${lean.max} MiB)`,
        },
        agent_idle_cpu_pct: {
          value: cpuPercent(before, after),
          unit: '% of a core',
          target: 0.1,
          runs: 1,
          note: `utime+stime of the idle agent (defaults: file events, 2 s directory check, 5 min rescan, 30 min heartbeat) over ${seconds} s: ${ticks} ticks of 1/${clockTicksPerSecond()} s`,
        },
        agent_writes_per_node_hour: {
          value: writesPerHour,
          unit: 'writes/node/h',
          target: 3,
          runs: heartbeats,
          note:
            `counted at a proxy in front of the API server: an agent heartbeating every ${HEARTBEAT_MS / 1000} s made ${beatWrites} writes in ${heartbeats} heartbeats ` +
            `(${Math.round(expectedHeartbeats)} expected in ${seconds} s) = ${Number.isNaN(perHeartbeat) ? '?' : perHeartbeat.toFixed(2)} per heartbeat, × 2 heartbeats/h at the default 30 min; ` +
            `the idle agent (defaults) wrote ${idleWrites} times in ${seconds} s. A reboot adds 4 (metadata and condition when the sentinel appears and when it goes)`,
        },
      };
    },
  };
}
