// An in-memory Lease with the API server's optimistic concurrency (a resourceVersion per write,
// 409 on a stale one), whose next answers a test can script: an error, a request that never
// answers, or a write that is stored but whose response is lost.
import type { LeaseRecord } from '../../bot/core/leadership/lease-election.ts';
import { LeaseConflict } from '../../bot/adapters/leadership/lease-store.ts';
import type { LeaseStore, StoredLease } from '../../bot/adapters/leadership/lease-store.ts';

export type ScriptedAnswer = 'ok' | { readonly fail: Error } | 'hang' | 'lostResponse';

export class MemoryLeaseStore implements LeaseStore {
  readonly description = 'test/patchwindow-bot';
  readonly calls: string[] = [];
  /** Answers for the next calls, in order; an empty script answers normally. */
  readonly script: ScriptedAnswer[] = [];
  #lease: StoredLease | undefined;
  #version = 0;
  readonly #hung: (() => void)[] = [];

  /** What the "API server" holds. */
  current(): StoredLease | undefined {
    return this.#lease;
  }

  /** Someone else (another process, an admin) writes the Lease, unconditionally. */
  put(record: LeaseRecord): StoredLease {
    return this.#store(record);
  }

  /** Lets every request that was scripted to hang fail now. */
  releaseHung(): void {
    for (const fail of this.#hung.splice(0)) fail();
  }

  read(): Promise<StoredLease | undefined> {
    return this.#answer('read', () => this.#lease);
  }

  create(record: LeaseRecord): Promise<StoredLease> {
    return this.#answer(`create ${record.holderIdentity ?? '-'}`, () => {
      if (this.#lease !== undefined) throw new LeaseConflict('already exists');
      return this.#store(record);
    });
  }

  replace(record: LeaseRecord, resourceVersion: string): Promise<StoredLease> {
    return this.#answer(`replace ${record.holderIdentity ?? '-'}@${resourceVersion}`, () => {
      if (this.#lease === undefined) throw new Error('not found');
      if (this.#lease.resourceVersion !== resourceVersion) throw new LeaseConflict(`changed since ${resourceVersion}`);
      return this.#store(record);
    });
  }

  #store(record: LeaseRecord): StoredLease {
    this.#version += 1;
    this.#lease = { record, resourceVersion: String(this.#version) };
    return this.#lease;
  }

  async #answer<T>(call: string, act: () => T): Promise<T> {
    this.calls.push(call);
    await Promise.resolve();
    const scripted = this.script.shift();
    if (scripted === undefined || scripted === 'ok') return act();
    if (scripted === 'hang') {
      return new Promise<T>((_resolve, reject) => {
        this.#hung.push(() => {
          reject(new Error(`${call}: connection reset`));
        });
      });
    }
    if (scripted === 'lostResponse') {
      act();
      throw new Error(`${call}: response lost`);
    }
    throw scripted.fail;
  }
}
