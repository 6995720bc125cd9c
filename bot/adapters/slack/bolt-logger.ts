// Bolt's and the Web API client's log lines through the bot's logger (JSON, redacted), with
// anything that looks like a Slack token scrubbed from the text as a last line of defence.
import { LogLevel } from '@slack/bolt';
import type { Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../logging/create-logger.ts';

const ORDER: readonly LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
const SLACK_TOKEN = /\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+/g;

export function scrubTokens(text: string): string {
  return text.replaceAll(SLACK_TOKEN, '[redacted]');
}

export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack' });
  // Bolt sets its level (INFO unless told otherwise); the bot's own level still applies on top.
  let level: LogLevel = LogLevel.INFO;
  const write =
    (at: LogLevel, method: 'debug' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]): void => {
      if (ORDER.indexOf(at) < ORDER.indexOf(level)) return;
      const error = parts.find((part): part is Error => part instanceof Error);
      const text = scrubTokens(parts.filter((part) => part !== error).map(describe).join(' ').trim());
      if (error === undefined) child[method](text);
      else child[method]({ err: { type: error.name, message: scrubTokens(error.message), code: codeOf(error) } }, text === '' ? scrubTokens(error.message) : text);
    };
  return {
    debug: write(LogLevel.DEBUG, 'debug'),
    info: write(LogLevel.INFO, 'info'),
    warn: write(LogLevel.WARN, 'warn'),
    error: write(LogLevel.ERROR, 'error'),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

function describe(part: unknown): string {
  if (typeof part === 'string') return part;
  if (typeof part === 'number' || typeof part === 'boolean') return String(part);
  if (part === undefined || typeof part === 'function' || typeof part === 'symbol') return '';
  try {
    return JSON.stringify(part);
  } catch {
    return '[unprintable]';
  }
}

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
