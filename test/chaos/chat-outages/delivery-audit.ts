// Checks what a chat platform ended up holding against what the outbox was asked to send, after
// an outage: every post and thread reply exactly once and in order (apart from the copies a
// platform made of calls whose answer was lost: counted, and each must be a copy of the message
// retried right after it), every live message's accepted updates in the order they were queued
// (no older content accepted after a newer one), and its final content the newest queued.
import type { ChatMessage } from '../../../bot/core/ports/chat-port.ts';
import type { SqlExecutor } from '../../../storage/sqlite-database.ts';

/** One outbox row, delivered or not. */
export interface OutboxRecord {
  readonly id: number;
  readonly kind: 'post' | 'update' | 'reply';
  /** The message key (for a reply: its thread's key). */
  readonly key: string;
  readonly message: ChatMessage;
  readonly delivered: boolean;
  readonly abandoned: boolean;
  /** Failed attempts before it went through. */
  readonly attempts: number;
}

/** A call the platform saw from the outbox, in the order it saw them. */
export interface PlatformCall {
  readonly kind: 'post' | 'update';
  /** What was sent, comparable with `fingerprint` of an outbox message. */
  readonly content: string;
  /** For a post: the thread it went into (a platform ref), if any. For an update: the message updated. */
  readonly target: string | undefined;
  /** What happened: processed and answered, processed but the answer lost, or failed (nothing processed). */
  readonly outcome: 'accepted' | 'accepted-answer-lost' | 'failed';
  /** For an accepted post: the ref of the message it made. */
  readonly made: string | undefined;
}

export interface DeliveryFigures {
  readonly outbox: { readonly posts: number; readonly replies: number; readonly updates: number; readonly delivered: number; readonly abandoned: number; readonly pending: number };
  /** Failed attempts the outbox recorded (each was retried). */
  readonly retries: number;
  readonly calls: { readonly total: number; readonly accepted: number; readonly answerLost: number; readonly failed: number };
  /** Messages (posts and replies) the outbox asked for, and messages the platform holds. */
  readonly messagesSent: number;
  readonly messagesDelivered: number;
  /** Extra copies the platform holds (posts whose answer was lost, then retried). */
  readonly duplicates: number;
  /** Live-message updates the platform accepted; the rest were coalesced into newer ones. */
  readonly updatesAccepted: number;
}

export interface AuditResult {
  readonly figures: DeliveryFigures;
  /** Everything that breaks the promise; empty when it held. */
  readonly problems: readonly string[];
}

export async function readOutbox(database: SqlExecutor): Promise<OutboxRecord[]> {
  const rows = await database.all('SELECT id, kind, message_key, message, delivered_at, abandoned_at, attempts FROM outbox ORDER BY id');
  return rows.map((row) => ({
    id: Number(row['id']),
    kind: row['kind'] as OutboxRecord['kind'],
    key: String(row['message_key']),
    message: JSON.parse(String(row['message'])) as ChatMessage,
    delivered: row['delivered_at'] !== null,
    abandoned: row['abandoned_at'] !== null,
    attempts: Number(row['attempts']),
  }));
}

export async function readRefs(database: SqlExecutor): Promise<Map<string, string>> {
  const rows = await database.all('SELECT message_key, platform_ref FROM message_refs');
  return new Map(rows.map((row) => [String(row['message_key']), String(row['platform_ref'])]));
}

export function auditDelivery(input: {
  readonly outbox: readonly OutboxRecord[];
  readonly refs: ReadonlyMap<string, string>;
  readonly calls: readonly PlatformCall[];
  /** The outbox message as this platform renders it, comparable with PlatformCall.content. */
  readonly fingerprint: (message: ChatMessage) => string;
  /** What the platform holds now for a message ref. */
  readonly finalContent: (ref: string) => string | undefined;
}): AuditResult {
  const { outbox, refs, calls, fingerprint } = input;
  const problems: string[] = [];

  for (const record of outbox) {
    if (!record.delivered) problems.push(`outbox entry ${record.id} (${record.kind} ${record.key}) was ${record.abandoned ? 'abandoned' : 'never delivered'}`);
  }

  // Posts and replies: the ones whose answer reached the bot are the outbox's, one for one, in order.
  const expected = outbox.filter((record) => record.kind !== 'update');
  const posted = calls.filter((call) => call.kind === 'post' && call.outcome !== 'failed');
  const known = posted.filter((call) => call.outcome === 'accepted');
  if (known.length !== expected.length) problems.push(`the outbox asked for ${expected.length} messages; the platform answered ${known.length} posts`);
  const lastPostOf = new Map<string, PlatformCall>();
  expected.forEach((record, index) => {
    const call = known[index];
    if (call === undefined) return;
    if (call.content !== fingerprint(record.message)) {
      problems.push(`message ${index + 1} (outbox entry ${record.id}) differs from what the outbox holds, or came out of order: ${call.content.slice(0, 120)}`);
    }
    const thread = record.kind === 'reply' ? refs.get(record.key) : undefined;
    if (call.target !== thread) problems.push(`outbox entry ${record.id} went to thread ${String(call.target)} instead of ${String(thread)}`);
    if (record.kind === 'post') lastPostOf.set(record.key, call);
  });
  for (const [key, call] of lastPostOf) {
    if (refs.get(key) !== call.made) {
      problems.push(`message ${key} is stored as ${String(refs.get(key))} but was posted as ${String(call.made)}`);
    }
  }
  // A post whose answer was lost is a copy of the message retried right after it.
  posted.forEach((call, index) => {
    if (call.outcome !== 'accepted-answer-lost') return;
    const retry = posted[index + 1];
    if (retry?.content !== call.content || retry.target !== call.target) problems.push(`a post whose answer was lost was not retried as the same message next: ${call.content.slice(0, 120)}`);
  });

  // Updates: per live message, the accepted contents are a subsequence of what was queued, and the last is the newest.
  const updateKeys = [...new Set(outbox.filter((record) => record.kind === 'update').map((record) => record.key))];
  const refsUpdated = new Set<string>();
  for (const key of updateKeys) {
    const ref = refs.get(key);
    if (ref === undefined) {
      problems.push(`live message ${key} has updates but no platform ref`);
      continue;
    }
    refsUpdated.add(ref);
    const queued = outbox.filter((record) => record.kind === 'update' && record.key === key).map((record) => fingerprint(record.message));
    const accepted: PlatformCall[] = [];
    for (const call of calls) {
      if (call.kind !== 'update' || call.target !== ref || call.outcome === 'failed') continue;
      // The retry of an update whose answer was lost sends the same content again: harmless, counted once.
      const previous = accepted.at(-1);
      if (previous?.outcome === 'accepted-answer-lost' && previous.content === call.content) {
        accepted[accepted.length - 1] = call;
        continue;
      }
      accepted.push(call);
    }
    const order = subsequenceBreak(
      accepted.map((call) => call.content),
      queued,
    );
    if (order !== undefined) problems.push(`live message ${key}: update ${order + 1} of ${accepted.length} was not queued at that point (older content after newer, or never queued)`);
    const newest = queued.at(-1);
    if (newest !== undefined && input.finalContent(ref) !== newest) problems.push(`live message ${key} does not show the newest queued content`);
  }
  for (const call of calls) {
    if (call.kind === 'update' && call.outcome !== 'failed' && (call.target === undefined || !refsUpdated.has(call.target))) {
      problems.push(`an update went to ${String(call.target)}, which is no live message of the outbox`);
    }
  }

  const failedAttempts = calls.filter((call) => call.outcome !== 'accepted').length;
  const retries = outbox.reduce((sum, record) => sum + record.attempts, 0);
  if (retries !== failedAttempts) problems.push(`the outbox recorded ${retries} failed attempts, the platform saw ${failedAttempts} calls fail or lose their answer`);

  return {
    figures: {
      outbox: {
        posts: outbox.filter((record) => record.kind === 'post').length,
        replies: outbox.filter((record) => record.kind === 'reply').length,
        updates: outbox.filter((record) => record.kind === 'update').length,
        delivered: outbox.filter((record) => record.delivered).length,
        abandoned: outbox.filter((record) => record.abandoned).length,
        pending: outbox.filter((record) => !record.delivered && !record.abandoned).length,
      },
      retries,
      calls: {
        total: calls.length,
        accepted: calls.filter((call) => call.outcome === 'accepted').length,
        answerLost: calls.filter((call) => call.outcome === 'accepted-answer-lost').length,
        failed: calls.filter((call) => call.outcome === 'failed').length,
      },
      messagesSent: expected.length,
      messagesDelivered: posted.length,
      duplicates: posted.length - known.length,
      updatesAccepted: calls.filter((call) => call.kind === 'update' && call.outcome !== 'failed').length,
    },
    problems,
  };
}

/** The index of the first item of `items` that cannot be matched, in order, in `sequence`; undefined when all can. */
function subsequenceBreak(items: readonly string[], sequence: readonly string[]): number | undefined {
  let position = 0;
  for (const [index, item] of items.entries()) {
    while (position < sequence.length && sequence[position] !== item) position++;
    if (position === sequence.length) return index;
    position++;
  }
  return undefined;
}
