// The outbox dispatcher against an in-memory outbox, a recording chat and a manual clock:
// order, coalescing and throttling of updates, retries with backoff or Retry-After that keep
// order, permanent refusals, updates and replies whose original is gone, exactly-once delivery
// under many failures, and concurrent calls sharing one run.
import { describe, expect, it } from 'vitest';
import type { EngineLog } from '../../../../../bot/core/engine/engine-log.ts';
import { OutboxDispatcher } from '../../../../../bot/core/outbox/outbox-dispatcher.ts';
import type { OutboxDispatcherOptions } from '../../../../../bot/core/outbox/outbox-dispatcher.ts';
import { ChatDeliveryError } from '../../../../../bot/core/ports/chat-port.ts';
import type { ChatMessage, MessageRef } from '../../../../../bot/core/ports/chat-port.ts';
import type { OutboxEntry, OutboxOperation } from '../../../../../bot/core/ports/outbox-repository.ts';
import { ManualClock } from '../../../../support/manual-clock.ts';
import { MemoryOutbox } from '../../../../support/memory-outbox.ts';
import { RecordingChat } from '../../../../support/recording-chat.ts';
import { rejectionOf } from '../../../../support/rejection.ts';

type Call = 'post' | 'update' | 'reply';

/** A RecordingChat that can also be told to throw any error for chosen calls, and to hold calls until released. */
class ScriptedChat extends RecordingChat {
  /** Decides, per call, whether it throws (and what) instead of reaching the channel. */
  fault: ((call: Call, message: ChatMessage) => Error | undefined) | undefined;
  /** Awaited before every call reaches the channel. */
  gate: Promise<void> | undefined;

  /** The calls that reached the channel and succeeded, with the text they carried. */
  readonly sent: string[] = [];

  override async post(message: ChatMessage): Promise<MessageRef> {
    await this.#before('post', message);
    const ref = await super.post(message);
    this.sent.push(`post ${message.fallbackText}`);
    return ref;
  }

  override async update(ref: MessageRef, message: ChatMessage): Promise<void> {
    await this.#before('update', message);
    await super.update(ref, message);
    this.sent.push(`update ${message.fallbackText}`);
  }

  override async reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
    await this.#before('reply', message);
    const ref = await super.reply(thread, message);
    this.sent.push(`reply ${message.fallbackText}`);
    return ref;
  }

  /** Deletes a message, as a user or an admin would in the channel. */
  remove(id: string): void {
    const index = this.messages.findIndex((message) => message.id === id);
    if (index < 0) throw new Error(`no message ${id} to remove`);
    this.messages.splice(index, 1);
  }

  async #before(call: Call, message: ChatMessage): Promise<void> {
    if (this.gate !== undefined) await this.gate;
    const error = this.fault?.(call, message);
    if (error !== undefined) {
      this.operations.push(`${call}:refused`);
      throw error;
    }
  }
}

interface Setup {
  readonly outbox: MemoryOutbox;
  readonly chat: ScriptedChat;
  readonly clock: ManualClock;
  readonly dispatcher: OutboxDispatcher;
  readonly logs: string[];
}

const START = '2026-11-25T12:00:00.000Z';

function setup(options: Partial<Pick<OutboxDispatcherOptions, 'minUpdateIntervalMs' | 'maxBackoffMs' | 'batchSize'>> & { outbox?: MemoryOutbox } = {}): Setup {
  const outbox = options.outbox ?? new MemoryOutbox();
  const chat = new ScriptedChat();
  const clock = new ManualClock(START);
  const logs: string[] = [];
  const log: EngineLog = {
    info: (message) => logs.push(`info ${message}`),
    warn: (message) => logs.push(`warn ${message}`),
    error: (message) => logs.push(`error ${message}`),
  };
  const dispatcher = new OutboxDispatcher({
    outbox,
    chat,
    clock,
    log,
    minUpdateIntervalMs: options.minUpdateIntervalMs ?? 1000,
    maxBackoffMs: options.maxBackoffMs ?? 60_000,
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
  });
  return { outbox, chat, clock, dispatcher, logs };
}

function text(fallbackText: string): ChatMessage {
  return { fallbackText, blocks: [{ kind: 'text', text: fallbackText }] };
}

const post = (key: string, content: string): OutboxOperation => ({ kind: 'post', key, message: text(content) });
const update = (key: string, content: string): OutboxOperation => ({ kind: 'update', key, message: text(content) });
const reply = (threadKey: string, content: string): OutboxOperation => ({ kind: 'reply', threadKey, message: text(content) });

async function enqueue(s: Setup, ...operations: OutboxOperation[]): Promise<void> {
  for (const operation of operations) await s.outbox.enqueue(operation, s.clock.now());
}

/** The channel as a reader sees it: each message's newest text, replies under their thread. */
function channel(chat: RecordingChat): string[] {
  return chat.messages.map((message) => {
    const where = message.thread === undefined ? message.id : `${message.id} in ${message.thread}`;
    return `${where}: ${message.message.fallbackText}`;
  });
}

const retryable = (retryAfterMs?: number): ChatDeliveryError =>
  new ChatDeliveryError('rate limited', { retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
const permanent = (message: string): ChatDeliveryError => new ChatDeliveryError(message, { retryable: false });

function atOffset(ms: number): Date {
  return new Date(Date.parse(START) + ms);
}

describe('OutboxDispatcher: order', () => {
  it('delivers posts, updates and replies in the order they were enqueued', async () => {
    const s = setup();
    await enqueue(s, post('window:1', 'w1 requested'), reply('window:1', 'w1 asked'), update('window:1', 'w1 approved'), post('window:2', 'w2 requested'), reply('window:2', 'w2 asked'));

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 5, waitMs: undefined });
    expect(s.chat.sent).toEqual(['post w1 requested', 'reply w1 asked', 'update w1 approved', 'post w2 requested', 'reply w2 asked']);
    expect(channel(s.chat)).toEqual(['m1: w1 approved', 'm2 in m1: w1 asked', 'm3: w2 requested', 'm4 in m3: w2 asked']);
    expect(s.outbox.refs()).toEqual(new Map([['window:1', { id: 'm1' }], ['window:2', { id: 'm3' }]]));
    expect(await s.outbox.countPending()).toBe(0);
  });

  it('marks each entry delivered when it went out', async () => {
    const s = setup();
    await enqueue(s, post('a', 'a'), reply('a', 'a-1'));
    await s.dispatcher.deliverDue();

    expect(s.outbox.all().map((entry) => [entry.id, entry.deliveredAt, entry.attempts, entry.abandonedAt])).toEqual([
      [1, atOffset(0), 0, undefined],
      [2, atOffset(0), 0, undefined],
    ]);
  });

  it('has nothing to do on an empty outbox', async () => {
    const s = setup();

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: undefined });
    expect(s.chat.operations).toEqual([]);
  });

  it('works through more entries than one batch, in order', async () => {
    const s = setup({ batchSize: 2 });
    await enqueue(s, ...Array.from({ length: 7 }, (_, i) => post(`k${i}`, `p${i}`)));

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 7, waitMs: undefined });
    expect(s.chat.sent).toEqual(['post p0', 'post p1', 'post p2', 'post p3', 'post p4', 'post p5', 'post p6']);
  });

  it('delivers what was enqueued after an earlier run on the next run', async () => {
    const s = setup();
    await enqueue(s, post('a', 'a'));
    await s.dispatcher.deliverDue();
    await enqueue(s, reply('a', 'a-1'));

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
    expect(s.chat.repliesTo('m1')).toEqual(['a-1']);
  });
});

describe('OutboxDispatcher: updates', () => {
  it('coalesces pending updates of one message into one chat update with the newest content', async () => {
    const s = setup();
    await enqueue(s, post('w', 'v1'));
    await s.dispatcher.deliverDue();
    s.clock.advance(5000);
    await enqueue(s, update('w', 'v2'), update('w', 'v3'), update('w', 'v4'));

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
    expect(s.chat.operations).toEqual(['post', 'update']);
    expect(channel(s.chat)).toEqual(['m1: v4']);
    expect(s.chat.messages[0]?.updates).toBe(1);
    expect(await s.outbox.countPending()).toBe(0);
  });

  it('coalesces per message: other messages\' updates and replies go out in their places', async () => {
    const s = setup();
    await enqueue(s, post('a', 'a1'), post('b', 'b1'));
    await s.dispatcher.deliverDue();
    s.clock.advance(5000);
    await enqueue(s, update('a', 'a2'), update('b', 'b2'), reply('a', 'a-note'), update('a', 'a3'));

    await s.dispatcher.deliverDue();

    expect(s.chat.sent.slice(2)).toEqual(['update b2', 'reply a-note', 'update a3']);
    expect(channel(s.chat)).toEqual(['m1: a3', 'm2: b2', 'm3 in m1: a-note']);
  });

  it('sends at most one update per message per minUpdateIntervalMs, and the newest once the interval passed', async () => {
    const s = setup({ minUpdateIntervalMs: 1000 });
    await enqueue(s, post('w', 'v1'), update('w', 'v2'));
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 2, waitMs: undefined });

    s.clock.advance(300);
    await enqueue(s, update('w', 'v3'));
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 700 });
    s.clock.advance(200);
    await enqueue(s, update('w', 'v4'));
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 500 });
    expect(channel(s.chat)).toEqual(['m1: v2']);

    s.clock.advance(500);
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
    expect(channel(s.chat)).toEqual(['m1: v4']);
    expect(s.chat.operations).toEqual(['post', 'update', 'update']);
  });

  it('throttles each message on its own', async () => {
    const s = setup({ minUpdateIntervalMs: 1000 });
    await enqueue(s, post('a', 'a1'), post('b', 'b1'), update('a', 'a2'), update('b', 'b2'));
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 4, waitMs: undefined });

    s.clock.advance(1000);
    await enqueue(s, update('a', 'a3'), update('b', 'b3'));
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 2, waitMs: undefined });
    expect(channel(s.chat)).toEqual(['m1: a3', 'm2: b3']);
  });

  it('keeps order behind a throttled update: later entries wait for it', async () => {
    const s = setup({ minUpdateIntervalMs: 1000 });
    await enqueue(s, post('a', 'a1'), update('a', 'a2'));
    await s.dispatcher.deliverDue();
    await enqueue(s, update('a', 'a3'), post('b', 'b1'));

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 1000 });
    expect(s.chat.topLevel()).toHaveLength(1);

    s.clock.advance(1000);
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 2, waitMs: undefined });
    expect(s.chat.sent).toEqual(['post a1', 'update a2', 'update a3', 'post b1']);
  });

  it('posts an update whose message was never posted, and updates that post from then on', async () => {
    const s = setup({ minUpdateIntervalMs: 1000 });
    await enqueue(s, update('w', 'v1'));

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
    expect(s.chat.operations).toEqual(['post']);
    expect(s.outbox.refs().get('w')).toEqual({ id: 'm1' });

    s.clock.advance(1000);
    await enqueue(s, update('w', 'v2'));
    await s.dispatcher.deliverDue();
    expect(s.chat.operations).toEqual(['post', 'update']);
    expect(channel(s.chat)).toEqual(['m1: v2']);
  });

  it('posts an update anew when the platform no longer has the message, and replaces the ref', async () => {
    const s = setup({ minUpdateIntervalMs: 1000 });
    await enqueue(s, post('w', 'v1'), reply('w', 'note'));
    await s.dispatcher.deliverDue();
    s.chat.remove('m1');
    await enqueue(s, update('w', 'v2'));

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
    expect(s.chat.operations).toEqual(['post', 'reply', 'update', 'post']);
    expect(channel(s.chat)).toEqual(['m2 in m1: note', 'm3: v2']);
    expect(s.outbox.refs().get('w')).toEqual({ id: 'm3' });
    expect(s.logs).toEqual(['warn chat refused an update or reply to an earlier message; posting it anew']);

    // The new post counts as the message's update for the throttle, and later updates go to it.
    await enqueue(s, update('w', 'v3'));
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 1000 });
    s.clock.advance(1000);
    await s.dispatcher.deliverDue();
    expect(channel(s.chat)).toEqual(['m2 in m1: note', 'm3: v3']);
  });

  it('retries an update that failed for now as an update, not as a new post', async () => {
    const s = setup();
    await enqueue(s, post('w', 'v1'));
    await s.dispatcher.deliverDue();
    await enqueue(s, update('w', 'v2'));
    s.chat.failNext = 1;

    await s.dispatcher.deliverDue();
    s.clock.advance(1000);
    await s.dispatcher.deliverDue();

    expect(s.chat.operations).toEqual(['post', 'update:failed', 'update']);
    expect(channel(s.chat)).toEqual(['m1: v2']);
  });
});

/** A platform with a limit on updates across all its messages (Slack's chat.update tier), told how long to wait. */
class UpdateLimitedChat extends ScriptedChat {
  updateWait = 0;
  updateWaitMs(): number {
    return this.updateWait;
  }
}

describe('OutboxDispatcher: a platform-wide update limit', () => {
  function limitedSetup(): Setup & { readonly chat: UpdateLimitedChat } {
    const base = setup();
    const chat = new UpdateLimitedChat();
    const dispatcher = new OutboxDispatcher({ outbox: base.outbox, chat, clock: base.clock, log: { info: () => undefined, warn: () => undefined, error: () => undefined }, minUpdateIntervalMs: 1000, maxBackoffMs: 60_000 });
    return { ...base, chat, dispatcher };
  }

  it('holds updates while the platform says so, coalescing them, and sends the newest once it may', async () => {
    const s = limitedSetup();
    await enqueue(s, post('a', 'a1'), post('b', 'b1'));
    await s.dispatcher.deliverDue();
    s.clock.advance(5000);
    s.chat.updateWait = 4000;
    await enqueue(s, update('a', 'a2'), update('b', 'b2'), update('a', 'a3'));
    // Held without a call, and without counting as a failure: the wait is the platform's.
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 4000 });
    expect(s.chat.operations).toEqual(['post', 'post']);
    // a2 is superseded by a3 already; the others wait, with no attempt counted.
    expect((await s.outbox.pending(10)).map((entry) => entry.attempts)).toEqual([0, 0]);
    await enqueue(s, update('a', 'a4'));
    s.chat.updateWait = 1500;
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 1500 });

    s.chat.updateWait = 0;
    await s.dispatcher.deliverDue();
    expect(s.chat.sent.slice(2)).toEqual(['update b2', 'update a4']);
    expect(channel(s.chat)).toEqual(['m1: a4', 'm2: b2']);
    expect(await s.outbox.countPending()).toBe(0);
  });

  it('takes the longer of the per-message interval and the platform\'s wait', async () => {
    const s = limitedSetup();
    await enqueue(s, post('a', 'a1'), update('a', 'a2'));
    await s.dispatcher.deliverDue();
    s.clock.advance(200);
    await enqueue(s, update('a', 'a3'));
    s.chat.updateWait = 300;
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 800 });
    s.chat.updateWait = 5000;
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 5000 });
  });

  it('does not hold posts and replies that come before a held update', async () => {
    const s = limitedSetup();
    s.chat.updateWait = 10_000;
    await enqueue(s, post('a', 'a1'), reply('a', 'note'), update('a', 'a2'), post('b', 'b1'));
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 2, waitMs: 10_000 });
    expect(channel(s.chat)).toEqual(['m1: a1', 'm2 in m1: note']);
  });
});

describe('OutboxDispatcher: replies', () => {
  it('posts a reply top-level when its thread was never posted', async () => {
    const s = setup();
    await enqueue(s, reply('window:9', 'kured removed'));

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
    expect(s.chat.operations).toEqual(['post']);
    expect(channel(s.chat)).toEqual(['m1: kured removed']);
    expect(s.outbox.refs().size).toBe(0);
  });

  it('posts a reply top-level when the platform refuses the thread for good', async () => {
    const s = setup();
    await enqueue(s, post('w', 'v1'), reply('w', 'opening'));
    s.chat.fault = (call) => (call === 'reply' ? permanent('thread_not_found') : undefined);

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 2, waitMs: undefined });
    expect(s.chat.operations).toEqual(['post', 'reply:refused', 'post']);
    expect(channel(s.chat)).toEqual(['m1: v1', 'm2: opening']);
    expect(s.outbox.refs().get('w')).toEqual({ id: 'm1' });
  });

  it('retries a reply that failed for now in its thread', async () => {
    const s = setup();
    await enqueue(s, post('w', 'v1'), reply('w', 'opening'));
    let failures = 1;
    s.chat.fault = (call) => (call === 'reply' && failures-- > 0 ? retryable() : undefined);

    await s.dispatcher.deliverDue();
    s.clock.advance(500);
    await s.dispatcher.deliverDue();

    expect(s.chat.operations).toEqual(['post', 'reply:refused', 'reply']);
    expect(s.chat.repliesTo('m1')).toEqual(['opening']);
  });
});

describe('OutboxDispatcher: retries', () => {
  it('records a failed attempt, keeps later entries back, and retries after Retry-After', async () => {
    const s = setup();
    await enqueue(s, post('a', 'a'), post('b', 'b'), reply('a', 'a-1'));
    s.chat.failNext = 1; // retryable, Retry-After 1000 ms: more than the first backoff (500 ms)

    const first = await s.dispatcher.deliverDue();

    expect(first.delivered).toBe(0);
    expect(s.outbox.entry(1)).toMatchObject({ attempts: 1, notBefore: atOffset(1000), lastError: 'simulated outage', deliveredAt: undefined });
    expect(s.outbox.entry(2)).toMatchObject({ attempts: 0, deliveredAt: undefined });
    expect(s.chat.operations).toEqual(['post:failed']);
    expect(s.logs).toEqual(['warn chat delivery failed; will retry']);

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 1000 });
    s.clock.advance(999);
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 1 });
    expect(s.chat.operations).toEqual(['post:failed']);

    s.clock.advance(1);
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 3, waitMs: undefined });
    expect(s.chat.operations).toEqual(['post:failed', 'post', 'post', 'reply']);
    expect(channel(s.chat)).toEqual(['m1: a', 'm2: b', 'm3 in m1: a-1']);
  });

  it('says how long until the failed entry is due again', async () => {
    const s = setup();
    await enqueue(s, post('a', 'a'));
    s.chat.failNext = 1;

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 0, waitMs: 1000 });
  });

  it('backs off exponentially from 500 ms up to maxBackoffMs when the platform gives no hint', async () => {
    const s = setup({ maxBackoffMs: 5000 });
    await enqueue(s, post('a', 'a'));
    s.chat.fault = () => retryable();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      await s.dispatcher.deliverDue();
      const notBefore = s.outbox.entry(1).notBefore;
      if (notBefore === undefined) throw new Error('no retry time recorded');
      delays.push(notBefore.getTime() - s.clock.now().getTime());
      s.clock.advance(delays.at(-1) ?? 0);
    }

    expect(delays).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect(s.outbox.entry(1).attempts).toBe(7);

    s.chat.fault = undefined;
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
  });

  it('waits the larger of backoff and Retry-After, even beyond maxBackoffMs', async () => {
    const s = setup({ maxBackoffMs: 5000 });
    await enqueue(s, post('a', 'a'));
    const hints = [200, 30_000];
    s.chat.fault = () => retryable(hints.shift());

    await s.dispatcher.deliverDue();
    expect(s.outbox.entry(1).notBefore).toEqual(atOffset(500));
    s.clock.advance(500);
    await s.dispatcher.deliverDue();
    expect(s.outbox.entry(1).notBefore).toEqual(atOffset(500 + 30_000));
  });

  it('treats an error that is not a ChatDeliveryError as transient', async () => {
    const s = setup();
    await enqueue(s, post('a', 'a'));
    let failures = 1;
    s.chat.fault = () => (failures-- > 0 ? new TypeError('fetch failed') : undefined);

    await s.dispatcher.deliverDue();
    expect(s.outbox.entry(1)).toMatchObject({ attempts: 1, lastError: 'fetch failed', notBefore: atOffset(500) });
    s.clock.advance(500);
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
  });

  it.each([1, 2, 3, 42, 1234])('delivers every message exactly once and in order with half the calls failing (seed %i)', async (seed) => {
    const s = setup({ minUpdateIntervalMs: 1000, maxBackoffMs: 8000, batchSize: seed % 2 === 0 ? 5 : 50 });
    const random = mulberry32(seed);
    s.chat.fault = () => (random() < 0.5 ? retryable(random() < 0.5 ? 1000 : undefined) : undefined);
    const windows = 12;
    for (let w = 0; w < windows; w++) {
      await enqueue(s, post(`w${w}`, `w${w} v1`), update(`w${w}`, `w${w} v2`), reply(`w${w}`, `w${w} note`), update(`w${w}`, `w${w} v3`));
    }

    let runs = 0;
    while ((await s.outbox.countPending()) > 0) {
      if (++runs > 1000) throw new Error('the outbox did not drain');
      const result = await s.dispatcher.deliverDue();
      const left = await s.outbox.countPending();
      if (left > 0) {
        expect(result.waitMs, 'something is still waiting, so the dispatcher says when').toBeGreaterThan(0);
        s.clock.advance(result.waitMs ?? 1000);
      }
    }

    // The pattern did fail about half the calls.
    const failed = s.chat.operations.filter((operation) => operation.endsWith(':refused')).length;
    expect(failed / s.chat.operations.length).toBeGreaterThan(0.3);
    // Exactly once: one top-level message per window, one reply each, no duplicates.
    expect(s.chat.topLevel()).toHaveLength(windows);
    expect(s.chat.messages).toHaveLength(2 * windows);
    expect(s.chat.sent.filter((line) => line.startsWith('post '))).toEqual(Array.from({ length: windows }, (_, w) => `post w${w} v1`));
    expect(s.chat.sent.filter((line) => line.startsWith('reply '))).toEqual(Array.from({ length: windows }, (_, w) => `reply w${w} note`));
    // Newest content everywhere, replies in their own thread.
    for (const [w, message] of s.chat.topLevel().entries()) {
      expect(message.message.fallbackText).toBe(`w${w} v3`);
      expect(s.chat.repliesTo(message.id)).toEqual([`w${w} note`]);
    }
    // In order: each window's post came before the next window's post, its reply before the next window's anything.
    const firstIndex = (line: string): number => s.chat.sent.indexOf(line);
    for (let w = 1; w < windows; w++) {
      expect(firstIndex(`reply w${w - 1} note`)).toBeLessThan(firstIndex(`post w${w} v1`));
    }
    expect(s.outbox.all().every((entry) => entry.deliveredAt !== undefined && entry.abandonedAt === undefined)).toBe(true);
  });
});

describe('OutboxDispatcher: permanent refusals', () => {
  it('abandons a post the platform refuses for good, logs it, and goes on with later entries', async () => {
    const s = setup();
    await enqueue(s, post('bad', 'to a deleted channel'), post('good', 'fine'), reply('good', 'fine-1'));
    s.chat.fault = (call, message) => (call === 'post' && message.fallbackText === 'to a deleted channel' ? permanent('channel_not_found') : undefined);

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 2, waitMs: undefined });
    expect(s.outbox.entry(1)).toMatchObject({ abandonedAt: atOffset(0), deliveredAt: undefined, attempts: 0, lastError: 'channel_not_found' });
    expect(s.logs).toEqual(['error chat rejected an outbox entry; giving up on it']);
    expect(channel(s.chat)).toEqual(['m1: fine', 'm2 in m1: fine-1']);
    expect(await s.outbox.countPending()).toBe(0);
    expect(await s.outbox.pending(10)).toEqual([]);
  });

  it('after an abandoned post, its updates post the newest content and its replies go top-level', async () => {
    const s = setup();
    await enqueue(s, post('w', 'v1'));
    s.chat.fault = () => permanent('invalid_blocks');
    await s.dispatcher.deliverDue();
    s.chat.fault = undefined;
    await enqueue(s, update('w', 'v2'), reply('w', 'note'));

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 2, waitMs: undefined });
    expect(channel(s.chat)).toEqual(['m1: v2', 'm2 in m1: note']);
    expect(s.outbox.refs().get('w')).toEqual({ id: 'm1' });
  });

  it('abandons an update whose fresh post is refused for good', async () => {
    const s = setup();
    await enqueue(s, update('w', 'v1'), post('x', 'x'));
    s.chat.fault = (call, message) => (call === 'post' && message.fallbackText === 'v1' ? permanent('msg_too_long') : undefined);

    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
    expect(s.outbox.entry(1)).toMatchObject({ abandonedAt: atOffset(0), lastError: 'msg_too_long' });
    expect(s.outbox.refs().has('w')).toBe(false);
  });
});

describe('OutboxDispatcher: concurrent calls', () => {
  it('shares one run between calls made while it runs: nothing is sent twice', async () => {
    const s = setup();
    await enqueue(s, post('a', 'a'), post('b', 'b'));
    let release: () => void = () => undefined;
    s.chat.gate = new Promise<void>((resolve) => {
      release = resolve;
    });

    const first = s.dispatcher.deliverDue();
    const second = s.dispatcher.deliverDue();
    expect(second).toBe(first);
    release();
    const results = await Promise.all([first, second, s.dispatcher.deliverDue()]);

    expect(results.slice(0, 2)).toEqual([
      { delivered: 2, waitMs: undefined },
      { delivered: 2, waitMs: undefined },
    ]);
    expect(s.chat.operations).toEqual(['post', 'post']);
    expect(channel(s.chat)).toEqual(['m1: a', 'm2: b']);
  });

  it('starts a new run once the previous one finished', async () => {
    const s = setup();
    await enqueue(s, post('a', 'a'));
    const first = s.dispatcher.deliverDue();
    await first;
    await enqueue(s, post('b', 'b'));
    const second = s.dispatcher.deliverDue();

    expect(second).not.toBe(first);
    expect(await second).toEqual({ delivered: 1, waitMs: undefined });
  });

  it('after a run fails in the store, the next call starts afresh', async () => {
    class FailingOnce extends MemoryOutbox {
      failures = 1;
      override pending(limit: number): Promise<OutboxEntry[]> {
        return this.failures-- > 0 ? Promise.reject(new Error('SQLITE_BUSY')) : super.pending(limit);
      }
    }
    const s = setup({ outbox: new FailingOnce() });
    await enqueue(s, post('a', 'a'));

    expect(await rejectionOf(s.dispatcher.deliverDue())).toEqual(new Error('SQLITE_BUSY'));
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 1, waitMs: undefined });
  });
});

describe('OutboxDispatcher: a store that cannot record deliveries (disk full, read-only)', () => {
  /** An outbox whose writes fail while `broken` (reads still work), as SQLite on a full disk. */
  class BrokenWrites extends MemoryOutbox {
    broken = false;
    override markDelivered(id: number, at: Date): Promise<void> {
      return this.broken ? Promise.reject(new Error('SQLITE_FULL: database or disk is full')) : super.markDelivered(id, at);
    }
    override markAttemptFailed(id: number, error: string, retryAt: Date): Promise<void> {
      return this.broken ? Promise.reject(new Error('SQLITE_FULL: database or disk is full')) : super.markAttemptFailed(id, error, retryAt);
    }
    override saveRef(key: string, ref: MessageRef): Promise<void> {
      return this.broken ? Promise.reject(new Error('SQLITE_FULL: database or disk is full')) : super.saveRef(key, ref);
    }
  }

  it('sends a post, a reply and an update once each, however often it runs, and records them when the store works again', async () => {
    const outbox = new BrokenWrites();
    const s = setup({ outbox });
    await enqueue(s, post('w', 'w1'), reply('w', 'asked'));
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 2, waitMs: undefined });
    await enqueue(s, post('x', 'x1'), reply('w', 'approved'), update('w', 'w2'));
    outbox.broken = true;

    for (let run = 0; run < 5; run++) {
      expect(await rejectionOf(s.dispatcher.deliverDue())).toEqual(new Error('SQLITE_FULL: database or disk is full'));
      s.clock.advance(1000);
    }
    // The store failed right after the first send; nothing went out again, and nothing after it (order).
    expect(s.chat.sent).toEqual(['post w1', 'reply asked', 'post x1']);

    outbox.broken = false;
    expect(await s.dispatcher.deliverDue()).toEqual({ delivered: 3, waitMs: undefined });
    expect(s.chat.sent).toEqual(['post w1', 'reply asked', 'post x1', 'reply approved', 'update w2']);
    expect(outbox.refs()).toEqual(new Map([['w', { id: 'm1' }], ['x', { id: 'm3' }]]));
    expect(await outbox.countPending()).toBe(0);
  });

  it('does not update a message again while its update cannot be recorded', async () => {
    const outbox = new BrokenWrites();
    const s = setup({ outbox });
    await enqueue(s, post('w', 'w1'));
    await s.dispatcher.deliverDue();
    await enqueue(s, update('w', 'w2'));
    outbox.broken = true;

    for (let run = 0; run < 5; run++) {
      await rejectionOf(s.dispatcher.deliverDue());
      s.clock.advance(2000);
    }
    outbox.broken = false;
    await s.dispatcher.deliverDue();

    expect(s.chat.sent).toEqual(['post w1', 'update w2']);
    expect(await outbox.countPending()).toBe(0);
  });
});

describe('MemoryOutbox (the fake keeps the port\'s promises)', () => {
  it('lists pending entries oldest first, up to the limit, with attempts and retry time', async () => {
    const outbox = new MemoryOutbox();
    for (const [i, operation] of [post('a', 'a'), update('a', 'b'), reply('a', 'c'), post('d', 'd')].entries()) await outbox.enqueue(operation, atOffset(i));
    await outbox.markDelivered(1, atOffset(10));
    await outbox.markAttemptFailed(2, 'boom', atOffset(20));
    await outbox.markAbandoned(3, 'gone', atOffset(30));

    const pending: OutboxEntry[] = await outbox.pending(10);
    expect(pending).toEqual([
      { id: 2, operation: update('a', 'b'), createdAt: atOffset(1), attempts: 1, notBefore: atOffset(20) },
      { id: 4, operation: post('d', 'd'), createdAt: atOffset(3), attempts: 0, notBefore: undefined },
    ]);
    expect(await outbox.pending(1)).toHaveLength(1);
    expect(await outbox.pending(0)).toEqual([]);
    expect(await outbox.countPending()).toBe(2);
  });

  it('refuses to mark an entry that is not pending', async () => {
    const outbox = new MemoryOutbox();
    await outbox.enqueue(post('a', 'a'), atOffset(0));
    await outbox.markDelivered(1, atOffset(1));

    expect(await rejectionOf(outbox.markDelivered(1, atOffset(2)))).toEqual(new Error('outbox entry 1 was already delivered'));
    expect(await rejectionOf(outbox.markAbandoned(9, 'x', atOffset(2)))).toEqual(new Error('outbox entry 9 does not exist'));
  });

  it('upserts refs by key', async () => {
    const outbox = new MemoryOutbox();
    await outbox.saveRef('w', { id: 'm1' });
    await outbox.saveRef('w', { id: 'm2' });

    expect(await outbox.refFor('w')).toEqual({ id: 'm2' });
    expect(await outbox.refFor('other')).toBeUndefined();
  });
});

/** A small seeded PRNG, so a "random" failure pattern is the same on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
