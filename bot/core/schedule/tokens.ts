// Splits a spec into whitespace-separated words after gluing together the pieces people
// commonly space out (`mon, tue`, `14:00 - 17:00`, `FREQ=MONTHLY; BYDAY=2TU`), so the grammar
// only ever sees one token per list, time range or rule.

export function tokenize(text: string): string[] {
  const glued = text
    .replace(/\s*,\s*/g, ',')
    .replace(/\s*;\s*/g, ';')
    .replace(/(\d{1,2}:\d{2})\s*-\s*(?=\d{1,2}:\d{2})/g, '$1-')
    .replace(/^(\s*rrule:)\s+/i, '$1');
  return glued.split(/\s+/).filter((token) => token !== '');
}

/** A read position over the tokens; remembers what was consumed so errors can quote it. */
export class TokenCursor {
  readonly #tokens: readonly string[];
  #index = 0;

  constructor(tokens: readonly string[]) {
    this.#tokens = tokens;
  }

  get done(): boolean {
    return this.#index >= this.#tokens.length;
  }

  get position(): number {
    return this.#index;
  }

  /** The token `ahead` places after the current one, without consuming anything. */
  peek(ahead = 0): string | undefined {
    return this.#tokens[this.#index + ahead];
  }

  /** Lower-cased peek, for matching keywords case-insensitively. */
  peekWord(ahead = 0): string | undefined {
    return this.peek(ahead)?.toLowerCase();
  }

  next(): string | undefined {
    const token = this.#tokens[this.#index];
    if (token !== undefined) this.#index += 1;
    return token;
  }

  /** Consumes the next token if it is `word` (case-insensitive). */
  accept(word: string): boolean {
    if (this.peekWord() !== word) return false;
    this.#index += 1;
    return true;
  }

  /** The tokens from `start` up to the current position, joined by single spaces. */
  since(start: number): string {
    return this.#tokens.slice(start, this.#index).join(' ');
  }

  /** Everything not consumed yet. */
  rest(): string {
    return this.#tokens.slice(this.#index).join(' ');
  }

  all(): string {
    return this.#tokens.join(' ');
  }
}
