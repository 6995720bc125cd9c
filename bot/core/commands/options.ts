// `--name value` and `--flag` options inside chat commands, anywhere after the command words.

/** value: one word; text: every word up to the next option (`--reason kernel update`); flag: none. */
export type OptionKind = 'value' | 'text' | 'flag';

export type OptionsResult =
  | { readonly ok: true; readonly values: ReadonlyMap<string, string>; readonly flags: ReadonlySet<string>; readonly rest: string[] }
  | { readonly ok: false; readonly message: string };

export function extractOptions(words: readonly string[], known: Readonly<Record<string, OptionKind>>): OptionsResult {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const rest: string[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? '';
    if (!word.startsWith('--')) {
      rest.push(word);
      continue;
    }
    const [name = '', inline] = word.slice(2).split(/=(.*)/s, 2);
    const kind = known[name];
    if (kind === undefined) {
      const options = Object.keys(known).map((option) => `--${option}`);
      return { ok: false, message: `unknown option --${name}${options.length > 0 ? ` (this command takes ${options.join(', ')})` : ''}` };
    }
    if (values.has(name) || flags.has(name)) return { ok: false, message: `--${name} is given twice` };
    if (kind === 'flag') {
      if (inline !== undefined) return { ok: false, message: `--${name} takes no value` };
      flags.add(name);
      continue;
    }
    if (kind === 'text' && inline === undefined) {
      const text: string[] = [];
      while (index + 1 < words.length && !(words[index + 1] ?? '').startsWith('--')) text.push(words[++index] ?? '');
      if (text.length === 0) return { ok: false, message: `--${name} needs a value` };
      values.set(name, text.join(' '));
      continue;
    }
    const value = inline ?? words[index + 1];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      return { ok: false, message: `--${name} needs a value` };
    }
    if (inline === undefined) index++;
    values.set(name, value);
  }
  return { ok: true, values, flags, rest };
}
