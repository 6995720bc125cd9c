import { describe, expect, it } from 'vitest';
import { PrometheusAgentMetrics } from '../../../../agent/adapters/prometheus-agent-metrics.ts';
import { clearState, pendingState } from '../support/states.ts';

describe('PrometheusAgentMetrics', () => {
  it('exposes pending, last scan time, scan errors, API errors and writes in its own registry', async () => {
    const metrics = new PrometheusAgentMetrics('0.1.0', { processMetrics: false });
    metrics.scanned(pendingState('2026-03-10T08:00:00Z'));
    metrics.scanFailed('timeout');
    metrics.scanFailed('timeout');
    metrics.apiFailed('patch', 'nodes/status', 403);
    metrics.apiFailed('get', 'nodes', undefined);
    metrics.nodeWritten('nodes');
    const text = await metrics.registry.metrics();
    expect(text).toContain('patchwindow_agent_build_info{version="0.1.0"} 1');
    expect(text).toContain('patchwindow_agent_reboot_required 1');
    expect(text).toContain('patchwindow_agent_last_scan_timestamp_seconds 1773129600');
    expect(text).toContain('patchwindow_agent_scan_errors_total{kind="timeout"} 2');
    expect(text).toContain('patchwindow_agent_api_errors_total{verb="patch",resource="nodes/status",code="403"} 1');
    expect(text).toContain('patchwindow_agent_api_errors_total{verb="get",resource="nodes",code="none"} 1');
    expect(text).toContain('patchwindow_agent_node_writes_total{resource="nodes"} 1');

    metrics.scanned(clearState('2026-03-10T08:05:00Z'));
    expect(await metrics.registry.metrics()).toContain('patchwindow_agent_reboot_required 0');
  });

  it('keeps two instances apart and adds process metrics by default', async () => {
    const one = new PrometheusAgentMetrics('0.1.0');
    const two = new PrometheusAgentMetrics('0.1.0');
    one.scanFailed('io');
    expect(await one.registry.metrics()).toContain('patchwindow_agent_process_resident_memory_bytes');
    expect(await two.registry.metrics()).not.toContain('patchwindow_agent_scan_errors_total{kind="io"} 1');
  });
});
