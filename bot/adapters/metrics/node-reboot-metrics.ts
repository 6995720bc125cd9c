// The engine's node events as Prometheus series: results as a counter, drain and reboot times as
// histograms. No node names as labels: a cluster's node names are unbounded (autoscaling replaces
// nodes all the time), and per-node detail is in the window's chat thread and history.
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { REBOOT_RESULTS } from '../../core/ports/metrics-port.ts';
import type { EngineMetrics, RebootResult } from '../../core/ports/metrics-port.ts';

/** Drains take seconds (nothing to evict) to an hour (a PodDisruptionBudget holding out). */
export const DRAIN_BUCKETS_SECONDS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** Reboots take tens of seconds (a VM) to many minutes (bare metal with firmware checks). */
export const REBOOT_BUCKETS_SECONDS = [15, 30, 60, 120, 180, 300, 600, 900, 1800, 3600];

export function nodeRebootMetrics(registry: Registry): EngineMetrics {
  const reboots = new Counter({
    name: 'patchwindow_node_reboots_total',
    help: 'Nodes whose reboot in a window ended, by result: done (rebooted and uncordoned), stuck (not back in time when the window closed), skipped (the window ended before its turn), failed (the window ended in the middle of its drain or reboot).',
    labelNames: ['result'],
    registers: [registry],
  });
  // Every result from the start, so rate() and alerts see 0 rather than nothing.
  for (const result of REBOOT_RESULTS) reboots.inc({ result }, 0);
  const drains = new Histogram({
    name: 'patchwindow_node_drain_duration_seconds',
    help: 'Time from a node\'s cordon until its reboot began (kured\'s drain, evictions and PodDisruptionBudget waits included).',
    buckets: DRAIN_BUCKETS_SECONDS,
    registers: [registry],
  });
  const rebootTimes = new Histogram({
    name: 'patchwindow_node_reboot_duration_seconds',
    help: 'Time from a node\'s reboot (NotReady or a new boot id) until it was Ready again.',
    buckets: REBOOT_BUCKETS_SECONDS,
    registers: [registry],
  });
  return {
    nodeFinished: (result: RebootResult) => {
      reboots.inc({ result });
    },
    nodeDrained: (durationMs) => {
      drains.observe(durationMs / 1000);
    },
    nodeRebooted: (durationMs) => {
      rebootTimes.observe(durationMs / 1000);
    },
  };
}
