// Liveness, readiness and Prometheus metrics: what kubelet probes and scrapers call. The bot
// serves all three; the agent serves liveness and metrics.
import type { Registry } from 'prom-client';
import type { Metrics } from '../metrics/create-metrics.ts';
import type { Readiness } from './readiness.ts';
import type { Route } from './http-server.ts';

export function healthRoutes(readiness: Readiness, metrics: Metrics): Route[] {
  return [livenessRoute(), readinessRoute(readiness), metricsRoute(metrics.registry)];
}

export function livenessRoute(): Route {
  return {
    method: 'GET',
    path: '/healthz',
    handle: (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end('ok\n');
    },
  };
}

function readinessRoute(readiness: Readiness): Route {
  return {
    method: 'GET',
    path: '/readyz',
    handle: (_request, response) => {
      const report = readiness.report();
      response.writeHead(report.ready ? 200 : 503, { 'Content-Type': 'text/plain' });
      response.end(report.ready ? 'ready\n' : `not ready: ${report.reasons.join('; ')}\n`);
    },
  };
}

export function metricsRoute(registry: Registry): Route {
  return {
    method: 'GET',
    path: '/metrics',
    handle: async (_request, response) => {
      const body = await registry.metrics();
      response.writeHead(200, { 'Content-Type': registry.contentType });
      response.end(body);
    },
  };
}
