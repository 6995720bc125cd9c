// kured deployed by its helm chart (method (b)), for teams that manage kured by chart: `helm
// upgrade --install` with the window's values (kured-helm-values.ts) on stdin, and `helm
// uninstall`. helm runs through execa with an argument array, never a shell; it reaches the same
// cluster as the bot: the bot's KUBECONFIG and context are passed on, and in a pod without a
// kubeconfig helm uses the pod's in-cluster credentials as the bot does.
// A failure carries helm's exit code and its stderr (trimmed, credentials masked) in the message,
// which the engine posts to the chat, and the execa error as `cause`.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa, ExecaError } from 'execa';
import type { RebootDaemonSpec } from '../../../core/ports/cluster-port.ts';
import { kuredHelmValues } from './kured-helm-values.ts';
import type { KuredManifestOptions } from './kured-manifests.ts';
import { goDurationMs } from './kured-options.ts';

export interface KuredHelmOptions {
  readonly binary: string;
  /** repo/name, oci://…, a chart directory or archive, or a name in `repositoryUrl`. */
  readonly chart: string;
  readonly version: string;
  readonly repositoryUrl: string | undefined;
  readonly release: string;
  /** helm --timeout, a Go duration; the process is killed `killGraceMs` after it. */
  readonly timeout: string;
  /** The bot's connection: KUBECONFIG files and context (unset: helm's defaults, in-cluster in a pod). */
  readonly kubeconfig: string | undefined;
  readonly context: string | undefined;
  /** Namespace, image, lock TTL and user options, as for the built-in manifests. */
  readonly kured: KuredManifestOptions;
  /** The environment helm starts with (default: this process's), KUBECONFIG set from `kubeconfig`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long after its own --timeout a hanging helm is killed (default 30 s). */
  readonly killGraceMs?: number;
}

/** helm ran and failed, or could not run; `exitCode` is undefined when it did not exit by itself. */
export class HelmCommandError extends Error {
  readonly exitCode: number | undefined;
  readonly stderr: string;

  constructor(message: string, details: { readonly exitCode: number | undefined; readonly stderr: string; readonly cause: unknown }) {
    super(message, { cause: details.cause });
    this.name = 'HelmCommandError';
    this.exitCode = details.exitCode;
    this.stderr = details.stderr;
  }
}

const KILL_GRACE_MS = 30_000;
const MAX_OUTPUT_BYTES = 1024 * 1024;
const MAX_STDERR_CHARS = 1000;

export class KuredHelm {
  readonly #options: KuredHelmOptions;
  readonly #timeoutMs: number;

  constructor(options: KuredHelmOptions) {
    const timeoutMs = goDurationMs(options.timeout);
    if (timeoutMs === undefined || timeoutMs <= 0) throw new RangeError(`helm timeout "${options.timeout}" is not a positive Go duration`);
    this.#options = options;
    this.#timeoutMs = timeoutMs;
  }

  /** The chart names kured's DaemonSet (and so its lock) after the release (fullnameOverride). */
  get daemonSetName(): string {
    return this.#options.release;
  }

  get namespace(): string {
    return this.#options.kured.namespace;
  }

  /** Install, or upgrade in place to this window's values; the same window again changes nothing kured sees. */
  async install(spec: RebootDaemonSpec): Promise<void> {
    const values = kuredHelmValues(spec, { ...this.#options.kured, daemonSetName: this.daemonSetName });
    await this.#run('install', this.installArgs(), JSON.stringify(values));
  }

  /** Uninstall, waiting for the release's resources (the DaemonSet after its pods) to be deleted; no release is fine. */
  async uninstall(): Promise<void> {
    try {
      await this.#run('uninstall', this.uninstallArgs());
    } catch (error) {
      if (error instanceof HelmCommandError && /release: not found/i.test(error.stderr)) return;
      throw error;
    }
  }

  installArgs(): string[] {
    const { chart, version, repositoryUrl, release } = this.#options;
    return [
      'upgrade',
      '--install',
      '--namespace',
      this.namespace,
      '--create-namespace',
      '--version',
      version,
      ...(repositoryUrl === undefined ? [] : ['--repo', repositoryUrl]),
      '--values',
      '-',
      '--timeout',
      this.#options.timeout,
      ...this.#connectionArgs(),
      '--',
      release,
      chart,
    ];
  }

  uninstallArgs(): string[] {
    return [
      'uninstall',
      '--namespace',
      this.namespace,
      '--wait',
      '--cascade',
      'foreground',
      '--timeout',
      this.#options.timeout,
      ...this.#connectionArgs(),
      '--',
      this.#options.release,
    ];
  }

  #connectionArgs(): string[] {
    return this.#options.context === undefined ? [] : ['--kube-context', this.#options.context];
  }

  /**
   * helm runs in its own process group: past its own timeout plus the grace, the whole group is
   * killed (a post-renderer or plugin it started would otherwise keep its output pipes, and us, waiting).
   */
  async #run(what: 'install' | 'uninstall', args: readonly string[], input?: string): Promise<void> {
    const { binary, kubeconfig } = this.#options;
    const env = { ...(this.#options.env ?? process.env), ...(kubeconfig === undefined ? {} : { KUBECONFIG: kubeconfig }) };
    const subprocess = execa(binary, args, {
      env,
      extendEnv: false,
      ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
      detached: true,
      maxBuffer: MAX_OUTPUT_BYTES,
      stripFinalNewline: true,
    });
    const deadline = { passed: false };
    const timer = setTimeout(() => {
      deadline.passed = true;
      killGroup(subprocess.pid);
    }, this.#timeoutMs + (this.#options.killGraceMs ?? KILL_GRACE_MS));
    try {
      await subprocess;
    } catch (error) {
      throw helmFailure(what, binary, error, deadline.passed);
    } finally {
      clearTimeout(timer);
    }
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

function helmFailure(what: string, binary: string, error: unknown, killed: boolean): Error {
  if (!(error instanceof ExecaError)) return new Error(`helm ${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  const stderr = cleanStderr(typeof error.stderr === 'string' ? error.stderr : '');
  const details = { exitCode: error.exitCode, stderr, cause: error };
  if (error.code === 'ENOENT') return new HelmCommandError(`helm ${what} failed: the helm binary "${binary}" was not found`, details);
  if (error.code === 'EACCES') return new HelmCommandError(`helm ${what} failed: the helm binary "${binary}" cannot be executed`, details);
  if (killed) return new HelmCommandError(`helm ${what} did not finish in time and was killed${stderr === '' ? '' : `: ${stderr}`}`, details);
  if (error.exitCode !== undefined) return new HelmCommandError(`helm exited with code ${error.exitCode}${stderr === '' ? '' : `: ${stderr}`}`, details);
  return new HelmCommandError(`helm ${what} failed: ${error.signal === undefined ? error.shortMessage : `killed by ${error.signal}`}`, details);
}

/** helm's stderr for a message: no colour codes, credentials masked, blank lines dropped, bounded. */
export function cleanStderr(stderr: string): string {
  const text = stderr
    // eslint-disable-next-line no-control-regex -- ANSI colour sequences
    .replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')
    .replace(/(bearer\s+)\S+/gi, '$1***')
    .replace(/((?:token|password|passwd|secret|authorization)["']?\s*[:=]\s*["']?)[^\s"',;]+/gi, '$1***')
    .replace(/(\/\/)[^/@\s]+@/g, '$1***@')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .join('\n')
    .trim();
  return text.length > MAX_STDERR_CHARS ? `${text.slice(0, MAX_STDERR_CHARS)}…` : text;
}

/** The helm binary's path (a name is looked up on PATH), or undefined when there is no such executable. */
export function findExecutable(binary: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const candidates = binary.includes('/') ? [binary] : (env['PATH'] ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, binary));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
