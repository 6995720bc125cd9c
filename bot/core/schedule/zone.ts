// Time zone names: validated with luxon, written back in their usual capitalisation so that
// `europe/zurich` is stored as `Europe/Zurich`. Aliases are kept as typed (Asia/Kolkata stays
// Asia/Kolkata) because ICU would otherwise rename them (to Asia/Calcutta).
import { FixedOffsetZone, IANAZone } from 'luxon';
import type { Zone } from 'luxon';

let knownByLowerCase: ReadonlyMap<string, string> | undefined;

function knownZoneNames(): ReadonlyMap<string, string> {
  knownByLowerCase ??= new Map(Intl.supportedValuesOf('timeZone').map((name) => [name.toLowerCase(), name]));
  return knownByLowerCase;
}

/** The zone's display name, or undefined when neither `UTC` nor a zone luxon knows. */
export function canonicalZoneName(text: string): string | undefined {
  if (text.toLowerCase() === 'utc') return 'UTC';
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(text) || !IANAZone.isValidZone(text)) return undefined;
  const known = knownZoneNames().get(text.toLowerCase());
  if (known !== undefined) return known;
  // Mixed case was typed deliberately; all-lower/upper case gets IANA-style capitalisation.
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) return text;
  return text.toLowerCase().replace(/(^|[/_-])([a-z])/g, (_, separator: string, letter: string) => separator + letter.toUpperCase());
}

/**
 * luxon's IANAZone with a cheaper offset lookup: one Intl `format` call with a `longOffset` zone
 * name (about 1 µs) instead of luxon's formatToParts plus date arithmetic (about 7 µs). Expansion
 * asks for offsets several times per window, so this keeps 1000 windows well under 50 ms. Being an
 * IANAZone with the same name, DateTimes built on it compare and behave like any other.
 */
class FastIanaZone extends IANAZone {
  readonly #format: Intl.DateTimeFormat;

  constructor(name: string) {
    super(name);
    this.#format = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  }

  override offset(ts: number): number {
    if (!(Math.abs(ts) <= MAX_DATE_MS)) return super.offset(ts);
    const match = LONG_OFFSET.exec(this.#format.format(ts));
    if (match === null) return super.offset(ts);
    const [, sign, hours = '0', minutes = '0', seconds = '0'] = match;
    const total = Number(hours) * 60 + Number(minutes) + Number(seconds) / 60;
    return sign === '-' ? -total : total;
  }
}

const MAX_DATE_MS = 8.64e15;
/** `…, GMT`, `…, GMT+05:45`, `…, GMT-03:00`, or with seconds for old local mean times. */
const LONG_OFFSET = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;

const zones = new Map<string, Zone>();

/** The luxon zone for a canonical name; `UTC` is the fixed zone so ISO strings end in `Z`. */
export function zoneNamed(name: string): Zone {
  let zone = zones.get(name);
  if (zone === undefined) {
    if (name === 'UTC') zone = FixedOffsetZone.utcInstance;
    else zone = IANAZone.isValidZone(name) ? new FastIanaZone(name) : IANAZone.create(name);
    zones.set(name, zone);
  }
  return zone;
}
