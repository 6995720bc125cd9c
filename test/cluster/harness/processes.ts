// Long-running helper processes (etcd, kube-apiserver, kured, ...) each in its own process group,
// tied to the test process with PR_SET_PDEATHSIG (setpriv), logged to a file and kept in memory,
// and stopped by killing the whole group. survivors() lists every process still in one of our
// groups, so teardown can prove nothing is left running.
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartOptions {
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface ManagedProcess {
  readonly name: string;
  /** Process id of the group leader, which is also the process group id. */
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ProcessExit>;
  isRunning(): boolean;
  /** stdout and stderr so far (the last few MB), interleaved as they came. */
  output(): string;
  /** Calls `listener` with every later chunk of stdout or stderr as it comes; returns a function that stops it. */
  onOutput(listener: (text: string) => void): () => void;
  /** Resolves with the first output line matching `pattern` (also one already printed). */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** SIGTERM to the group, SIGKILL after `graceMs`, then SIGKILL to any straggler in the group. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

export interface ProcessSupervisor {
  start(name: string, command: string, args: readonly string[], options: StartOptions): ManagedProcess;
  /** Stops every process started here (latest first) and waits for each. */
  stopAll(graceMs?: number): Promise<void>;
  /** Pids of processes still alive in any process group started here. */
  survivors(): number[];
}

const OUTPUT_LIMIT = 4 * 1024 * 1024;
const live = new Set<number>();
let exitHookInstalled = false;

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort for an interrupted run: 'exit' handlers must be synchronous, so SIGKILL.
  process.once('exit', () => {
    for (const pgid of live) killGroup(pgid, 'SIGKILL');
  });
  // A runner stopping its worker (Ctrl-C) sends a signal: exit, so the 'exit' handlers (this one
  // and the cluster's temp-dir removal) run. Children die with us anyway (PR_SET_PDEATHSIG).
  const signals: [NodeJS.Signals, number][] = [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]];
  for (const [signal, code] of signals) {
    process.once(signal, () => {
      process.exit(code);
    });
  }
}

/** Process group of a running process, from /proc/<pid>/stat (undefined if it is gone). */
function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the state, [1] the parent pid, [2] the process group
    if (fields[0] === 'Z') return undefined;
    const pgrp = Number(fields[2]);
    return Number.isInteger(pgrp) ? pgrp : undefined;
  } catch {
    return undefined;
  }
}

/** Pids of live (non-zombie) processes whose process group is one of `groups`. */
export function processesInGroups(groups: ReadonlySet<number>): number[] {
  if (groups.size === 0) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const pgrp = processGroupOf(pid);
    if (pgrp !== undefined && groups.has(pgrp)) found.push(pid);
  }
  return found;
}

/** Pids of live processes whose command line contains `needle` (e.g. a test's temp dir). */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle) && processGroupOf(Number(entry)) !== undefined) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function processSupervisor(): ProcessSupervisor {
  const started: ManagedProcess[] = [];
  const groups = new Set<number>();

  function start(name: string, command: string, args: readonly string[], options: StartOptions): ManagedProcess {
    installExitHook();
    const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
    // setpriv: the child gets SIGKILL when the test process dies, however it dies.
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', command, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true, // own session and process group: we kill the group
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${name} (${command})`);
    groups.add(pid);
    live.add(pid);

    let output = '';
    const waiters = new Set<() => void>();
    const outputListeners = new Set<(text: string) => void>();
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      log.write(text);
      output += text;
      if (output.length > OUTPUT_LIMIT) output = output.slice(output.length - OUTPUT_LIMIT / 2);
      for (const listener of [...outputListeners]) listener(text);
      for (const waiter of [...waiters]) waiter();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);

    const exited = new Promise<ProcessExit>((resolve) => {
      child.once('close', (code, signal) => {
        live.delete(pid);
        log.end(`\n[harness] ${name} exited (code ${String(code)}, signal ${String(signal)})\n`);
        for (const waiter of [...waiters]) waiter();
        resolve({ code, signal });
      });
    });
    let running = true;
    void exited.then(() => {
      running = false;
    });

    const managed: ManagedProcess = {
      name,
      pid,
      logFile: options.logFile,
      exited,
      isRunning: () => running,
      output: () => output,
      onOutput(listener) {
        outputListeners.add(listener);
        return () => outputListeners.delete(listener);
      },
      waitForOutput(pattern, timeoutMs) {
        return new Promise((resolve, reject) => {
          const check = (): void => {
            const match = output.split('\n').find((line) => pattern.test(line));
            if (match !== undefined) {
              done();
              resolve(match);
            } else if (!running) {
              done();
              reject(new Error(`${name} exited before printing ${String(pattern)}; see ${options.logFile}:\n${output.slice(-3000)}`));
            }
          };
          const timer = setTimeout(() => {
            done();
            reject(new Error(`${name} did not print ${String(pattern)} within ${timeoutMs} ms; see ${options.logFile}:\n${output.slice(-3000)}`));
          }, timeoutMs);
          const done = (): void => {
            clearTimeout(timer);
            waiters.delete(check);
          };
          waiters.add(check);
          check();
        });
      },
      async stop(graceMs = 5000) {
        if (running) {
          killGroup(pid, 'SIGTERM');
          const timer = setTimeout(() => {
            killGroup(pid, 'SIGKILL');
          }, graceMs);
          await exited;
          clearTimeout(timer);
        }
        // children that outlived the leader (none expected) go with the group
        killGroup(pid, 'SIGKILL');
        for (let i = 0; i < 50 && processesInGroups(new Set([pid])).length > 0; i++) await delay(20);
        return exited;
      },
    };
    started.push(managed);
    return managed;
  }

  return {
    start,
    async stopAll(graceMs) {
      for (const proc of [...started].reverse()) await proc.stop(graceMs);
    },
    survivors: () => processesInGroups(groups),
  };
}
