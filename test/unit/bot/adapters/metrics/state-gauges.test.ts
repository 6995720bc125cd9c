// Gauges read at scrape time: pending nodes from the engine's view, windows and their nodes by
// state and the outbox's depth from the store, each read anew at every scrape; a read that fails
// leaves that gauge without a value (one warning per failure streak) and the rest is served.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../../../bot/adapters/metrics/create-metrics.ts';
import type { StateSource } from '../../../../../bot/adapters/metrics/state-gauges.ts';
import type { EngineLog } from '../../../../../bot/core/engine/engine-log.ts';
import type { NodeSnapshot } from '../../../../../bot/core/ports/cluster-port.ts';
import type { MaintenanceWindow } from '../../../../../bot/core/windows/maintenance-window.ts';
import { initialProgress } from '../../../../../bot/core/windows/node-progress.ts';
import type { NodeProgress, NodeState } from '../../../../../bot/core/windows/node-progress.ts';
import { MemoryOutbox } from '../../../../support/memory-outbox.ts';
import { samplesOf, sampleValue } from '../../../../support/prometheus-text.ts';
import { aNode, aWindow } from '../../../../support/window-fixtures.ts';

/** What the store holds, changeable between scrapes, and able to fail. */
class FakeState {
  nodes: NodeSnapshot[] = [];
  windows: MaintenanceWindow[] = [];
  readonly progress = new Map<number, NodeProgress[]>();
  readonly outbox = new MemoryOutbox();
  failing: Error | undefined;
  readonly #log: EngineLog = {
    info: () => undefined,
    warn: (message, fields) => this.warnings.push({ message, fields }),
    error: () => undefined,
  };

  readonly warnings: { message: string; fields: unknown }[] = [];

  source(): StateSource {
    const check = (): void => {
      if (this.failing !== undefined) throw this.failing;
    };
    return {
      nodes: () => this.nodes,
      log: this.#log,
      repositories: {
        windows: {
          listLive: () => {
            check();
            return Promise.resolve(this.windows);
          },
        } as StateSource['repositories']['windows'],
        nodeProgress: { list: (id: number) => Promise.resolve(this.progress.get(id) ?? []) } as StateSource['repositories']['nodeProgress'],
        outbox: this.outbox,
      },
    };
  }
}

function nodeIn(state: NodeState, name: string): NodeProgress {
  return { ...initialProgress(aNode(name)), state };
}

const MESSAGE = { fallbackText: 'x', blocks: [] };

describe('state gauges', () => {
  it('are not there before the bot reads its state (a leader-election standby knows none of it)', async () => {
    const text = await createMetrics('1.2.3').registry.metrics();
    for (const name of ['patchwindow_pending_nodes', 'patchwindow_windows', 'patchwindow_window_nodes', 'patchwindow_outbox_pending_messages']) {
      expect(text).not.toContain(name);
    }
  });

  it('read pending nodes, live windows, their nodes and the outbox at each scrape', async () => {
    const state = new FakeState();
    const metrics = createMetrics('1.2.3');
    metrics.readStateFrom(state.source());
    let text = await metrics.registry.metrics();
    expect(sampleValue(text, 'patchwindow_pending_nodes')).toBe(0);
    expect(samplesOf(text, 'patchwindow_windows').map((sample) => sample.labels['state'])).toEqual(['requested', 'approved', 'scheduled', 'opening', 'open', 'closing']);
    expect(samplesOf(text, 'patchwindow_windows').every((sample) => sample.value === 0)).toBe(true);
    expect(samplesOf(text, 'patchwindow_window_nodes')).toHaveLength(10);
    expect(sampleValue(text, 'patchwindow_outbox_pending_messages')).toBe(0);

    state.nodes = [aNode('n1'), aNode('n2'), aNode('n3', { pendingReboot: undefined }), aNode('n4')];
    state.windows = [aWindow({ id: 1, state: 'open' }), aWindow({ id: 2, state: 'requested' }), aWindow({ id: 3, state: 'requested' })];
    state.progress.set(1, [nodeIn('done', 'n0'), nodeIn('draining', 'n1'), nodeIn('waiting', 'n2'), nodeIn('waiting', 'n4')]);
    await state.outbox.enqueue({ kind: 'post', key: 'a', message: MESSAGE }, new Date());
    await state.outbox.enqueue({ kind: 'reply', threadKey: 'a', message: MESSAGE }, new Date());
    await state.outbox.enqueue({ kind: 'reply', threadKey: 'a', message: MESSAGE }, new Date());
    text = await metrics.registry.metrics();
    expect(sampleValue(text, 'patchwindow_pending_nodes')).toBe(3);
    expect(sampleValue(text, 'patchwindow_windows', { state: 'open' })).toBe(1);
    expect(sampleValue(text, 'patchwindow_windows', { state: 'requested' })).toBe(2);
    expect(sampleValue(text, 'patchwindow_windows', { state: 'closing' })).toBe(0);
    expect(sampleValue(text, 'patchwindow_window_nodes', { state: 'waiting' })).toBe(2);
    expect(sampleValue(text, 'patchwindow_window_nodes', { state: 'draining' })).toBe(1);
    expect(sampleValue(text, 'patchwindow_window_nodes', { state: 'done' })).toBe(1);
    expect(sampleValue(text, 'patchwindow_window_nodes', { state: 'stuck' })).toBe(0);
    expect(sampleValue(text, 'patchwindow_outbox_pending_messages')).toBe(3);

    // The window closed and the outbox drained: the gauges follow.
    state.windows = [];
    const [first] = await state.outbox.pending(1);
    if (first !== undefined) await state.outbox.markDelivered(first.id, new Date());
    text = await metrics.registry.metrics();
    expect(sampleValue(text, 'patchwindow_windows', { state: 'open' })).toBe(0);
    expect(sampleValue(text, 'patchwindow_window_nodes', { state: 'waiting' })).toBe(0);
    expect(sampleValue(text, 'patchwindow_outbox_pending_messages')).toBe(2);
  });

  it('leave a gauge without a value while the store cannot be read, warn once, and recover', async () => {
    const state = new FakeState();
    state.nodes = [aNode('n1')];
    state.windows = [aWindow({ id: 1, state: 'open' })];
    const metrics = createMetrics('1.2.3');
    metrics.readStateFrom(state.source());
    expect(sampleValue(await metrics.registry.metrics(), 'patchwindow_windows', { state: 'open' })).toBe(1);

    state.failing = new Error('SQLITE_IOERR: disk I/O error');
    for (let scrape = 0; scrape < 3; scrape++) {
      const text = await metrics.registry.metrics();
      expect(samplesOf(text, 'patchwindow_windows')).toEqual([]);
      expect(samplesOf(text, 'patchwindow_window_nodes')).toEqual([]);
      // What does not need the failing read is still served.
      expect(sampleValue(text, 'patchwindow_pending_nodes')).toBe(1);
      expect(sampleValue(text, 'patchwindow_outbox_pending_messages')).toBe(0);
      expect(sampleValue(text, 'patchwindow_build_info', { version: '1.2.3' })).toBe(1);
    }
    expect(state.warnings.map((warning) => warning.message)).toEqual([
      'metrics: cannot read the windows; its gauge has no value until it can',
      "metrics: cannot read the windows' nodes; its gauge has no value until it can",
    ]);
    expect(state.warnings[0]?.fields).toEqual({ err: state.failing });

    state.failing = undefined;
    expect(sampleValue(await metrics.registry.metrics(), 'patchwindow_windows', { state: 'open' })).toBe(1);
    state.failing = new Error('again');
    await metrics.registry.metrics();
    expect(state.warnings).toHaveLength(4);
  });

  it('drop the unlabelled outbox gauge entirely when the outbox cannot be read', async () => {
    const state = new FakeState();
    const metrics = createMetrics('1.2.3');
    metrics.readStateFrom(state.source());
    state.outbox.countPending = () => Promise.reject(new Error('database is closed'));
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE patchwindow_outbox_pending_messages gauge');
    expect(samplesOf(text, 'patchwindow_outbox_pending_messages')).toEqual([]);
  });
});
