// An in-memory OutboxRepository that keeps the port's promises as the SQLite one does: ids in
// enqueue order, pending() oldest first without delivered or abandoned entries (whatever their
// notBefore: the dispatcher decides what is due), failed attempts counted with their retry time,
// marking an entry that is no longer pending is an error, message refs upserted by key.
import type { MessageRef } from '../../bot/core/ports/chat-port.ts';
import type { OutboxEntry, OutboxOperation, OutboxRepository } from '../../bot/core/ports/outbox-repository.ts';

export interface StoredOutboxEntry {
  readonly id: number;
  readonly operation: OutboxOperation;
  readonly createdAt: Date;
  attempts: number;
  notBefore: Date | undefined;
  deliveredAt: Date | undefined;
  abandonedAt: Date | undefined;
  lastError: string | undefined;
}

export class MemoryOutbox implements OutboxRepository {
  readonly #entries: StoredOutboxEntry[] = [];
  readonly #refs = new Map<string, MessageRef>();
  #nextId = 1;

  enqueue(operation: OutboxOperation, at: Date): Promise<void> {
    this.#entries.push({
      id: this.#nextId++,
      operation,
      createdAt: new Date(at.getTime()),
      attempts: 0,
      notBefore: undefined,
      deliveredAt: undefined,
      abandonedAt: undefined,
      lastError: undefined,
    });
    return Promise.resolve();
  }

  pending(limit: number): Promise<OutboxEntry[]> {
    if (Number.isNaN(limit)) return Promise.reject(new Error('the number of outbox entries to list is NaN'));
    const count = Math.max(Math.trunc(limit), 0);
    return Promise.resolve(
      this.#entries
        .filter(isPending)
        .slice(0, count)
        .map((entry) => ({
          id: entry.id,
          operation: entry.operation,
          createdAt: new Date(entry.createdAt.getTime()),
          attempts: entry.attempts,
          notBefore: entry.notBefore === undefined ? undefined : new Date(entry.notBefore.getTime()),
        })),
    );
  }

  markDelivered(id: number, at: Date): Promise<void> {
    return this.#updatePending(id, (entry) => {
      entry.deliveredAt = new Date(at.getTime());
    });
  }

  markAttemptFailed(id: number, error: string, retryAt: Date): Promise<void> {
    return this.#updatePending(id, (entry) => {
      entry.attempts++;
      entry.lastError = error;
      entry.notBefore = new Date(retryAt.getTime());
    });
  }

  markAbandoned(id: number, error: string, at: Date): Promise<void> {
    return this.#updatePending(id, (entry) => {
      entry.abandonedAt = new Date(at.getTime());
      entry.lastError = error;
    });
  }

  countPending(): Promise<number> {
    return Promise.resolve(this.#entries.filter(isPending).length);
  }

  refFor(key: string): Promise<MessageRef | undefined> {
    const ref = this.#refs.get(key);
    return Promise.resolve(ref === undefined ? undefined : { id: ref.id });
  }

  saveRef(key: string, ref: MessageRef): Promise<void> {
    this.#refs.set(key, { id: ref.id });
    return Promise.resolve();
  }

  /** Every entry ever enqueued, delivered and abandoned ones included (copies), for assertions. */
  all(): StoredOutboxEntry[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }

  /** One entry by id (a copy); throws when there is none. */
  entry(id: number): StoredOutboxEntry {
    const found = this.#entries.find((entry) => entry.id === id);
    if (found === undefined) throw new Error(`outbox entry ${id} does not exist`);
    return { ...found };
  }

  /** The stored refs by message key. */
  refs(): ReadonlyMap<string, MessageRef> {
    return new Map(this.#refs);
  }

  #updatePending(id: number, change: (entry: StoredOutboxEntry) => void): Promise<void> {
    const entry = this.#entries.find((candidate) => candidate.id === id);
    if (entry === undefined) return Promise.reject(new Error(`outbox entry ${id} does not exist`));
    if (!isPending(entry)) return Promise.reject(new Error(`outbox entry ${id} was already ${entry.deliveredAt === undefined ? 'abandoned' : 'delivered'}`));
    change(entry);
    return Promise.resolve();
  }
}

function isPending(entry: StoredOutboxEntry): boolean {
  return entry.deliveredAt === undefined && entry.abandonedAt === undefined;
}
