// `patchwindow reap --namespace <ns> --window <id> --at <ISO>`: the safety-net Job's command (see
// adapters/cluster/kubernetes/reap-job.ts). Checks its access at once (a broken safety net fails
// at the window's start, visibly, not at its end), waits until --at, then removes kured's
// resources if they are still there and belong to that window, through the same removal code as
// the bot. Exit 0: removed, or nothing to do (already removed, or kured belongs to a later
// window); 1: the removal failed (the Job runs another pod); 2: bad arguments or configuration.
import { homedir } from 'node:os';
import type { KuredRemoval } from '../adapters/cluster/kubernetes/kured-removal.ts';
import { createLogger } from '../adapters/logging/create-logger.ts';
import type { Logger } from '../adapters/logging/create-logger.ts';
import { loadConfig } from '../config/load-config.ts';
import type { ConfigSources } from '../config/load-config.ts';
import { instant } from './manifests-command.ts';
import type { Output } from './manifests-command.ts';
import { EXIT_FAILURE, EXIT_USAGE } from './startup-failure.ts';

export interface ReapCliOptions {
  readonly namespace?: string;
  readonly window?: string;
  readonly at?: string;
}

export interface ReapRequest {
  readonly namespace: string;
  readonly window: number;
  readonly at: Date;
}

const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const WINDOW = /^\d{1,15}$/;
/** Long waits in steps, so a clock that jumps (a suspended VM) is noticed within a minute. */
const MAX_STEP_MS = 60_000;
/** How long the removal waits for kured's DaemonSet (and its pods) to be gone. */
export const REAP_REMOVE_TIMEOUT_MS = 5 * 60_000;

export type ParsedReap = { readonly ok: true; readonly request: ReapRequest } | { readonly ok: false; readonly error: string };

export function parseReapOptions(options: ReapCliOptions): ParsedReap {
  const { namespace, window } = options;
  if (namespace === undefined) return { ok: false, error: "--namespace is required: kured's namespace, e.g. --namespace kured" };
  if (!NAMESPACE.test(namespace)) return { ok: false, error: `--namespace "${namespace}" is not a Kubernetes namespace name; example: --namespace kured` };
  if (window === undefined) return { ok: false, error: '--window is required: the window number, e.g. --window 12' };
  if (!WINDOW.test(window)) return { ok: false, error: `--window "${window}" is not a window number; example: --window 12` };
  const at = instant('--at', options.at);
  if (!at.ok) return at;
  return { ok: true, request: { namespace, window: Number(window), at: at.value } };
}

/** The cluster side of reap; the CLI's is the Kubernetes API (clusterReaper), tests pass their own. */
export interface Reaper {
  /** Throws when reap could not remove kured later: no credentials, or not allowed to read it. */
  check(request: ReapRequest): Promise<void>;
  remove(request: ReapRequest): Promise<KuredRemoval>;
}

export interface ReapContext {
  readonly reaper: Reaper;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly delay: (ms: number) => Promise<void>;
}

export async function reap(request: ReapRequest, context: ReapContext): Promise<number> {
  const { logger } = context;
  const fields = { namespace: request.namespace, window: request.window, at: request.at.toISOString() };
  try {
    await context.reaper.check(request);
  } catch (error) {
    logger.error({ ...fields, err: error }, `safety net cannot act: ${message(error)}`);
    return EXIT_FAILURE;
  }
  logger.info(fields, `safety net armed: kured of window ${request.window} in namespace ${request.namespace} is removed at ${fields.at} if it is still there`);
  for (let remaining = request.at.getTime() - context.now().getTime(); remaining > 0; remaining = request.at.getTime() - context.now().getTime()) {
    await context.delay(Math.min(remaining, MAX_STEP_MS));
  }
  let removal: KuredRemoval;
  try {
    removal = await context.reaper.remove(request);
  } catch (error) {
    logger.error({ ...fields, err: error }, `removing kured failed: ${message(error)}`);
    return EXIT_FAILURE;
  }
  const kept = removal.kept.map((entry) => `${entry.object} (window ${entry.window ?? 'none'})`);
  if (removal.removed.length > 0) {
    logger.warn(
      { ...fields, removed: removal.removed, kept },
      `removed kured of window ${request.window} that was still there ${Math.round((context.now().getTime() - request.at.getTime()) / 1000)} s after --at: ${removal.removed.join(', ')}`,
    );
  } else if (kept.length > 0) {
    logger.info({ ...fields, kept }, `nothing to remove: kured in ${request.namespace} belongs to another window (${kept.join(', ')})`);
  } else {
    logger.info(fields, `nothing to remove: kured of window ${request.window} is already gone`);
  }
  return 0;
}

/** Through the Kubernetes API: in-cluster credentials in a pod, else KUBECONFIG (and PATCHWINDOW_KUBE_CONTEXT). */
export async function clusterReaper(sources: { kubeconfig: string | undefined; context: string | undefined; env: ConfigSources['env'] }): Promise<Reaper> {
  // Loaded here: the Kubernetes client takes a second to import, which other commands should not pay.
  const [{ connectToCluster }, { KubernetesObjectApi }, removal] = await Promise.all([
    import('../adapters/cluster/kubernetes/kube-connection.ts'),
    import('@kubernetes/client-node'),
    import('../adapters/cluster/kubernetes/kured-removal.ts'),
  ]);
  const connection = connectToCluster({ kubeconfig: sources.kubeconfig, context: sources.context, env: sources.env, homeDir: homedir() });
  const api = KubernetesObjectApi.makeApiClient(connection.kubeConfig);
  return {
    async check(request) {
      const [daemonSet] = removal.kuredObjectRefs(request.namespace);
      if (daemonSet !== undefined) await removal.readObject(api, daemonSet);
    },
    remove: (request) => removal.removeKuredResources(api, { namespace: request.namespace, window: request.window, timeoutMs: REAP_REMOVE_TIMEOUT_MS }),
  };
}

export async function runReapCommand(options: ReapCliOptions, sources: ConfigSources, io: { readonly stderr: Output }): Promise<number> {
  const parsed = parseReapOptions(options);
  if (!parsed.ok) {
    io.stderr.write(`patchwindow: ${parsed.error}\n`);
    return EXIT_USAGE;
  }
  const config = loadConfig(sources);
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  const reaper = await clusterReaper({ kubeconfig: config.cluster.kubeconfig, context: config.cluster.context, env: sources.env });
  return reap(parsed.request, {
    reaper,
    logger,
    now: () => new Date(),
    delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
