// PATCHWINDOW_CLUSTER: which cluster the bot uses, and what it says about it.
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { selectCluster } from '../../../../../../bot/adapters/cluster/kubernetes/cluster-selection.ts';
import { KubernetesCluster } from '../../../../../../bot/adapters/cluster/kubernetes/kubernetes-cluster.ts';
import { SimulatedCluster } from '../../../../../../bot/adapters/cluster/simulated/simulated-cluster.ts';
import { ConfigError } from '../../../../../../bot/config/config-error.ts';
import { loadConfig } from '../../../../../../bot/config/load-config.ts';
import { captureLogger } from '../../../../../support/capture-logger.ts';

const clock = { now: () => new Date('2026-03-07T12:00:00Z') };
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'patchwindow-selection-'));
  dirs.push(dir);
  return dir;
}

function kubeconfigFile(dir: string): string {
  const file = path.join(dir, 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'one', cluster: { server: 'https://127.0.0.1:6443' } },
        { name: 'two', cluster: { server: 'https://127.0.0.2:6443' } },
      ],
      users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
      contexts: [
        { name: 'one', context: { cluster: 'one', user: 'u' } },
        { name: 'two', context: { cluster: 'two', user: 'u' } },
      ],
      'current-context': 'one',
    }),
  );
  return file;
}

function select(env: Record<string, string>, homeDir: string): { runtime: ReturnType<typeof selectCluster>; logs: string } {
  const config = loadConfig({ env, cwd: homeDir });
  const logger = captureLogger();
  const runtime = selectCluster(config, clock, logger.logger, { env, homeDir });
  return { runtime, logs: JSON.stringify(logger.lines()) };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('selectCluster', () => {
  it('auto without a pod or kubeconfig: the simulated cluster, with a banner saying how to use a real one', () => {
    const { runtime, logs } = select({}, tempDir());
    expect(runtime.cluster).toBeInstanceOf(SimulatedCluster);
    expect(runtime.simulation).toBe(runtime.cluster);
    expect(logs).toContain('SIMULATED CLUSTER');
    expect(logs).toContain('KUBECONFIG');
    runtime.stop();
  });

  it('auto with a kubeconfig: the Kubernetes adapter, no sim controls', () => {
    const dir = tempDir();
    const { runtime, logs } = select({ KUBECONFIG: kubeconfigFile(dir) }, dir);
    expect(runtime.cluster).toBeInstanceOf(KubernetesCluster);
    expect(runtime.cluster.simulated).toBe(false);
    expect(runtime.simulation).toBeUndefined();
    expect(runtime.cluster.description).toContain('https://127.0.0.1:6443');
    expect(logs).not.toContain('SIMULATED CLUSTER');
    runtime.stop();
  });

  it('auto finds ~/.kube/config; a context setting picks another cluster', () => {
    const home = tempDir();
    mkdirSync(path.join(home, '.kube'));
    renameSync(kubeconfigFile(home), path.join(home, '.kube', 'config'));
    const { runtime } = select({ PATCHWINDOW_KUBE_CONTEXT: 'two' }, home);
    expect(runtime.cluster).toBeInstanceOf(KubernetesCluster);
    expect(runtime.cluster.description).toContain('context two');
    expect(runtime.cluster.description).toContain('https://127.0.0.2:6443');
    runtime.stop();
  });

  it('sim stays simulated even with a kubeconfig', () => {
    const dir = tempDir();
    const { runtime } = select({ KUBECONFIG: kubeconfigFile(dir), PATCHWINDOW_CLUSTER: 'sim' }, dir);
    expect(runtime.cluster).toBeInstanceOf(SimulatedCluster);
    runtime.stop();
  });

  it('kured.method helm: kured is deployed by helm, and said so at start', () => {
    const dir = tempDir();
    const helm = path.join(dir, 'helm');
    writeFileSync(helm, '#!/bin/sh\nexit 0\n');
    chmodSync(helm, 0o755);
    const { runtime, logs } = select({ KUBECONFIG: kubeconfigFile(dir), PATCHWINDOW_KURED_METHOD: 'helm', PATCHWINDOW_KURED_HELM_BINARY: helm }, dir);
    expect(runtime.cluster).toBeInstanceOf(KubernetesCluster);
    expect(logs).toContain('by helm (chart kubereboot/kured 6.1.0, release kured)');
    runtime.stop();
    const manifests = select({ KUBECONFIG: kubeconfigFile(dir) }, dir);
    expect(manifests.logs).toContain('by the built-in manifests');
    manifests.runtime.stop();
  });

  it('kured.method helm stops at start when the helm binary is missing, or an option cannot go through the chart', () => {
    const dir = tempDir();
    const env = { KUBECONFIG: kubeconfigFile(dir), PATCHWINDOW_KURED_METHOD: 'helm' };
    expect(() => select({ ...env, PATCHWINDOW_KURED_HELM_BINARY: path.join(dir, 'no-helm') }, dir)).toThrow(
      new ConfigError(`PATCHWINDOW_KURED_HELM_BINARY=${path.join(dir, 'no-helm')}: no such executable; expected a helm 3 binary (3.12 or later) because kured.method is helm`),
    );
    const helm = path.join(dir, 'helm');
    writeFileSync(helm, '#!/bin/sh\nexit 0\n');
    chmodSync(helm, 0o755);
    expect(() => select({ ...env, PATCHWINDOW_KURED_HELM_BINARY: helm, PATCHWINDOW_KURED_REBOOT_COMMAND: 'systemctl reboot # now' }, dir)).toThrow(
      /^kured.method helm: the value of --reboot-command .* cannot go through the kured chart/,
    );
  });

  it('kube without credentials, or with an unknown context, stops with a configuration error', () => {
    const dir = tempDir();
    expect(() => select({ PATCHWINDOW_CLUSTER: 'kube' }, dir)).toThrow(ConfigError);
    expect(() => select({ PATCHWINDOW_CLUSTER: 'kube', KUBECONFIG: kubeconfigFile(dir), PATCHWINDOW_KUBE_CONTEXT: 'three' }, dir)).toThrow(
      /PATCHWINDOW_KUBE_CONTEXT=three: .* has no such context; expected one of one, two/,
    );
  });
});
