// Reading rows and writing values the same way in every repository: each column is checked
// and converted explicitly, and an impossible value names its row and column.
import type { Row } from './sqlite-database.ts';
import { StorageError } from './storage-error.ts';

const MAX_LIMIT = 10_000;

/**
 * Reads a row's columns as the types a repository needs, failing with a StorageError that names
 * the row (`what`) and column on anything else. Shared by the window, node-progress and outbox
 * repositories.
 */
export class RowReader {
  readonly #row: Row;
  readonly what: string;

  constructor(row: Row, what: string) {
    this.#row = row;
    this.what = what;
  }

  text(column: string): string {
    const value = this.#row[column];
    if (typeof value !== 'string') throw this.#invalid(column, value);
    return value;
  }

  optionalText(column: string): string | undefined {
    return this.#row[column] === null ? undefined : this.text(column);
  }

  integer(column: string): number {
    const value = this.#row[column];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw this.#invalid(column, value);
    return value;
  }

  optionalInteger(column: string): number | undefined {
    return this.#row[column] === null ? undefined : this.integer(column);
  }

  flag(column: string): boolean {
    const value = this.#row[column];
    if (value !== 0 && value !== 1) throw this.#invalid(column, value);
    return value === 1;
  }

  date(column: string): Date {
    const value = this.#row[column];
    const date = typeof value === 'string' ? new Date(value) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) throw this.#invalid(column, value);
    return date;
  }

  optionalDate(column: string): Date | undefined {
    return this.#row[column] === null ? undefined : this.date(column);
  }

  oneOf<T extends string>(column: string, allowed: readonly T[]): T {
    const value = this.#row[column];
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) throw new StorageError(`${this.what} has an unknown ${column} ${String(value)}`);
    return match;
  }

  optionalOneOf<T extends string>(column: string, allowed: readonly T[]): T | undefined {
    return this.#row[column] === null ? undefined : this.oneOf(column, allowed);
  }

  #invalid(column: string, value: unknown): StorageError {
    return new StorageError(`${this.what} has an invalid ${column} ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  return Buffer.isBuffer(value) ? `(a blob of ${value.length} bytes)` : String(value);
}

/** `date` as ISO 8601 UTC text; an invalid date is refused, naming `what` it was. */
export function iso(date: Date, what: string): string {
  if (Number.isNaN(date.getTime())) throw new StorageError(`the ${what} is an invalid date`);
  return date.toISOString();
}

export function optionalIso(date: Date | undefined, what: string): string | null {
  return date === undefined ? null : iso(date, what);
}

/** A LIMIT from 0 to MAX_LIMIT: fractions are cut, NaN (which SQLite would not take) is refused. */
export function rowLimit(limit: number, what: string): number {
  if (Number.isNaN(limit)) throw new StorageError(`the number of ${what} to list is NaN`);
  return Math.min(Math.max(Math.trunc(limit), 0), MAX_LIMIT);
}
