// The delivery audit finds every way a platform's transcript can break the outbox's promise:
// a lost, duplicated, reordered or misthreaded message, an older update accepted after a newer
// one, a live message left with stale content, and retries that do not add up.
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../bot/core/ports/chat-port.ts';
import { auditDelivery } from './delivery-audit.ts';
import type { OutboxRecord, PlatformCall } from './delivery-audit.ts';

const text = (value: string): ChatMessage => ({ fallbackText: value, blocks: [] });
const fingerprint = (message: ChatMessage): string => message.fallbackText;

let nextId = 1;
function record(kind: OutboxRecord['kind'], key: string, content: string, attempts = 0): OutboxRecord {
  return { id: nextId++, kind, key, message: text(content), delivered: true, abandoned: false, attempts };
}

const post = (content: string, made: string | undefined, outcome: PlatformCall['outcome'] = 'accepted', target?: string): PlatformCall => ({ kind: 'post', content, target, outcome, made });
const update = (content: string, target: string, outcome: PlatformCall['outcome'] = 'accepted'): PlatformCall => ({ kind: 'update', content, target, outcome, made: undefined });

/** A card posted, updated twice, and one reply in its thread; `calls` as the platform saw them. */
function audit(calls: PlatformCall[], options: { finalCard?: string; attempts?: number } = {}): string[] {
  const outbox = [record('post', 'w1', 'card v0', options.attempts ?? 0), record('update', 'w1', 'card v1'), record('reply', 'w1', 'approved'), record('update', 'w1', 'card v2')];
  return [
    ...auditDelivery({
      outbox,
      refs: new Map([['w1', 'ref-card']]),
      calls,
      fingerprint,
      finalContent: (ref) => (ref === 'ref-card' ? (options.finalCard ?? 'card v2') : undefined),
    }).problems,
  ];
}

const clean = (): PlatformCall[] => [post('card v0', 'ref-card'), update('card v1', 'ref-card'), post('approved', 'ref-reply', 'accepted', 'ref-card'), update('card v2', 'ref-card')];

describe('auditDelivery', () => {
  it('finds nothing wrong with a clean transcript, or with failed calls the outbox counted as retries', () => {
    expect(audit(clean())).toEqual([]);
    expect(audit([post('card v0', undefined, 'failed'), ...clean()], { attempts: 1 })).toEqual([]);
  });

  it('accepts a copy of a post whose answer was lost when the same post follows, and counts it', () => {
    const calls = [post('card v0', 'ref-orphan', 'accepted-answer-lost'), ...clean()];
    const result = auditDelivery({
      outbox: [record('post', 'w1', 'card v0', 1), record('update', 'w1', 'card v1'), record('reply', 'w1', 'approved'), record('update', 'w1', 'card v2')],
      refs: new Map([['w1', 'ref-card']]),
      calls,
      fingerprint,
      finalContent: () => 'card v2',
    });
    expect(result.problems).toEqual([]);
    expect(result.figures).toMatchObject({ messagesSent: 2, messagesDelivered: 3, duplicates: 1, retries: 1 });
  });

  it('reports a lost message, an unexplained duplicate and a misthreaded reply', () => {
    expect(audit(clean().filter((call) => call.content !== 'approved'))).toEqual(['the outbox asked for 2 messages; the platform answered 1 posts']);
    expect(audit([...clean(), post('approved', 'ref-again', 'accepted', 'ref-card')])).toContain('the outbox asked for 2 messages; the platform answered 3 posts');
    expect(audit(clean().map((call) => (call.content === 'approved' ? { ...call, target: undefined } : call)))).toEqual([
      `outbox entry ${nextId - 2} went to thread undefined instead of ref-card`,
    ]);
  });

  it('reports messages out of order', () => {
    const [card, v1, reply, v2] = clean() as [PlatformCall, PlatformCall, PlatformCall, PlatformCall];
    expect(audit([reply, card, v1, v2])[0]).toMatch(/^message 1 \(outbox entry \d+\) differs from what the outbox holds, or came out of order/);
  });

  it('reports an older update accepted after a newer one, and stale final content', () => {
    const [card, v1, reply, v2] = clean() as [PlatformCall, PlatformCall, PlatformCall, PlatformCall];
    expect(audit([card, reply, v2, v1], { finalCard: 'card v1' })).toEqual([
      'live message w1: update 2 of 2 was not queued at that point (older content after newer, or never queued)',
      'live message w1 does not show the newest queued content',
    ]);
    expect(audit([card, v1, reply, v2, update('card v2', 'ref-orphan')])).toEqual(['an update went to ref-orphan, which is no live message of the outbox']);
  });

  it('reports a lost answer that was not followed by the same post, and retries that do not add up', () => {
    expect(audit([post('something else', 'ref-x', 'accepted-answer-lost'), ...clean()], { attempts: 1 })).toContain(
      'a post whose answer was lost was not retried as the same message next: something else',
    );
    expect(audit([update('card v1', 'ref-card', 'failed'), ...clean()])).toEqual(['the outbox recorded 0 failed attempts, the platform saw 1 calls fail or lose their answer']);
  });
});
