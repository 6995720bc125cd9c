// progress_p95_ms, chat_calls_per_min and chat_429s: a node transition made through the API ->
// the first chat.update of the window's live message showing it, recorded by the fake Slack API
// (which enforces one post a second per channel and 50 chat.update calls a minute, as Slack does).
// The 50 window nodes are marked pending as their agents would; alice opens a window through the
// signed slash command and bob approves it, so the real bot deploys kured's DaemonSet. kured itself
// is not run (it is not served by the Go module proxy): the bench does what kured and the kubelet
// would, through the API server, one node at a time (concurrency 1): take kured's lock annotation
// and cordon, go NotReady, come back Ready with a new bootID (the agent then clears its
// annotation), uncordon and release the lock. Transitions are made on a fixed schedule, whatever
// the chat shows, one every SPACING_MS: 40 a minute, a compressed kured (a real node takes minutes).
import { setTimeout as delay } from 'node:timers/promises';
import { REBOOT_REQUIRED_ANNOTATION, REBOOT_REQUIRED_PACKAGES_ANNOTATION, REBOOT_REQUIRED_SINCE_ANNOTATION, rfc3339 } from '../../agent/core/node-contract.ts';
import { KURED_LOCK_ANNOTATION } from '../../bot/adapters/cluster/kubernetes/kured-lock-annotation.ts';
import type { FakeCall, FakeSlackApi } from '../support/fake-slack-api.ts';
import { ALICE_ID, BOB_ID } from '../support/slack-harness.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';
import type { BenchCluster } from './bench-cluster.ts';
import { WINDOW_NODE_COUNT, WINDOW_NODES } from './bench-cluster.ts';
import type { Figures } from './bench-report.ts';
import { distribution } from './percentiles.ts';

/** Nodes of the 50-node window that go through a whole reboot while measured (4 transitions each). */
export const PROGRESS_NODES = 20;
const SPACING_MS = 1500;
const STATES = ['cordoned', 'rebooting', 'back', 'done'] as const;
type Shown = (typeof STATES)[number];
const KURED_DAEMONSET = '/apis/apps/v1/namespaces/kured/daemonsets/kured';
const SETUP_TIMEOUT_MS = 90_000;
const SHOWN_TIMEOUT_MS = 120_000;

interface Transition {
  readonly node: string;
  readonly state: Shown;
  /** Date.now() just before the API call. */
  readonly at: number;
  /** Date.now() once the API server answered it. */
  readonly writtenAt: number;
  /** fake.calls.length before the API call: the update showing it comes later. */
  readonly from: number;
}

const blocksText = new WeakMap<FakeCall, string>();

function textOf(call: FakeCall): string {
  let text = blocksText.get(call);
  if (text === undefined) {
    text = JSON.stringify(call.args['blocks']);
    blocksText.set(call, text);
  }
  return text;
}

/** The first accepted chat.update after the transition that shows its node in its state or a later one. */
function shownBy(fake: FakeSlackApi, transition: Transition): FakeCall | undefined {
  const later = STATES.slice(STATES.indexOf(transition.state)).map((state) => `${transition.node}: ${state}`);
  for (let index = transition.from; index < fake.calls.length; index++) {
    const call = fake.calls[index];
    if (call?.method !== 'chat.update' || call.outcome !== 'ok') continue;
    const text = textOf(call);
    if (later.some((line) => text.includes(line))) return call;
  }
  return undefined;
}

function liveMessage(fake: FakeSlackApi): { ts: string; text: string; blocks: string; windowId: number } | undefined {
  const message = fake.topLevel().find((candidate) => /Maintenance window #\d+/.test(candidate.text));
  const id = message === undefined ? undefined : /Maintenance window #(\d+)/.exec(message.text)?.[1];
  return message === undefined || id === undefined ? undefined : { ts: message.ts, text: message.text, blocks: JSON.stringify(message.blocks), windowId: Number(id) };
}

/** The most calls of `method` in any 60 s span. */
function busiestMinute(calls: readonly FakeCall[], method: string): number {
  const times = calls.filter((call) => call.method === method).map((call) => call.at);
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while ((times[last] ?? 0) - (times[first] ?? 0) >= 60_000) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

export async function measureProgress(bench: BenchCluster): Promise<Figures> {
  const { cluster, nodes, fake, bot } = bench;
  const admin = cluster.admin;
  const command = async (userId: string, text: string): Promise<void> => {
    const answer = await postSigned(bot.eventsUrl, slashCommandBody({ text, userId, responseUrl: fake.responseUrl() }));
    if (answer.status !== 200) throw new Error(`"${text}" was answered HTTP ${answer.status}`);
  };

  // The window's nodes need a reboot, as their agents would report it: all at once, as after an
  // unattended upgrade at the same hour everywhere. How the digests follow is measured too.
  const since = rfc3339(new Date());
  const burstFrom = fake.calls.length;
  const burstStart = Date.now();
  for (const node of WINDOW_NODES) {
    await admin.patch(`/api/v1/nodes/${node}`, {
      metadata: { annotations: { [REBOOT_REQUIRED_ANNOTATION]: 'true', [REBOOT_REQUIRED_SINCE_ANNOTATION]: since, [REBOOT_REQUIRED_PACKAGES_ANNOTATION]: 'linux-image-6.1.0-31-amd64' } },
    });
  }
  const burstWritten = Date.now();
  const allPending = `${WINDOW_NODE_COUNT} node(s) need a reboot`;
  const burstDigests = (): FakeCall[] =>
    // A digest is posted, then grows in place (chat.update) for a while (pending-digest.ts).
    fake.calls
      .slice(burstFrom)
      .filter((call) => (call.method === 'chat.postMessage' || call.method === 'chat.update') && call.outcome === 'ok' && String(call.args['text']).includes('need a reboot'));
  await fake.waitFor(() => burstDigests().some((call) => String(call.args['text']).includes(allPending)), SETUP_TIMEOUT_MS, `the digest of ${WINDOW_NODE_COUNT} pending nodes`);
  const digests = burstDigests();
  const complete = digests.find((call) => String(call.args['text']).includes(allPending));
  const untilComplete = complete === undefined ? digests : digests.slice(0, digests.indexOf(complete) + 1);
  const burst: Figures = {
    digest_burst_ms_50_nodes: {
      value: (complete?.at ?? Date.now()) - burstStart,
      unit: 'ms',
      runs: 1,
      note: `${WINDOW_NODE_COUNT} Nodes annotated pending one after another (${burstWritten - burstStart} ms of API writes) -> the digest naming all of them (posted once, then edited in place, at most one edit a second)`,
    },
    digest_burst_posts_50_nodes: {
      value: untilComplete.filter((call) => call.method === 'chat.postMessage').length,
      unit: 'posts',
      runs: 1,
      note: `digests posted to the channel until the one naming all 50 (and ${untilComplete.filter((call) => call.method === 'chat.update').length} edits of them)`,
    },
  };

  await command(ALICE_ID, 'open 2h --reason bench');
  await fake.waitFor(() => liveMessage(fake) !== undefined, SETUP_TIMEOUT_MS, 'the window request');
  const windowId = liveMessage(fake)?.windowId ?? 0;
  await command(BOB_ID, `approve ${windowId}`);
  const last = WINDOW_NODES.at(-1) ?? '';
  await fake.waitFor(
    () => {
      const live = liveMessage(fake);
      return live !== undefined && live.text.includes(': open') && (live.blocks.includes(`${last}: pending`) || live.blocks.includes(`${last}: waiting`));
    },
    SETUP_TIMEOUT_MS,
    `window #${windowId} open with its ${WINDOW_NODE_COUNT} nodes`,
  );
  if ((await admin.find(KURED_DAEMONSET)) === undefined) throw new Error(`window #${windowId} is open but kured's DaemonSet is missing`);

  // The transitions, on a fixed schedule.
  const transitions: Transition[] = [];
  const phaseFrom = fake.calls.length;
  const phaseStart = Date.now();
  let slot = 0;
  const at = async (state: Shown, node: string, act: () => Promise<unknown>, after?: () => Promise<unknown>): Promise<void> => {
    const wait = phaseStart + slot * SPACING_MS - Date.now();
    slot++;
    if (wait > 0) await delay(wait); // the schedule itself, not a wait for anything
    const from = fake.calls.length;
    const started = Date.now();
    await act();
    transitions.push({ node, state, at: started, writtenAt: Date.now(), from });
    await after?.();
  };
  const setLock = (value: string | null): Promise<unknown> => admin.patch(KURED_DAEMONSET, { metadata: { annotations: { [KURED_LOCK_ANNOTATION]: value } } });
  for (const node of WINDOW_NODES.slice(0, PROGRESS_NODES)) {
    await setLock(JSON.stringify({ nodeID: node, metadata: { unschedulable: false }, created: new Date().toISOString(), TTL: 0 }));
    await at('cordoned', node, () => admin.patch(`/api/v1/nodes/${node}`, { spec: { unschedulable: true } }));
    await at('rebooting', node, () => nodes.down(node, 'kured: rebooting'));
    await at('back', node, () => nodes.up(node), () => admin.patch(`/api/v1/nodes/${node}`, { metadata: { annotations: { [REBOOT_REQUIRED_ANNOTATION]: 'false' } } }));
    await at('done', node, () => admin.patch(`/api/v1/nodes/${node}`, { spec: { unschedulable: null } }), () => setLock(null));
  }
  const allShown = (): boolean => transitions.every((transition) => shownBy(fake, transition) !== undefined);
  await fake.waitFor(allShown, SHOWN_TIMEOUT_MS, 'every transition in a chat.update').catch(() => undefined);

  const shown = transitions.flatMap((transition) => {
    const call = shownBy(fake, transition);
    return call === undefined ? [] : [{ totalMs: call.at - transition.at, botMs: call.at - transition.writtenAt, at: call.at }];
  });
  const unshown = transitions.length - shown.length;
  const overOneSecond = shown.filter((sample) => sample.totalMs > 1000).length;
  const phaseEnd = Math.max(...shown.map((sample) => sample.at), Date.now() - 1);
  const calls = fake.calls.slice(phaseFrom).filter((call) => call.at <= phaseEnd);
  const chatCalls = calls.filter((call) => call.method.startsWith('chat.'));
  const minutes = (phaseEnd - phaseStart) / 60_000;
  const rejected = calls.filter((call) => call.outcome === '429').length;
  const allRejected = fake.calls.filter((call) => call.outcome === '429').length;
  if (shown.length === 0) throw new Error(`no transition of window #${windowId} ever showed in a chat.update`);
  const total = distribution(shown.map((sample) => sample.totalMs));
  const botPart = distribution(shown.map((sample) => sample.botMs));
  const updates = chatCalls.filter((call) => call.method === 'chat.update').length;
  const posts = chatCalls.filter((call) => call.method === 'chat.postMessage').length;
  const pace = `${PROGRESS_NODES} of the window's ${WINDOW_NODE_COUNT} nodes rebooted one at a time, a transition every ${SPACING_MS / 1000} s (${Math.round(60_000 / SPACING_MS)}/min)`;
  return {
    ...burst,
    progress_p50_ms: { value: total.p50, unit: 'ms', runs: shown.length, note: `node transition written to the API -> first chat.update showing it; ${pace}` },
    progress_p95_ms: {
      value: total.p95,
      unit: 'ms',
      target: 1500,
      runs: shown.length,
      note: `max ${Math.round(total.max)} ms, ${overOneSecond} over 1 s; the API write itself p50 ${Math.round(total.p50 - botPart.p50)} ms, after it (watch -> engine -> outbox -> chat.update) p50 ${botPart.p50} / p95 ${botPart.p95} ms${unshown > 0 ? `; ${unshown} of ${transitions.length} transitions never showed within ${SHOWN_TIMEOUT_MS / 1000} s` : ''}`,
    },
    chat_calls_per_min: {
      value: chatCalls.length / minutes,
      unit: 'calls/min',
      runs: chatCalls.length,
      note: `Slack Web API calls while the transitions ran (${updates} chat.update, ${posts} thread replies over ${minutes.toFixed(1)} min); busiest minute: ${busiestMinute(calls, 'chat.update')} chat.update (Slack allows about 50), ${busiestMinute(calls, 'chat.postMessage')} posts (about 60)`,
    },
    chat_429s: {
      value: rejected,
      unit: '429s',
      target: 0,
      runs: chatCalls.length,
      note: `answered by the fake while the transitions ran (${allRejected} during the whole cluster bench, detection included)`,
    },
  };
}
