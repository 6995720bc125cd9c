// Simulated process death for crash-recovery tests: wraps the real Transactions (and the
// repositories used outside transactions) so that, after a chosen number of committed
// transactions, the "process" dies — that transaction or the next one throws a CrashError and
// every later store call throws too, as nothing of a dead process reaches the database.
import type { Repositories, Transactions } from '../../bot/core/ports/repositories.ts';

export class CrashError extends Error {
  override readonly name = 'CrashError';
}

/**
 * after-commit: the k-th transaction commits, then the process dies before its caller sees the
 * result (its state is stored, the side effects that follow it never run).
 * before-next: k transactions commit and whatever follows the k-th runs, up to the next
 * transaction, which never starts.
 */
export type CrashMode = 'after-commit' | 'before-next';

export interface CrashingStorage {
  /** Transactions committed through this wrapper so far. */
  readonly committed: number;
  readonly crashed: boolean;
  /** For HarnessOptions.wrapTransactions. */
  readonly wrapTransactions: (real: Transactions) => Transactions;
  /** For HarnessOptions.wrapRepositories. */
  readonly wrapRepositories: (real: Repositories) => Repositories;
}

/** Counts committed transactions; with `crashAt` set, dies as `mode` says once that many have committed. */
export function crashingStorage(crashAt?: number, mode: CrashMode = 'after-commit'): CrashingStorage {
  let committed = 0;
  let crashed = false;
  const die = (): CrashError => {
    crashed = true;
    return new CrashError(`simulated crash after ${committed} committed transaction(s)`);
  };
  const dead = (): boolean => crashed;
  const storage: CrashingStorage = {
    get committed() {
      return committed;
    },
    get crashed() {
      return crashed;
    },
    wrapTransactions: (real) => {
      return {
        async run(work) {
          if (crashed) throw new CrashError('the process is dead');
          if (mode === 'before-next' && crashAt !== undefined && committed >= crashAt) throw die();
          const result = await real.run((repositories) => work(guardRepositories(repositories, dead)));
          committed++;
          if (mode === 'after-commit' && crashAt !== undefined && committed >= crashAt) throw die();
          return result;
        },
      };
    },
    wrapRepositories: (real) => guardRepositories(real, dead),
  };
  return storage;
}

function guardRepositories(real: Repositories, dead: () => boolean): Repositories {
  return {
    audit: guard(real.audit, dead),
    schedules: guard(real.schedules, dead),
    skips: guard(real.skips, dead),
    windows: guard(real.windows, dead),
    nodeProgress: guard(real.nodeProgress, dead),
    outbox: guard(real.outbox, dead),
  };
}

/** Every method of `target` rejects with a CrashError once `dead()` holds. */
function guard<T extends object>(target: T, dead: () => boolean): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        if (dead()) return Promise.reject(new CrashError('the process is dead'));
        // The real method runs on the real object: repositories keep their state in private fields.
        return Reflect.apply(value, object, args);
      };
    },
  });
}
