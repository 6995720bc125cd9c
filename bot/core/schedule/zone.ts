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

const zones = new Map<string, Zone>();

/** The luxon zone for a canonical name; `UTC` is the fixed zone so ISO strings end in `Z`. */
export function zoneNamed(name: string): Zone {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = name === 'UTC' ? FixedOffsetZone.utcInstance : IANAZone.create(name);
    zones.set(name, zone);
  }
  return zone;
}
