// Platform-neutral chat messages as Slack Block Kit, within Slack's limits: at most 50 blocks,
// 3,000 characters per section text, and about 12,000 characters of text in all (beyond that
// chat.postMessage answers msg_blocks_too_long). Long texts and line lists are split into several
// sections; what still does not fit is left out and a context line says how much.
import type { types } from '@slack/bolt';
import type { ChatMessage, MessageAction, MessageBlock } from '../../core/ports/chat-port.ts';

export const SLACK_LIMITS = {
  maxBlocks: 50,
  sectionText: 3000,
  /** Slack's cumulative limit is undocumented (about 12,000 characters); stay well below it. */
  totalText: 11_000,
  headerText: 150,
  contextText: 2000,
  buttonsPerBlock: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  confirmText: 300,
  fallbackText: 3000,
} as const;

export interface SlackMessagePayload {
  /** Notifications, screen readers and clients without blocks show this. */
  readonly text: string;
  readonly blocks: types.KnownBlock[];
}

/** Slack mrkdwn treats &, < and > as control characters (links, mentions): show them literally. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function renderSlackMessage(message: ChatMessage): SlackMessagePayload {
  const entries = message.blocks.map(toEntry);
  let blocks = pack(entries, SLACK_LIMITS.maxBlocks, SLACK_LIMITS.totalText);
  if (blocks === undefined) {
    // Too much: give every text a share and leave room for one "n more" note per text.
    const notes = entries.filter((entry) => entry.kind === 'chunks').length;
    blocks = pack(entries, SLACK_LIMITS.maxBlocks - notes, SLACK_LIMITS.totalText - notes * 80, true) ?? [];
  }
  return { text: truncate(escapeMrkdwn(message.fallbackText), SLACK_LIMITS.fallbackText), blocks };
}

/** Blocks kept whole around a reply's text, e.g. the buttons under a status answer. */
export interface ReplyExtras {
  readonly before?: readonly types.KnownBlock[];
  readonly after?: readonly types.KnownBlock[];
  /** Slack mrkdwn put before the (escaped) fallback text, e.g. a mention. */
  readonly fallbackPrefix?: string;
}

/**
 * A private answer (command result, refusal, help): indented text keeps its layout in a code
 * block. `extras` are kept whole; the text is shortened to leave room for them.
 */
export function renderReply(text: string, extras: ReplyExtras = {}): SlackMessagePayload {
  const preformatted = text.split('\n').some((line) => /^\s{2,}\S/.test(line));
  const entries: Entry[] = [
    { kind: 'fixed', blocks: [...(extras.before ?? [])] },
    { kind: 'chunks', chunks: chunkLines(text.split('\n').map(escapeMrkdwn), preformatted), unit: 'text' },
    { kind: 'fixed', blocks: [...(extras.after ?? [])] },
  ];
  const blocks = pack(entries, SLACK_LIMITS.maxBlocks, SLACK_LIMITS.totalText) ?? pack(entries, SLACK_LIMITS.maxBlocks - 1, SLACK_LIMITS.totalText - 80, true) ?? [];
  return { text: truncate(`${extras.fallbackPrefix ?? ''}${escapeMrkdwn(text)}`, SLACK_LIMITS.fallbackText), blocks };
}

interface Chunk {
  readonly text: string;
  /** Source lines in this chunk (a line longer than a section counts once, in its first chunk). */
  readonly lines: number;
}

type Entry =
  | { readonly kind: 'fixed'; readonly blocks: types.KnownBlock[] }
  | { readonly kind: 'chunks'; readonly chunks: readonly Chunk[]; readonly unit: 'lines' | 'text' };

function toEntry(block: MessageBlock): Entry {
  switch (block.kind) {
    case 'header':
      return { kind: 'fixed', blocks: [{ type: 'header', text: plain(block.text, SLACK_LIMITS.headerText) }] };
    case 'text':
      return { kind: 'chunks', chunks: chunkLines(block.text.split('\n').map(escapeMrkdwn), false), unit: 'text' };
    case 'lines':
      return { kind: 'chunks', chunks: chunkLines(block.lines.map((line) => escapeMrkdwn(line.replaceAll('\n', ' '))), false), unit: 'lines' };
    case 'context':
      // Slack refuses empty texts.
      return { kind: 'fixed', blocks: block.text.trim() === '' ? [] : [contextBlock(truncate(escapeMrkdwn(block.text), SLACK_LIMITS.contextText))] };
    case 'actions': {
      const blocks: types.KnownBlock[] = [];
      for (let start = 0; start < block.actions.length; start += SLACK_LIMITS.buttonsPerBlock) {
        blocks.push({ type: 'actions', elements: block.actions.slice(start, start + SLACK_LIMITS.buttonsPerBlock).map(button) });
      }
      return { kind: 'fixed', blocks };
    }
  }
}

function button(action: MessageAction): types.Button {
  const element: types.Button = {
    type: 'button',
    text: plain(action.label, SLACK_LIMITS.buttonText),
    action_id: action.action.slice(0, SLACK_LIMITS.actionId),
    value: action.value.slice(0, SLACK_LIMITS.buttonValue),
  };
  if (action.style !== 'default') element.style = action.style;
  if (action.confirm !== undefined) {
    element.confirm = {
      title: plain('Are you sure?', 100),
      text: plain(action.confirm, SLACK_LIMITS.confirmText),
      confirm: plain(action.label, 30),
      deny: plain('Cancel', 30),
      ...(action.style === 'danger' ? { style: 'danger' as const } : {}),
    };
  }
  return element;
}

/**
 * The entries as blocks within `maxBlocks` and `maxChars`, or undefined when they do not fit and
 * `shorten` is false. With `shorten`, texts are cut (fixed blocks are always kept) and a note
 * follows each cut text.
 */
function pack(entries: readonly Entry[], maxBlocks: number, maxChars: number, shorten = false): types.KnownBlock[] | undefined {
  let blocksLeft = maxBlocks;
  let charsLeft = maxChars;
  for (const entry of entries) {
    if (entry.kind === 'fixed') {
      blocksLeft -= entry.blocks.length;
      charsLeft -= entry.blocks.reduce((sum, block) => sum + textLength(block), 0);
    }
  }
  const blocks: types.KnownBlock[] = [];
  for (const entry of entries) {
    if (entry.kind === 'fixed') {
      blocks.push(...entry.blocks);
      continue;
    }
    let kept = 0;
    for (const chunk of entry.chunks) {
      if (blocksLeft <= 0 || charsLeft < chunk.text.length) break;
      blocks.push(section(chunk.text));
      blocksLeft--;
      charsLeft -= chunk.text.length;
      kept++;
    }
    if (kept < entry.chunks.length) {
      if (!shorten) return undefined;
      const left = entry.chunks.slice(kept).reduce((sum, chunk) => sum + chunk.lines, 0);
      const note =
        entry.unit === 'lines'
          ? `…and ${left} more ${left === 1 ? 'line' : 'lines'} not shown (too long for one Slack message)`
          : '…(shortened: too long for one Slack message)';
      blocks.push(contextBlock(note));
    }
  }
  return blocks;
}

/** Lines joined into section texts of at most 3,000 characters; a longer line is cut across sections. */
function chunkLines(lines: readonly string[], preformatted: boolean): Chunk[] {
  const fence = preformatted ? '```' : '';
  const limit = SLACK_LIMITS.sectionText - 2 * fence.length;
  const chunks: Chunk[] = [];
  let current: string[] = [];
  let length = 0;
  const flush = (): void => {
    if (current.length === 0) return;
    chunks.push({ text: `${fence}${current.join('\n')}${fence}`, lines: current.length });
    current = [];
    length = 0;
  };
  for (const line of lines) {
    const added = line.length + (current.length === 0 ? 0 : 1);
    if (length + added <= limit) {
      current.push(line);
      length += added;
      continue;
    }
    flush();
    if (line.length <= limit) {
      current.push(line);
      length = line.length;
      continue;
    }
    let rest = line;
    let first = true;
    while (rest.length > limit) {
      const cut = cutPoint(rest, limit);
      chunks.push({ text: `${fence}${rest.slice(0, cut)}${fence}`, lines: first ? 1 : 0 });
      rest = rest.slice(cut);
      first = false;
    }
    chunks.push({ text: `${fence}${rest}${fence}`, lines: first ? 1 : 0 });
  }
  flush();
  // Slack refuses an empty section text.
  return chunks.filter((chunk) => chunk.text.replaceAll('`', '').trim() !== '');
}

/** Where to cut escaped text at most `max` characters in: not inside an entity such as `&amp;` or a surrogate pair. */
function cutPoint(text: string, max: number): number {
  let cut = max;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 5 && !text.slice(amp, cut).includes(';')) cut = amp;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return Math.max(1, cut);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, cutPoint(text, max - 1))}…`;
}

function plain(text: string, max: number): types.PlainTextElement {
  const oneLine = text.replaceAll(/\s+/g, ' ').trim();
  return { type: 'plain_text', text: truncate(oneLine === '' ? '-' : oneLine, max), emoji: true };
}

function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function contextBlock(text: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

function textLength(block: types.KnownBlock): number {
  switch (block.type) {
    case 'header':
      return block.text.text.length;
    case 'context':
      return block.elements.reduce((sum, element) => sum + ('text' in element ? element.text.length : 0), 0);
    case 'actions':
      return block.elements.reduce((sum, element) => sum + (element.type === 'button' ? element.text.text.length : 0), 0);
    case 'section':
      return block.text?.text.length ?? 0;
    default:
      return 0;
  }
}
