// The pending-nodes digest when many nodes become pending within moments (a fleet-wide unattended
// upgrade): the first digest goes out at once, the following changes edit that message in place
// (coalesced by the outbox), and a change after the digest stopped growing is a new post.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIGEST_GROWS_FOR_MS } from '../../../../../bot/core/engine/pending-digest.ts';
import { ALICE, BOB, startEngineHarness } from '../../../../support/engine-harness.ts';
import type { EngineHarness } from '../../../../support/engine-harness.ts';
import { windowState } from '../../../../support/engine-scenario.ts';
import { messageText } from '../../../../support/recording-chat.ts';
import type { RecordedMessage } from '../../../../support/recording-chat.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';

const dirs = tempDirs();
const harnesses: EngineHarness[] = [];

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.shutdown().catch(() => undefined);
  dirs.removeAll();
});

async function harness(nodeCount: number): Promise<EngineHarness> {
  const started = await startEngineHarness({ path: join(dirs.make(), 'p.db'), simulation: { nodeCount, pendingAtStart: 0 } });
  harnesses.push(started);
  return started;
}

function digests(h: EngineHarness): RecordedMessage[] {
  return h.chat.topLevel().filter((message) => message.message.fallbackText.includes('need a reboot'));
}

function nodeNames(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, index) => `sim-node-${from + index}`);
}

function names(message: RecordedMessage | undefined): string[] {
  const text = message === undefined ? '' : messageText(message.message);
  return [...text.matchAll(/^(sim-node-\d+) since/gm)].map((match) => match[1] ?? '');
}

describe('the pending-nodes digest', () => {
  it('reports 50 nodes pending at once in one message that names all 50, delivered at once', async () => {
    const h = await harness(60);
    expect(digests(h)).toEqual([]);
    // Each node is its own observation, as the agents' annotations arrive one by one.
    for (const name of nodeNames(1, 50)) h.cluster.makePending(name);
    await h.step(0);

    expect(digests(h)).toHaveLength(1);
    expect(digests(h)[0]?.message.fallbackText).toBe('🩹 50 node(s) need a reboot');
    expect(names(digests(h)[0]).sort()).toEqual(nodeNames(1, 50).sort());
    // One post and a few coalesced updates, not one post per observation.
    expect(h.chat.operations.filter((operation) => operation === 'post')).toHaveLength(1);
    expect(h.chat.operations.filter((operation) => operation === 'update').length).toBeLessThanOrEqual(2);
    expect(await h.repositories.outbox.pending(100)).toEqual([]);
  });

  it('posts the first digest without waiting, and edits it promptly for a node found soon after', async () => {
    const h = await harness(10);
    h.cluster.makePending('sim-node-1');
    await h.step(0);
    expect(digests(h)).toHaveLength(1);
    expect(names(digests(h)[0])).toEqual(['sim-node-1']);

    await h.step(DIGEST_GROWS_FOR_MS / 2);
    h.cluster.makePending('sim-node-2');
    await h.step(0);
    expect(digests(h)).toHaveLength(1);
    expect(names(digests(h)[0])).toEqual(['sim-node-1', 'sim-node-2']);
    expect(digests(h)[0]?.updates).toBe(1);
  });

  it('posts a new digest for a node found after the last one stopped growing', async () => {
    const h = await harness(10);
    h.cluster.makePending('sim-node-1');
    await h.step(0);
    await h.step(DIGEST_GROWS_FOR_MS);
    h.cluster.makePending('sim-node-2');
    await h.step(0);

    expect(digests(h)).toHaveLength(2);
    expect(names(digests(h)[0])).toEqual(['sim-node-1']);
    expect(names(digests(h)[1])).toEqual(['sim-node-1', 'sim-node-2']);
    // The new one grows in its turn.
    await h.step(1000);
    h.cluster.makePending('sim-node-3');
    await h.step(0);
    expect(digests(h)).toHaveLength(2);
    expect(names(digests(h)[1])).toEqual(['sim-node-1', 'sim-node-2', 'sim-node-3']);
  });

  it('posts the digest after a window anew, below the window card, instead of editing the one above it', async () => {
    const h = await harness(4);
    h.cluster.makePending('sim-node-1');
    await h.step(0);
    expect(await h.engine.command(ALICE, 'open 1h')).toMatchObject({ ok: true });
    expect(await h.engine.action(BOB, 'approve', '1')).toMatchObject({ ok: true });
    await h.runUntil(async () => (await windowState(h, 1)) === 'open', 5_000);
    // A node pending while the window runs: no digest then.
    h.cluster.makePending('sim-node-2');
    await h.step(0);
    expect(await h.engine.command(ALICE, 'close 1')).toMatchObject({ ok: true });
    await h.runUntil(async () => (await windowState(h, 1)) === 'closed', 60_000);
    h.cluster.makePending('sim-node-3');
    await h.runUntil(() => names(h.chat.topLevel().at(-1)).includes('sim-node-3'), 5_000);

    const last = h.chat.topLevel().at(-1);
    expect(last?.message.fallbackText).toMatch(/need a reboot$/);
    expect(last?.id).not.toBe(digests(h)[0]?.id);
    expect(h.chat.topLevel().findIndex((message) => message.message.fallbackText.includes('Maintenance window #1'))).toBeLessThan(h.chat.topLevel().length - 1);
  });
});
