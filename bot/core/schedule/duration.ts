// Window lengths after `for`: `30m`, `90m`, `3h`, `1h30m`, `1.5h`, `2d`, `3 hours`, `1h 30m`.
// Units must go from larger to smaller; the total is whole minutes, above 0 and at most 7 days.
import { MAX_DURATION_MINUTES } from './limits.ts';
import { fail } from './syntax-error.ts';
import type { TokenCursor } from './tokens.ts';

const UNIT_MINUTES: ReadonlyMap<string, number> = new Map([
  ['d', 1440], ['day', 1440], ['days', 1440],
  ['h', 60], ['hr', 60], ['hrs', 60], ['hour', 60], ['hours', 60],
  ['m', 1], ['min', 1], ['mins', 1], ['minute', 1], ['minutes', 1],
]);

interface Piece {
  readonly amount: number;
  readonly unitMinutes: number;
}

const NUMBER = /^\d+(?:\.\d+)?$/;
const COMPACT = /^(?:\d+(?:\.\d+)?[a-z]+)+$/i;

/** `1h30m` → two pieces; undefined when the token is not entirely amount+unit pairs. */
function compactPieces(token: string): Piece[] | undefined {
  if (!COMPACT.test(token)) return undefined;
  const pieces: Piece[] = [];
  for (const [, amount, unit] of token.matchAll(/(\d+(?:\.\d+)?)([a-z]+)/gi)) {
    const unitMinutes = UNIT_MINUTES.get(unit?.toLowerCase() ?? '');
    if (unitMinutes === undefined) return undefined;
    pieces.push({ amount: Number(amount), unitMinutes });
  }
  return pieces;
}

const EXPECTED = 'expected a duration like 30m, 90m, 3h, 1h30m or 2d (more than 0, at most 7d)';

/** Reads the duration that follows `for`; the cursor stands just after `for`. */
export function readDuration(cursor: TokenCursor, example: string): number {
  const start = cursor.position;
  const pieces: Piece[] = [];
  for (;;) {
    const token = cursor.peek();
    if (token === undefined) break;
    const separateUnit = UNIT_MINUTES.get(cursor.peekWord(1) ?? '');
    if (NUMBER.test(token) && separateUnit !== undefined) {
      pieces.push({ amount: Number(token), unitMinutes: separateUnit });
      cursor.next();
      cursor.next();
      continue;
    }
    const compact = compactPieces(token);
    if (compact === undefined) break;
    pieces.push(...compact);
    cursor.next();
  }
  if (pieces.length === 0) fail(cursor.peek() ?? 'for', EXPECTED, example);
  const fragment = cursor.since(start);
  const descending = pieces.every((piece, i) => i === 0 || piece.unitMinutes < (pieces[i - 1]?.unitMinutes ?? 0));
  const exactMinutes = pieces.reduce((total, piece) => total + piece.amount * piece.unitMinutes, 0);
  // Decimal amounts (`1.1h`) carry binary rounding noise; accept anything within a hair of a whole minute.
  const minutes = Math.round(exactMinutes);
  if (!descending) fail(fragment, 'expected duration units from largest to smallest, each once, like 1h30m', example);
  if (Math.abs(exactMinutes - minutes) > 1e-6) fail(fragment, 'expected a duration of whole minutes, like 1h30m', example);
  if (minutes <= 0 || minutes > MAX_DURATION_MINUTES) fail(fragment, EXPECTED, example);
  return minutes;
}

/** Canonical form: days, hours, minutes, zero parts left out (`90` → `1h30m`). */
export function formatDuration(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  return `${days > 0 ? `${days}d` : ''}${hours > 0 ? `${hours}h` : ''}${rest > 0 ? `${rest}m` : ''}` || '0m';
}
