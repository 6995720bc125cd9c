// The cluster-tier benchmarks on one control plane: detection (100 trials) while the agents'
// idle CPU and API writes are measured, then progress through a 50-node window. Without the
// cluster-tier binaries every figure is reported missing with the reason.
import { createLogger } from '../../bot/adapters/logging/create-logger.ts';
import { startAgentLoadPeriod } from './agent-load.bench.ts';
import { clusterTierUnavailable, startBenchCluster } from './bench-cluster.ts';
import { missingFigures } from './bench-report.ts';
import type { Figures } from './bench-report.ts';
import { measureDetection } from './detection.bench.ts';
import { measureProgress } from './progress.bench.ts';

export const CLUSTER_FIGURES = {
  detection_p50_ms: { unit: 'ms' },
  detection_p95_ms: { unit: 'ms', target: 250 },
  detection_max_ms: { unit: 'ms' },
  agent_rss_mb: { unit: 'MiB', target: 60 },
  agent_rss_mb_semispace_1: { unit: 'MiB' },
  agent_idle_cpu_pct: { unit: '% of a core', target: 0.1 },
  agent_writes_per_node_hour: { unit: 'writes/node/h', target: 3 },
  digest_burst_ms_50_nodes: { unit: 'ms' },
  digest_burst_posts_50_nodes: { unit: 'posts' },
  progress_p50_ms: { unit: 'ms' },
  progress_p95_ms: { unit: 'ms', target: 1500 },
  chat_calls_per_min: { unit: 'calls/min' },
  chat_429s: { unit: '429s', target: 0 },
} as const;

const AGENTS_REPORT_MS = 60_000;

export async function benchCluster(): Promise<Figures> {
  const unavailable = clusterTierUnavailable();
  const log = createLogger({ level: 'info', format: 'pretty' });
  if (unavailable !== undefined) {
    log.warn(`cluster bench skipped, its figures are reported missing: ${unavailable}`);
    return missingFigures(CLUSTER_FIGURES, unavailable);
  }
  const bench = await startBenchCluster();
  let failed = false;
  // One part failing leaves the others' figures standing; its own are reported missing with the reason.
  const attempt = async (part: string, names: readonly (keyof typeof CLUSTER_FIGURES)[], measure: () => Promise<Figures>): Promise<Figures> => {
    try {
      return await measure();
    } catch (error: unknown) {
      failed = true;
      log.error({ err: error }, `the ${part} benchmark failed; its figures are reported as missing`);
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      return missingFigures(Object.fromEntries(names.map((name) => [name, CLUSTER_FIGURES[name]])), `${part} failed: ${reason}`);
    }
  };
  try {
    await bench.agentsReported(AGENTS_REPORT_MS);
    log.info('cluster bench: control plane, 56 simulated nodes, 6 agents and the bot are up; detection trials ...');
    const period = startAgentLoadPeriod(bench);
    const detection = await attempt('detection', ['detection_p50_ms', 'detection_p95_ms', 'detection_max_ms'], async () => (await measureDetection(bench)).figures);
    const agents = await attempt('agent load', ['agent_rss_mb', 'agent_rss_mb_semispace_1', 'agent_idle_cpu_pct', 'agent_writes_per_node_hour'], () => period.finish());
    log.info('cluster bench: progress through a 50-node window ...');
    const progress = await attempt(
      'progress',
      ['digest_burst_ms_50_nodes', 'digest_burst_posts_50_nodes', 'progress_p50_ms', 'progress_p95_ms', 'chat_calls_per_min', 'chat_429s'],
      () => measureProgress(bench),
    );
    return { ...detection, ...agents, ...progress };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await bench.stop(failed);
  }
}
