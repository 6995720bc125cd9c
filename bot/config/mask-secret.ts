// Secrets appear in error messages and logs only masked: enough of a prefix to tell a
// bot token from a user token (xoxb vs xoxp), never enough to use it.

const SHOWN_PREFIX = 4;
const MIN_LENGTH_FOR_PREFIX = 12;

export function maskSecret(value: unknown): string {
  if (typeof value === 'string' && value.length >= MIN_LENGTH_FOR_PREFIX) {
    return `${value.slice(0, SHOWN_PREFIX)}****`;
  }
  return '****';
}
