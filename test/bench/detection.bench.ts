// detection_p50/p95/max_ms: a sentinel file created on a node -> the pending-nodes digest naming
// that node recorded by the fake Slack API, through a real agent, a real API server and a real bot
// process. Each trial touches one of three nodes' sentinels (with a .pkgs file), waits for the
// digest, then removes the sentinel and waits for the "no node needs a reboot" digest. The same
// Node as seen by the bench's own watch splits each trial into the agent's part (sentinel -> Node
// annotated, including the agent's 100 ms settle for file-event bursts) and the bot's part (Node
// annotated -> digest posted).
import { setTimeout as delay } from 'node:timers/promises';
import { REBOOT_REQUIRED_ANNOTATION } from '../../agent/core/node-contract.ts';
import type { Node } from '../cluster/harness/kube-types.ts';
import type { FakeCall, FakeSlackApi } from '../support/fake-slack-api.ts';
import type { BenchCluster } from './bench-cluster.ts';
import type { Figures } from './bench-report.ts';
import { distribution } from './percentiles.ts';

export const DETECTION_TRIALS = 100;
const PACKAGES = ['linux-image-6.1.0-31-amd64', 'openssl'];
/** Slack takes about one post a second per channel, and the bot paces its posts to that. */
const POST_SPACING_MS = 1100;
const TRIAL_TIMEOUT_MS = 15_000;

export interface DetectionSample {
  readonly totalMs: number;
  readonly agentMs: number;
  readonly botMs: number;
}

/** Digests posted or edited since call number `from`: a digest grows in place for a while after its post (pending-digest.ts). */
function postsFrom(fake: FakeSlackApi, from: number): FakeCall[] {
  return fake.calls.slice(from).filter((call) => (call.method === 'chat.postMessage' || call.method === 'chat.update') && call.outcome === 'ok');
}

/** The first digest posted (or edited) since call number `from` that names `node` as needing a reboot. */
function digestNaming(fake: FakeSlackApi, from: number, node: string): FakeCall | undefined {
  return postsFrom(fake, from).find((call) => String(call.args['text']).includes('need a reboot') && JSON.stringify(call.args['blocks']).includes(node));
}

function clearDigest(fake: FakeSlackApi, from: number): FakeCall | undefined {
  return postsFrom(fake, from).find((call) => String(call.args['text']).includes('No node needs a reboot'));
}

export async function measureDetection(bench: BenchCluster, trials = DETECTION_TRIALS): Promise<{ figures: Figures; samples: DetectionSample[] }> {
  const { fake, nodes } = bench;
  const samples: DetectionSample[] = [];
  const annotationIs = (node: string, value: string) => (items: readonly Node[]): number | undefined =>
    items.find((item) => item.metadata.name === node)?.metadata.annotations?.[REBOOT_REQUIRED_ANNOTATION] === value ? Date.now() : undefined;
  let lastPostAt = 0;
  for (let trial = 0; trial < trials; trial++) {
    const agent = bench.detectionAgents[trial % bench.detectionAgents.length];
    if (agent === undefined) throw new Error('no detection agent');
    const node = agent.node;
    // Spacing, not synchronisation: a trial that starts within a second of the previous post would
    // measure the bot's post pacing (by design) instead of detection.
    const wait = lastPostAt + POST_SPACING_MS - Date.now();
    if (wait > 0) await delay(wait);

    const from = fake.calls.length;
    const annotated = nodes.nodeInformer.waitFor(`${node} annotated pending`, annotationIs(node, 'true'), TRIAL_TIMEOUT_MS);
    annotated.catch(() => undefined);
    const touchedAt = Date.now();
    agent.touch(PACKAGES);
    await fake.waitFor(() => digestNaming(fake, from, node) !== undefined, TRIAL_TIMEOUT_MS, `trial ${trial + 1}: the pending digest naming ${node}`);
    const digest = digestNaming(fake, from, node);
    if (digest === undefined) throw new Error('unreachable: the digest was just seen');
    const annotatedAt = await annotated;
    samples.push({ totalMs: digest.at - touchedAt, agentMs: annotatedAt - touchedAt, botMs: digest.at - annotatedAt });

    const clearFrom = fake.calls.length;
    const cleared = nodes.nodeInformer.waitFor(`${node} annotated not pending`, annotationIs(node, 'false'), TRIAL_TIMEOUT_MS);
    cleared.catch(() => undefined);
    agent.clear();
    await fake.waitFor(() => clearDigest(fake, clearFrom) !== undefined, TRIAL_TIMEOUT_MS, `trial ${trial + 1}: the digest saying no node is pending`);
    await cleared;
    lastPostAt = clearDigest(fake, clearFrom)?.at ?? Date.now();
  }
  const total = distribution(samples.map((sample) => sample.totalMs));
  const agentPart = distribution(samples.map((sample) => sample.agentMs));
  const botPart = distribution(samples.map((sample) => sample.botMs));
  const runs = samples.length;
  const split = `agent part (sentinel -> Node annotated, 100 ms of it the settle for file-event bursts) p50 ${agentPart.p50} / p95 ${agentPart.p95} ms; bot part (watch -> engine -> SQLite outbox -> chat.postMessage) p50 ${botPart.p50} / p95 ${botPart.p95} ms`;
  return {
    samples,
    figures: {
      detection_p50_ms: { value: total.p50, unit: 'ms', runs, note: `sentinel created -> pending digest naming the node recorded by the fake Slack API; real agent, API server and bot process; ${split}` },
      detection_p95_ms: { value: total.p95, unit: 'ms', target: 250, runs, note: 'same trials; the digest is posted as soon as the set of pending nodes changes (no digest interval), paced only by Slack\'s one post a second' },
      detection_max_ms: { value: total.max, unit: 'ms', runs, note: `same trials; min ${total.min} ms` },
    },
  };
}
