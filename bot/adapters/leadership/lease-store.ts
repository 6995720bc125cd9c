// Where the leader-election Lease lives, as the elector needs it: read, create, and replace only
// if nobody wrote it since our read (optimistic concurrency on the resourceVersion).
import type { LeaseRecord } from '../../core/leadership/lease-election.ts';

export interface StoredLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

export interface LeaseStore {
  /** `<namespace>/<name>`, for logs. */
  readonly description: string;
  /** Undefined when the Lease does not exist. */
  read(): Promise<StoredLease | undefined>;
  /** Throws LeaseConflict when it exists already (another candidate created it first). */
  create(record: LeaseRecord): Promise<StoredLease>;
  /** Throws LeaseConflict when the Lease changed since `resourceVersion` was read. */
  replace(record: LeaseRecord, resourceVersion: string): Promise<StoredLease>;
}

/** Someone else wrote the Lease between our read and our write: not an error, we lost that race. */
export class LeaseConflict extends Error {
  override readonly name = 'LeaseConflict';
}
