// Liveness, readiness and Prometheus metrics: what kubelet probes and scrapers call.
import type { Metrics } from '../metrics/create-metrics.ts';
import type { Readiness } from './readiness.ts';
import type { Route } from './http-server.ts';

export function healthRoutes(readiness: Readiness, metrics: Metrics): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      handle: (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        response.end('ok\n');
      },
    },
    {
      method: 'GET',
      path: '/readyz',
      handle: (_request, response) => {
        const report = readiness.report();
        response.writeHead(report.ready ? 200 : 503, { 'Content-Type': 'text/plain' });
        response.end(report.ready ? 'ready\n' : `not ready: ${report.reasons.join('; ')}\n`);
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handle: async (_request, response) => {
        const body = await metrics.registry.metrics();
        response.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        response.end(body);
      },
    },
  ];
}
