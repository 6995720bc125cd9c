// Gauges read at scrape time from what the bot already knows (the engine's view of the nodes, the
// store), so they can never drift from it and cost nothing between scrapes. A failed read leaves
// that gauge without samples for this scrape (a gap, not a stale or made-up value) and the other
// metrics are still served.
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { EngineLog } from '../../core/engine/engine-log.ts';
import type { NodeSnapshot } from '../../core/ports/cluster-port.ts';
import type { Repositories } from '../../core/ports/repositories.ts';
import { LIVE_WINDOW_STATES } from '../../core/windows/maintenance-window.ts';
import { NODE_STATES } from '../../core/windows/node-progress.ts';

export interface StateSource {
  /** The nodes as the engine last saw them. */
  readonly nodes: () => readonly NodeSnapshot[];
  readonly repositories: Pick<Repositories, 'windows' | 'nodeProgress' | 'outbox'>;
  readonly log: EngineLog;
}

export function registerStateGauges(registry: Registry, source: StateSource): void {
  const failing = new Set<string>();
  /** Runs `read`; on failure drops `gauge`'s samples and warns once until a read succeeds again. */
  const reading = async (gauge: Gauge, labelled: boolean, what: string, read: () => Promise<void>): Promise<void> => {
    try {
      await read();
      failing.delete(what);
    } catch (error: unknown) {
      dropSamples(gauge, labelled);
      if (failing.has(what)) return;
      failing.add(what);
      source.log.warn(`metrics: cannot read ${what}; its gauge has no value until it can`, { err: error });
    }
  };

  new Gauge({
    name: 'patchwindow_pending_nodes',
    help: 'Nodes whose agent reports that they need a reboot, in a window or not.',
    registers: [registry],
    collect() {
      this.set(source.nodes().filter((node) => node.pendingReboot !== undefined).length);
    },
  });
  new Gauge({
    name: 'patchwindow_windows',
    help: 'Windows not yet over, by state (requested, approved, scheduled, opening, open, closing).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      await reading(this, true, 'the windows', async () => {
        const windows = await source.repositories.windows.listLive();
        for (const state of LIVE_WINDOW_STATES) this.set({ state }, windows.filter((window) => window.state === state).length);
      });
    },
  });
  new Gauge({
    name: 'patchwindow_window_nodes',
    help: 'Nodes of the windows not yet over, by their progress (pending, waiting, cordoned, draining, drain-blocked, rebooting, back, done, stuck, skipped).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      await reading(this, true, 'the windows\' nodes', async () => {
        const counts = new Map<string, number>(NODE_STATES.map((state) => [state, 0]));
        for (const window of await source.repositories.windows.listLive()) {
          for (const node of await source.repositories.nodeProgress.list(window.id)) counts.set(node.state, (counts.get(node.state) ?? 0) + 1);
        }
        for (const [state, count] of counts) this.set({ state }, count);
      });
    },
  });
  new Gauge({
    name: 'patchwindow_outbox_pending_messages',
    help: 'Chat messages (posts, updates, replies) stored in the outbox and not yet delivered.',
    registers: [registry],
    async collect() {
      await reading(this, false, 'the outbox', async () => {
        this.set(await source.repositories.outbox.countPending());
      });
    },
  });
}

function dropSamples(gauge: Gauge, labelled: boolean): void {
  gauge.reset();
  // An unlabelled gauge resets to 0; without its one series it has no value at all.
  if (!labelled) gauge.remove();
}
