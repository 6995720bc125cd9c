// What the agent's (and the bot's) resident memory and idle CPU are made of, from fresh Node
// processes that load only part of what a running agent has loaded. No cluster needed; the running
// agent's own figures are agent_rss_mb and agent_idle_cpu_pct (cluster.bench.ts).
// - RSS after importing a module set and 2 s of settling (no forced GC, as a running process):
//   Node alone, one tiny .ts file (Node's type stripping loads its transformer), the Kubernetes
//   client (the bot's; the agent talks to the API server on node:https and imports client-node
//   only for kubeconfig users with exec plugins, auth providers or basic auth), the libraries
//   the agent does load (yaml, prom-client, pino), the settings loader (zod), the agent's own
//   graph (also with a 1 MiB V8 semi-space),
//   what `patchwindow agent` really loads (bot/cli.ts imports every command up front, the bot's
//   too), and the bot's composition root.
// - Idle CPU over IDLE_PROBE_MS of processes that do nothing but what the agent does when idle:
//   Node alone, and prom-client's default metrics (which sample event-loop delay every 10 ms),
//   also with that sampling at 1 s.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../cluster/harness/tools.ts';
import type { Figures } from './bench-report.ts';
import { median } from './percentiles.ts';

const run = promisify(execFile);
const RUNS = 3;
export const IDLE_PROBE_MS = 60_000;

/** What `patchwindow agent` loads: bot/cli.ts's static imports, then agent/main.ts (imported by the agent command). */
const CLI_GRAPH = [
  'commander',
  'bot/commands/agent-command.ts',
  'bot/commands/bot-command.ts',
  'bot/commands/chat-command.ts',
  'bot/commands/manifests-command.ts',
  'bot/commands/teams-package-command.ts',
  'bot/commands/schedule-preview-command.ts',
  'bot/commands/startup-failure.ts',
  'agent/main.ts',
];
/** What the agent needs by itself: its command and its composition root. */
const AGENT_GRAPH = ['commander', 'bot/commands/agent-command.ts', 'agent/main.ts'];

interface Stage {
  readonly modules: readonly string[];
  readonly nodeFlags?: readonly string[];
  readonly what: string;
}

const STAGES: Readonly<Record<string, Stage>> = {
  agent_import_rss_mb_node: { modules: [], what: 'Node 24 with nothing imported' },
  agent_import_rss_mb_typescript: { modules: ['bot/version.ts'], what: 'one 3-line .ts file: Node loads its type-stripping transformer' },
  agent_import_rss_mb_client_node: { modules: ['@kubernetes/client-node'], what: '@kubernetes/client-node (JavaScript, no .ts): the bot\'s client; the agent imports it only for exec/auth-provider/basic-auth kubeconfigs' },
  agent_import_rss_mb_yaml: { modules: ['yaml'], what: 'yaml (the agent reads kubeconfig files with it; the settings loader too)' },
  agent_import_rss_mb_prom_client: { modules: ['prom-client'], what: 'prom-client (the agent\'s /metrics)' },
  agent_import_rss_mb_pino: { modules: ['pino'], what: 'pino (the logger)' },
  agent_import_rss_mb_config: { modules: ['bot/config/load-config.ts'], what: 'the settings loader (zod schemas of every setting)' },
  agent_import_rss_mb_agent_graph: { modules: AGENT_GRAPH, what: 'the agent command and agent/main.ts only (what an agent needs)' },
  agent_import_rss_mb_agent_graph_semispace_1: { modules: AGENT_GRAPH, nodeFlags: ['--max-semi-space-size=1'], what: 'the same with node --max-semi-space-size=1 (V8 young generation 1 MiB)' },
  agent_import_rss_mb_cli_graph: { modules: CLI_GRAPH, what: 'what "patchwindow agent" loads: bot/cli.ts and then only the agent command (subcommands are imported when they run)' },
  bot_import_rss_mb: { modules: ['bot/main.ts'], what: 'the bot\'s composition root (Kubernetes, SQLite, console; Slack and Teams SDKs are imported only when configured)' },
  bot_import_rss_mb_botbuilder: { modules: ['botbuilder'], what: 'botbuilder alone (the Teams SDK, loaded only when Teams is the chat platform)' },
};

export const AGENT_FOOTPRINT_FIGURES = Object.fromEntries(Object.keys(STAGES).map((name) => [name, { unit: 'MiB' }]));

// Runs in the child: import each module, let the process settle, print VmRSS in KiB.
const RSS_PROBE = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
for (const name of JSON.parse(process.argv[1])) await import(name.endsWith('.ts') ? pathToFileURL(name).href : name);
await new Promise((resolve) => setTimeout(resolve, 2000));
process.stdout.write(/^VmRSS:\\s+(\\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
process.exit(0);
`;

async function importedRssMiB(stage: Stage): Promise<number> {
  const samples: number[] = [];
  const absolute = stage.modules.map((name) => (name.endsWith('.ts') ? path.join(REPO_ROOT, name) : name));
  for (let index = 0; index < RUNS; index++) {
    const { stdout } = await run(process.execPath, [...(stage.nodeFlags ?? []), '--input-type=module', '-e', RSS_PROBE, JSON.stringify(absolute)], { cwd: REPO_ROOT, timeout: 60_000 });
    const kib = Number(stdout.trim());
    if (!Number.isInteger(kib) || kib <= 0) throw new Error(`the import probe printed no RSS: ${stdout.slice(0, 200)}`);
    samples.push(kib / 1024);
  }
  return median(samples);
}

export async function agentFootprint(): Promise<Figures> {
  const figures: Figures = {};
  for (const [name, stage] of Object.entries(STAGES)) {
    figures[name] = { value: await importedRssMiB(stage), unit: 'MiB', runs: RUNS, note: `median of ${RUNS} fresh processes, 2 s after importing: ${stage.what}` };
  }
  return figures;
}

// Runs in the child: optionally prom-client's default metrics, then idle; prints the CPU ticks spent over the period.
const CPU_PROBE = `
import { readFileSync } from 'node:fs';
const [mode, periodMs] = [process.argv[1], Number(process.argv[2])];
if (mode !== 'node') {
  const prom = await import('prom-client');
  prom.collectDefaultMetrics({ register: new prom.Registry(), ...(mode === 'prom-coarse' ? { eventLoopMonitoringPrecision: 1000 } : {}) });
}
const ticks = () => { const stat = readFileSync('/proc/self/stat', 'utf8'); const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); return Number(fields[11]) + Number(fields[12]); };
const keepAlive = setInterval(() => undefined, 1 << 30);
await new Promise((resolve) => setTimeout(resolve, 3000));
const before = ticks();
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, periodMs));
process.stdout.write(JSON.stringify({ ticks: ticks() - before, ms: performance.now() - started }));
clearInterval(keepAlive);
process.exit(0);
`;

const CPU_MODES = {
  agent_idle_cpu_pct_node: { mode: 'node', what: 'Node 24 doing nothing' },
  agent_idle_cpu_pct_prom_default: { mode: 'prom-default', what: 'prom-client collectDefaultMetrics() as the agent calls it (event-loop delay sampled every 10 ms)' },
  agent_idle_cpu_pct_prom_coarse: { mode: 'prom-coarse', what: 'the same with eventLoopMonitoringPrecision: 1000' },
} as const;

export const IDLE_PROBE_FIGURES = Object.fromEntries(Object.keys(CPU_MODES).map((name) => [name, { unit: '% of a core' }]));

/** Starts the idle-CPU probes side by side (they only wait, so they can run next to other phases); resolves after IDLE_PROBE_MS. */
export async function idleCpuProbes(periodMs = IDLE_PROBE_MS): Promise<Figures> {
  const ticksPerSecond = Number((await run('getconf', ['CLK_TCK'])).stdout.trim());
  const results = await Promise.all(
    Object.entries(CPU_MODES).map(async ([name, { mode, what }]) => {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CPU_PROBE, mode, String(periodMs)], { cwd: REPO_ROOT, timeout: periodMs + 60_000 });
      const { ticks, ms } = JSON.parse(stdout) as { ticks: number; ms: number };
      const percent = ((ticks / ticksPerSecond) / (ms / 1000)) * 100;
      return [name, { value: percent, unit: '% of a core', runs: 1, note: `${what}: ${ticks} ticks of 1/${ticksPerSecond} s in ${Math.round(ms / 1000)} s` }] as const;
    }),
  );
  return Object.fromEntries(results);
}
