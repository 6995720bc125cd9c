// One Prometheus registry per bot instance (not prom-client's global one), so tests and
// several bots in one process never share counters. Every series the bot exports is registered
// here or by the files this one calls, so the README and the Grafana dashboard can be checked
// against one list (registry.getMetricsAsJSON()).
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ChatPort } from '../../core/ports/chat-port.ts';
import type { EngineMetrics, OutboxMetrics } from '../../core/ports/metrics-port.ts';
import { chatMetrics } from './chat-metrics.ts';
import { nodeRebootMetrics } from './node-reboot-metrics.ts';
import { registerStateGauges } from './state-gauges.ts';
import type { StateSource } from './state-gauges.ts';

export interface Metrics {
  readonly registry: Registry;
  /** patchwindow_leader: 1 while this process acts, 0 while it stands by (set by leader election). */
  readonly leader: Gauge;
  /** Node results, drain and reboot durations, reported by the engine. */
  readonly engine: EngineMetrics;
  /** `chat` with every call and failure counted (patchwindow_chat_api_*). */
  meterChat(chat: ChatPort): ChatPort;
  /** The outbox's retries and give-ups for `platform`. */
  outboxFor(platform: ChatPort['platform']): OutboxMetrics;
  /**
   * Adds the gauges read at scrape time (pending nodes, windows, window nodes, outbox). Called once
   * the store is open: a leader-election standby knows none of this and exports none of it.
   */
  readStateFrom(source: StateSource): void;
}

export function createMetrics(version: string): Metrics {
  const registry = new Registry();
  // The event-loop delay is sampled once a second, not every 10 ms (prom-client's default, which
  // alone costs ~0.5 % of a core on an idle process).
  collectDefaultMetrics({ register: registry, prefix: 'patchwindow_', eventLoopMonitoringPrecision: 1000 });
  const buildInfo = new Gauge({
    name: 'patchwindow_build_info',
    help: 'Always 1; the version label says which patchwindow is running.',
    labelNames: ['version'],
    registers: [registry],
  });
  buildInfo.set({ version }, 1);
  const leader = new Gauge({
    name: 'patchwindow_leader',
    help: '1 while this process is the active bot (it holds the leader Lease, or leader election is off); 0 while it stands by.',
    registers: [registry],
  });
  const chat = chatMetrics(registry);
  return {
    registry,
    leader,
    engine: nodeRebootMetrics(registry),
    meterChat: (port) => chat.meter(port),
    outboxFor: (platform) => chat.outboxFor(platform),
    readStateFrom: (source) => {
      registerStateGauges(registry, source);
    },
  };
}
