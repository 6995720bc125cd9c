// The window planner: which nodes (pending and selected, sorted), the per-node time (a default
// without history, else the 90th percentile of recent history), rounds of `concurrency`, and
// whether the estimate fits the time left.
import { describe, expect, it } from 'vitest';
import type { NodeSnapshot } from '../../../../../bot/core/ports/cluster-port.ts';
import { planWindow } from '../../../../../bot/core/windows/window-plan.ts';
import type { PlanInput } from '../../../../../bot/core/windows/window-plan.ts';
import { aNode } from '../../../../support/window-fixtures.ts';

const MINUTE = 60_000;
const FROM = new Date('2026-11-25T13:00:00Z');

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    nodes: [aNode('n1'), aNode('n2'), aNode('n3')],
    selects: () => true,
    concurrency: 1,
    from: FROM,
    end: new Date(FROM.getTime() + 60 * MINUTE),
    history: [],
    defaultPerNodeMs: 10 * MINUTE,
    ...overrides,
  };
}

const notPending = (name: string, labels: Record<string, string> = {}): NodeSnapshot => aNode(name, { pendingReboot: undefined, labels });

describe('planWindow: nodes', () => {
  it('takes only nodes with a pending reboot that the selector selects, sorted by name', () => {
    const plan = planWindow(
      input({
        nodes: [
          aNode('worker-3', { labels: { pool: 'blue' } }),
          notPending('worker-0', { pool: 'blue' }),
          aNode('worker-1', { labels: { pool: 'green' } }),
          aNode('worker-10', { labels: { pool: 'blue' } }),
          aNode('worker-2', { labels: { pool: 'blue' } }),
        ],
        selects: (node) => node.labels['pool'] === 'blue',
      }),
    );

    expect(plan.nodes).toEqual(['worker-10', 'worker-2', 'worker-3']);
  });

  it('asks the selector only about pending nodes', () => {
    const asked: string[] = [];
    planWindow(
      input({
        nodes: [aNode('b'), notPending('a'), aNode('c')],
        selects: (node) => {
          asked.push(node.name);
          return true;
        },
      }),
    );

    expect(asked).toEqual(['b', 'c']);
  });

  it('a pending reboot with no known packages or start counts', () => {
    expect(planWindow(input({ nodes: [aNode('n1', { pendingReboot: { since: undefined, packages: [] } })] })).nodes).toEqual(['n1']);
  });

  it('plans nothing when no node is pending: no rounds, fits', () => {
    const plan = planWindow(input({ nodes: [notPending('n1'), notPending('n2')] }));

    expect(plan).toMatchObject({ nodes: [], estimateMs: 0, fits: true });
  });

  it('plans nothing when the selector selects nothing', () => {
    expect(planWindow(input({ selects: () => false })).nodes).toEqual([]);
  });
});

describe('planWindow: per-node time', () => {
  it('uses the default without history, and says so', () => {
    const plan = planWindow(input({ history: [], defaultPerNodeMs: 7 * MINUTE }));

    expect(plan).toMatchObject({ perNodeMs: 7 * MINUTE, basis: 'default, no history yet' });
  });

  it.each<[string, number[], number]>([
    ['a single past reboot', [4 * MINUTE], 4 * MINUTE],
    ['ten reboots: the 9th smallest', [10, 3, 7, 1, 9, 2, 8, 5, 4, 6].map((m) => m * MINUTE), 9 * MINUTE],
    ['three reboots: the largest (nearest rank 2.7 → 3)', [5, 1, 3].map((m) => m * MINUTE), 5 * MINUTE],
    ['twenty reboots: the 18th smallest', Array.from({ length: 20 }, (_, i) => (20 - i) * MINUTE), 18 * MINUTE],
    ['eleven reboots: the 10th smallest (rank 9.9 → 10)', Array.from({ length: 11 }, (_, i) => (i + 1) * MINUTE), 10 * MINUTE],
    ['all the same', [6, 6, 6, 6].map((m) => m * MINUTE), 6 * MINUTE],
  ])('takes the 90th percentile of history: %s', (_what, history, perNodeMs) => {
    const plan = planWindow(input({ history }));

    expect(plan.perNodeMs).toBe(perNodeMs);
    expect(plan.basis).toBe(`90th percentile of the last ${history.length} reboots`);
  });

  it('an outlier above the 90th percentile does not decide the estimate', () => {
    const history = [...Array.from({ length: 19 }, () => 5 * MINUTE), 240 * MINUTE];

    expect(planWindow(input({ history })).perNodeMs).toBe(5 * MINUTE);
  });

  it('looks only at the newest 50 durations (history is newest first)', () => {
    const history = [...Array.from({ length: 50 }, () => 3 * MINUTE), ...Array.from({ length: 50 }, () => 90 * MINUTE)];
    const plan = planWindow(input({ history }));

    expect(plan).toMatchObject({ perNodeMs: 3 * MINUTE, basis: '90th percentile of the last 50 reboots' });
  });

  it('does not reorder the caller\'s history', () => {
    const history = [3, 1, 2];
    planWindow(input({ history }));

    expect(history).toEqual([3, 1, 2]);
  });
});

describe('planWindow: rounds and fit', () => {
  const nodes = (count: number): NodeSnapshot[] => Array.from({ length: count }, (_, i) => aNode(`n${String(i).padStart(2, '0')}`));

  it.each<[number, number, number]>([
    [1, 1, 1],
    [5, 1, 5],
    [5, 2, 3],
    [6, 2, 3],
    [6, 3, 2],
    [6, 10, 1],
    [0, 3, 0],
  ])('%i nodes at concurrency %i take %i rounds', (count, concurrency, rounds) => {
    const plan = planWindow(input({ nodes: nodes(count), concurrency, defaultPerNodeMs: 10 * MINUTE }));

    expect(plan.estimateMs).toBe(rounds * 10 * MINUTE);
  });

  it('treats a concurrency below one as one', () => {
    expect(planWindow(input({ nodes: nodes(3), concurrency: 0 })).estimateMs).toBe(30 * MINUTE);
  });

  it('fits when the estimate equals the time available', () => {
    const plan = planWindow(input({ nodes: nodes(6), concurrency: 1, end: new Date(FROM.getTime() + 60 * MINUTE) }));

    expect(plan).toMatchObject({ estimateMs: 60 * MINUTE, availableMs: 60 * MINUTE, fits: true });
  });

  it('does not fit when it needs a millisecond more', () => {
    const plan = planWindow(input({ nodes: nodes(6), concurrency: 1, end: new Date(FROM.getTime() + 60 * MINUTE - 1) }));

    expect(plan).toMatchObject({ estimateMs: 60 * MINUTE, availableMs: 60 * MINUTE - 1, fits: false });
  });

  it('fits once concurrency shortens the rounds', () => {
    const tight = input({ nodes: nodes(6), end: new Date(FROM.getTime() + 30 * MINUTE) });

    expect(planWindow({ ...tight, concurrency: 1 }).fits).toBe(false);
    expect(planWindow({ ...tight, concurrency: 2 }).fits).toBe(true);
  });

  it('counts the time available from `from`, not from the window start', () => {
    const plan = planWindow(input({ from: new Date(FROM.getTime() + 45 * MINUTE) }));

    expect(plan.availableMs).toBe(15 * MINUTE);
  });

  it('never has negative time available: a window already over has none', () => {
    const plan = planWindow(input({ from: new Date(FROM.getTime() + 90 * MINUTE) }));

    expect(plan).toMatchObject({ availableMs: 0, fits: false });
  });

  it('an empty plan fits even with no time left', () => {
    const plan = planWindow(input({ nodes: [], from: new Date(FROM.getTime() + 90 * MINUTE) }));

    expect(plan).toMatchObject({ availableMs: 0, estimateMs: 0, fits: true });
  });

  it('puts it all together', () => {
    expect(
      planWindow(
        input({
          nodes: nodes(5),
          concurrency: 2,
          history: [12, 8, 9, 11, 10, 7, 13, 9, 10, 8].map((m) => m * MINUTE),
          end: new Date(FROM.getTime() + 35 * MINUTE),
        }),
      ),
    ).toEqual({
      nodes: ['n00', 'n01', 'n02', 'n03', 'n04'],
      perNodeMs: 12 * MINUTE,
      estimateMs: 36 * MINUTE,
      availableMs: 35 * MINUTE,
      fits: false,
      basis: '90th percentile of the last 10 reboots',
    });
  });
});
