// Every series the bot exports, read from its own registry (not from a list kept by hand), so the
// README and the Grafana dashboard are checked against what the code registers.
import { createMetrics } from '../../bot/adapters/metrics/create-metrics.ts';
import type { ChatPort } from '../../bot/core/ports/chat-port.ts';
import type { StateSource } from '../../bot/adapters/metrics/state-gauges.ts';
import { MemoryOutbox } from './memory-outbox.ts';

export interface CatalogEntry {
  /** The metric as registered, e.g. patchwindow_node_drain_duration_seconds. */
  readonly metric: string;
  readonly type: string;
  readonly help: string;
  /** Label names its samples carry (le for histogram buckets). */
  readonly labels: ReadonlySet<string>;
  /** True for prom-client's default process and Node.js metrics. */
  readonly standard: boolean;
}

/** Series name (histograms: _bucket, _sum and _count) → its metric. */
export async function botMetricCatalog(): Promise<Map<string, CatalogEntry>> {
  const metrics = createMetrics('0.0.0-catalog');
  const state: StateSource = {
    nodes: () => [],
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    repositories: {
      windows: { listLive: () => Promise.resolve([]) } as unknown as StateSource['repositories']['windows'],
      nodeProgress: { list: () => Promise.resolve([]) } as unknown as StateSource['repositories']['nodeProgress'],
      outbox: new MemoryOutbox(),
    },
  };
  metrics.readStateFrom(state);
  // One of everything, so labelled metrics have samples to read their label names from.
  const chat: ChatPort = { platform: 'slack', post: () => Promise.resolve({ id: 'x' }), update: () => Promise.resolve(), reply: () => Promise.resolve({ id: 'x' }) };
  await metrics.meterChat(chat).post({ fallbackText: '', blocks: [] });
  metrics.outboxFor('slack').deliveryRetried('post');
  metrics.engine.nodeDrained(1000);
  metrics.engine.nodeRebooted(1000);
  const catalog = new Map<string, CatalogEntry>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    const values = metric.values as readonly { readonly metricName?: string; readonly labels: Readonly<Record<string, unknown>> }[];
    const labels = new Set(values.flatMap((value) => Object.keys(value.labels)));
    const entry: CatalogEntry = {
      metric: metric.name,
      type: String(metric.type),
      help: metric.help,
      labels,
      standard: /^patchwindow_(process|nodejs)_/.test(metric.name),
    };
    const series = entry.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => `${metric.name}${suffix}`) : [metric.name];
    for (const name of series) catalog.set(name, entry);
  }
  return catalog;
}
