// Kubernetes label selectors as `kubectl -l` reads them, for `--nodes <selector>`: the window's
// reboot daemon runs only on matching nodes, and the simulated cluster uses the same matcher.
// Bad input gets one line that quotes the requirement at fault.

export type LabelRequirement =
  | { readonly key: string; readonly operator: 'exists' | 'doesNotExist' }
  | { readonly key: string; readonly operator: 'equals' | 'notEquals'; readonly value: string }
  /** `values` is sorted and free of duplicates: it is a set. */
  | { readonly key: string; readonly operator: 'in' | 'notIn'; readonly values: readonly string[] };

/** The AND of its requirements; no requirements selects everything (like an empty `-l`). */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
}

export type LabelSelectorParseResult =
  | { readonly ok: true; readonly selector: LabelSelector }
  | { readonly ok: false; readonly message: string };

export const EVERY_LABEL: LabelSelector = { requirements: [] };

const EXAMPLE = 'node-role.kubernetes.io/worker,topology.kubernetes.io/zone in (sim-a,sim-b)';
const MAX_NAME_LENGTH = 63;
const MAX_PREFIX_LENGTH = 253;
const MAX_QUOTED_LENGTH = 60;
const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN_PATTERN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const SPECIAL_CHARACTERS = '!=(),<>';

export function parseLabelSelector(text: string): LabelSelectorParseResult {
  const tokens = tokenize(text);
  try {
    return { ok: true, selector: { requirements: parseRequirements(tokens) } };
  } catch (error) {
    if (!(error instanceof SelectorSyntaxFailure)) throw error;
    const part = error.part(text, tokens);
    return { ok: false, message: `cannot read label selector "${quote(part)}": ${error.reason}; example: ${EXAMPLE}` };
  }
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((requirement) => matchesRequirement(requirement, labels));
}

/** Canonical text: requirements sorted by key (as Kubernetes prints them), `=` for `==`, sets sorted. */
export function formatLabelSelector(selector: LabelSelector): string {
  return [...selector.requirements]
    .sort((a, b) => compareText(a.key, b.key))
    .map(formatRequirement)
    .join(',');
}

function matchesRequirement(requirement: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(labels, requirement.key) ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case 'exists':
      return value !== undefined;
    case 'doesNotExist':
      return value === undefined;
    case 'equals':
      return value === requirement.value;
    // As in Kubernetes, a node without the key satisfies `!=` and `notin`.
    case 'notEquals':
      return value !== requirement.value;
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case 'notIn':
      return value === undefined || !requirement.values.includes(value);
  }
}

function formatRequirement(requirement: LabelRequirement): string {
  switch (requirement.operator) {
    case 'exists':
      return requirement.key;
    case 'doesNotExist':
      return `!${requirement.key}`;
    case 'equals':
      return `${requirement.key}=${requirement.value}`;
    case 'notEquals':
      return `${requirement.key}!=${requirement.value}`;
    case 'in':
      return `${requirement.key} in (${requirement.values.join(',')})`;
    case 'notIn':
      return `${requirement.key} notin (${requirement.values.join(',')})`;
  }
}

// ---- Lexing: identifiers are runs of anything but white space and the special characters, as in Kubernetes.

type TokenKind = 'identifier' | '!' | '=' | '==' | '!=' | '(' | ')' | ',' | '<' | '>';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Offsets into the selector text, for quoting. */
  readonly start: number;
  readonly end: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < text.length) {
    const character = text.charAt(position);
    if (/\s/.test(character)) {
      position++;
    } else if (SPECIAL_CHARACTERS.includes(character)) {
      const pair = text.slice(position, position + 2);
      const symbol = pair === '==' || pair === '!=' ? pair : character;
      tokens.push({ kind: symbol as TokenKind, text: symbol, start: position, end: position + symbol.length });
      position += symbol.length;
    } else {
      const start = position;
      while (position < text.length && !/\s/.test(text.charAt(position)) && !SPECIAL_CHARACTERS.includes(text.charAt(position))) {
        position++;
      }
      tokens.push({ kind: 'identifier', text: text.slice(start, position), start, end: position });
    }
  }
  return tokens;
}

// ---- Parsing. A failure remembers the token where its requirement began, so the message can quote it.

class SelectorSyntaxFailure extends Error {
  readonly reason: string;
  readonly #requirementStart: number;

  constructor(reason: string, requirementStart: number) {
    super(reason);
    this.name = 'SelectorSyntaxFailure';
    this.reason = reason;
    this.#requirementStart = requirementStart;
  }

  /** The text of the failing requirement: from its first token to the next top-level comma. */
  part(text: string, tokens: readonly Token[]): string {
    const first = tokens[this.#requirementStart];
    if (first === undefined || first.kind === ',') return text;
    let depth = 0;
    let end = first.end;
    for (const token of tokens.slice(this.#requirementStart)) {
      if (token.kind === ',' && depth === 0) break;
      if (token.kind === '(') depth++;
      if (token.kind === ')') depth = Math.max(0, depth - 1);
      end = token.end;
    }
    return text.slice(first.start, end);
  }
}

function parseRequirements(tokens: readonly Token[]): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  if (tokens.length === 0) return requirements;
  let index = 0;
  for (;;) {
    const start = index;
    const parsed = parseRequirement(tokens, start);
    requirements.push(parsed.requirement);
    index = parsed.next;
    const separator = tokens[index];
    if (separator === undefined) return requirements;
    if (separator.kind !== ',') {
      throw new SelectorSyntaxFailure(`expected "," before "${separator.text}"`, start);
    }
    index++;
    if (tokens[index] === undefined) throw new SelectorSyntaxFailure('nothing follows the last ","', start);
  }
}

interface ParsedRequirement {
  readonly requirement: LabelRequirement;
  /** Index of the first token after the requirement. */
  readonly next: number;
}

function parseRequirement(tokens: readonly Token[], start: number): ParsedRequirement {
  const fail = (reason: string): never => {
    throw new SelectorSyntaxFailure(reason, start);
  };
  const first = tokens[start];
  if (first === undefined || first.kind === ',') return fail('empty requirement between commas');
  if (first.kind === '!') {
    const keyToken = tokens[start + 1];
    if (keyToken?.kind !== 'identifier') return fail('expected a label key after "!"');
    checkKey(keyToken.text, fail);
    const following = tokens[start + 2];
    if (following !== undefined && following.kind !== ',') {
      return fail(`"!${keyToken.text}" selects nodes without the key and takes no value`);
    }
    return { requirement: { key: keyToken.text, operator: 'doesNotExist' }, next: start + 2 };
  }
  if (first.kind !== 'identifier') return fail(`expected a label key, found "${first.text}"`);
  const key = first.text;
  checkKey(key, fail);

  const operator = tokens[start + 1];
  if (operator === undefined || operator.kind === ',') {
    return { requirement: { key, operator: 'exists' }, next: start + 1 };
  }
  switch (operator.kind) {
    case '=':
    case '==':
    case '!=': {
      const valueToken = tokens[start + 2];
      const kind = operator.kind === '!=' ? 'notEquals' : 'equals';
      // `key=` (followed by nothing or a comma) compares with the empty value, as Kubernetes allows.
      if (valueToken === undefined || valueToken.kind === ',') {
        return { requirement: { key, operator: kind, value: '' }, next: start + 2 };
      }
      if (valueToken.kind !== 'identifier') return fail(`expected a value after "${operator.text}", found "${valueToken.text}"`);
      checkValue(valueToken.text, fail);
      return { requirement: { key, operator: kind, value: valueToken.text }, next: start + 3 };
    }
    case '<':
    case '>':
      return fail(`the "${operator.text}" operator is not supported; use =, !=, in, notin or a bare key`);
    case 'identifier':
      if (operator.text === 'in' || operator.text === 'notin') {
        const list = parseValueList(tokens, start + 2, operator.text, fail);
        const kind = operator.text === 'in' ? 'in' : 'notIn';
        return { requirement: { key, operator: kind, values: list.values }, next: list.next };
      }
      return fail(`expected =, ==, !=, in or notin after "${key}", found "${operator.text}"`);
    default:
      return fail(`expected =, ==, !=, in or notin after "${key}", found "${operator.text}"`);
  }
}

function parseValueList(
  tokens: readonly Token[],
  start: number,
  operator: string,
  fail: (reason: string) => never,
): { values: string[]; next: number } {
  if (tokens[start]?.kind !== '(') return fail(`expected "(" after "${operator}"`);
  const values = new Set<string>();
  let index = start + 1;
  for (;;) {
    const token = tokens[index];
    if (token === undefined) return fail('missing ")" after the values');
    if (token.kind === ')') {
      // Kubernetes reads `()` as the empty value; here it is far more likely a slip, so say so.
      return values.size === 0 ? fail(`"${operator} ()" needs at least one value`) : fail('empty value before ")"');
    }
    if (token.kind === ',') return fail('empty value in the list');
    if (token.kind !== 'identifier') return fail(`expected a value, found "${token.text}"`);
    checkValue(token.text, fail);
    values.add(token.text);
    const separator = tokens[index + 1];
    if (separator === undefined) return fail('missing ")" after the values');
    if (separator.kind === ')') return { values: [...values].sort(compareText), next: index + 2 };
    if (separator.kind !== ',') return fail(`expected "," or ")" after "${token.text}", found "${separator.text}"`);
    index += 2;
  }
}

// ---- Key and value syntax, as Kubernetes validates them.

function checkKey(key: string, fail: (reason: string) => never): void {
  const parts = key.split('/');
  if (parts.length > 2) fail(`key "${quote(key)}" has more than one "/"`);
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    if (prefix === '') fail(`key "${quote(key)}" has an empty prefix before "/"`);
    if (prefix.length > MAX_PREFIX_LENGTH) fail(`key prefix "${quote(prefix)}" is longer than ${MAX_PREFIX_LENGTH} characters`);
    if (!DNS_SUBDOMAIN_PATTERN.test(prefix)) {
      fail(`key prefix "${quote(prefix)}" must be a DNS subdomain (lowercase letters, digits, "-" and ".")`);
    }
  }
  if (name === undefined || name === '') return fail(`key "${quote(key)}" has an empty name`);
  checkName(`key name "${quote(name)}"`, name, fail);
}

function checkValue(value: string, fail: (reason: string) => never): void {
  if (value !== '') checkName(`value "${quote(value)}"`, value, fail);
}

function checkName(subject: string, name: string, fail: (reason: string) => never): void {
  if (name.length > MAX_NAME_LENGTH) fail(`${subject} is longer than ${MAX_NAME_LENGTH} characters`);
  if (!NAME_PATTERN.test(name)) {
    fail(`${subject} may contain only letters, digits, "-", "_" and ".", and must begin and end with a letter or digit`);
  }
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_QUOTED_LENGTH ? `${oneLine.slice(0, MAX_QUOTED_LENGTH - 1)}…` : oneLine;
}

/** Code-unit order, independent of the host's locale, so the canonical text is the same everywhere. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
