// Chaos on the cluster tier (issue 11, item 3): kube-apiserver stopped for 60 s in the middle of a
// window and started again on the same port and etcd (same binary and arguments, read from the
// stopped process). The real `patchwindow bot` process (Slack as its chat platform, the fake Slack
// Web API) runs a window over two nodes; the outage begins when the first node is back from its
// reboot and its kured runs again (it still has to uncordon the node and free the lock), so a node transition happens
// across it. Afterwards: the bot did not crash, its watches recovered (the window finished), the
// closing summary names every node as done, each node rebooted exactly once (one bootID change)
// and none outside the approved window (harness/reboot-invariant.ts). The simulated kubelets'
// heartbeats fail while the API server is away; teardown accepts exactly those errors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesCluster } from '../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import { FAKE_CHANNEL, FAKE_TEAM_ID, FAKE_TOKEN, FakeSlackApi } from '../support/fake-slack-api.ts';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../support/slack-requests.ts';
import { tempDirs } from '../support/temp-dirs.ts';
import type { AgentProcess } from './harness/agent.ts';
import { CLI } from './harness/bot.ts';
import type { Informer } from './harness/kube.ts';
import type { Node } from './harness/kube-types.ts';
import { isNodeReady } from './harness/kube-types.ts';
import { kuredMode, startKuredTier } from './harness/kured-tier.ts';
import type { KuredTier } from './harness/kured-tier.ts';
import { startTierAgents } from './harness/tier-agents.ts';
import { approvedIntervals, checkInvariant, readDatabase, recordReboots, writeChaosResult } from './harness/reboot-invariant.ts';
import type { RebootRecorder } from './harness/reboot-invariant.ts';

const NODES = ['node-1', 'node-2'];
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const OUTAGE_MS = 60_000;
const KURED_DS = '/apis/apps/v1/namespaces/kured/daemonsets/kured';
const mode = kuredMode();
const dirs = tempDirs();

async function until<T>(description: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    try {
      value = await check();
    } catch {
      value = undefined; // the API server may be away
    }
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${context() === '' ? '' : `\n${context()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** True for the errors a client meets while kube-apiserver is down (connection refused or reset). */
function isOutageError(error: unknown): boolean {
  const text = `${String(error)} ${error instanceof Error && error.cause instanceof Error ? error.cause.message : ''}`;
  if (error instanceof AggregateError) return error.errors.every(isOutageError);
  return /ECONNREFUSED|ECONNRESET|socket hang up|EPIPE|503|Service Unavailable/i.test(text);
}

describe.skipIf(mode === 'missing')(`chaos: kube-apiserver down for 60 s mid-window (${mode === 'standin' ? 'kured STAND-IN' : 'real kured'})`, () => {
  let tier: KuredTier | undefined;
  let kube: KubernetesCluster | undefined;
  let slack: FakeSlackApi | undefined;
  let nodeInformer: Informer<Node> | undefined;
  let recorder: RebootRecorder | undefined;
  const agents: AgentProcess[] = [];
  let failed = false;

  beforeAll(async () => {
    tier = await startKuredTier({ nodes: NODES, periodSeconds: 1 });
    const { cluster } = tier;
    // the agents, with their manifests' RBAC, each watching its node's /var/run/reboot-required
    await startTierAgents(tier, NODES, agents);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.adminKubeconfig);
    kube = new KubernetesCluster({ kubeConfig, source: 'test admin kubeconfig' });
    slack = await FakeSlackApi.start({ postIntervalMs: 0 });
    nodeInformer = cluster.admin.informer<Node>('/api/v1/nodes');
    await nodeInformer.synced;
    recorder = recordReboots(nodeInformer);
  });

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    const problems: unknown[] = [];
    recorder?.stop();
    nodeInformer?.stop();
    await kube?.close().catch((error: unknown) => problems.push(error));
    await slack?.close().catch((error: unknown) => problems.push(error));
    for (const agent of agents) await agent.stop(5000).catch((error: unknown) => problems.push(error));
    await tier?.stop(failed || problems.length > 0).catch((error: unknown) => {
      // the simulated kubelets' heartbeats during the outage are expected to fail; nothing else
      if (!isOutageError(error)) problems.push(error);
    });
    dirs.removeAll();
    if (problems.length > 0) throw new AggregateError(problems, 'teardown failed');
  });

  it('the API server away for 60 s while a node comes back: no crash, watches recover, every node in the summary, each rebooted once', async () => {
    if (tier === undefined || kube === undefined || slack === undefined || nodeInformer === undefined || recorder === undefined) throw new Error('not started');
    const { cluster, daemons } = tier;
    const fake = slack;
    const k = kube;
    const nodes = nodeInformer;
    const db = path.join(dirs.make('patchwindow-outage-'), 'patchwindow.db');

    for (const node of NODES) daemons.touchSentinel(node);
    await until('2 pending nodes', 30_000, async () => ((await k.nodes()).filter((node) => node.pendingReboot !== undefined).length === 2 ? true : undefined));
    const bot = cluster.supervisor.start('patchwindow-bot-outage', process.execPath, [CLI, 'bot'], {
      logFile: path.join(cluster.dir, 'logs', 'patchwindow-bot-outage.log'),
      cwd: cluster.dir,
      env: {
        KUBECONFIG: cluster.adminKubeconfig,
        HOME: cluster.dir,
        PATCHWINDOW_CLUSTER: 'kube',
        PATCHWINDOW_LEADER_ELECTION: 'false',
        PATCHWINDOW_SAFETY_NET: 'false',
        PATCHWINDOW_HTTP_PORT: '0',
        PATCHWINDOW_DB: db,
        PATCHWINDOW_LOG_FORMAT: 'json',
        PATCHWINDOW_APPROVERS: `slack:${ALICE},slack:${BOB}`,
        SLACK_BOT_TOKEN: FAKE_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        PATCHWINDOW_SLACK_CHANNEL: FAKE_CHANNEL,
        PATCHWINDOW_SLACK_API_URL: fake.apiUrl,
        PATCHWINDOW_SLACK_TEAM_ID: FAKE_TEAM_ID,
      },
    });
    const story = (): string => bot.output().slice(-4000);
    const listening = JSON.parse(await bot.waitForOutput(/"msg":"HTTP server listening"/, 60_000)) as { port: number };
    const base = `http://127.0.0.1:${listening.port}`;
    const command = async (user: string, text: string): Promise<void> => {
      const sent = await postSigned(`${base}/slack/events`, slashCommandBody({ text, userId: user, userName: user, responseUrl: fake.responseUrl() }));
      expect(sent.status, `/patchwindow ${text}`).toBe(200);
    };
    const state = async (): Promise<string> => (await readDatabase<{ state: string }>(db, 'SELECT state FROM windows WHERE id = 1'))[0]?.state ?? 'none';

    // the outage begins when the first node is back (new bootID, Ready): its kured has yet to uncordon it
    const bootIDs = new Map(nodes.items().map((node) => [node.metadata.name, node.status?.nodeInfo?.bootID]));
    const firstBack = new Promise<string>((resolve) => {
      const off = nodes.onEvent((_type, node) => {
        if (isNodeReady(node) && node.status?.nodeInfo?.bootID !== bootIDs.get(node.metadata.name)) {
          off();
          resolve(node.metadata.name);
        }
      });
    });
    await command(ALICE, 'open 10m --reason "API server outage"');
    await until('window #1 requested', 30_000, async () => ((await state()) === 'requested' ? true : undefined), story);
    await command(BOB, 'approve 1');
    const backNode = await firstBack;
    // and its kured runs again (the harness starts it once the node is up)
    await until(`kured running again on ${backNode}`, 30_000, () => (daemons.current(backNode)?.isRunning() === true ? true : undefined));

    const apiserver = cluster.processes.apiserver;
    const argv = readFileSync(`/proc/${apiserver.pid}/cmdline`, 'utf8').split('\0').filter((part) => part !== '');
    const [binary, ...args] = argv;
    if (binary === undefined) throw new Error('no kube-apiserver command line');
    const stoppedAt = Date.now();
    process.kill(apiserver.pid, 'SIGKILL');
    await apiserver.exited;
    await until('the API server refusing connections', 10_000, async () => {
      try {
        await cluster.admin.request('GET', '/readyz');
        return undefined;
      } catch {
        return true;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (Date.now() - stoppedAt)));
    expect(bot.isRunning(), story()).toBe(true);
    const restarted = cluster.supervisor.start('kube-apiserver-restarted', binary, args, { logFile: path.join(cluster.dir, 'logs', 'kube-apiserver-restarted.log') });
    await until('kube-apiserver ready again', 90_000, async () => {
      await cluster.admin.request('GET', '/readyz');
      return true;
    });
    const downMs = Date.now() - stoppedAt;
    expect(restarted.isRunning()).toBe(true);

    // the window finishes: every node done, the summary names them, kured removed
    await until('window #1 closed', 240_000, async () => (['closed', 'failed'].includes(await state()) ? true : undefined), story);
    expect(await state(), story()).toBe('closed');
    expect(bot.isRunning(), story()).toBe(true);
    const progress = await readDatabase<{ node: string; state: string }>(db, 'SELECT node, state FROM window_nodes WHERE window_id = 1 ORDER BY node');
    expect(progress, story()).toEqual(NODES.map((node) => ({ node, state: 'done' })));
    await until('kured gone', 30_000, async () => ((await cluster.admin.find(KURED_DS)) === undefined ? true : undefined));
    await until('outbox delivered', 60_000, async () =>
      (await readDatabase<{ n: number }>(db, 'SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL'))[0]?.n === 0 ? true : undefined,
    );
    // the window's live message, updated in place to its final summary: closed, every node done
    const live = fake.topLevel().find((message) => message.text.includes('Maintenance window #1'));
    expect(live?.text, JSON.stringify(fake.topLevel().map((message) => message.text))).toMatch(/: closed/);
    for (const node of NODES) expect(JSON.stringify(live?.blocks), `summary names ${node} as done`).toContain(`${node}: done`);
    const thread = live === undefined ? [] : fake.replies(live.ts).map((message) => message.text);
    for (const node of NODES) expect(thread.some((text) => text.includes(`${node} done`)), thread.join(' | ')).toBe(true);

    // no double action: each node rebooted once (one bootID change), inside the approved window
    await until('both nodes Ready', 60_000, () => (nodes.items().filter(isNodeReady).length === NODES.length ? true : undefined));
    const reboots = recorder.reboots();
    expect(reboots.map((sign) => sign.node).sort(), JSON.stringify(recorder.signs())).toEqual([...NODES].sort());
    expect(daemons.reboots.map((reboot) => reboot.node).sort()).toEqual([...NODES].sort());
    const invariant = checkInvariant(recorder.signs(), await approvedIntervals(db));
    process.stdout.write(`${invariant.line} (API server outage: ${Math.round(downMs / 1000)} s)\n`);
    expect(invariant.outside, invariant.line).toEqual([]);
    const errors = bot
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level?: unknown; msg?: unknown })
      .filter((line) => line.level === 'fatal');
    expect(errors, story()).toEqual([]);
    writeChaosResult('apiserver-outage', {
      runs: 1,
      outageMs: downMs,
      outageBeganWhen: `${backNode} back from its reboot, not yet uncordoned`,
      reboots: invariant.reboots,
      notReadyIntervals: invariant.notReady,
      rebootsOutsideApprovedWindows: invariant.outside.length,
      nodesDone: progress.length,
      note: 'kube-apiserver SIGKILLed and started again with the same arguments (same port, same etcd); the bot process stayed up',
    });
    process.kill(bot.pid, 'SIGTERM');
    await bot.exited;
  });
});
