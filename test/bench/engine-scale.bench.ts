// Scale figures on the simulated cluster: 5,000 nodes (the AKS per-cluster maximum) with 1,000
// pending, and a bot starting over a year of history (365 windows, 100,000 node records). In
// process: the engine alone, without HTTP or chat (the bot process with 5,000 nodes behind Slack,
// its RSS included, is slack-ack.bench.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SimulatedCluster } from '../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { createLogger } from '../../bot/adapters/logging/create-logger.ts';
import { loadConfig } from '../../bot/config/load-config.ts';
import { MaintenanceEngine } from '../../bot/core/engine/maintenance-engine.ts';
import { planWindow } from '../../bot/core/windows/window-plan.ts';
import { startBot } from '../../bot/main.ts';
import { openStore } from '../../storage/open-store.ts';
import { repositoriesOn, SqliteTransactions } from '../../storage/sqlite-repositories.ts';
import { ALICE, testSettings } from '../support/engine-harness.ts';
import { ManualClock } from '../support/manual-clock.ts';
import type { Figure } from './bench-report.ts';

const RUNS = 9;
const STARTUP_RUNS = 5;

export const ENGINE_SCALE_FIGURES = {
  status_ms_5000_nodes: { unit: 'ms', target: 300 },
  plan_ms_5000_nodes: { unit: 'ms', target: 100 },
  startup_ms_year_of_history: { unit: 'ms', target: 2000 },
} as const;

export async function benchEngineScale(): Promise<Record<string, Figure>> {
  const directory = mkdtempSync(join(tmpdir(), 'patchwindow-bench-'));
  try {
    return { ...(await bigCluster(join(directory, 'scale.db'))), ...(await yearOfHistory(join(directory, 'history.db'))) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function bigCluster(path: string): Promise<Record<string, Figure>> {
  const clock = new ManualClock('2026-11-25T12:00:00Z');
  const store = await openStore(path, { now: () => clock.now() });
  const repositories = repositoriesOn(store.database);
  const cluster = new SimulatedCluster(clock, { nodeCount: 5000, pendingAtStart: 1000, seed: 7 });
  const engine = new MaintenanceEngine({
    repositories,
    transactions: new SqliteTransactions(store.database),
    cluster,
    clock,
    settings: testSettings(),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    simulation: cluster,
    outboxChanged: () => undefined,
  });
  await engine.start();
  const status = await median(async () => {
    await engine.command(ALICE, 'status');
  });
  const nodes = await cluster.nodes();
  const plan = await median(() => {
    planWindow({ nodes, selects: () => true, concurrency: 5, from: clock.now(), end: new Date(clock.now().getTime() + 3 * 3_600_000), history: [], defaultPerNodeMs: 600_000 });
    return Promise.resolve();
  });
  await engine.stop();
  await store.close();
  return {
    status_ms_5000_nodes: { value: status, unit: 'ms', target: 300, runs: RUNS, note: 'median: engine.command("status") in process with 5,000 nodes, 1,000 pending (end to end through Slack: reply_p50_ms)' },
    plan_ms_5000_nodes: { value: plan, unit: 'ms', target: 100, runs: RUNS, note: 'median: planning a window over 5,000 nodes' },
  };
}

async function yearOfHistory(path: string): Promise<Record<string, Figure>> {
  const clock = new ManualClock('2025-11-25T00:00:00Z');
  const store = await openStore(path, { now: () => clock.now() });
  await store.database.transaction(async (tx) => {
    for (let day = 0; day < 365; day++) {
      const start = new Date(Date.UTC(2025, 10, 25 + day, 2));
      const end = new Date(start.getTime() + 3 * 3_600_000);
      const result = await tx.run(
        `INSERT INTO windows (origin, state, start_at, end_at, zone, concurrency, reason, requested_by, requested_at, approval_required, decided_by, decided_at, opened_at, closed_at, close_reason)
         VALUES ('on-demand', 'closed', ?, ?, 'UTC', 5, 'history', 'console:alice', ?, 1, 'console:bob', ?, ?, ?, 'completed')`,
        [start.toISOString(), end.toISOString(), start.toISOString(), start.toISOString(), start.toISOString(), end.toISOString()],
      );
      for (let node = 0; node < 274; node++) {
        if (day * 274 + node >= 100_000) break;
        const started = new Date(start.getTime() + node * 30_000);
        await tx.run(
          `INSERT INTO window_nodes (window_id, node, state, boot_id_before, pods_left, started_at, reboot_at, done_at) VALUES (?, ?, 'done', 'boot', 0, ?, ?, ?)`,
          [result.lastId, `node-${node}`, started.toISOString(), started.toISOString(), new Date(started.getTime() + 420_000).toISOString()],
        );
      }
    }
  });
  await store.close();
  const config = loadConfig({ env: { PATCHWINDOW_DB: path, PATCHWINDOW_HTTP_PORT: '0', PATCHWINDOW_LOG_LEVEL: 'silent' }, cwd: tmpdir() });
  const logger = createLogger({ level: 'silent', format: 'json' });
  const startups: number[] = [];
  for (let run = 0; run < STARTUP_RUNS; run++) {
    const started = performance.now();
    const bot = await startBot({ config, logger, version: 'bench', now: () => new Date() });
    startups.push(performance.now() - started);
    await bot.stop(1000);
  }
  startups.sort((a, b) => a - b);
  const startup = startups[Math.floor(STARTUP_RUNS / 2)] ?? 0;
  return {
    startup_ms_year_of_history: {
      value: startup,
      unit: 'ms',
      target: 2000,
      runs: STARTUP_RUNS,
      note: `median: startBot until ready over 365 windows and 100,000 node records (in process, modules already loaded; slowest ${Math.round(startups.at(-1) ?? 0)} ms)`,
    },
  };
}

async function median(run: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < RUNS; index++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] ?? 0;
}
