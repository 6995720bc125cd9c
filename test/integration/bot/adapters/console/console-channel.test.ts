import { describe, expect, it } from 'vitest';
import { ConsoleChannel } from '../../../../../bot/adapters/console/console-channel.ts';
import type { ConsoleEvent } from '../../../../../bot/adapters/console/console-channel.ts';
import { ChatDeliveryError } from '../../../../../bot/core/ports/chat-port.ts';
import type { ChatMessage } from '../../../../../bot/core/ports/chat-port.ts';

/** A clock that moves one second per reading, from 2025-03-11T14:00:00Z. */
function tickingClock(): () => Date {
  let at = Date.parse('2025-03-11T14:00:00Z');
  return () => {
    const now = new Date(at);
    at += 1000;
    return now;
  };
}

function text(body: string): ChatMessage {
  return { fallbackText: body, blocks: [{ kind: 'text', text: body }] };
}

function recordEvents(channel: ConsoleChannel): ConsoleEvent[] {
  const events: ConsoleEvent[] = [];
  channel.subscribe((event) => events.push(event));
  return events;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('ConsoleChannel', () => {
  it('is the console platform and numbers messages c1, c2, … with the injected time', async () => {
    const channel = new ConsoleChannel({ now: tickingClock() });
    expect(channel.platform).toBe('console');
    expect(await channel.post(text('one'))).toEqual({ id: 'c1' });
    expect(await channel.post(text('two'))).toEqual({ id: 'c2' });
    expect(channel.messages()).toEqual([
      {
        id: 'c1',
        threadId: null,
        fallbackText: 'one',
        blocks: [{ kind: 'text', text: 'one' }],
        createdAt: '2025-03-11T14:00:00.000Z',
        updatedAt: '2025-03-11T14:00:00.000Z',
        version: 1,
      },
      expect.objectContaining({ id: 'c2', createdAt: '2025-03-11T14:00:01.000Z', version: 1 }),
    ]);
  });

  it('updates a message in place: new content and version, same id, position and creation time', async () => {
    const channel = new ConsoleChannel({ now: tickingClock() });
    const first = await channel.post(text('window requested'));
    await channel.post(text('something else'));
    const updated: ChatMessage = {
      fallbackText: 'window open',
      blocks: [
        { kind: 'header', text: 'Window open' },
        { kind: 'lines', lines: ['node-a  rebooting', 'node-b  pending'] },
        { kind: 'actions', actions: [{ action: 'close', label: 'Close', style: 'danger', value: '3', confirm: 'Close the window?' }] },
      ],
    };
    await channel.update(first, updated);
    await channel.update(first, updated);
    const [message, other] = channel.messages();
    expect(message).toEqual({
      id: 'c1',
      threadId: null,
      fallbackText: 'window open',
      blocks: updated.blocks,
      createdAt: '2025-03-11T14:00:00.000Z',
      updatedAt: '2025-03-11T14:00:03.000Z',
      version: 3,
    });
    expect(other?.id).toBe('c2');
  });

  it('refuses to update or reply to a message it does not have, and says retrying will not help', async () => {
    const channel = new ConsoleChannel({ now: tickingClock() });
    const update = await rejection(channel.update({ id: 'c42' }, text('x')));
    expect(update).toBeInstanceOf(ChatDeliveryError);
    expect(update).toMatchObject({ retryable: false, retryAfterMs: undefined, message: expect.stringContaining('c42') as unknown });
    const reply = await rejection(channel.reply({ id: 'nope' }, text('x')));
    expect(reply).toBeInstanceOf(ChatDeliveryError);
    expect(reply).toMatchObject({ retryable: false });
    expect(channel.messages()).toEqual([]);
  });

  it('keeps replies in their thread, after their parent, and sends a reply to a reply to the same thread', async () => {
    const channel = new ConsoleChannel({ now: tickingClock() });
    const parent = await channel.post(text('window 3'));
    const first = await channel.reply(parent, text('node-a cordoned'));
    const other = await channel.post(text('another top-level message'));
    const second = await channel.reply(first, text('node-a back'));
    await channel.update(first, text('node-a cordoned (edited)'));
    expect([first.id, other.id, second.id]).toEqual(['c2', 'c3', 'c4']);
    expect(channel.messages().map((message) => [message.id, message.threadId, message.fallbackText, message.version])).toEqual([
      ['c1', null, 'window 3', 1],
      ['c2', 'c1', 'node-a cordoned (edited)', 2],
      ['c4', 'c1', 'node-a back', 1],
      ['c3', null, 'another top-level message', 1],
    ]);
    expect(channel.get('c4')?.threadId).toBe('c1');
    expect(channel.get('c9')).toBeUndefined();
  });

  it('tells subscribers about every post, update and reply, in order, until they unsubscribe', async () => {
    const channel = new ConsoleChannel({ now: tickingClock() });
    const events = recordEvents(channel);
    const late: ConsoleEvent[] = [];
    const ref = await channel.post(text('a'));
    const unsubscribe = channel.subscribe((event) => late.push(event));
    await channel.update(ref, text('b'));
    await channel.reply(ref, text('c'));
    unsubscribe();
    await channel.post(text('d'));
    expect(events.map((event) => (event.kind === 'remove' ? event.kind : [event.kind, event.message.id, event.message.fallbackText]))).toEqual([
      ['post', 'c1', 'a'],
      ['update', 'c1', 'b'],
      ['reply', 'c2', 'c'],
      ['post', 'c3', 'd'],
    ]);
    expect(late.map((event) => event.kind)).toEqual(['update', 'reply']);
    expect(channel.subscriberCount).toBe(1);
  });

  it('delivers to the other subscribers and succeeds when one subscriber throws', async () => {
    const errors: unknown[] = [];
    const channel = new ConsoleChannel({ now: tickingClock(), onListenerError: (error) => errors.push(error) });
    channel.subscribe(() => {
      throw new Error('listener broke');
    });
    const events = recordEvents(channel);
    await expect(channel.post(text('a'))).resolves.toEqual({ id: 'c1' });
    expect(events).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ message: 'listener broke' })]);
  });

  it('keeps only the newest top-level messages, dropping old threads whole and saying so', async () => {
    const channel = new ConsoleChannel({ now: tickingClock(), maxMessages: 2 });
    const events = recordEvents(channel);
    const first = await channel.post(text('1'));
    await channel.reply(first, text('1.1'));
    await channel.post(text('2'));
    await channel.post(text('3'));
    expect(channel.messages().map((message) => message.id)).toEqual(['c3', 'c4']);
    expect(events.at(-1)).toEqual({ kind: 'remove', ids: ['c1', 'c2'] });
    expect(events.at(-2)).toMatchObject({ kind: 'post', message: { id: 'c4' } });
    expect(await rejection(channel.update(first, text('too late')))).toMatchObject({ name: 'ChatDeliveryError', retryable: false });
    expect(await rejection(channel.reply({ id: 'c2' }, text('too late')))).toMatchObject({ name: 'ChatDeliveryError', retryable: false });
  });

  it('keeps only the newest replies of a long thread', async () => {
    const channel = new ConsoleChannel({ now: tickingClock(), maxRepliesPerThread: 2 });
    const events = recordEvents(channel);
    const parent = await channel.post(text('window'));
    for (const line of ['a', 'b', 'c']) await channel.reply(parent, text(line));
    expect(channel.messages().map((message) => message.fallbackText)).toEqual(['window', 'b', 'c']);
    expect(events.at(-1)).toEqual({ kind: 'remove', ids: ['c2'] });
  });

  it('keeps its own copy of the blocks', async () => {
    const channel = new ConsoleChannel({ now: tickingClock() });
    const lines = ['node-a'];
    const ref = await channel.post({ fallbackText: 'x', blocks: [{ kind: 'lines', lines }] });
    lines.push('node-b');
    expect(channel.get(ref.id)?.blocks).toEqual([{ kind: 'lines', lines: ['node-a'] }]);
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => new ConsoleChannel({ now: tickingClock(), maxMessages: 0 })).toThrow(RangeError);
    expect(() => new ConsoleChannel({ now: tickingClock(), maxRepliesPerThread: 1.5 })).toThrow(RangeError);
  });
});
