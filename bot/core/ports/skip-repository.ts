// Blackout date ranges: no window may overlap one.
import type { SkipRange } from '../schedule/index.ts';

export interface NewSkip {
  readonly range: SkipRange;
  readonly reason: string;
  readonly createdBy: string;
  readonly createdAt: Date;
}

export interface StoredSkip extends NewSkip {
  readonly id: number;
}

export interface SkipRepository {
  add(skip: NewSkip): Promise<StoredSkip>;
  /** Active skips ordered by start date. */
  list(): Promise<StoredSkip[]>;
  /** Retires an active skip; false when there is none with that id. */
  remove(id: number, by: string, at: Date): Promise<boolean>;
}
