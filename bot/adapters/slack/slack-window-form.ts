// The status answer's buttons ("Open a window…", "Share in channel") and the modal behind the
// first: a form for `open`, checked field by field here (lengths, characters, the shared
// grammar), then turned into the very command text a user would type, so that the engine sees
// one grammar whatever the surface. Nothing reaches the engine from a form that does not pass.
import type { types } from '@slack/bolt';
import { parseLabelSelector } from '../../core/cluster/label-selector.ts';
import { MAX_REASON_LENGTH, parseCommand } from '../../core/commands/parse-command.ts';
import { MAX_CONCURRENCY } from '../../core/commands/parse-window-command.ts';
import { parseDurationText } from '../../core/schedule/parse-duration.ts';
import { escapeMrkdwn, renderReply } from './slack-blocks.ts';
import type { SlackMessagePayload } from './slack-blocks.ts';

/** Action ids of the status answer's buttons; the engine never sees them. */
export const OPEN_WINDOW_ACTION = 'open_window_modal';
export const SHARE_STATUS_ACTION = 'share_status';
/** The modal's callback id. */
export const OPEN_WINDOW_VIEW = 'open_window';
/** Each input's block id; its element's action id is always `value`. */
export const FORM_BLOCKS = {
  duration: 'duration',
  start: 'start',
  concurrency: 'concurrency',
  nodes: 'nodes',
  reason: 'reason',
} as const;
export const FORM_INPUT_ACTION = 'value';
export const FORM_LIMITS = {
  duration: 20,
  start: 60,
  nodes: 300,
  reason: MAX_REASON_LENGTH,
  /** Slack shows an error under the input; keep it readable. */
  error: 300,
} as const;

type FormBlock = (typeof FORM_BLOCKS)[keyof typeof FORM_BLOCKS];
export type FormErrors = Partial<Record<FormBlock, string>>;
export type FormResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly errors: FormErrors };

/** One submitted input as Slack reports it in `view.state.values`. */
export interface SubmittedValue {
  readonly type: string;
  readonly value?: string | null;
}
export type SubmittedValues = Readonly<Record<string, Readonly<Record<string, SubmittedValue>>>>;

/** Line breaks, other control characters and bidi overrides (text that reads differently than it is). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const DURATION_CHARACTERS = /^[0-9A-Za-z. ]+$/;
const START_CHARACTERS = /^[0-9A-Za-z:+_./ -]+$/;
const SELECTOR_CHARACTERS = /^[A-Za-z0-9._/!=(),<> -]+$/;
/** Pairs the chat tokenizer reads as quotes (it has no escapes): one whose closing mark the text lacks. */
const QUOTES: readonly (readonly [string, string])[] = [['"', '"'], ['“', '”'], ["'", "'"], ['‘', '’'], ['„', '“']];
/** Slack allows 3 s for the answer to a submission; the engine gets this much of it. */
export const DEFAULT_FORM_ANSWER_MS = 2500;

/** The buttons under a status answer. */
export function statusActions(): types.ActionsBlock {
  return {
    type: 'actions',
    block_id: 'status_actions',
    elements: [
      { type: 'button', action_id: OPEN_WINDOW_ACTION, text: plain('Open a window…'), value: 'open', style: 'primary' },
      { type: 'button', action_id: SHARE_STATUS_ACTION, text: plain('Share in channel'), value: 'status' },
    ],
  };
}

/** The form, bound to `channel` (checked again on submission). */
export function openWindowModal(channel: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: OPEN_WINDOW_VIEW,
    private_metadata: JSON.stringify({ channel }),
    title: plain('Open a window'),
    submit: plain('Request'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: 'Asks for a maintenance window; someone else approves it, then the waiting nodes reboot one batch at a time.' }],
      },
      input(FORM_BLOCKS.duration, 'Duration', { type: 'plain_text_input', action_id: FORM_INPUT_ACTION, max_length: FORM_LIMITS.duration, placeholder: plain('2h, 90m or 1h 30m') }, 'At most 7 days.'),
      input(
        FORM_BLOCKS.start,
        'Start',
        { type: 'plain_text_input', action_id: FORM_INPUT_ACTION, max_length: FORM_LIMITS.start, placeholder: plain('now, 22:00 or 2026-12-08 14:00') },
        'Empty or "now": right away. A time alone is the next such time; a zone may follow (Europe/Zurich).',
        true,
      ),
      input(
        FORM_BLOCKS.concurrency,
        'Nodes at a time',
        { type: 'number_input', action_id: FORM_INPUT_ACTION, is_decimal_allowed: false, min_value: '1', max_value: String(MAX_CONCURRENCY), placeholder: plain('1') },
        'How many nodes may reboot at once; empty: the configured default.',
        true,
      ),
      input(
        FORM_BLOCKS.nodes,
        'Nodes (label selector)',
        { type: 'plain_text_input', action_id: FORM_INPUT_ACTION, max_length: FORM_LIMITS.nodes, placeholder: plain('agentpool=user') },
        'Empty: every node that waits for a reboot.',
        true,
      ),
      input(FORM_BLOCKS.reason, 'Reason', { type: 'plain_text_input', action_id: FORM_INPUT_ACTION, max_length: FORM_LIMITS.reason, placeholder: plain('kernel 6.1.119') }, undefined, true),
    ],
  };
}

/** The channel a form was opened for (its private_metadata), if it names one. */
export function formChannel(privateMetadata: string): string | undefined {
  try {
    const parsed = JSON.parse(privateMetadata) as unknown;
    const channel = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['channel'] : undefined;
    return typeof channel === 'string' ? channel : undefined;
  } catch {
    return undefined;
  }
}

/** The submitted form as `open …` text, or an error per input at fault. */
export function readOpenWindowForm(values: SubmittedValues): FormResult {
  const errors: FormErrors = {};
  const field = (block: FormBlock): string => {
    const submitted = values[block]?.[FORM_INPUT_ACTION]?.value;
    return typeof submitted === 'string' ? submitted.trim() : '';
  };

  const duration = field(FORM_BLOCKS.duration);
  const durationError = checkDuration(duration);
  if (durationError !== undefined) errors.duration = durationError;

  let start = field(FORM_BLOCKS.start).replace(/^at\s+/i, '');
  if (start.toLowerCase() === 'now') start = '';
  const startError = checkText(start, FORM_LIMITS.start, START_CHARACTERS, 'a time, a date and time, or a zone: letters, digits and : + - _ . /');
  if (startError !== undefined) errors.start = startError;
  else if (/(^|\s)-/.test(start)) errors.start = 'expected a start like 22:00, 2026-12-08 14:00 Europe/Zurich or 2026-12-08T13:00:00Z';

  const concurrency = field(FORM_BLOCKS.concurrency);
  if (concurrency !== '' && !(/^\d{1,3}$/.test(concurrency) && Number(concurrency) >= 1 && Number(concurrency) <= MAX_CONCURRENCY)) {
    errors.concurrency = `a whole number from 1 to ${MAX_CONCURRENCY}`;
  }

  const nodes = field(FORM_BLOCKS.nodes);
  const nodesError = checkText(nodes, FORM_LIMITS.nodes, SELECTOR_CHARACTERS, 'a label selector: letters, digits, spaces and . _ - / ! = ( ) , < >');
  if (nodesError !== undefined) errors.nodes = nodesError;
  else if (nodes !== '') {
    const selector = nodes.startsWith('-') ? { ok: false as const, message: 'a label selector starts with a label key or !' } : parseLabelSelector(nodes);
    if (!selector.ok) errors.nodes = selector.message;
  }

  const reason = field(FORM_BLOCKS.reason);
  const reasonError = checkText(reason, FORM_LIMITS.reason, /^/, '');
  if (reasonError !== undefined) errors.reason = reasonError;
  else if (reason.startsWith('--')) errors.reason = 'may not start with --';
  else if (reason !== '' && quoted(reason) === undefined) errors.reason = 'uses every kind of quotation mark; leave one kind out';

  if (Object.keys(errors).length > 0) return { ok: false, errors: clip(errors) };

  const parts = ['open', duration];
  if (start !== '') parts.push('at', start);
  if (concurrency !== '') parts.push('--concurrency', concurrency);
  if (nodes !== '') parts.push('--nodes', quoted(nodes) ?? '');
  if (reason !== '') parts.push('--reason', quoted(reason) ?? '');
  const text = parts.join(' ');

  // The text must read back as exactly what was entered (the zone only matters for a bare time).
  const parsed = parseCommand(text, { defaultZone: 'UTC' });
  if (!parsed.ok) return { ok: false, errors: clip({ [blockForMessage(parsed.message)]: withoutUsage(parsed.message) }) };
  const command = parsed.command;
  if (command.kind !== 'open' || command.reason !== reason || (command.nodeSelector ?? '') !== nodes || String(command.concurrency ?? '') !== concurrency) {
    return { ok: false, errors: { duration: 'the form could not be read back as entered; type the open command instead' } };
  }
  return { ok: true, text };
}

/** The engine's refusal as an error under the input it concerns (the duration when none fits). */
export function refusalErrors(message: string): FormErrors {
  return clip({ [blockForMessage(message)]: withoutUsage(message) });
}

/** A status someone shares with the channel: who shared it, then the status as the answer showed it. */
export function renderSharedStatus(status: string, user: { readonly id: string; readonly name: string }): SlackMessagePayload {
  const who = /^[UW][A-Z0-9]{2,20}$/.test(user.id) ? `<@${user.id}>` : escapeMrkdwn(user.name);
  return renderReply(status, {
    before: [{ type: 'context', elements: [{ type: 'mrkdwn', text: `Status shared by ${who}` }] }],
    fallbackPrefix: `Status shared by ${who}:\n`,
  });
}

function checkDuration(duration: string): string | undefined {
  if (duration === '') return 'how long? e.g. 2h or 90m';
  const text = checkText(duration, FORM_LIMITS.duration, DURATION_CHARACTERS, 'a duration: digits and units, e.g. 2h, 90m or 1h 30m');
  if (text !== undefined) return text;
  const parsed = parseDurationText(duration, 'open 2h');
  return parsed.ok ? undefined : parsed.message.replace(/; example: open 2h$/, '');
}

function checkText(text: string, max: number, allowed: RegExp, what: string): string | undefined {
  if (text.length > max) return `at most ${max} characters`;
  if (CONTROL.test(text)) return 'one line of text, without control characters';
  if (text !== '' && !allowed.test(text)) return `expected ${what}`;
  return undefined;
}

function quoted(text: string): string | undefined {
  const pair = QUOTES.find(([, close]) => !text.includes(close));
  return pair === undefined ? undefined : `${pair[0]}${text}${pair[1]}`;
}

function withoutUsage(message: string): string {
  return message.replace(/; usage: .*$/s, '');
}

function blockForMessage(message: string): FormBlock {
  const text = withoutUsage(message);
  if (/^overlaps /.test(text)) return FORM_BLOCKS.duration;
  if (text.includes('--concurrency')) return FORM_BLOCKS.concurrency;
  if (text.includes('--nodes') || text.includes('label selector')) return FORM_BLOCKS.nodes;
  if (text.includes('--reason') || /^the reason\b/.test(text)) return FORM_BLOCKS.reason;
  if (/\bstart\b|^at what time/.test(text)) return FORM_BLOCKS.start;
  return FORM_BLOCKS.duration;
}

function clip(errors: FormErrors): FormErrors {
  const clipped: FormErrors = {};
  for (const [block, message] of Object.entries(errors) as [FormBlock, string][]) {
    clipped[block] = message.length <= FORM_LIMITS.error ? message : `${message.slice(0, FORM_LIMITS.error - 1)}…`;
  }
  return clipped;
}

function input(blockId: FormBlock, label: string, element: types.PlainTextInput | types.NumberInput, hint?: string, optional = false): types.InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element,
    optional,
    ...(hint === undefined ? {} : { hint: plain(hint) }),
  };
}

function plain(text: string): types.PlainTextElement {
  return { type: 'plain_text', text, emoji: true };
}
