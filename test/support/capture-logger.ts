// A real pino logger whose JSON lines are kept in memory, for asserting what was logged.
import { Writable } from 'node:stream';
import { createLogger } from '../../bot/adapters/logging/create-logger.ts';
import type { Logger } from '../../bot/adapters/logging/create-logger.ts';

export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: () => Record<string, unknown>[];
  readonly text: () => string;
}

export function captureLogger(level: 'info' | 'debug' | 'trace' = 'info'): CapturedLogger {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level, format: 'json', destination });
  const text = (): string => chunks.join('');
  const lines = (): Record<string, unknown>[] =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, text };
}
