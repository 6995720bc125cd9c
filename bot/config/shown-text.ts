// Values, keys and paths quoted in a ConfigError, which the CLI prints as one line: control
// characters escaped (a line break or carriage return in a value must not break or overwrite the
// line) and long text cut, so a pasted certificate in the wrong setting still gives a short error.

const MAX_SHOWN_LENGTH = 120;
/** C0 and C1 controls, DEL, and Unicode's line and paragraph separators: matching them is the point. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A value as JSON (strings quoted, escaped), cut to a readable length. */
export function shownValue(value: unknown): string {
  return cut(JSON.stringify(value));
}

/** Text quoted as it is (a key, a file name), its control characters escaped, cut to a readable length. */
export function shownText(text: string): string {
  return cut(text.replace(CONTROL, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function cut(text: string): string {
  const characters = Array.from(text);
  return characters.length > MAX_SHOWN_LENGTH ? `${characters.slice(0, MAX_SHOWN_LENGTH - 1).join('')}…` : text;
}
