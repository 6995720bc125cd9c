// Platform-neutral chat messages as Adaptive Cards (schema 1.4, which Teams needs for
// Action.Execute), within Teams' message size limit (about 28 KB including the envelope). Long
// line lists are cut and a note says how many lines were left out. Buttons are universal actions
// (Action.Execute, verb = the action, data = { value }) with an Action.Submit fallback for clients
// without them; a button that asks "are you sure?" opens a small card with the real button.
import type { ChatMessage, MessageAction, MessageBlock } from '../../core/ports/chat-port.ts';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ADAPTIVE_CARD_VERSION = '1.4';

export const TEAMS_LIMITS = {
  /** Teams refuses messages above about 28 KB; the card JSON stays well below that. */
  cardChars: 22_000,
  headerText: 200,
  lineText: 500,
  contextText: 2000,
  summaryText: 500,
  buttonTitle: 60,
  value: 2000,
} as const;

export type CardElement = Readonly<Record<string, unknown>>;

export interface AdaptiveCard {
  readonly type: 'AdaptiveCard';
  readonly $schema: string;
  readonly version: string;
  readonly body: readonly CardElement[];
  readonly actions?: readonly CardElement[];
  readonly msteams: { readonly width: 'Full' };
}

export interface TeamsCardPayload {
  readonly card: AdaptiveCard;
  /** Shown in notifications and the activity feed. */
  readonly summary: string;
}

/** What a click on one of our buttons carries back (Action.Execute data, or Action.Submit data). */
export interface ClickData {
  readonly action: string;
  readonly value: string;
}

export function renderTeamsMessage(message: ChatMessage): TeamsCardPayload {
  const actions = message.blocks.flatMap((block) => (block.kind === 'actions' ? block.actions.map(cardAction) : []));
  const parts = message.blocks.filter((block) => block.kind !== 'actions').map(toPart);
  const body = fit(parts, TEAMS_LIMITS.cardChars - JSON.stringify(actions).length);
  return { card: card(body, actions), summary: truncate(oneLine(message.fallbackText), TEAMS_LIMITS.summaryText) };
}

/** An answer to a command or click (help, status, refusals): one text block per line; indented text in monospace. */
export function renderTeamsReply(text: string): TeamsCardPayload {
  const lines = text.split('\n');
  const preformatted = lines.some((line) => /^\s{2,}\S/.test(line));
  const part: Part = { kind: 'lines', lines: lines.map((line) => textBlock(line, { monospace: preformatted })), note: 'text' };
  return { card: card(fit([part], TEAMS_LIMITS.cardChars), []), summary: truncate(oneLine(text), TEAMS_LIMITS.summaryText) };
}

/**
 * Adaptive Card TextBlocks render a little Markdown. The core's `*bold*` becomes `**bold**`;
 * link syntax is broken up so that text from users (a window's reason) cannot become a link.
 */
export function toCardMarkdown(text: string): string {
  return text.replaceAll(/\*([^*\s](?:[^*\n]*[^*\s])?)\*/g, '**$1**').replaceAll('](', '] (');
}

type Part =
  | { readonly kind: 'fixed'; readonly elements: readonly CardElement[] }
  | { readonly kind: 'lines'; readonly lines: readonly CardElement[]; readonly note: 'lines' | 'text' };

function toPart(block: Exclude<MessageBlock, { kind: 'actions' }>): Part {
  switch (block.kind) {
    case 'header':
      return {
        kind: 'fixed',
        elements: [{ type: 'TextBlock', text: truncate(oneLine(block.text), TEAMS_LIMITS.headerText), size: 'Medium', weight: 'Bolder', wrap: true, style: 'heading' }],
      };
    case 'text':
      return { kind: 'lines', lines: block.text.split('\n').map((line) => textBlock(line)), note: 'text' };
    case 'lines':
      return { kind: 'lines', lines: block.lines.map((line) => textBlock(line.replaceAll('\n', ' '))), note: 'lines' };
    case 'context':
      return block.text.trim() === ''
        ? { kind: 'fixed', elements: [] }
        : { kind: 'fixed', elements: [{ type: 'TextBlock', text: toCardMarkdown(truncate(block.text, TEAMS_LIMITS.contextText)), isSubtle: true, size: 'Small', wrap: true }] };
  }
}

function textBlock(line: string, options: { monospace?: boolean } = {}): CardElement {
  // Leading spaces would be collapsed; no-break spaces keep the indentation of aligned text.
  const indented = line.replace(/^ +/, (spaces) => '\u00a0'.repeat(spaces.length));
  return {
    type: 'TextBlock',
    text: toCardMarkdown(truncate(indented === '' ? '\u00a0' : indented, TEAMS_LIMITS.lineText)),
    wrap: true,
    spacing: 'None',
    ...(options.monospace === true ? { fontType: 'Monospace' } : {}),
  };
}

/**
 * The parts as card body elements within `budget` characters of JSON: fixed elements are always
 * kept, then lines as long as they fit; each cut list ends with a note saying how much is missing.
 */
function fit(parts: readonly Part[], budget: number): CardElement[] {
  const size = (element: CardElement): number => JSON.stringify(element).length + 1;
  let left = budget - parts.reduce((sum, part) => sum + (part.kind === 'fixed' ? part.elements.reduce((total, element) => total + size(element), 0) : 0), 0);
  const notes = parts.filter((part) => part.kind === 'lines').length;
  left -= notes * 200;
  const body: CardElement[] = [];
  for (const part of parts) {
    if (part.kind === 'fixed') {
      body.push(...part.elements);
      continue;
    }
    const kept: CardElement[] = [];
    for (const line of part.lines) {
      const cost = size(line);
      if (cost > left) break;
      kept.push(line);
      left -= cost;
    }
    if (kept.length > 0) body.push({ type: 'Container', items: kept });
    const missing = part.lines.length - kept.length;
    if (missing > 0) {
      const note =
        part.note === 'lines' ? `…and ${missing} more ${missing === 1 ? 'line' : 'lines'} not shown (too long for one Teams message)` : '…(shortened: too long for one Teams message)';
      body.push({ type: 'TextBlock', text: note, isSubtle: true, size: 'Small', wrap: true });
    }
  }
  return body;
}

function card(body: readonly CardElement[], actions: readonly CardElement[]): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: ADAPTIVE_CARD_VERSION,
    body,
    ...(actions.length === 0 ? {} : { actions }),
    msteams: { width: 'Full' },
  };
}

const STYLE: Readonly<Record<MessageAction['style'], string>> = { primary: 'positive', danger: 'destructive', default: 'default' };

function cardAction(action: MessageAction): CardElement {
  const title = truncate(oneLine(action.label), TEAMS_LIMITS.buttonTitle);
  const data: ClickData = { action: action.action, value: action.value.slice(0, TEAMS_LIMITS.value) };
  const execute: CardElement = {
    type: 'Action.Execute',
    title,
    verb: data.action,
    data: { value: data.value },
    style: STYLE[action.style],
    // Clients without universal actions send the data as a message instead (Action.Submit).
    fallback: { type: 'Action.Submit', title, data, style: STYLE[action.style] },
  };
  if (action.confirm === undefined) return execute;
  return {
    type: 'Action.ShowCard',
    title,
    style: STYLE[action.style],
    card: {
      type: 'AdaptiveCard',
      body: [{ type: 'TextBlock', text: toCardMarkdown(truncate(action.confirm, TEAMS_LIMITS.contextText)), wrap: true }],
      actions: [execute],
    },
  };
}

function oneLine(text: string): string {
  const line = text.replaceAll(/\s+/g, ' ').trim();
  return line === '' ? '-' : line;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}
