// The chat outbox on SQLite, and the platform references of the messages it posted. Entries
// leave the queue by being delivered or abandoned; both stay in the table for inspection.
import type { ChatMessage, MessageBlock, MessageRef } from '../bot/core/ports/chat-port.ts';
import type { OutboxEntry, OutboxOperation, OutboxRepository } from '../bot/core/ports/outbox-repository.ts';
import type { Row, SqlExecutor, SqlValue } from './sqlite-database.ts';
import { iso, RowReader, rowLimit } from './sqlite-rows.ts';
import { StorageError } from './storage-error.ts';

const KINDS = ['post', 'update', 'reply'] as const satisfies readonly OutboxOperation['kind'][];
const BLOCK_KINDS = ['header', 'text', 'lines', 'context', 'actions'] as const satisfies readonly MessageBlock['kind'][];

const PENDING = 'delivered_at IS NULL AND abandoned_at IS NULL';

export interface SqliteOutboxOptions {
  /** When a message reference is recorded (saveRef takes no time); the wall clock by default. */
  readonly now?: () => Date;
}

export class SqliteOutboxRepository implements OutboxRepository {
  readonly #database: SqlExecutor;
  readonly #now: () => Date;

  constructor(database: SqlExecutor, options: SqliteOutboxOptions = {}) {
    this.#database = database;
    this.#now = options.now ?? (() => new Date());
  }

  async enqueue(operation: OutboxOperation, at: Date): Promise<void> {
    const key = operation.kind === 'reply' ? operation.threadKey : operation.key;
    await this.#database.run('INSERT INTO outbox (kind, message_key, message, created_at) VALUES (?, ?, ?, ?)', [
      operation.kind,
      key,
      JSON.stringify(operation.message),
      iso(at, `time of the ${operation.kind} to ${key}`),
    ]);
  }

  async pending(limit: number): Promise<OutboxEntry[]> {
    const rows = await this.#database.all(`SELECT * FROM outbox WHERE ${PENDING} ORDER BY id LIMIT ?`, [rowLimit(limit, 'outbox entries')]);
    return rows.map(toEntry);
  }

  async markDelivered(id: number, at: Date): Promise<void> {
    await this.#updatePending(id, 'delivered_at = ?', [iso(at, `delivery time of outbox entry ${id}`)]);
  }

  async markAttemptFailed(id: number, error: string, retryAt: Date): Promise<void> {
    await this.#updatePending(id, 'attempts = attempts + 1, last_error = ?, not_before = ?', [
      error,
      iso(retryAt, `retry time of outbox entry ${id}`),
    ]);
  }

  async markAbandoned(id: number, error: string, at: Date): Promise<void> {
    await this.#updatePending(id, 'abandoned_at = ?, last_error = ?', [iso(at, `abandon time of outbox entry ${id}`), error]);
  }

  async countPending(): Promise<number> {
    const row = await this.#database.get(`SELECT COUNT(*) AS n FROM outbox WHERE ${PENDING}`);
    return new RowReader(row ?? {}, 'outbox count').integer('n');
  }

  async refFor(key: string): Promise<MessageRef | undefined> {
    const row = await this.#database.get('SELECT platform_ref FROM message_refs WHERE message_key = ?', [key]);
    return row === undefined ? undefined : { id: new RowReader(row, `message ref ${key}`).text('platform_ref') };
  }

  async saveRef(key: string, ref: MessageRef): Promise<void> {
    await this.#database.run(
      `INSERT INTO message_refs (message_key, platform_ref, created_at) VALUES (?, ?, ?)
        ON CONFLICT (message_key) DO UPDATE SET platform_ref = excluded.platform_ref, created_at = excluded.created_at`,
      [key, ref.id, iso(this.#now(), `time of message ref ${key}`)],
    );
  }

  /** Changes an entry that is still pending; anything else is a caller's bug and fails. */
  async #updatePending(id: number, assignments: string, params: SqlValue[]): Promise<void> {
    const result = await this.#database.run(`UPDATE outbox SET ${assignments} WHERE id = ? AND ${PENDING}`, [...params, id]);
    if (result.changes === 1) return;
    const row = await this.#database.get('SELECT delivered_at, abandoned_at FROM outbox WHERE id = ?', [id]);
    if (row === undefined) throw new StorageError(`outbox entry ${id} does not exist`);
    throw new StorageError(`outbox entry ${id} was already ${row['delivered_at'] === null ? 'abandoned' : 'delivered'}`);
  }
}

function toEntry(row: Row): OutboxEntry {
  const id = new RowReader(row, 'outbox row').integer('id');
  const fields = new RowReader(row, `outbox entry ${id}`);
  return {
    id,
    operation: toOperation(fields),
    createdAt: fields.date('created_at'),
    attempts: fields.integer('attempts'),
    notBefore: fields.optionalDate('not_before'),
  };
}

function toOperation(fields: RowReader): OutboxOperation {
  const kind = fields.oneOf('kind', KINDS);
  const key = fields.text('message_key');
  const message = toMessage(fields.text('message'), fields.what);
  return kind === 'reply' ? { kind, threadKey: key, message } : { kind, key, message };
}

/** Checks the shape of a stored message as far as delivery depends on it. */
function toMessage(text: string, what: string): ChatMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error: unknown) {
    throw new StorageError(`${what} has a message that is not JSON`, { cause: error });
  }
  if (!isObject(parsed)) throw new StorageError(`${what} has a message that is not an object`);
  const fallbackText = parsed['fallbackText'];
  if (typeof fallbackText !== 'string') throw new StorageError(`${what} has a message without a fallbackText string`);
  const blocks: unknown = parsed['blocks'];
  if (!Array.isArray(blocks)) throw new StorageError(`${what} has a message without a blocks array`);
  const checked: readonly unknown[] = blocks;
  checked.forEach((block, index) => {
    const kind = isObject(block) ? block['kind'] : undefined;
    if (!BLOCK_KINDS.some((known) => known === kind)) throw new StorageError(`${what} has a message whose block ${index} has no known kind`);
  });
  // Only the kinds are checked; the rest of each block is what enqueue stored from a ChatMessage.
  return { fallbackText, blocks: checked as readonly MessageBlock[] };
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
