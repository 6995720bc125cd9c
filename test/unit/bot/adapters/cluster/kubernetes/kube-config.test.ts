import { mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../../../../../bot/adapters/cluster/kubernetes/kube-config.ts';
import { ConfigError } from '../../../../../../bot/config/config-error.ts';
import { tempDirs } from '../../../../../support/temp-dirs.ts';
import { kubeconfigText as kubeconfig } from '../../../../../support/kubeconfig-text.ts';

const dirs = tempDirs();

afterEach(() => {
  dirs.removeAll();
});

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadKubeConfig', () => {
  it('loads the file KUBECONFIG names, ahead of in-cluster credentials', () => {
    const directory = dirs.make();
    const file = join(directory, 'kubeconfig');
    writeFileSync(file, kubeconfig('http://127.0.0.1:6443'));
    const token = join(directory, 'token');
    writeFileSync(token, 'x');
    const loaded = loadKubeConfig({ kubeconfig: file, env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, homeDir: directory, serviceAccountTokenPath: token });
    expect(loaded.source).toBe(`KUBECONFIG ${file}`);
    expect(loaded.server).toBe('http://127.0.0.1:6443');
  });

  it('merges several KUBECONFIG files, the first one deciding the context', () => {
    const directory = dirs.make();
    const first = join(directory, 'a');
    const second = join(directory, 'b');
    writeFileSync(first, kubeconfig('https://first.example:6443', 'first'));
    writeFileSync(second, kubeconfig('https://second.example:6443', 'second'));
    const loaded = loadKubeConfig({ kubeconfig: [first, second].join(delimiter), env: {}, homeDir: directory });
    expect(loaded.server).toBe('https://first.example:6443');
    expect(loaded.kubeConfig.getContexts().map((context) => context.name)).toEqual(['first', 'second']);
  });

  it('uses the ServiceAccount in a pod', () => {
    const directory = dirs.make();
    const token = join(directory, 'token');
    writeFileSync(token, 'x');
    const loaded = loadKubeConfig({ kubeconfig: undefined, env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, homeDir: directory, serviceAccountTokenPath: token });
    expect(loaded.source).toBe('in-cluster ServiceAccount');
  });

  it('falls back to ~/.kube/config', () => {
    const home = dirs.make();
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), kubeconfig('https://home.example:6443'));
    expect(loadKubeConfig({ kubeconfig: undefined, env: {}, homeDir: home })).toMatchObject({ source: join(home, '.kube', 'config'), server: 'https://home.example:6443' });
  });

  it('is a configuration error when there are no credentials at all', () => {
    expect(failure(() => loadKubeConfig({ kubeconfig: undefined, env: {}, homeDir: dirs.make() }))).toBe(
      'no Kubernetes credentials: not in a pod (KUBERNETES_SERVICE_HOST unset), KUBECONFIG unset and no ~/.kube/config; expected a kubeconfig path in KUBECONFIG',
    );
  });

  it('skips KUBECONFIG files that do not exist, as kubectl does, and says which', () => {
    const directory = dirs.make();
    const missing = join(directory, 'no-kubeconfig');
    const token = join(directory, 'token');
    writeFileSync(token, 'x');
    const loaded = loadKubeConfig({ kubeconfig: missing, env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443' }, homeDir: directory, serviceAccountTokenPath: token });
    expect(loaded).toMatchObject({ source: 'in-cluster ServiceAccount', skipped: [missing] });
    expect(failure(() => loadKubeConfig({ kubeconfig: missing, env: {}, homeDir: directory }))).toBe(
      `no Kubernetes credentials: not in a pod (KUBERNETES_SERVICE_HOST unset), the KUBECONFIG files (${missing}) do not exist and no ~/.kube/config; expected a kubeconfig path in KUBECONFIG`,
    );
  });

  it('is a configuration error when a KUBECONFIG file is broken', () => {
    const directory = dirs.make();
    const unreadable = join(directory, 'not-yaml');
    writeFileSync(unreadable, 'clusters: [');
    expect(failure(() => loadKubeConfig({ kubeconfig: unreadable, env: {}, homeDir: directory }))).toMatch(/^KUBECONFIG=".*not-yaml": cannot load the kubeconfig: /);
    const broken = join(directory, 'broken');
    writeFileSync(broken, 'apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n');
    expect(failure(() => loadKubeConfig({ kubeconfig: broken, env: {}, homeDir: directory }))).toMatch(/the kubeconfig has no current context with a cluster/);
  });
});
