// The agent's HTTP endpoints: liveness for the kubelet, Prometheus text for scrapers.
import type { Registry } from 'prom-client';
import type { Route } from '../../bot/adapters/http/http-server.ts';

export function agentRoutes(registry: Registry): Route[] {
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
      path: '/metrics',
      handle: async (_request, response) => {
        const body = await registry.metrics();
        response.writeHead(200, { 'Content-Type': registry.contentType });
        response.end(body);
      },
    },
  ];
}
