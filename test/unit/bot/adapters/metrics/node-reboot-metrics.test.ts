// The engine's node events in the registry: results by label (every result present from the
// start), drain and reboot durations in seconds in their histograms, no node names anywhere.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../../../bot/adapters/metrics/create-metrics.ts';
import { DRAIN_BUCKETS_SECONDS, REBOOT_BUCKETS_SECONDS } from '../../../../../bot/adapters/metrics/node-reboot-metrics.ts';
import { parseSamples, sampleValue } from '../../../../support/prometheus-text.ts';

describe('node reboot metrics', () => {
  it('starts every result at 0 and histograms empty', async () => {
    const text = await createMetrics('1.2.3').registry.metrics();
    for (const result of ['done', 'stuck', 'skipped', 'failed']) expect(sampleValue(text, 'patchwindow_node_reboots_total', { result })).toBe(0);
    expect(sampleValue(text, 'patchwindow_node_drain_duration_seconds_count')).toBe(0);
    expect(sampleValue(text, 'patchwindow_node_reboot_duration_seconds_count')).toBe(0);
  });

  it('counts results and files durations in seconds into their buckets', async () => {
    const metrics = createMetrics('1.2.3');
    metrics.engine.nodeDrained(4_000);
    metrics.engine.nodeDrained(45_000);
    metrics.engine.nodeDrained(7_200_000);
    metrics.engine.nodeRebooted(100_000);
    for (const result of ['done', 'done', 'done', 'skipped', 'failed'] as const) metrics.engine.nodeFinished(result);
    const text = await metrics.registry.metrics();

    expect(sampleValue(text, 'patchwindow_node_reboots_total', { result: 'done' })).toBe(3);
    expect(sampleValue(text, 'patchwindow_node_reboots_total', { result: 'skipped' })).toBe(1);
    expect(sampleValue(text, 'patchwindow_node_reboots_total', { result: 'failed' })).toBe(1);
    expect(sampleValue(text, 'patchwindow_node_reboots_total', { result: 'stuck' })).toBe(0);

    const drain = 'patchwindow_node_drain_duration_seconds';
    expect(sampleValue(text, `${drain}_count`)).toBe(3);
    expect(sampleValue(text, `${drain}_sum`)).toBe(4 + 45 + 7200);
    expect(sampleValue(text, `${drain}_bucket`, { le: '5' })).toBe(1);
    expect(sampleValue(text, `${drain}_bucket`, { le: '30' })).toBe(1);
    expect(sampleValue(text, `${drain}_bucket`, { le: '60' })).toBe(2);
    expect(sampleValue(text, `${drain}_bucket`, { le: '3600' })).toBe(2);
    expect(sampleValue(text, `${drain}_bucket`, { le: '+Inf' })).toBe(3);

    const reboot = 'patchwindow_node_reboot_duration_seconds';
    expect(sampleValue(text, `${reboot}_count`)).toBe(1);
    expect(sampleValue(text, `${reboot}_sum`)).toBe(100);
    expect(sampleValue(text, `${reboot}_bucket`, { le: '60' })).toBe(0);
    expect(sampleValue(text, `${reboot}_bucket`, { le: '120' })).toBe(1);
  });

  it('has sorted buckets that end within an hour, and labels of a bounded set only', async () => {
    for (const buckets of [DRAIN_BUCKETS_SECONDS, REBOOT_BUCKETS_SECONDS]) {
      expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
      expect(buckets.at(-1)).toBe(3600);
    }
    const metrics = createMetrics('1.2.3');
    metrics.engine.nodeDrained(1000);
    const labels = new Set(parseSamples(await metrics.registry.metrics()).filter((sample) => sample.name.startsWith('patchwindow_node_')).flatMap((sample) => Object.keys(sample.labels)));
    expect([...labels].sort()).toEqual(['le', 'result']);
  });
});
