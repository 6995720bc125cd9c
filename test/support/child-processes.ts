// Spawning helper scripts with the Node that runs the tests (Node 24 runs .ts directly), and
// tearing them down deterministically: wait for an event, never for a fixed time.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const HOLD_STORE_SCRIPT = fileURLToPath(new URL('./hold-store.ts', import.meta.url));
/** What hold-store.ts prints once it holds the store open. */
export const HOLD_STORE_LOCKED_LINE = 'locked';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Children {
  spawnNode(script: string, args: readonly string[]): ChildProcessWithoutNullStreams;
  /** SIGKILLs every child still running and waits for each to exit. */
  killAll(): Promise<void>;
}

export function children(): Children {
  const spawned: ChildProcessWithoutNullStreams[] = [];
  return {
    spawnNode(script, args) {
      const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      spawned.push(child);
      return child;
    },
    async killAll() {
      await Promise.all(spawned.splice(0).map((child) => killAndWait(child)));
    },
  };
}

/** Resolves when the child exits (at once if it already has). */
export function exited(child: ChildProcessWithoutNullStreams): Promise<ExitStatus> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
}

/** SIGKILLs the child (if still running) and resolves once it has exited. */
export async function killAndWait(child: ChildProcessWithoutNullStreams): Promise<ExitStatus> {
  const exit = exited(child);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  return exit;
}

/**
 * Resolves when the child writes `line` as a whole line on stdout; rejects if it exits first,
 * with what it wrote to stderr.
 */
export function waitForLine(child: ChildProcessWithoutNullStreams, line: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.reject(new Error(`child already exited before printing "${line}"`));
  }
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const onStdout = (chunk: Buffer): void => {
      stdout += chunk.toString('utf8');
      if (stdout.split('\n').slice(0, -1).includes(line)) {
        cleanUp();
        resolve();
      }
    };
    const onStderr = (chunk: Buffer): void => {
      stderr += chunk.toString('utf8');
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanUp();
      reject(new Error(`child exited (code ${String(code)}, signal ${String(signal)}) before printing "${line}": ${stderr.trim()}`));
    };
    const cleanUp = (): void => {
      child.stdout.off('data', onStdout);
      child.stderr.off('data', onStderr);
      child.off('exit', onExit);
    };
    child.stdout.on('data', onStdout);
    child.stderr.on('data', onStderr);
    child.once('exit', onExit);
  });
}
