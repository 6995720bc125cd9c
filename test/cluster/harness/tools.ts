// Where the cluster tier's binaries are: built by test/cluster/build-tools.sh into
// <repo>/.cache/cluster-tools/<versions-key>/bin, which it names in .cache/cluster-tools/current.
// CLUSTER_TOOLS_BIN overrides the directory.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type ToolName =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'kured'
  | 'helm';

export interface ClusterTools {
  readonly binDir: string;
  /** Absolute path of a built binary; throws with what to run when it is missing. */
  path(name: ToolName): string;
  has(name: ToolName): boolean;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function clusterTools(): ClusterTools {
  const current = path.join(REPO_ROOT, '.cache', 'cluster-tools', 'current');
  const binDir =
    process.env['CLUSTER_TOOLS_BIN'] ?? (existsSync(current) ? readFileSync(current, 'utf8').trim() : '');
  const has = (name: ToolName): boolean => binDir !== '' && executable(path.join(binDir, name));
  return {
    binDir,
    has,
    path(name) {
      if (!has(name)) {
        throw new Error(
          `cluster tool ${name} is not built${binDir === '' ? '' : ` in ${binDir}`}: run bash test/cluster/build-tools.sh (npm run test:cluster runs it first)`,
        );
      }
      return path.join(binDir, name);
    },
  };
}
