// Runs the sentinel command: an argument list (never a shell string) through execa, bounded in time.
// The command runs in its own process group and a timeout kills the whole group, because a
// script that forks (`sh -c 'sleep 60'`) would otherwise keep its output pipes, and us, waiting.
import { execa } from 'execa';
import type { CommandEnding } from '../core/command-verdict.ts';

const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Runs on the host: enter PID 1's mount namespace first (the pod needs hostPID and privileges). */
export function hostCommandLine(command: readonly string[], nsenter: boolean): readonly string[] {
  return nsenter ? ['nsenter', '--target', '1', '--mount', '--', ...command] : command;
}

/** `signal` aborts the run (agent shutdown): the group is killed and the run counts as timed out. */
export async function runCommand(argv: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<CommandEnding> {
  const [file, ...args] = argv;
  if (file === undefined) return { kind: 'not-started', reason: 'empty command' };
  const subprocess = execa(file, args, {
    reject: false,
    stdin: 'ignore',
    detached: true,
    maxBuffer: MAX_OUTPUT_BYTES,
    stripFinalNewline: true,
  });
  const outcome = { killed: false };
  const stop = (): void => {
    outcome.killed = true;
    killGroup(subprocess.pid);
  };
  const timer = setTimeout(stop, timeoutMs);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const result = await subprocess;
    if (outcome.killed) return { kind: 'timed-out', timeoutMs };
    if (result.code === 'ENOENT') return { kind: 'not-found' };
    if (result.exitCode !== undefined) return { kind: 'exited', exitCode: result.exitCode, stderr: result.stderr };
    if (result.signal !== undefined) return { kind: 'signal', signal: result.signal };
    return { kind: 'not-started', reason: result.code ?? result.shortMessage ?? 'unknown reason' };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}
