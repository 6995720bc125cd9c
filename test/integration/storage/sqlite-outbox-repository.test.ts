// SqliteOutboxRepository on a real migrated database: operations round-trip through their rows,
// the queue is in id order and leaves out delivered and abandoned entries, failed attempts are
// counted with their retry time, rows that cannot be operations are storage errors, message
// references are upserted, and transactions roll the outbox back with the rest.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../bot/core/ports/chat-port.ts';
import type { OutboxOperation } from '../../../bot/core/ports/outbox-repository.ts';
import type { OpenedStore } from '../../../storage/open-store.ts';
import type { SqlExecutor } from '../../../storage/sqlite-database.ts';
import { SqliteOutboxRepository } from '../../../storage/sqlite-outbox-repository.ts';
import { SqliteTransactions } from '../../../storage/sqlite-repositories.ts';
import { openDatabases } from '../../support/databases.ts';
import { rejectionOf } from '../../support/rejection.ts';
import { expectStorageError } from '../../support/storage-errors.ts';
import { openTempStore } from '../../support/stores.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const dirs = tempDirs();
const databases = openDatabases();

afterEach(async () => {
  await databases.closeAll();
  dirs.removeAll();
});

const AT = new Date('2026-12-01T13:00:00.123Z');
const REF_CLOCK = new Date('2026-12-01T13:00:05.678Z');

async function freshRepository(): Promise<{ store: OpenedStore; outbox: SqliteOutboxRepository }> {
  const store = await openTempStore(dirs, databases, new Date('2026-11-25T00:00:00.000Z'));
  return { store, outbox: new SqliteOutboxRepository(store.database, { now: () => REF_CLOCK }) };
}

async function countRows(database: SqlExecutor, table: 'outbox' | 'message_refs' | 'windows'): Promise<number> {
  const row = await database.get(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(row?.['n']);
}

function message(fallbackText: string): ChatMessage {
  return { fallbackText, blocks: [{ kind: 'text', text: fallbackText }] };
}

/** A message with every kind of block, optional fields both present and absent. */
const RICH: ChatMessage = {
  fallbackText: 'Window #3 requested by Alice — approve?',
  blocks: [
    { kind: 'header', text: 'Window #3 🛠️' },
    { kind: 'text', text: '*Tue 1 Dec* `13:00–16:00` Europe/Zurich' },
    { kind: 'lines', lines: ['worker-1 pending', 'worker-2 "draining"\n(3 pods)', ''] },
    { kind: 'context', text: 'requested by console:alice' },
    {
      kind: 'actions',
      actions: [
        { action: 'approve', label: 'Approve', style: 'primary', value: '3' },
        { action: 'reject', label: 'Reject', style: 'danger', value: '3', confirm: 'Reject window #3?' },
        { action: 'details', label: 'Details', style: 'default', value: '{"id":3}' },
      ],
    },
  ],
};

const POST: OutboxOperation = { kind: 'post', key: 'window:3', message: RICH };
const UPDATE: OutboxOperation = { kind: 'update', key: 'window:3', message: message('approved') };
const REPLY: OutboxOperation = { kind: 'reply', threadKey: 'window:3', message: message('opening now') };

describe('SqliteOutboxRepository.enqueue and pending', () => {
  it('round-trips every kind of operation with its message, in the order enqueued', async () => {
    const { outbox } = await freshRepository();

    await outbox.enqueue(POST, AT);
    await outbox.enqueue(UPDATE, new Date('2026-12-01T13:00:01.000Z'));
    await outbox.enqueue(REPLY, new Date('2026-12-01T13:00:02.000Z'));

    expect(await outbox.pending(10)).toEqual([
      { id: 1, operation: POST, createdAt: AT, attempts: 0, notBefore: undefined },
      { id: 2, operation: UPDATE, createdAt: new Date('2026-12-01T13:00:01.000Z'), attempts: 0, notBefore: undefined },
      { id: 3, operation: REPLY, createdAt: new Date('2026-12-01T13:00:02.000Z'), attempts: 0, notBefore: undefined },
    ]);
    const [first] = await outbox.pending(1);
    expect(first?.notBefore).toBeUndefined();
    // The optional `confirm` is absent where it was absent, not present as undefined.
    const actions = first?.operation.message.blocks[4];
    expect(actions?.kind === 'actions' ? Object.keys(actions.actions[0] ?? {}) : []).toEqual(['action', 'label', 'style', 'value']);
  });

  it('stores the kind, the key (the thread key for replies), the message as JSON and the time as ISO 8601 UTC', async () => {
    const { store, outbox } = await freshRepository();

    await outbox.enqueue(UPDATE, new Date('2026-12-01T14:00:00.123+01:00'));
    await outbox.enqueue({ kind: 'reply', threadKey: 'window:7', message: message('x') }, AT);

    expect(await store.database.all('SELECT * FROM outbox ORDER BY id')).toEqual([
      {
        id: 1,
        kind: 'update',
        message_key: 'window:3',
        message: '{"fallbackText":"approved","blocks":[{"kind":"text","text":"approved"}]}',
        created_at: '2026-12-01T13:00:00.123Z',
        attempts: 0,
        not_before: null,
        last_error: null,
        delivered_at: null,
        abandoned_at: null,
      },
      {
        id: 2,
        kind: 'reply',
        message_key: 'window:7',
        message: '{"fallbackText":"x","blocks":[{"kind":"text","text":"x"}]}',
        created_at: '2026-12-01T13:00:00.123Z',
        attempts: 0,
        not_before: null,
        last_error: null,
        delivered_at: null,
        abandoned_at: null,
      },
    ]);
  });

  it('keeps every update of the same key (coalescing is up to the deliverer)', async () => {
    const { outbox } = await freshRepository();

    await outbox.enqueue({ kind: 'update', key: 'window:1', message: message('one') }, AT);
    await outbox.enqueue({ kind: 'update', key: 'window:1', message: message('two') }, AT);

    expect((await outbox.pending(10)).map((entry) => entry.operation.message.fallbackText)).toEqual(['one', 'two']);
  });

  it('round-trips a message without blocks and an empty fallback text', async () => {
    const { outbox } = await freshRepository();
    const operation: OutboxOperation = { kind: 'post', key: '', message: { fallbackText: '', blocks: [] } };

    await outbox.enqueue(operation, AT);

    expect((await outbox.pending(1))[0]?.operation).toEqual(operation);
  });

  it('returns the oldest entries up to the limit', async () => {
    const { outbox } = await freshRepository();
    for (let index = 1; index <= 5; index += 1) await outbox.enqueue({ kind: 'post', key: `k${index}`, message: message(`m${index}`) }, AT);

    expect((await outbox.pending(3)).map((entry) => entry.id)).toEqual([1, 2, 3]);
    expect((await outbox.pending(100)).map((entry) => entry.id)).toEqual([1, 2, 3, 4, 5]);
    expect(await outbox.pending(0)).toEqual([]);
    expectStorageError(await rejectionOf(outbox.pending(Number.NaN)), 'the number of outbox entries to list is NaN');
  });

  it('gives an empty queue on an empty table', async () => {
    const { outbox } = await freshRepository();

    expect(await outbox.pending(10)).toEqual([]);
    expect(await outbox.countPending()).toBe(0);
  });

  it('refuses an invalid time before writing', async () => {
    const { store, outbox } = await freshRepository();

    expectStorageError(await rejectionOf(outbox.enqueue(POST, new Date(Number.NaN))), 'the time of the post to window:3 is an invalid date');

    expect(await countRows(store.database, 'outbox')).toBe(0);
  });
});

describe('SqliteOutboxRepository delivery bookkeeping', () => {
  it('leaves delivered and abandoned entries out of the queue and the count, and keeps their rows', async () => {
    const { store, outbox } = await freshRepository();
    for (let index = 1; index <= 5; index += 1) await outbox.enqueue({ kind: 'post', key: `k${index}`, message: message(`m${index}`) }, AT);

    await outbox.markDelivered(1, new Date('2026-12-01T13:01:00.000Z'));
    await outbox.markAbandoned(3, 'channel_not_found', new Date('2026-12-01T13:02:00.000Z'));
    await outbox.markDelivered(4, new Date('2026-12-01T13:03:00.000Z'));

    expect((await outbox.pending(10)).map((entry) => entry.id)).toEqual([2, 5]);
    expect((await outbox.pending(1)).map((entry) => entry.id)).toEqual([2]);
    expect(await outbox.countPending()).toBe(2);
    expect(await store.database.all('SELECT id, attempts, last_error, delivered_at, abandoned_at FROM outbox WHERE id IN (1, 3) ORDER BY id')).toEqual([
      { id: 1, attempts: 0, last_error: null, delivered_at: '2026-12-01T13:01:00.000Z', abandoned_at: null },
      { id: 3, attempts: 0, last_error: 'channel_not_found', delivered_at: null, abandoned_at: '2026-12-01T13:02:00.000Z' },
    ]);
    expect(await countRows(store.database, 'outbox')).toBe(5);
  });

  it('counts failed attempts and keeps the entry queued with its latest error and retry time', async () => {
    const { store, outbox } = await freshRepository();
    await outbox.enqueue(POST, AT);
    await outbox.enqueue(REPLY, AT);

    await outbox.markAttemptFailed(1, 'HTTP 429 ratelimited', new Date('2026-12-01T13:00:30.001Z'));
    expect(await outbox.pending(10)).toEqual([
      { id: 1, operation: POST, createdAt: AT, attempts: 1, notBefore: new Date('2026-12-01T13:00:30.001Z') },
      { id: 2, operation: REPLY, createdAt: AT, attempts: 0, notBefore: undefined },
    ]);

    await outbox.markAttemptFailed(1, 'ETIMEDOUT', new Date('2026-12-01T13:01:30.999Z'));
    await outbox.markAttemptFailed(1, 'HTTP 503', new Date('2026-12-01T13:05:00.000+01:00'));

    const [entry] = await outbox.pending(1);
    expect(entry?.attempts).toBe(3);
    expect(entry?.notBefore).toEqual(new Date('2026-12-01T12:05:00.000Z'));
    expect(await outbox.countPending()).toBe(2);
    expect(await store.database.get('SELECT attempts, last_error, not_before FROM outbox WHERE id = 1')).toEqual({
      attempts: 3,
      last_error: 'HTTP 503',
      not_before: '2026-12-01T12:05:00.000Z',
    });
  });

  it('delivers an entry after failed attempts, keeping their count and last error', async () => {
    const { store, outbox } = await freshRepository();
    await outbox.enqueue(POST, AT);
    await outbox.markAttemptFailed(1, 'ECONNRESET', new Date('2026-12-01T13:00:10.000Z'));

    await outbox.markDelivered(1, new Date('2026-12-01T13:00:11.000Z'));

    expect(await outbox.pending(10)).toEqual([]);
    expect(await store.database.get('SELECT attempts, last_error, not_before, delivered_at FROM outbox')).toEqual({
      attempts: 1,
      last_error: 'ECONNRESET',
      not_before: '2026-12-01T13:00:10.000Z',
      delivered_at: '2026-12-01T13:00:11.000Z',
    });
  });

  it('abandons an entry with the permanent error, leaving the attempt count as it was', async () => {
    const { store, outbox } = await freshRepository();
    await outbox.enqueue(POST, AT);
    await outbox.markAttemptFailed(1, 'HTTP 500', new Date('2026-12-01T13:00:10.000Z'));

    await outbox.markAbandoned(1, 'invalid_blocks', new Date('2026-12-01T13:00:20.000Z'));

    expect(await outbox.countPending()).toBe(0);
    expect(await store.database.get('SELECT attempts, last_error, abandoned_at, delivered_at FROM outbox')).toEqual({
      attempts: 1,
      last_error: 'invalid_blocks',
      abandoned_at: '2026-12-01T13:00:20.000Z',
      delivered_at: null,
    });
  });

  it('fails to mark an entry that does not exist or has left the queue, and changes nothing', async () => {
    const { store, outbox } = await freshRepository();
    await outbox.enqueue(POST, AT);
    await outbox.enqueue(UPDATE, AT);
    await outbox.markDelivered(1, new Date('2026-12-01T13:01:00.000Z'));
    await outbox.markAbandoned(2, 'message_not_found', new Date('2026-12-01T13:02:00.000Z'));
    const before = await store.database.all('SELECT * FROM outbox ORDER BY id');

    expectStorageError(await rejectionOf(outbox.markDelivered(9, AT)), 'outbox entry 9 does not exist');
    expectStorageError(await rejectionOf(outbox.markAttemptFailed(9, 'x', AT)), 'outbox entry 9 does not exist');
    expectStorageError(await rejectionOf(outbox.markAbandoned(9, 'x', AT)), 'outbox entry 9 does not exist');
    expectStorageError(await rejectionOf(outbox.markDelivered(1, AT)), 'outbox entry 1 was already delivered');
    expectStorageError(await rejectionOf(outbox.markAttemptFailed(1, 'x', AT)), 'outbox entry 1 was already delivered');
    expectStorageError(await rejectionOf(outbox.markAbandoned(1, 'x', AT)), 'outbox entry 1 was already delivered');
    expectStorageError(await rejectionOf(outbox.markDelivered(2, AT)), 'outbox entry 2 was already abandoned');
    expectStorageError(await rejectionOf(outbox.markAttemptFailed(2, 'x', AT)), 'outbox entry 2 was already abandoned');
    expectStorageError(await rejectionOf(outbox.markAbandoned(2, 'x', AT)), 'outbox entry 2 was already abandoned');

    expect(await store.database.all('SELECT * FROM outbox ORDER BY id')).toEqual(before);
  });

  it('refuses an invalid retry time and leaves the attempt count alone', async () => {
    const { store, outbox } = await freshRepository();
    await outbox.enqueue(POST, AT);

    expectStorageError(
      await rejectionOf(outbox.markAttemptFailed(1, 'x', new Date(Number.NaN))),
      'the retry time of outbox entry 1 is an invalid date',
    );

    expect(await store.database.get('SELECT attempts, not_before FROM outbox')).toEqual({ attempts: 0, not_before: null });
  });
});

describe('outbox table constraints and rows it cannot have written', () => {
  it('refuses an unknown kind and a message that is not JSON', async () => {
    const { store } = await freshRepository();
    const insert = (kind: string, json: string): Promise<unknown> =>
      store.database.run("INSERT INTO outbox (kind, message_key, message, created_at) VALUES (?, 'k', ?, '2026-12-01T13:00:00.000Z')", [kind, json]);

    expect(expectStorageError(await rejectionOf(insert('delete', '{"fallbackText":"","blocks":[]}')), /CHECK constraint failed/).code).toBe(
      'SQLITE_CONSTRAINT',
    );
    expect(expectStorageError(await rejectionOf(insert('post', '{"fallbackText":')), /CHECK constraint failed/).code).toBe('SQLITE_CONSTRAINT');
    expect(await countRows(store.database, 'outbox')).toBe(0);
  });

  it.each([
    ['a JSON array', '[]', 'outbox entry 1 has a message that is not an object'],
    ['a JSON string', '"hello"', 'outbox entry 1 has a message that is not an object'],
    ['JSON null', 'null', 'outbox entry 1 has a message that is not an object'],
    ['no fallback text', '{"blocks":[]}', 'outbox entry 1 has a message without a fallbackText string'],
    ['a numeric fallback text', '{"fallbackText":1,"blocks":[]}', 'outbox entry 1 has a message without a fallbackText string'],
    ['no blocks', '{"fallbackText":"x"}', 'outbox entry 1 has a message without a blocks array'],
    ['blocks that are an object', '{"fallbackText":"x","blocks":{}}', 'outbox entry 1 has a message without a blocks array'],
    ['a block that is not an object', '{"fallbackText":"x","blocks":["text"]}', 'outbox entry 1 has a message whose block 0 has no known kind'],
    ['a block of an unknown kind', '{"fallbackText":"x","blocks":[{"kind":"text","text":"a"},{"kind":"image"}]}', 'outbox entry 1 has a message whose block 1 has no known kind'],
  ])('reports a stored message with %s as a storage error', async (_what, json, expected) => {
    const { store, outbox } = await freshRepository();
    await store.database.run("INSERT INTO outbox (kind, message_key, message, created_at) VALUES ('post', 'k', ?, '2026-12-01T13:00:00.000Z')", [json]);

    expectStorageError(await rejectionOf(outbox.pending(10)), expected);
    // Counting does not read messages.
    expect(await outbox.countPending()).toBe(1);
  });

  it.each([
    ["kind = 'delete'", 'outbox entry 1 has an unknown kind delete'],
    ["message = 'not json'", 'outbox entry 1 has a message that is not JSON'],
    ["created_at = 'now'", "outbox entry 1 has an invalid created_at 'now'"],
    ["not_before = 'later'", "outbox entry 1 has an invalid not_before 'later'"],
    ["attempts = 'several'", "outbox entry 1 has an invalid attempts 'several'"],
  ])('reports a hand-edited row with %s as a storage error', async (assignment, expected) => {
    const { store, outbox } = await freshRepository();
    await outbox.enqueue(POST, AT);
    await store.database.exec('PRAGMA ignore_check_constraints = ON');
    await store.database.run(`UPDATE outbox SET ${assignment}`);
    await store.database.exec('PRAGMA ignore_check_constraints = OFF');

    expectStorageError(await rejectionOf(outbox.pending(10)), expected);
  });
});

describe('SqliteOutboxRepository message references', () => {
  it('has no reference for a key never saved', async () => {
    const { outbox } = await freshRepository();

    expect(await outbox.refFor('window:1')).toBeUndefined();
  });

  it('saves a reference and returns it for its key only', async () => {
    const { store, outbox } = await freshRepository();

    await outbox.saveRef('window:1', { id: 'C024BE91L/1700000000.000100' });
    await outbox.saveRef('window:2', { id: 'console-2' });

    expect(await outbox.refFor('window:1')).toEqual({ id: 'C024BE91L/1700000000.000100' });
    expect(await outbox.refFor('window:2')).toEqual({ id: 'console-2' });
    expect(await outbox.refFor('Window:1')).toBeUndefined();
    expect(await outbox.refFor("x' OR '1'='1")).toBeUndefined();
    expect(await store.database.all('SELECT * FROM message_refs ORDER BY message_key')).toEqual([
      { message_key: 'window:1', platform_ref: 'C024BE91L/1700000000.000100', created_at: '2026-12-01T13:00:05.678Z' },
      { message_key: 'window:2', platform_ref: 'console-2', created_at: '2026-12-01T13:00:05.678Z' },
    ]);
  });

  it('replaces the reference of a key saved again, in the same row, with the new time', async () => {
    const { store } = await freshRepository();
    let now = new Date('2026-12-01T13:00:00.000Z');
    const outbox = new SqliteOutboxRepository(store.database, { now: () => now });
    await outbox.saveRef('window:1', { id: 'first' });

    now = new Date('2026-12-01T14:00:00.000Z');
    await outbox.saveRef('window:1', { id: 'second' });

    expect(await outbox.refFor('window:1')).toEqual({ id: 'second' });
    expect(await store.database.all('SELECT * FROM message_refs')).toEqual([
      { message_key: 'window:1', platform_ref: 'second', created_at: '2026-12-01T14:00:00.000Z' },
    ]);
  });

  it('uses the wall clock when no clock is given', async () => {
    const { store } = await freshRepository();
    const outbox = new SqliteOutboxRepository(store.database);
    const before = Date.now();

    await outbox.saveRef('window:1', { id: 'ref' });

    const row = await store.database.get('SELECT created_at FROM message_refs');
    const savedAt = Date.parse(String(row?.['created_at']));
    expect(savedAt).toBeGreaterThanOrEqual(before);
    expect(savedAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('SqliteTransactions with the outbox', () => {
  it('rolls back enqueued entries, delivery marks and references when the work throws', async () => {
    const { store, outbox } = await freshRepository();
    await outbox.enqueue(POST, AT);
    const transactions = new SqliteTransactions(store.database);

    await expect(
      transactions.run(async (repositories) => {
        await repositories.outbox.markDelivered(1, AT);
        await repositories.outbox.saveRef('window:3', { id: 'ref-3' });
        await repositories.outbox.enqueue(REPLY, AT);
        expect((await repositories.outbox.pending(10)).map((entry) => entry.id)).toEqual([2]);
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');

    expect(await outbox.pending(10)).toEqual([{ id: 1, operation: POST, createdAt: AT, attempts: 0, notBefore: undefined }]);
    expect(await outbox.refFor('window:3')).toBeUndefined();
    expect(await countRows(store.database, 'message_refs')).toBe(0);
  });

  it('rolls back the outbox entry together with the window that caused it', async () => {
    const { store, outbox } = await freshRepository();
    const transactions = new SqliteTransactions(store.database);

    await expect(
      transactions.run(async ({ windows, outbox: queued }) => {
        const created = await windows.create({
          origin: { kind: 'on-demand' },
          state: 'requested',
          start: new Date('2026-12-01T13:00:00.000Z'),
          end: new Date('2026-12-01T16:00:00.000Z'),
          zone: 'UTC',
          concurrency: 1,
          nodeSelector: undefined,
          reason: '',
          requestedBy: 'console:alice',
          requestedAt: AT,
          approvalRequired: true,
          approvalExpiresAt: new Date('2026-12-01T12:00:00.000Z'),
          decidedBy: undefined,
          decidedAt: undefined,
          paused: false,
          openedAt: undefined,
          closedAt: undefined,
          closeReason: undefined,
          note: undefined,
        });
        await queued.enqueue({ kind: 'post', key: `window:${created.id}`, message: RICH }, AT);
        await queued.enqueue({ kind: 'update', key: 'window:9', message: message('x') }, AT); // fine
        throw new Error('approval lookup failed');
      }),
    ).rejects.toThrow('approval lookup failed');

    expect(await outbox.countPending()).toBe(0);
    expect(await countRows(store.database, 'windows')).toBe(0);
    expect(await countRows(store.database, 'outbox')).toBe(0);
  });
});
