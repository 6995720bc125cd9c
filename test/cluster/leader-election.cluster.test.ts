// Leader election on a real API server (issue 7, cluster tier). First the Lease adapter on its
// own: create, optimistic concurrency (409 on a stale resourceVersion), MicroTime as the API
// server stores it, release. Then real `patchwindow bot` processes (PATCHWINDOW_CLUSTER=kube,
// default timings: 15 s lease, 10 s renew deadline, 2 s retry), each with its own database: on a
// real cluster replicas on different nodes cannot share a SQLite file, so only the Lease keeps
// them from acting at once, and a standby that acted would show itself by opening its database.
//   1. two bots -> exactly one leader (Lease holder, /readyz, patchwindow_leader), the other
//      standing by without a database, over several renewals;
//   2. SIGKILL the leader -> the standby leads within 30 s (measured from the kill);
//   3. a standby on the leader's own database file, SIGTERM the leader -> it releases the Lease
//      and the standby leads within a couple of seconds, on the same data;
//   4. a standby that cannot open its database takes over, gives the Lease back and exits;
//   5. a standby asked to stop (SIGTERM) exits at once, the Lease untouched;
//   6. a leader that finds someone else in the Lease exits at once.
// Measured figures go to test-results/cluster/leader-election.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kubeLeaseStore } from '../../bot/adapters/leadership/kube-lease-store.ts';
import { LeaseConflict } from '../../bot/adapters/leadership/lease-store.ts';
import { releasedRecord } from '../../bot/core/leadership/lease-election.ts';
import { recordResults } from './harness/agent.ts';
import { failureLogDir, startCluster } from './harness/cluster.ts';
import type { TestCluster } from './harness/cluster.ts';
import type { Informer } from './harness/kube.ts';
import type { KubeObject } from './harness/kube-types.ts';
import type { ManagedProcess, ProcessExit } from './harness/processes.ts';
import { REPO_ROOT } from './harness/tools.ts';

const CLI = path.join(REPO_ROOT, 'bot', 'cli.ts');
const RESULTS_FILE = path.join(REPO_ROOT, 'test-results', 'cluster', 'leader-election.json');
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
const BOT_LEASE = 'patchwindow-bot';
/** The bound for a dead leader to be replaced. */
const FAILOVER_BOUND_MS = 30_000;
/** A clean shutdown hands over at the standby's next attempt (2 s retry period) plus the leader's own stop. */
const HANDOVER_BOUND_MS = 5000;
/** Deadline for any other observed state: far above what it takes, only to fail rather than hang. */
const OBSERVE_MS = 60_000;

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

interface BotProcess {
  readonly name: string;
  readonly process: ManagedProcess;
  readonly db: string;
  /** The identity from its start-up line: HOSTNAME plus a random suffix. */
  readonly identity: string;
  readonly port: number;
  http(pathname: string): Promise<{ status: number; body: string }>;
  logged(message: string): Record<string, unknown> | undefined;
  waitForLog(message: string, timeoutMs: number): Promise<Record<string, unknown>>;
}

function jsonLines(output: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by the output limit
    }
  }
  return lines;
}

/** Settings from the runner's environment must not leak into the bots: empty counts as unset. */
function blankedSettings(): Record<string, string> {
  return Object.fromEntries(Object.keys(process.env).filter((key) => /^(PATCHWINDOW_|SLACK_|Microsoft)/.test(key)).map((key) => [key, '']));
}

async function until<T>(description: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const leaderMetric = (body: string): string | undefined => /^patchwindow_leader (\d)$/m.exec(body)?.[1];

describe('leader election on a real API server', () => {
  let cluster: TestCluster | undefined;
  let leases: Informer<Lease> | undefined;
  let failed = false;
  const results: Record<string, unknown> = {};
  /** When the bots' Lease changed holder, as the watch saw it (holder '' = released). */
  const holderChanges: { atMs: number; holder: string }[] = [];

  const ctx = (): { cluster: TestCluster; leases: Informer<Lease> } => {
    if (cluster === undefined || leases === undefined) throw new Error('cluster not started');
    return { cluster, leases };
  };
  const botLease = (): Lease | undefined => ctx().leases.get(`default/${BOT_LEASE}`);
  const holder = (): string => botLease()?.spec?.holderIdentity ?? '';

  async function startBot(name: string, options: { db?: string } = {}): Promise<BotProcess> {
    const dir = path.join(ctx().cluster.dir, 'bots', name);
    mkdirSync(dir, { recursive: true });
    const db = options.db ?? path.join(dir, 'patchwindow.db');
    const proc = ctx().cluster.supervisor.start(`patchwindow-bot@${name}`, process.execPath, [CLI, 'bot'], {
      logFile: path.join(ctx().cluster.dir, 'logs', `patchwindow-bot-${name}.log`),
      cwd: dir, // no patchwindow.yaml here
      env: {
        ...blankedSettings(),
        HOME: dir,
        HOSTNAME: name, // the pod name in a pod
        KUBECONFIG: ctx().cluster.adminKubeconfig,
        PATCHWINDOW_CLUSTER: 'kube',
        PATCHWINDOW_DB: db,
        PATCHWINDOW_HTTP_HOST: '127.0.0.1',
        PATCHWINDOW_HTTP_PORT: '0',
        PATCHWINDOW_LOG_FORMAT: 'json',
        PATCHWINDOW_LOG_LEVEL: 'info',
      },
    });
    const started = jsonLines(await proc.waitForOutput(/"msg":"leader election: /, OBSERVE_MS))[0];
    const { port, identity } = started ?? {};
    if (typeof port !== 'number' || typeof identity !== 'string') throw new Error(`${name}: no port or identity in ${JSON.stringify(started)}`);
    const logged = (message: string): Record<string, unknown> | undefined => jsonLines(proc.output()).find((line) => line['msg'] === message);
    return {
      name,
      process: proc,
      db,
      identity,
      port,
      logged,
      async http(pathname) {
        const res = await fetch(`http://127.0.0.1:${port}${pathname}`);
        return { status: res.status, body: await res.text() };
      },
      waitForLog: (message, timeoutMs) =>
        until(`${name} to log "${message}"`, timeoutMs, () => {
          const line = logged(message);
          if (line === undefined && !proc.isRunning()) throw new Error(`${name} exited before logging "${message}":\n${proc.output().slice(-3000)}`);
          return line;
        }),
    };
  }

  async function standingBy(bot: BotProcess, leader: string): Promise<void> {
    await until(`${bot.name} to report it stands by for ${leader}`, OBSERVE_MS, async () => {
      const ready = await bot.http('/readyz');
      return ready.status === 503 && ready.body.includes(`standby: leader is ${leader}`) ? true : undefined;
    });
    expect(await bot.http('/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect(leaderMetric((await bot.http('/metrics')).body)).toBe('0');
    expect(bot.logged('became leader: this bot now acts')).toBeUndefined();
  }

  async function leading(bot: BotProcess): Promise<void> {
    await until(`${bot.name} to be ready as the leader`, OBSERVE_MS, async () => ((await bot.http('/readyz')).status === 200 ? true : undefined));
    expect(holder()).toBe(bot.identity);
    expect(leaderMetric((await bot.http('/metrics')).body)).toBe('1');
    expect(existsSync(bot.db)).toBe(true);
  }

  /** Watch-observed time at which the Lease first named `identity` after `sinceMs`. */
  const heldSince = (identity: string, sinceMs: number): Promise<number> =>
    until(`the Lease to name ${identity}`, OBSERVE_MS, () => holderChanges.find((change) => change.atMs >= sinceMs && change.holder === identity)?.atMs);

  const exitOf = (bot: BotProcess, timeoutMs: number): Promise<ProcessExit> =>
    Promise.race([
      bot.process.exited,
      new Promise<never>((_resolve, reject) =>
        setTimeout(() => {
          reject(new Error(`${bot.name} did not exit within ${timeoutMs} ms:\n${bot.process.output().slice(-3000)}`));
        }, timeoutMs).unref(),
      ),
    ]);

  beforeAll(async () => {
    cluster = await startCluster({ scheduler: false });
    leases = cluster.admin.informer<Lease>(LEASES);
    await leases.synced;
    let last = '';
    leases.onEvent((_type, lease) => {
      if (lease.metadata.name !== BOT_LEASE) return;
      const now = lease.spec?.holderIdentity ?? '';
      if (now !== last) holderChanges.push({ atMs: Date.now(), holder: now });
      last = now;
    });
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    leases?.stop();
    if (Object.keys(results).length > 0) recordResults(RESULTS_FILE, { leaderElection: { measuredAt: new Date().toISOString(), ...results } });
    await cluster?.stop(failed ? { keepLogsIn: failureLogDir() } : {});
  });

  describe('the Lease adapter (kubeLeaseStore)', () => {
    const t0 = Date.parse('2026-05-04T10:00:00.123Z');
    const record = (holderIdentity: string, renewMs: number) => ({
      holderIdentity,
      leaseDurationSeconds: 15,
      acquireTime: new Date(t0),
      renewTime: new Date(renewMs),
      leaseTransitions: 0,
    });

    it('creates, reads and replaces with optimistic concurrency; a stale resourceVersion or a second create is a LeaseConflict', async () => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(ctx().cluster.adminKubeconfig);
      const store = kubeLeaseStore({ kubeConfig, namespace: 'default', name: 'adapter-test' });
      expect(store.description).toBe('default/adapter-test');
      await expect(store.read()).resolves.toBeUndefined();

      const created = await store.create(record('a', t0));
      expect(created.record).toEqual(record('a', t0));
      await expect(store.create(record('b', t0))).rejects.toBeInstanceOf(LeaseConflict);

      const renewed = await store.replace(record('a', t0 + 2000), created.resourceVersion);
      expect(renewed.resourceVersion).not.toBe(created.resourceVersion);
      expect(await store.read()).toEqual(renewed);
      // b read the Lease before a's renewal: its write must not land.
      await expect(store.replace(record('b', t0 + 2500), created.resourceVersion)).rejects.toBeInstanceOf(LeaseConflict);
      expect((await store.read())?.record.holderIdentity).toBe('a');

      // As the API server stores it: MicroTime with six fractional digits.
      const raw = await ctx().cluster.admin.get<Lease>(`${LEASES}/adapter-test`);
      expect(raw.spec?.renewTime).toBe('2026-05-04T10:00:02.123000Z');

      const released = await store.replace(releasedRecord(renewed.record, t0 + 3000), renewed.resourceVersion);
      expect(released.record).toMatchObject({ holderIdentity: undefined, leaseDurationSeconds: 1, leaseTransitions: 0 });
      const rawReleased = await ctx().cluster.admin.get<Lease>(`${LEASES}/adapter-test`);
      expect(rawReleased.spec?.holderIdentity).toBeUndefined();
    });
  });

  describe('patchwindow bot processes', () => {
    let leader: BotProcess | undefined;
    let standby: BotProcess | undefined;
    const current = (): { leader: BotProcess; standby: BotProcess } => {
      if (leader === undefined || standby === undefined) throw new Error('no leader and standby (an earlier step failed)');
      return { leader, standby };
    };
    const currentLeader = (): BotProcess => {
      if (leader === undefined) throw new Error('no leader (an earlier step failed)');
      return leader;
    };

    it('two bots started together: exactly one leads, the other stands by and opens no database, over several renewals', async () => {
      const [first, second] = await Promise.all([startBot('bot-a'), startBot('bot-b')]);
      expect(first.identity).toMatch(/^bot-a_[0-9a-f]{8}$/);
      expect(second.identity).toMatch(/^bot-b_[0-9a-f]{8}$/);
      const leaderIdentity = await until('a leader in the Lease', OBSERVE_MS, () => (holder() === '' ? undefined : holder()));
      [leader, standby] = leaderIdentity === first.identity ? [first, second] : [second, first];
      expect(leaderIdentity).toBe(leader.identity);
      await leading(leader);
      await standingBy(standby, leader.identity);

      // Several renewals later nothing has changed: still one leader, the standby still idle.
      const renewals = new Set<string>();
      await until('three renewals of the Lease', OBSERVE_MS, () => {
        renewals.add(botLease()?.spec?.renewTime ?? '');
        return renewals.size >= 4 ? true : undefined;
      });
      expect(holder()).toBe(leader.identity);
      expect(botLease()?.spec).toMatchObject({ leaseDurationSeconds: 15, leaseTransitions: 0 });
      await standingBy(standby, leader.identity);
      expect(existsSync(standby.db)).toBe(false);
      expect(existsSync(`${standby.db}.lock`)).toBe(false);
      expect(leader.logged('became leader: this bot now acts')).toBeDefined();
      expect(holderChanges.map((change) => change.holder)).toEqual([leader.identity]);
    });

    it('SIGKILL of the leader: the standby leads within 30 s', async () => {
      const { leader: dead, standby: next } = current();
      const lastRenewal = Date.parse(botLease()?.spec?.renewTime ?? '');
      const killedAt = Date.now();
      process.kill(dead.process.pid, 'SIGKILL');
      expect((await exitOf(dead, OBSERVE_MS)).signal).toBe('SIGKILL');

      const tookOverAt = await heldSince(next.identity, killedAt);
      await leading(next);
      const readyAt = Date.now();
      const failoverMs = tookOverAt - killedAt;
      results['sigkillFailover'] = {
        leaseHeldByStandbyMs: failoverMs,
        standbyReadyMs: readyAt - killedAt,
        sinceLastRenewalMs: tookOverAt - lastRenewal,
        boundMs: FAILOVER_BOUND_MS,
        timings: { leaseDurationS: 15, renewDeadlineS: 10, retryPeriodS: 2 },
      };
      // Not before the lease duration (the standby cannot tell a dead leader from a slow one) ...
      expect(tookOverAt - lastRenewal).toBeGreaterThanOrEqual(15_000 - 1000);
      // ... and well within the bound.
      expect(failoverMs).toBeLessThan(FAILOVER_BOUND_MS);
      expect(readyAt - killedAt).toBeLessThan(FAILOVER_BOUND_MS);
      expect(botLease()?.spec?.leaseTransitions).toBe(1);
      leader = next;
      standby = undefined;
    });

    it('graceful SIGTERM of the leader: the Lease is released and a standby on the same database file leads within a couple of seconds', async () => {
      const old = currentLeader();
      // A restarted pod on the same volume: the standby must not touch the database the leader holds.
      standby = await startBot('bot-c', { db: old.db });
      await standingBy(standby, old.identity);
      const next = standby;

      const terminatedAt = Date.now();
      const exit = await old.process.stop(10_000);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(old.logged('Lease released: a standby takes over at its next attempt')).toBeDefined();
      const releasedAt = holderChanges.find((change) => change.atMs >= terminatedAt && change.holder === '')?.atMs;
      expect(releasedAt).toBeDefined();
      const tookOverAt = await heldSince(next.identity, terminatedAt);
      await leading(next);
      const handoverMs = tookOverAt - terminatedAt;
      results['sigtermHandover'] = { leaseHeldByStandbyMs: handoverMs, releasedAfterMs: (releasedAt ?? Number.NaN) - terminatedAt, boundMs: HANDOVER_BOUND_MS };
      expect(handoverMs).toBeLessThan(HANDOVER_BOUND_MS);
      // Same file, so the same history: the old leader's start and stop are in it.
      expect(next.logged('database open')).toMatchObject({ db: old.db });
      leader = next;
      standby = undefined;
    });

    it('a standby that cannot open its database takes over, gives the Lease back at once and exits', async () => {
      const old = currentLeader();
      const blocker = path.join(ctx().cluster.dir, 'bots', 'not-a-directory');
      writeFileSync(blocker, 'a file where the database directory should be\n');
      const broken = await startBot('bot-d', { db: path.join(blocker, 'patchwindow.db') });
      await standingBy(broken, old.identity);

      const terminatedAt = Date.now();
      expect(await old.process.stop(10_000)).toEqual({ code: 0, signal: null });
      await heldSince(broken.identity, terminatedAt);
      const exit = await exitOf(broken, OBSERVE_MS);
      expect(exit.code).toBe(2);
      expect(broken.process.output()).toContain('patchwindow: storage error:');
      expect(broken.logged('Lease released: a standby takes over at its next attempt')).toBeDefined();
      await until('the Lease to be free again', OBSERVE_MS, () => (holder() === '' ? true : undefined));
      leader = undefined;
    });

    it('SIGTERM of a standby: it stops at once and leaves the Lease alone', async () => {
      const bot = await startBot('bot-e');
      await heldSince(bot.identity, Date.now() - 60_000);
      await leading(bot);
      leader = bot;
      const waiting = await startBot('bot-f');
      await standingBy(waiting, bot.identity);
      const lease = botLease();
      const terminatedAt = Date.now();
      expect(await waiting.process.stop(10_000)).toEqual({ code: 0, signal: null });
      const stoppedMs = Date.now() - terminatedAt;
      results['standbySigtermExitMs'] = stoppedMs;
      expect(stoppedMs).toBeLessThan(3000);
      expect(waiting.logged('stopped while standing by')).toBeDefined();
      expect(existsSync(waiting.db)).toBe(false);
      expect(botLease()?.spec?.holderIdentity).toBe(lease?.spec?.holderIdentity);
      expect(holder()).toBe(bot.identity);
    });

    it('a leader that finds someone else in the Lease exits at once', async () => {
      const bot = currentLeader();
      const lease = await ctx().cluster.admin.get<Lease>(`${LEASES}/${BOT_LEASE}`);
      const takenAt = Date.now();
      await ctx().cluster.admin.request('PUT', `${LEASES}/${BOT_LEASE}`, { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: new Date().toISOString().replace('Z', '000Z') } });
      const exit = await exitOf(bot, OBSERVE_MS);
      const exitedMs = Date.now() - takenAt;
      expect(exit.code).toBe(1);
      expect(bot.logged('lost leadership (the Lease is now held by intruder): exiting so Kubernetes restarts this bot as a standby')).toBeDefined();
      results['lostLeadershipExit'] = { exitedAfterMs: exitedMs };
      // Found at its next renewal (every 2 s), long before any lease could expire.
      expect(exitedMs).toBeLessThan(5000);
      expect(holder()).toBe('intruder');
    });
  });
});
