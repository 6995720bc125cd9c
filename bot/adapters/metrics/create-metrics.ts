// One Prometheus registry per bot instance (not prom-client's global one), so tests and
// several bots in one process never share counters.
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
}

export function createMetrics(version: string): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'patchwindow_' });
  const buildInfo = new Gauge({
    name: 'patchwindow_build_info',
    help: 'Always 1; the version label says which patchwindow is running.',
    labelNames: ['version'],
    registers: [registry],
  });
  buildInfo.set({ version }, 1);
  return { registry };
}
