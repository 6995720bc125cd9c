// The composition root's leader election with an in-memory Lease, time stepped by hand and a
// real loopback HTTP server: off for the simulated cluster; a standby serves /healthz 200,
// /readyz 503 "standby: leader is <identity>" and patchwindow_leader 0 until it leads, then the
// same server takes the bot's routes; stopping while standing by, losing the Lease (the process
// exits), a failed start and a clean shutdown (the Lease is released).
import { afterEach, describe, expect, it } from 'vitest';
import { Readiness } from '../../../../bot/adapters/http/readiness.ts';
import type { Route } from '../../../../bot/adapters/http/http-server.ts';
import { createMetrics } from '../../../../bot/adapters/metrics/create-metrics.ts';
import { awaitLeadership, defaultIdentity, LEADERSHIP_LOST_EXIT_CODE, leaseNamespace } from '../../../../bot/composition/leadership.ts';
import type { LeadershipOutcome, LeadershipOptions } from '../../../../bot/composition/leadership.ts';
import { loadConfig } from '../../../../bot/config/load-config.ts';
import type { LeaseRecord } from '../../../../bot/core/leadership/lease-election.ts';
import { captureLogger } from '../../../support/capture-logger.ts';
import { ManualTimers } from '../../../support/manual-timers.ts';
import { MemoryLeaseStore } from '../../../support/memory-lease-store.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const T0 = Date.parse('2026-05-04T10:00:00Z');
const dirs = tempDirs();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  dirs.removeAll();
});

const otherHolds = (renewMs: number): LeaseRecord => ({
  holderIdentity: 'bot-other_00000000',
  leaseDurationSeconds: 15,
  acquireTime: new Date(T0 - 60_000),
  renewTime: new Date(renewMs),
  leaseTransitions: 2,
});

function setup(env: Record<string, string> = {}, realCluster = true) {
  const config = loadConfig({ env: { PATCHWINDOW_HTTP_PORT: '0', PATCHWINDOW_LEADER_ELECTION_IDENTITY: 'bot-me_12345678', ...env }, cwd: dirs.make() });
  const captured = captureLogger('info');
  const readiness = new Readiness();
  const metrics = createMetrics('0.0.0-test');
  const timers = new ManualTimers(T0);
  const store = new MemoryLeaseStore();
  const exits: number[] = [];
  const shutdown = new AbortController();
  const options: LeadershipOptions = {
    config,
    logger: captured.logger,
    readiness,
    metrics,
    realCluster,
    env: {},
    shutdown: shutdown.signal,
    exit: (code) => exits.push(code),
    election: { store, now: timers.now, sleep: timers.sleep },
  };
  return { config, captured, readiness, metrics, timers, store, exits, shutdown, options };
}

type Setup = ReturnType<typeof setup>;

/** Starts awaitLeadership and waits (real time, deadline) until the standby's HTTP server is up. */
async function startStandby(context: Setup): Promise<{ outcome: Promise<LeadershipOutcome>; port: number }> {
  const outcome = awaitLeadership(context.options);
  const line = await observed(() => context.captured.lines().find((entry) => String(entry['msg']).startsWith('leader election:')));
  const port = line['port'];
  if (typeof port !== 'number') throw new Error(`no port in ${JSON.stringify(line)}`);
  cleanups.push(async () => {
    context.shutdown.abort();
    const settled = await outcome.catch(() => undefined);
    if (settled?.stopped !== undefined) await settled.stopped.stop(100);
    if (settled?.leading !== undefined) await (await settled.leading.startHttpServer({ host: '127.0.0.1', port: 0, routes: [], logger: context.captured.logger })).stop(100);
  });
  return { outcome, port };
}

/** Waits on observed state (polling, 5 s deadline): the HTTP server's I/O runs on real time. */
async function observed<T>(check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('state not observed within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

const leaderMetric = (body: string): string | undefined => /^patchwindow_leader (\d)$/m.exec(body)?.[1];

describe('awaitLeadership: off', () => {
  it('is off for the simulated cluster: the bot acts at once and says it is the leader', async () => {
    const context = setup({}, false);
    const outcome = await awaitLeadership(context.options);
    expect(outcome.leading?.identity).toBeUndefined();
    expect(leaderMetric(await context.metrics.registry.metrics())).toBe('1');
    expect(context.store.calls).toEqual([]);
  });

  it('is off when PATCHWINDOW_LEADER_ELECTION=false, even for a real cluster', async () => {
    const context = setup({ PATCHWINDOW_LEADER_ELECTION: 'false' });
    const outcome = await awaitLeadership(context.options);
    expect(outcome.leading?.identity).toBeUndefined();
    expect(context.store.calls).toEqual([]);
    await expect(outcome.leading?.failStart(new Error('boom'))).rejects.toThrow('boom');
  });

  it('refuses PATCHWINDOW_LEADER_ELECTION=true with the simulated cluster, naming the fix', async () => {
    const context = setup({ PATCHWINDOW_LEADER_ELECTION: 'true' }, false);
    await expect(awaitLeadership(context.options)).rejects.toThrow(
      'PATCHWINDOW_LEADER_ELECTION=true needs a real cluster to hold the Lease, but the bot runs against the simulated one: set PATCHWINDOW_CLUSTER=kube, or unset PATCHWINDOW_LEADER_ELECTION',
    );
  });
});

describe('awaitLeadership: a standby', () => {
  it('serves health only, not ready with the leader named, until the Lease expires; then leads on the same server', async () => {
    const context = setup();
    context.store.put(otherHolds(T0));
    const { outcome, port } = await startStandby(context);
    await context.timers.advance(0);
    let leading = false;
    void outcome.then(() => (leading = true));

    expect(await get(port, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect(await get(port, '/readyz')).toEqual({ status: 503, body: 'not ready: standby: leader is bot-other_00000000\n' });
    expect(leaderMetric((await get(port, '/metrics')).body)).toBe('0');
    expect((await get(port, '/')).status).toBe(404);
    expect(context.captured.lines().map((line) => line['msg'])).toContain('standing by: leader is bot-other_00000000');

    await context.timers.advance(14_000);
    expect(leading).toBe(false);
    expect(context.store.calls.filter((call) => call !== 'read')).toEqual([]);
    await context.timers.advance(2000);
    const result = await outcome;
    expect(result.leading?.identity).toBe('bot-me_12345678');
    expect(context.store.current()?.record).toMatchObject({ holderIdentity: 'bot-me_12345678', leaseTransitions: 3 });
    expect(context.captured.lines().filter((line) => line['msg'] === 'became leader: this bot now acts')).toHaveLength(1);
    expect(await get(port, '/readyz')).toEqual({ status: 200, body: 'ready\n' });
    expect(leaderMetric((await get(port, '/metrics')).body)).toBe('1');

    // The bot's routes replace the standby's on the server that is already listening.
    const botRoute: Route = { method: 'GET', path: '/', handle: (_request, response) => {
        response.end('console\n');
      },
    };
    const http = await result.leading?.startHttpServer({ host: '127.0.0.1', port: 0, routes: [botRoute], logger: context.captured.logger });
    expect(http?.port).toBe(port);
    expect(await get(port, '/')).toEqual({ status: 200, body: 'console\n' });
  });

  it('stops waiting when the process is asked to stop, writes nothing, and closes its server', async () => {
    const context = setup();
    context.store.put(otherHolds(T0));
    const { outcome, port } = await startStandby(context);
    await context.timers.advance(4000);
    context.shutdown.abort();
    const result = await outcome;
    expect(result.stopped?.http.port).toBe(port);
    expect(context.store.calls.filter((call) => call !== 'read')).toEqual([]);
    await result.stopped?.stop(100);
    await expect(get(port, '/healthz')).rejects.toThrow();
    expect(context.captured.lines().map((line) => line['msg'])).toContain('stopped while standing by');
  });
});

describe('awaitLeadership: a leader', () => {
  async function leader(context: Setup) {
    const { outcome, port } = await startStandby(context);
    await context.timers.advance(0);
    const result = await outcome;
    if (result.leading === undefined) throw new Error('not leading');
    return { leadership: result.leading, port };
  }

  it('exits the process as soon as another holds the Lease, and says why', async () => {
    const context = setup();
    const { port } = await leader(context);
    const held = context.store.current()?.record;
    if (held === undefined) throw new Error('no Lease');
    context.store.put({ ...held, holderIdentity: 'intruder' });
    await context.timers.advance(2000);
    expect(context.exits).toEqual([LEADERSHIP_LOST_EXIT_CODE]);
    const lost = context.captured.lines().find((line) => String(line['msg']).startsWith('lost leadership'));
    expect(lost?.['level']).toBe('error');
    expect(lost?.['msg']).toBe('lost leadership (the Lease is now held by intruder): exiting so Kubernetes restarts this bot as a standby');
    expect(leaderMetric((await get(port, '/metrics')).body)).toBe('0');
    expect((await get(port, '/readyz')).body).toContain('standby: leadership lost');
  });

  it('releases the Lease on a clean shutdown, so a standby takes over at its next attempt', async () => {
    const context = setup();
    const { leadership } = await leader(context);
    await leadership.release();
    expect(context.store.current()?.record).toMatchObject({ holderIdentity: undefined, leaseDurationSeconds: 1 });
    expect(context.captured.lines().map((line) => line['msg'])).toContain('Lease released: a standby takes over at its next attempt');
  });

  it('after a failed start, releases the Lease and closes the server so the process can exit', async () => {
    const context = setup();
    const { leadership, port } = await leader(context);
    await expect(leadership.failStart(new Error('database is locked'))).rejects.toThrow('database is locked');
    expect(context.store.current()?.record.holderIdentity).toBeUndefined();
    await expect(get(port, '/healthz')).rejects.toThrow();
    expect(context.timers.sleeping).toBe(0);
  });
});

describe('identity and namespace', () => {
  it('names a candidate by its host (the pod name in a pod) and a random suffix', () => {
    expect(defaultIdentity({ HOSTNAME: 'patchwindow-7c9f-x2' })).toMatch(/^patchwindow-7c9f-x2_[0-9a-f]{8}$/);
    expect(defaultIdentity({ HOSTNAME: 'patchwindow-7c9f-x2' })).not.toBe(defaultIdentity({ HOSTNAME: 'patchwindow-7c9f-x2' }));
  });

  it("takes the setting, else the context's namespace (the pod's own in a pod), else default", () => {
    const withSetting = loadConfig({ env: { PATCHWINDOW_LEADER_ELECTION_NAMESPACE: 'ops' }, cwd: dirs.make() });
    const without = loadConfig({ env: {}, cwd: dirs.make() });
    expect(leaseNamespace(withSetting, 'patchwindow')).toBe('ops');
    expect(leaseNamespace(without, 'patchwindow\n')).toBe('patchwindow');
    expect(leaseNamespace(without, undefined)).toBe('default');
    expect(leaseNamespace(without, '')).toBe('default');
  });
});
