// Structured logs: JSON lines for machines, readable lines on a terminal, secrets redacted by path
// so a token inside a logged object or error never reaches stdout.
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../../config/config.ts';

export type { Logger } from 'pino';

const SECRET_FIELDS = ['botToken', 'signingSecret', 'appToken', 'appPassword', 'password', 'token', 'secret', 'authorization', 'cookie'];

/** Paths pino redacts: the secret field names at the top level and up to three levels down. */
export const REDACTED_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
  `*.*.*.${field}`,
]);

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Where lines go; stdout unless a test captures them. */
  readonly destination?: DestinationStream;
  readonly isTerminal?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const usePretty = options.format === 'pretty' || (options.format === 'auto' && (options.isTerminal ?? process.stdout.isTTY));
  const destination =
    options.destination ??
    (usePretty ? pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l' }) : pino.destination({ fd: 1, sync: true }));
  return pino(
    {
      level: options.level,
      base: { service: 'patchwindow' },
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
