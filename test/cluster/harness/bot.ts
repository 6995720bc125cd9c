// The bot's own manifests and identity on the test cluster, and the safety net's Job played on the
// host. manifests/bot rendered by the real kustomize (`kubectl kustomize`) and applied with
// server-side apply; a kubeconfig with a TokenRequest token of the bot's ServiceAccount. The tier
// has no kubelet that runs containers, so playJob() runs a Job's container the way the image
// would: its arguments to the image's entrypoint (the `patchwindow` CLI), its environment, and the
// Job's ServiceAccount's token, which proves the Job's command, arguments and RBAC.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { writeTokenKubeconfig } from './agent.ts';
import type { TestCluster } from './cluster.ts';
import type { Manifest } from './objects.ts';
import type { ManagedProcess } from './processes.ts';
import { REPO_ROOT } from './tools.ts';

export const BOT_NAMESPACE = 'patchwindow';
export const BOT_SERVICE_ACCOUNT = 'patchwindow-bot';
export const CLI = path.join(REPO_ROOT, 'bot', 'cli.ts');

/** `kubectl kustomize <dir>` (manifests/bot by default), parsed. */
export async function renderBotManifests(cluster: TestCluster, dir = path.join(REPO_ROOT, 'manifests', 'bot')): Promise<{ yaml: string; manifests: Manifest[] }> {
  const { stdout } = await cluster.kubectl(['kustomize', dir]);
  const manifests = parseAllDocuments(stdout).map((document) => {
    if (document.errors.length > 0) throw new Error(`kubectl kustomize ${dir}: ${document.errors.map((error) => error.message).join('; ')}`);
    return document.toJS() as Manifest;
  });
  return { yaml: stdout, manifests };
}

/** Renders manifests/bot and applies it as the admin with server-side apply; returns what was applied. */
export async function applyBotManifests(cluster: TestCluster): Promise<Manifest[]> {
  const { yaml, manifests } = await renderBotManifests(cluster);
  const file = path.join(cluster.dir, 'manifests-bot.yaml');
  writeFileSync(file, yaml);
  await cluster.kubectl(['apply', '--server-side', '--field-manager=cluster-test-admin', '-f', file]);
  return manifests;
}

export interface ServiceAccountLogin {
  readonly token: string;
  /** A kubeconfig file for the token (context namespace set when asked). */
  readonly kubeconfig: string;
}

/**
 * A TokenRequest token of an existing ServiceAccount and a kubeconfig for it. Throws when the
 * ServiceAccount does not exist (cluster.serviceAccountToken would create it, hiding that).
 */
export async function loginAs(cluster: TestCluster, namespace: string, name: string, contextNamespace?: string): Promise<ServiceAccountLogin> {
  if ((await cluster.admin.find(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}`)) === undefined) {
    throw new Error(`ServiceAccount ${namespace}/${name} does not exist`);
  }
  const token = await cluster.serviceAccountToken(namespace, name, 3600);
  const kubeconfig = path.join(cluster.dir, `${namespace}-${name}.kubeconfig`);
  writeTokenKubeconfig(kubeconfig, cluster, `${namespace}:${name}`, token, contextNamespace);
  return { token, kubeconfig };
}

export interface JobObject {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: {
    template: {
      spec: {
        serviceAccountName?: string;
        containers: { name: string; image: string; command?: string[]; args?: string[]; env?: { name: string; value?: string }[] }[];
      };
    };
  };
}

export interface PlayedJob {
  readonly process: ManagedProcess;
  readonly serviceAccount: string;
  readonly args: readonly string[];
}

/**
 * Runs the Job's only container as a host process: `node bot/cli.ts <args>` (the image's
 * entrypoint), with the container's environment and a kubeconfig for the Job's ServiceAccount.
 */
export async function playJob(cluster: TestCluster, job: JobObject, name = `job-${job.metadata.name}`): Promise<PlayedJob> {
  const { containers, serviceAccountName } = job.spec.template.spec;
  const [container, ...more] = containers;
  if (container === undefined || more.length > 0) throw new Error(`Job ${job.metadata.name} has ${containers.length} containers; the harness plays exactly one`);
  if (container.command !== undefined) throw new Error(`Job ${job.metadata.name} overrides the image's entrypoint (${container.command.join(' ')}); the harness plays the patchwindow CLI only`);
  if (serviceAccountName === undefined) throw new Error(`Job ${job.metadata.name} names no ServiceAccount`);
  const login = await loginAs(cluster, job.metadata.namespace, serviceAccountName);
  const env = Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value ?? '']));
  const args = container.args ?? [];
  const process = cluster.supervisor.start(name, globalThis.process.execPath, [CLI, ...args], {
    logFile: path.join(cluster.dir, 'logs', `${name}.log`),
    cwd: cluster.dir, // no patchwindow.yaml here
    env: { ...env, KUBECONFIG: login.kubeconfig, HOME: cluster.dir },
  });
  return { process, serviceAccount: serviceAccountName, args };
}
