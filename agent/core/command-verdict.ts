// What the sentinel command's ending means: the configured exit code says "reboot needed", 0 says
// "not needed", anything else (other codes, signals, timeouts, a missing program) says nothing.
import type { Observation } from './detection.ts';

export type CommandEnding =
  | { readonly kind: 'exited'; readonly exitCode: number; readonly stderr: string }
  | { readonly kind: 'timed-out'; readonly timeoutMs: number }
  | { readonly kind: 'signal'; readonly signal: string }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-started'; readonly reason: string };

export type CommandVerdict =
  | { readonly ok: true; readonly observation: Observation }
  | { readonly ok: false; readonly kind: 'exit-code' | 'timeout' | 'signal' | 'not-found'; readonly message: string };

const MAX_STDERR_CHARS = 300;

/** `shown` is the command as written in the configuration, for messages. */
export function commandVerdict(ending: CommandEnding, rebootExitCode: number, shown: string): CommandVerdict {
  switch (ending.kind) {
    case 'exited': {
      if (ending.exitCode === rebootExitCode || ending.exitCode === 0) {
        const pending = ending.exitCode === rebootExitCode;
        return { ok: true, observation: { pending, reason: 'SentinelCommand', packages: [], evidence: `${shown} exited ${ending.exitCode}` } };
      }
      const stderr = printable(ending.stderr);
      return {
        ok: false,
        kind: 'exit-code',
        message: `${shown} exited ${ending.exitCode}, expected ${rebootExitCode} (reboot needed) or 0 (not needed)${stderr === '' ? '' : `: ${stderr}`}`,
      };
    }
    case 'timed-out':
      return { ok: false, kind: 'timeout', message: `${shown} did not finish within ${ending.timeoutMs} ms and was killed` };
    case 'signal':
      return { ok: false, kind: 'signal', message: `${shown} was killed by ${ending.signal}` };
    case 'not-found':
      return { ok: false, kind: 'not-found', message: `${shown}: program not found` };
    case 'not-started':
      return { ok: false, kind: 'not-found', message: `${shown} could not be started: ${ending.reason}` };
  }
}

/** The command for messages: words joined by spaces, quoted when they contain any. */
export function showCommand(argv: readonly string[]): string {
  return argv.map((word) => (/^[\w./:=@%+-]+$/.test(word) ? word : JSON.stringify(word))).join(' ');
}

/** Stderr is untrusted: one line, printable characters only, bounded. */
function printable(text: string): string {
  const line = text.replace(/[^\x20-\x7E]+/g, ' ').trim();
  return line.length <= MAX_STDERR_CHARS ? line : `${line.slice(0, MAX_STDERR_CHARS - 1)}…`;
}
