// `npm run bench`: runs every benchmark and writes bench-results.json at the project root.
// A phase that cannot run (the cluster tier's binaries are not built) or fails keeps its figures
// in the report as missing, with the reason, and the other phases still run.
// BENCH_ONLY=preview,scale,ack,footprint,cluster runs only the named phases.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../bot/adapters/logging/create-logger.ts';
import { agentFootprint, AGENT_FOOTPRINT_FIGURES, idleCpuProbes, IDLE_PROBE_FIGURES } from './agent-footprint.bench.ts';
import { missingFigures, writeBenchReport } from './bench-report.ts';
import type { Figures } from './bench-report.ts';
import { benchCluster, CLUSTER_FIGURES } from './cluster.bench.ts';
import { benchEngineScale, ENGINE_SCALE_FIGURES } from './engine-scale.bench.ts';
import { kuredDetectionFigures } from './kured-detection.ts';
import { benchSchedulePreview } from './schedule-preview.bench.ts';
import { benchSlackAck, SLACK_ACK_FIGURES } from './slack-ack.bench.ts';

const log = createLogger({ level: 'info', format: 'pretty' });

interface Phase {
  readonly name: string;
  readonly figures: Readonly<Record<string, { readonly unit: string; readonly target?: number }>>;
  run(): Promise<Figures> | Figures;
}

const phases: readonly Phase[] = [
  { name: 'preview', figures: { preview_1000_ms: { unit: 'ms', target: 200 } }, run: benchSchedulePreview },
  { name: 'scale', figures: ENGINE_SCALE_FIGURES, run: benchEngineScale },
  { name: 'ack', figures: SLACK_ACK_FIGURES, run: benchSlackAck },
  { name: 'footprint', figures: AGENT_FOOTPRINT_FIGURES, run: agentFootprint },
  { name: 'cluster', figures: CLUSTER_FIGURES, run: benchCluster },
];

const only = (process.env['BENCH_ONLY'] ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
const unknown = only.filter((name) => !phases.some((phase) => phase.name === name));
if (unknown.length > 0) throw new Error(`BENCH_ONLY names unknown phases: ${unknown.join(', ')}; known: ${phases.map((phase) => phase.name).join(', ')}`);

const started = performance.now();
const loadAtStart = loadavg()[0] ?? 0;
let figures: Figures = {};
const selected = (name: string): boolean => only.length === 0 || only.includes(name);
// The idle-CPU probes only wait, so they run next to the phases instead of adding a minute.
const probes = selected('footprint')
  ? idleCpuProbes().catch((error: unknown) => missingFigures(IDLE_PROBE_FIGURES, `idle CPU probes failed: ${error instanceof Error ? error.message : String(error)}`))
  : undefined;
for (const phase of phases) {
  if (!selected(phase.name)) continue;
  const phaseStarted = performance.now();
  log.info(`bench phase ${phase.name} ...`);
  try {
    figures = { ...figures, ...(await phase.run()) };
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
    log.error({ err: error }, `bench phase ${phase.name} failed; its figures are reported as missing`);
    figures = { ...figures, ...missingFigures(phase.figures, `phase ${phase.name} failed: ${reason}`) };
  }
  log.info(`bench phase ${phase.name} took ${Math.round((performance.now() - phaseStarted) / 1000)} s`);
}
if (probes !== undefined) figures = { ...figures, ...(await probes) };
if (selected('cluster')) {
  const p95 = figures['detection_p95_ms']?.value ?? null;
  figures = { ...figures, ...kuredDetectionFigures(p95) };
}
// The figures first, in its order; the figures that explain them after.
const HEADLINE = [
  'detection_p50_ms', 'detection_p95_ms', 'detection_max_ms',
  'kured_detection_worst_ms_period_1m', 'kured_detection_worst_ms_default', 'kured_detection_ratio_period_1m', 'kured_detection_ratio_default',
  'ack_p50_ms', 'ack_p99_ms', 'reply_p99_ms',
  'progress_p95_ms', 'chat_calls_per_min', 'chat_429s',
  'bot_rss_mb_5000_nodes', 'status_ms_5000_nodes', 'plan_ms_5000_nodes', 'startup_ms_year_of_history',
  'agent_rss_mb', 'agent_idle_cpu_pct', 'agent_writes_per_node_hour',
  'preview_1000_ms',
];
const rank = (name: string): number => (HEADLINE.includes(name) ? HEADLINE.indexOf(name) : HEADLINE.length);
figures = Object.fromEntries(Object.entries(figures).sort(([a], [b]) => rank(a) - rank(b)));
writeBenchReport(figures, fileURLToPath(new URL('../../bench-results.json', import.meta.url)), { durationS: (performance.now() - started) / 1000, loadAtStart });
