// The in-cluster safety net (issue 7): the real bot, authenticated as its ServiceAccount from
// manifests/bot, opens a one-minute window (kured, the reaper's identity and the reap Job
// deployed) and is killed with SIGKILL mid-window. The tier runs no containers, so the harness
// plays the Job: it reads the Job from the API and runs its container's arguments with the image's
// entrypoint (the patchwindow CLI) as a host process, authenticated as the Job's ServiceAccount.
// That process removes kured at the window's end plus the grace (3 s here instead of 2 min: time
// compressed), not before. A Job of an earlier window leaves a later window's kured alone.
// Measured (test-results/cluster/safety-net.json): how late after --at kured's DaemonSet was gone,
// and the reap process's peak RSS.
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import { KURED_NAME, WINDOW_LABEL } from '../../bot/adapters/cluster/kubernetes/kured-manifests.ts';
import { kuredObjectRefs } from '../../bot/adapters/cluster/kubernetes/kured-removal.ts';
import { reapJobName, REAPER_NAME } from '../../bot/adapters/cluster/kubernetes/reap-job.ts';
import { reaperAccessManifests } from '../../bot/adapters/cluster/kubernetes/reaper-access.ts';
import type { RebootDaemonSpec } from '../../bot/core/ports/cluster-port.ts';
import { recordResults, sampleProcess } from './harness/agent.ts';
import { applyBotManifests, BOT_NAMESPACE, BOT_SERVICE_ACCOUNT, CLI, loginAs, playJob } from './harness/bot.ts';
import type { JobObject, ServiceAccountLogin } from './harness/bot.ts';
import { failureLogDir, startCluster } from './harness/cluster.ts';
import type { TestCluster } from './harness/cluster.ts';
import type { Informer } from './harness/kube.ts';
import type { DaemonSet } from './harness/kube-types.ts';
import { startSimulatedNodes } from './harness/nodes.ts';
import type { SimulatedNodes } from './harness/nodes.ts';
import { resourcePath } from './harness/objects.ts';
import type { Manifest } from './harness/objects.ts';
import type { ManagedProcess } from './harness/processes.ts';
import { REPO_ROOT } from './harness/tools.ts';

const IMAGE = 'registry.test/patchwindow:cluster-test';
const GRACE_S = 3;
const JOBS = '/apis/batch/v1/namespaces/kured/jobs';
const DS_PATH = `/apis/apps/v1/namespaces/kured/daemonsets/${KURED_NAME}`;
const RESULTS_FILE = path.join(REPO_ROOT, 'test-results', 'cluster', 'safety-net.json');

/** kured's objects as the removal knows them, as API paths. */
const kuredPaths = (): string[] =>
  kuredObjectRefs('kured').map((ref) =>
    resourcePath({ apiVersion: ref.apiVersion ?? '', kind: ref.kind ?? '', metadata: { name: ref.metadata?.name ?? '', ...(ref.metadata?.namespace === undefined ? {} : { namespace: ref.metadata.namespace }) } }),
  );

async function until<T>(description: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The JSON log lines of a process so far. */
function logLines(process: ManagedProcess): Record<string, unknown>[] {
  return process
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function argument(args: readonly string[], flag: string): string {
  const index = args.indexOf(flag);
  const value = index >= 0 ? args[index + 1] : undefined;
  if (value === undefined) throw new Error(`no ${flag} in ${args.join(' ')}`);
  return value;
}

describe('the safety net on a real API server', () => {
  let cluster: TestCluster | undefined;
  let nodes: SimulatedNodes | undefined;
  let botLogin: ServiceAccountLogin | undefined;
  let daemonSets: Informer<DaemonSet> | undefined;
  let failed = false;

  const ctx = (): { cluster: TestCluster; botLogin: ServiceAccountLogin; daemonSets: Informer<DaemonSet> } => {
    if (cluster === undefined || botLogin === undefined || daemonSets === undefined) throw new Error('cluster not started');
    return { cluster, botLogin, daemonSets };
  };

  beforeAll(async () => {
    cluster = await startCluster({ scheduler: false });
    nodes = await startSimulatedNodes(cluster.admin, { names: ['node-a', 'node-b'], heartbeatMs: 3000 });
    await applyBotManifests(cluster);
    // the context's namespace is where the bot's leader election puts its Lease outside a pod
    botLogin = await loginAs(cluster, BOT_NAMESPACE, BOT_SERVICE_ACCOUNT, BOT_NAMESPACE);
    daemonSets = cluster.admin.informer<DaemonSet>('/apis/apps/v1/namespaces/kured/daemonsets');
    await daemonSets.synced;
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    daemonSets?.stop();
    try {
      nodes?.stop();
    } catch (error) {
      problems.push(error);
    }
    await cluster?.stop(failed || problems.length > 0 ? { keepLogsIn: failureLogDir() } : {}).catch((error: unknown) => problems.push(error));
    if (problems.length > 0) throw new AggregateError(problems, 'cluster teardown failed');
  });

  it('bot killed with SIGKILL mid-window: the Job, played as a host process with its ServiceAccount, removes kured at the window end plus the grace', async () => {
    const { cluster: c, botLogin: login, daemonSets: informer } = ctx();
    const dir = path.join(c.dir, 'bot');
    const bot = c.supervisor.start('patchwindow-bot', process.execPath, [CLI, 'bot'], {
      logFile: path.join(c.dir, 'logs', 'patchwindow-bot.log'),
      cwd: c.dir,
      env: {
        KUBECONFIG: login.kubeconfig,
        HOME: c.dir,
        PATCHWINDOW_CLUSTER: 'kube',
        PATCHWINDOW_HTTP_PORT: '0',
        PATCHWINDOW_DB: path.join(dir, 'patchwindow.db'),
        PATCHWINDOW_LOG_FORMAT: 'json',
        PATCHWINDOW_APPROVAL_REQUIRED: 'false',
        PATCHWINDOW_IMAGE: IMAGE,
        PATCHWINDOW_SAFETY_NET_GRACE: `${GRACE_S}s`,
      },
    });
    const listening = JSON.parse(await bot.waitForOutput(/"msg":"HTTP server listening"/, 60_000)) as { port: number };
    const answer = await fetch(`http://127.0.0.1:${listening.port}/console/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ as: 'alice', text: 'open 1m --reason "safety net test"' }),
    });
    expect(answer.status, await answer.text()).toBe(200);

    // the window opened: kured and the Job are there, deployed by the bot
    const job = await until('the reap Job of window 1', 60_000, () => c.admin.find<JobObject>(`${JOBS}/${reapJobName(1)}`));
    await until('kured of window 1', 10_000, async () => (await c.admin.find<DaemonSet>(DS_PATH))?.metadata.labels?.[WINDOW_LABEL] === '1' || undefined);
    process.kill(bot.pid, 'SIGKILL');
    expect(await bot.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(logLines(bot).some((line) => line['level'] === 'error' || line['level'] === 'fatal'), bot.output().slice(-3000)).toBe(false);

    // the Job as the bot created it: the bot's image, the reaper's identity, this window
    expect(job.metadata.labels?.[WINDOW_LABEL]).toBe('1');
    const [container] = job.spec.template.spec.containers;
    expect(container?.image).toBe(IMAGE);
    expect(job.spec.template.spec.serviceAccountName).toBe(REAPER_NAME);
    const args = container?.args ?? [];
    expect(args.slice(0, 5)).toEqual(['reap', '--namespace', 'kured', '--window', '1']);
    const at = new Date(argument(args, '--at'));
    // end = opened + 1 minute, so --at lies about a minute plus the grace ahead
    expect(at.getTime() - Date.now()).toBeGreaterThan(30_000);
    expect(at.getTime() - Date.now()).toBeLessThan(60_000 + GRACE_S * 1000);

    let deletedAt: number | undefined;
    const stopWatching = informer.onEvent((type, object) => {
      if (type === 'DELETED' && object.metadata.name === KURED_NAME) deletedAt ??= Date.now();
    });
    try {
      const played = await playJob(c, job, 'reap-window-1');
      await played.process.waitForOutput(/safety net armed/, 30_000);
      // armed well before --at: kured is still there and stays until then
      expect(Date.now()).toBeLessThan(at.getTime());
      expect(await c.admin.find(DS_PATH)).toBeDefined();
      let peakRssKiB = 0;
      while (played.process.isRunning()) {
        try {
          peakRssKiB = Math.max(peakRssKiB, sampleProcess(played.process.pid).peakRssKiB);
        } catch {
          // exited between the check and the read
        }
        if (Date.now() > at.getTime() + 60_000) throw new Error(`reap is still running 60 s after --at:\n${played.process.output().slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await played.process.exited, played.process.output().slice(-3000)).toEqual({ code: 0, signal: null });
      expect(deletedAt, 'kured DaemonSet deletion observed').toBeDefined();
      const lateMs = (deletedAt ?? 0) - at.getTime();
      expect(lateMs).toBeGreaterThanOrEqual(0);
      expect(lateMs).toBeLessThan(10_000);
      for (const objectPath of kuredPaths()) expect(await c.admin.find(objectPath), objectPath).toBeUndefined();
      // the reaper's own identity stays for the next window
      for (const manifest of reaperAccessManifests('kured') as unknown as Manifest[]) expect(await c.admin.find(resourcePath(manifest))).toBeDefined();
      const removed = logLines(played.process).find((line) => line['level'] === 'warn');
      expect(removed?.['msg']).toMatch(/^removed kured of window 1 that was still there \d+ s after --at: DaemonSet kured\/kured, /);
      recordResults(RESULTS_FILE, {
        safetyNet: {
          date: new Date().toISOString(),
          graceSeconds: GRACE_S,
          daemonSetGoneAfterAtMs: lateMs,
          reapPeakRssMiB: Math.round((peakRssKiB / 1024) * 10) / 10,
          note: 'bot SIGKILLed mid-window; reap played as a host process with the reaper ServiceAccount token; lateness from --at to the DaemonSet DELETED watch event',
        },
      });
    } finally {
      stopWatching();
    }
  });

  it("a Job of an earlier window leaves a later window's kured alone; the later window's Job removes it; a retried pod finds nothing to do", async () => {
    const { cluster: c, botLogin: login } = ctx();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(login.kubeconfig);
    const kube = new KubernetesCluster({ kubeConfig, source: 'the bot ServiceAccount', removeTimeoutMs: 30_000, safetyNet: { image: IMAGE, graceMs: 1000 } });
    try {
      // both windows have ended (their Jobs act at once); window 6 replaced window 5's kured in place
      const now = Date.now();
      const window = (windowId: number, endedMinutesAgo: number): RebootDaemonSpec => ({
        windowId,
        start: new Date(now - (endedMinutesAgo + 30) * 60_000),
        end: new Date(now - endedMinutesAgo * 60_000),
        zone: 'UTC',
        concurrency: 1,
        nodeSelector: undefined,
      });
      await kube.deployRebootDaemon(window(5, 20));
      await kube.deployRebootDaemon(window(6, 10));
      expect(await kube.rebootDaemon()).toEqual({ present: true, windowId: 6 });
      const job5 = await c.admin.get<JobObject>(`${JOBS}/${reapJobName(5)}`);
      const job6 = await c.admin.get<JobObject>(`${JOBS}/${reapJobName(6)}`);

      // A safety-net Job deleted by hand makes the deployment incomplete; deploying again restores it.
      await c.admin.delete(`${JOBS}/${reapJobName(6)}`, { propagationPolicy: 'Background' });
      const deadline = Date.now() + 30_000;
      while ((await c.admin.find(`${JOBS}/${reapJobName(6)}`)) !== undefined) {
        if (Date.now() > deadline) throw new Error('the deleted Job is still there after 30 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await kube.rebootDaemon()).toEqual({ present: true, windowId: 6, incomplete: `safety-net Job kured/${reapJobName(6)}` });
      await kube.deployRebootDaemon(window(6, 10));
      expect(await kube.rebootDaemon()).toEqual({ present: true, windowId: 6 });

      const played5 = await playJob(c, job5, 'reap-window-5');
      expect(await played5.process.exited, played5.process.output().slice(-3000)).toEqual({ code: 0, signal: null });
      expect(logLines(played5.process).at(-1)?.['msg']).toMatch(/^nothing to remove: kured in kured belongs to another window \(DaemonSet kured\/kured \(window 6\)/);
      for (const objectPath of kuredPaths()) expect(await c.admin.find(objectPath), objectPath).toBeDefined();
      expect(await kube.rebootDaemon()).toEqual({ present: true, windowId: 6 });

      const played6 = await playJob(c, job6, 'reap-window-6');
      expect(await played6.process.exited, played6.process.output().slice(-3000)).toEqual({ code: 0, signal: null });
      for (const objectPath of kuredPaths()) expect(await c.admin.find(objectPath), objectPath).toBeUndefined();

      const again = await playJob(c, job6, 'reap-window-6-again');
      expect(await again.process.exited).toEqual({ code: 0, signal: null });
      expect(logLines(again.process).at(-1)?.['msg']).toBe('nothing to remove: kured of window 6 is already gone');
    } finally {
      await kube.close();
    }
  });
});
