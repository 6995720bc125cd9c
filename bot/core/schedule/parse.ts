// parseSchedule: rule words (chat grammar or RRULE), then the time clause, then optional
// `starting <date>`, `until <date>`, `<n> times` and the zone. Anything left over is an error.
import { formatIsoDate, parseIsoDate } from './calendar.ts';
import { readChatRule } from './chat-grammar.ts';
import type { RuleReading } from './chat-grammar.ts';
import { MAX_COUNT } from './limits.ts';
import type { ParseResult, Rule, Schedule, Until } from './model.ts';
import { isRruleToken, readRrule, rrulePinsDay } from './rrule.ts';
import { EXAMPLES, catchSyntaxError, fail } from './syntax-error.ts';
import { readTimeClause } from './time-clause.ts';
import { TokenCursor, tokenize } from './tokens.ts';
import { canonicalZoneName } from './zone.ts';

export interface ParseScheduleOptions {
  /** Zone used when the spec names none. */
  readonly defaultZone: string;
}

/** Reads a schedule spec; never throws for bad input. */
export function parseSchedule(text: string, options: ParseScheduleOptions): ParseResult {
  const read = catchSyntaxError(() => readSchedule(text, options.defaultZone));
  return read.ok ? { ok: true, schedule: read.value } : read;
}

interface RuleWithLimits extends RuleReading {
  readonly count: number | undefined;
  readonly until: Until | undefined;
  readonly fromRrule: boolean;
}

interface Trailer {
  starting?: string;
  until?: Until;
  count?: number;
  zone?: string;
}

function readSchedule(text: string, defaultZone: string): Schedule {
  const cursor = new TokenCursor(tokenize(text));
  const ruleStart = cursor.position;
  const reading = readRule(cursor);
  const ruleText = cursor.since(ruleStart);
  const { start, end } = readTimeClause(cursor, reading.example);
  const trailer = readTrailer(cursor, reading);
  const zone = trailer.zone ?? canonicalZoneName(defaultZone) ??
    fail(defaultZone, 'expected the default time zone to be an IANA zone such as Europe/Zurich, or UTC', reading.example);
  const count = reading.count ?? trailer.count;
  const until = reading.until ?? trailer.until;
  if (trailer.starting !== undefined && until !== undefined && untilDate(until) < trailer.starting) {
    const fragment = reading.fromRrule ? ruleText : `until ${until.kind === 'date' ? until.date : until.instant}`;
    fail(fragment, 'expected the until date on or after the starting date', reading.fromRrule ? EXAMPLES.rrule : EXAMPLES.until);
  }
  const needsAnchor = anchorReason(reading.rule, count);
  if (needsAnchor !== undefined && trailer.starting === undefined) {
    fail(ruleText, `expected "starting yyyy-mm-dd" because ${needsAnchor} depends on the first date`, EXAMPLES.interval);
  }
  return {
    rule: reading.rule,
    start,
    end,
    zone,
    ...(trailer.starting === undefined ? {} : { starting: trailer.starting }),
    ...(count === undefined ? {} : { count }),
    ...(until === undefined ? {} : { until }),
  };
}

function readRule(cursor: TokenCursor): RuleWithLimits {
  const first = cursor.peek();
  if (first === undefined) fail('', 'expected a schedule', EXAMPLES.ordinal);
  if (!isRruleToken(first)) return { ...readChatRule(cursor), count: undefined, until: undefined, fromRrule: false };
  cursor.next();
  return { ...readRrule(first), example: EXAMPLES.rrule, fromRrule: true };
}

const EXPECTED_TRAILER =
  'expected "starting yyyy-mm-dd", "until yyyy-mm-dd", "<n> times" or a time zone such as Europe/Zurich or UTC';

/** The optional clauses after the time, in any order, each at most once; the zone comes last. */
function readTrailer(cursor: TokenCursor, reading: RuleWithLimits): Trailer {
  const trailer: Trailer = {};
  const { example } = reading;
  while (!cursor.done) {
    const at = cursor.position;
    const word = cursor.peekWord() ?? '';
    const isCount = /^\d+$/.test(word) && cursor.peekWord(1) === 'times';
    if (word !== 'starting' && word !== 'until' && !isCount) {
      const token = cursor.next() ?? '';
      trailer.zone = canonicalZoneName(token) ?? fail(token, EXPECTED_TRAILER, example);
      if (cursor.peek() !== undefined) fail(cursor.rest(), 'expected nothing after the time zone', example);
      break;
    }
    cursor.next();
    const value = cursor.next();
    const clause = cursor.since(at);
    if (reading.rule.kind === 'once') {
      fail(clause, `expected no "${isCount ? '<n> times' : word}" on a one-off "once" window`, EXAMPLES.once);
    }
    if (word === 'starting') {
      if (trailer.starting !== undefined) fail(clause, 'expected "starting" only once', example);
      const day = parseIsoDate(value ?? '') ?? fail(clause, 'expected a date yyyy-mm-dd that exists in the calendar after "starting"', EXAMPLES.interval);
      trailer.starting = formatIsoDate(day);
    } else if (reading.fromRrule) {
      fail(clause, `expected ${word === 'until' ? 'UNTIL' : 'COUNT'} inside the RRULE instead`, EXAMPLES.rrule);
    } else if (trailer.until !== undefined || trailer.count !== undefined) {
      fail(clause, 'expected only one of "until <date>" and "<n> times"', example);
    } else if (word === 'until') {
      trailer.until = readUntilValue(value ?? '', clause);
    } else {
      const count = Number(word);
      if (count < 1 || count > MAX_COUNT) fail(clause, `expected from 1 to ${MAX_COUNT} times`, EXAMPLES.count);
      trailer.count = count;
    }
  }
  return trailer;
}

/** `until 2027-06-30` (last date, inclusive) or `until 2027-06-30T12:00:00Z` (UTC instant). */
function readUntilValue(value: string, clause: string): Until {
  const day = parseIsoDate(value);
  if (day !== undefined) return { kind: 'date', date: formatIsoDate(day) };
  const instant = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)Z$/i.exec(value);
  if (instant?.[1] === undefined || parseIsoDate(instant[1]) === undefined) {
    fail(clause, 'expected a date yyyy-mm-dd (or a UTC time yyyy-mm-ddThh:mm:ssZ) after "until"', EXAMPLES.until);
  }
  return { kind: 'instant', instant: value.toUpperCase() };
}

/** The UTC date of an UNTIL instant is close enough to compare with `starting` for catching mistakes. */
function untilDate(until: Until): string {
  return until.kind === 'date' ? until.date : until.instant.slice(0, 10);
}

/** Why the rule needs a DTSTART (`starting`), or undefined when its dates are fixed without one. */
function anchorReason(rule: Rule, count: number | undefined): string | undefined {
  if (count !== undefined) return 'counting occurrences';
  switch (rule.kind) {
    case 'daily':
      return rule.interval > 1 ? `"every ${rule.interval} days"` : undefined;
    case 'weekly':
      return rule.interval > 1 ? `"every ${rule.interval} weeks"` : undefined;
    case 'rrule':
      if (rule.interval > 1) return `INTERVAL=${rule.interval}`;
      if (!rrulePinsDay(rule)) return `FREQ=${rule.freq.toUpperCase()} without ${rule.freq === 'weekly' ? 'BYDAY' : 'BYDAY or BYMONTHDAY'}`;
      return undefined;
    case 'once':
    case 'monthly-weekday':
    case 'monthly-day':
      return undefined;
  }
}
