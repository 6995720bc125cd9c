// DrainTracker and its DrainSessions with fake sources: which nodes count as draining (lock held,
// cordoned, Ready, same boot), pods left, kured's log on the node, refusals named by their budget
// and cleared when the pod leaves, and everything opened closed again.
import { describe, expect, it } from 'vitest';
import type { LabelSelector } from '../../../../../../bot/core/cluster/label-selector.ts';
import type { DrainTrackerSources, KuredDaemonSetView } from '../../../../../../bot/adapters/cluster/kubernetes/drain-tracker.ts';
import { DrainTracker } from '../../../../../../bot/adapters/cluster/kubernetes/drain-tracker.ts';
import type { DisruptionBudgetLike, PodLike } from '../../../../../../bot/adapters/cluster/kubernetes/node-pods.ts';
import type { NodeLike } from '../../../../../../bot/adapters/cluster/kubernetes/node-snapshot.ts';

const PDB = "Cannot evict pod as it would violate the pod's disruption budget.";
const KURED = { namespace: 'kured', daemonSet: 'kured', container: 'kured' };

interface FakePods {
  readonly node: string;
  synced: boolean;
  list: PodLike[];
  stopped: boolean;
  changed(): void;
}

interface FakeLog {
  readonly pod: string;
  closed: boolean;
  line(text: string): void;
}

class FakeSources implements DrainTrackerSources {
  holders: string[] | undefined = undefined;
  drainPodSelector: LabelSelector | undefined = undefined;
  lockStarted = false;
  lockStopped = false;
  lockChanged: () => void = () => undefined;
  readonly pods: FakePods[] = [];
  readonly logs: FakeLog[] = [];
  budgets: Record<string, DisruptionBudgetLike[] | Error> = {};
  budgetLookups: string[] = [];

  watchKured(onChange: () => void): KuredDaemonSetView {
    this.lockChanged = onChange;
    return {
      holders: () => this.holders,
      drainPodSelector: () => this.drainPodSelector,
      start: () => {
        this.lockStarted = true;
      },
      stop: () => {
        this.lockStopped = true;
        return Promise.resolve();
      },
    };
  }

  watchPods(node: string, onChange: () => void) {
    const fake: FakePods = { node, synced: false, list: [], stopped: false, changed: onChange };
    this.pods.push(fake);
    return {
      get synced() {
        return fake.synced;
      },
      pods: () => fake.list,
      stop: () => {
        fake.stopped = true;
        return Promise.resolve();
      },
    };
  }

  followLog(pod: { namespace: string; name: string; container: string }, onLine: (line: string) => void) {
    const fake: FakeLog = { pod: `${pod.namespace}/${pod.name}/${pod.container}`, closed: false, line: onLine };
    this.logs.push(fake);
    return {
      close: () => {
        fake.closed = true;
        return Promise.resolve();
      },
    };
  }

  disruptionBudgets(namespace: string): Promise<readonly DisruptionBudgetLike[]> {
    this.budgetLookups.push(namespace);
    const found = this.budgets[namespace] ?? [];
    return found instanceof Error ? Promise.reject(found) : Promise.resolve(found);
  }

  podsOf(node: string): FakePods {
    const found = this.pods.filter((pods) => pods.node === node).at(-1);
    if (found === undefined) throw new Error(`no pod watch for ${node}`);
    return found;
  }
}

function node(name: string, state: { cordoned?: boolean; ready?: boolean; boot?: string } = {}): NodeLike {
  return {
    metadata: { name },
    spec: { unschedulable: state.cordoned ?? false },
    status: { conditions: [{ type: 'Ready', status: state.ready === false ? 'False' : 'True' }], nodeInfo: { bootID: state.boot ?? 'boot-1' } },
  };
}

function pod(name: string, extra: { namespace?: string; uid?: string; labels?: Record<string, string>; daemonSet?: string; deleting?: boolean; phase?: string } = {}): PodLike {
  return {
    metadata: {
      name,
      namespace: extra.namespace ?? 'shop',
      uid: extra.uid ?? `uid-${name}`,
      labels: extra.labels ?? { app: 'web' },
      ownerReferences: extra.daemonSet === undefined ? [{ kind: 'ReplicaSet', name: 'web-7c9d', controller: true }] : [{ kind: 'DaemonSet', name: extra.daemonSet, controller: true }],
      ...(extra.deleting === true ? { deletionTimestamp: '2026-03-07T21:05:03Z' } : {}),
    },
    spec: { nodeName: 'node-1' },
    status: { phase: extra.phase ?? 'Running' },
  };
}

const kuredPod = (uid = 'kured-uid-1'): PodLike => pod('kured-8xk2p', { namespace: 'kured', uid, daemonSet: 'kured', labels: {} });
const refusalLine = (name: string): string =>
  `time=2026-03-07T21:05:01Z level=INFO msg="draining: results" node=node-1 stderr="error when evicting pods/\\"${name}\\" -n \\"shop\\" (will retry after 5s): ${PDB}\\n"`;

function setUp(): { sources: FakeSources; tracker: DrainTracker; changes: { count: number }; errors: unknown[] } {
  const sources = new FakeSources();
  const changes = { count: 0 };
  const errors: unknown[] = [];
  const tracker = new DrainTracker({
    kured: KURED,
    sources,
    onChange: () => {
      changes.count++;
    },
    onError: (error) => errors.push(error),
  });
  tracker.start();
  return { sources, tracker, changes, errors };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('DrainTracker', () => {
  it('starts the lock watch once and drains nothing while the lock is unknown or held elsewhere', () => {
    const { sources, tracker } = setUp();
    tracker.start();
    expect(sources.lockStarted).toBe(true);
    expect(tracker.observe([node('node-1', { cordoned: true })])).toEqual(new Map());
    sources.holders = ['node-2'];
    expect(tracker.observe([node('node-1', { cordoned: true }), node('node-2')])).toEqual(new Map());
    expect(tracker.draining).toEqual([]);
    expect(sources.pods).toHaveLength(0);
  });

  it('follows a node cordoned while it holds the lock: pods left, kured log, a budget refusal named, then cleared', async () => {
    const { sources, tracker, changes, errors } = setUp();
    sources.holders = ['node-1'];
    // holding the lock but not cordoned yet: not draining
    expect(tracker.observe([node('node-1')])).toEqual(new Map());
    // cordoned: a session starts; nothing to report until the pods are listed
    expect(tracker.observe([node('node-1', { cordoned: true })])).toEqual(new Map());
    expect(tracker.draining).toEqual(['node-1']);
    const pods = sources.podsOf('node-1');

    pods.list = [pod('web-0'), pod('web-1'), kuredPod()];
    pods.synced = true;
    const before = changes.count;
    pods.changed();
    expect(changes.count).toBe(before + 1);
    expect(tracker.observe([node('node-1', { cordoned: true })])).toEqual(new Map([['node-1', { podsLeft: 2, blockedBy: undefined }]]));
    expect(sources.logs.map((log) => log.pod)).toEqual(['kured/kured-8xk2p/kured']);
    const log = sources.logs[0];
    if (log === undefined) throw new Error('no log followed');

    sources.budgets = { shop: [{ metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } } } }] };
    log.line('time=2026-03-07T21:05:01Z level=INFO msg="Starting drain" node=node-1');
    log.line(refusalLine('web-1'));
    // the budget is looked up once; until it is known the refusal is not reported (no pod first, budget later)
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')).toEqual({ podsLeft: 2, blockedBy: undefined });
    await settle();
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')).toEqual({ podsLeft: 2, blockedBy: 'PodDisruptionBudget shop/web' });
    log.line(refusalLine('web-1'));
    expect(sources.budgetLookups).toEqual(['shop']);

    // web-0 evicted (terminating, then gone): one fewer pod; web-1 still refused
    pods.list = [pod('web-0', { deleting: true }), pod('web-1'), kuredPod()];
    pods.changed();
    pods.list = [pod('web-1'), kuredPod()];
    pods.changed();
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')).toEqual({ podsLeft: 1, blockedBy: 'PodDisruptionBudget shop/web' });

    // the retry succeeds: the pod leaves, the refusal is over
    pods.list = [pod('web-1', { deleting: true }), kuredPod()];
    pods.changed();
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')).toEqual({ podsLeft: 1, blockedBy: undefined });
    pods.list = [kuredPod()];
    pods.changed();
    expect(tracker.current().get('node-1')).toEqual({ podsLeft: 1, blockedBy: undefined }); // current() does not look again
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')).toEqual({ podsLeft: 0, blockedBy: undefined });
    expect(errors).toEqual([]);
  });

  it('ends the session when the node reboots, and does not take the cordoned node back after the reboot for a drain', async () => {
    const { sources, tracker } = setUp();
    sources.holders = ['node-1'];
    tracker.observe([node('node-1', { cordoned: true })]);
    const pods = sources.podsOf('node-1');
    pods.list = [kuredPod()];
    pods.synced = true;
    pods.changed();
    expect(sources.logs).toHaveLength(1);

    expect(tracker.observe([node('node-1', { cordoned: true, ready: false })])).toEqual(new Map());
    await settle();
    expect(pods.stopped).toBe(true);
    expect(sources.logs[0]?.closed).toBe(true);
    expect(tracker.draining).toEqual([]);

    // back with a new boot, still cordoned, kured still holds the lock until it uncordons: not a drain
    expect(tracker.observe([node('node-1', { cordoned: true, boot: 'boot-2' })])).toEqual(new Map());
    expect(sources.pods).toHaveLength(1);
    // lock released; a later hold (a new reboot in the same boot) is a drain again
    sources.holders = [];
    tracker.observe([node('node-1', { boot: 'boot-2' })]);
    sources.holders = ['node-1'];
    tracker.observe([node('node-1', { cordoned: true, boot: 'boot-2' })]);
    expect(tracker.draining).toEqual(['node-1']);
  });

  it('while the lock cannot be read (its watch cut), keeps a drain going and remembers the boot it began in', async () => {
    const { sources, tracker } = setUp();
    sources.holders = ['node-1'];
    tracker.observe([node('node-1', { cordoned: true })]);
    const pods = sources.podsOf('node-1');
    pods.list = [pod('web-0'), kuredPod()];
    pods.synced = true;
    pods.changed();

    // the lock watch fails: the drain is still going, not over and begun again later
    sources.holders = undefined;
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')).toEqual({ podsLeft: 1, blockedBy: undefined });
    expect(sources.pods).toHaveLength(1);
    expect(pods.stopped).toBe(false);

    // the node reboots meanwhile: that ends the drain, lock known or not
    expect(tracker.observe([node('node-1', { cordoned: true, boot: 'boot-2' })])).toEqual(new Map());
    await settle();
    expect(pods.stopped).toBe(true);
    expect(tracker.draining).toEqual([]);

    // the lock is readable again and kured still holds it until it uncordons: not a new drain
    sources.holders = ['node-1'];
    expect(tracker.observe([node('node-1', { cordoned: true, boot: 'boot-2' })])).toEqual(new Map());
    expect(tracker.draining).toEqual([]);
    expect(sources.pods).toHaveLength(1);
  });

  it('does not start a drain while the lock cannot be read', () => {
    const { sources, tracker } = setUp();
    sources.holders = undefined;
    tracker.observe([node('node-1', { cordoned: true })]);
    expect(tracker.draining).toEqual([]);
    // a hold seen for the first time after the lock is known again begins in the boot of then
    sources.holders = ['node-1'];
    tracker.observe([node('node-1', { cordoned: true })]);
    expect(tracker.draining).toEqual(['node-1']);
  });

  it('ends the session when the lock is released or the node disappears', async () => {
    const { sources, tracker } = setUp();
    sources.holders = ['node-1', 'node-2'];
    tracker.observe([node('node-1', { cordoned: true }), node('node-2', { cordoned: true })]);
    expect(tracker.draining).toEqual(['node-1', 'node-2']);
    sources.holders = ['node-2'];
    tracker.observe([node('node-1', { cordoned: true }), node('node-2', { cordoned: true })]);
    expect(tracker.draining).toEqual(['node-2']);
    tracker.observe([node('node-1', { cordoned: true })]);
    expect(tracker.draining).toEqual([]);
    await settle();
    expect(sources.pods.every((pods) => pods.stopped)).toBe(true);
  });

  it('follows a new kured pod from the start of its log, and stops following a deleted one', async () => {
    const { sources, tracker } = setUp();
    sources.holders = ['node-1'];
    tracker.observe([node('node-1', { cordoned: true })]);
    const pods = sources.podsOf('node-1');
    pods.list = [pod('web-1'), kuredPod('a')];
    pods.synced = true;
    pods.changed();
    sources.logs[0]?.line(refusalLine('web-1'));
    await settle(); // no budget selects it: the pod is named
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')?.blockedBy).toBe('pod shop/web-1');

    pods.list = [pod('web-1'), kuredPod('b')];
    pods.changed();
    expect(sources.logs.map((log) => log.closed)).toEqual([true, false]);
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')?.blockedBy).toBeUndefined();
    // a line still arriving on the old stream counts for nothing
    sources.logs[0]?.line(refusalLine('web-1'));
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')?.blockedBy).toBeUndefined();

    pods.list = [pod('web-1'), { ...kuredPod('b'), status: { phase: 'Pending' } }];
    pods.changed();
    expect(sources.logs.map((log) => log.closed)).toEqual([true, true]);
  });

  it("counts only the pods kured's --drain-pod-selector drains", () => {
    const { sources, tracker } = setUp();
    sources.holders = ['node-1'];
    tracker.observe([node('node-1', { cordoned: true })]);
    const pods = sources.podsOf('node-1');
    pods.list = [pod('web-0'), pod('web-1'), pod('cache-0', { labels: { app: 'cache' } }), kuredPod()];
    pods.synced = true;
    pods.changed();
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')?.podsLeft).toBe(3);
    sources.drainPodSelector = { requirements: [{ key: 'app', operator: 'equals', value: 'web' }] };
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')?.podsLeft).toBe(2);
  });

  it('reports a budget it cannot read and names the pod instead', async () => {
    const { sources, tracker, errors } = setUp();
    sources.holders = ['node-1'];
    sources.budgets = { shop: new Error('poddisruptionbudgets.policy is forbidden') };
    tracker.observe([node('node-1', { cordoned: true })]);
    const pods = sources.podsOf('node-1');
    pods.list = [pod('web-1'), kuredPod()];
    pods.synced = true;
    pods.changed();
    sources.logs[0]?.line(refusalLine('web-1'));
    await settle();
    expect(tracker.observe([node('node-1', { cordoned: true })]).get('node-1')).toEqual({ podsLeft: 1, blockedBy: 'pod shop/web-1' });
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/PodDisruptionBudgets of namespace shop .*shop\/web-1/);
    expect((errors[0] as Error).cause).toBeInstanceOf(Error);
  });

  it('close() ends every session and the lock watch, and reports nothing afterwards', async () => {
    const { sources, tracker, changes } = setUp();
    sources.holders = ['node-1'];
    tracker.observe([node('node-1', { cordoned: true })]);
    const pods = sources.podsOf('node-1');
    pods.list = [kuredPod()];
    pods.synced = true;
    pods.changed();
    await tracker.close();
    expect(sources.lockStopped).toBe(true);
    expect(pods.stopped).toBe(true);
    expect(sources.logs[0]?.closed).toBe(true);
    expect(tracker.current()).toEqual(new Map());
    const count = changes.count;
    sources.lockChanged();
    pods.changed();
    expect(changes.count).toBe(count);
    expect(tracker.observe([node('node-1', { cordoned: true })])).toEqual(new Map());
  });
});
