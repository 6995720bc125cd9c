// The leader-election Lease on coordination.k8s.io/v1 through @kubernetes/client-node. A replace
// carries the resourceVersion that was read, so the API server refuses (409) a write based on a
// stale read: two candidates can never both believe they wrote the same version.
import { ApiException, CoordinationV1Api, V1Lease, V1LeaseSpec, V1MicroTime, V1ObjectMeta } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { LeaseRecord } from '../../core/leadership/lease-election.ts';
import { LeaseConflict } from './lease-store.ts';
import type { LeaseStore, StoredLease } from './lease-store.ts';

export interface KubeLeaseStoreOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
}

export function kubeLeaseStore(options: KubeLeaseStoreOptions): LeaseStore {
  const api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  const { namespace, name } = options;
  const description = `${namespace}/${name}`;
  return {
    description,
    read: async () => {
      try {
        return stored(await api.readNamespacedLease({ name, namespace }), description);
      } catch (error: unknown) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw error;
      }
    },
    create: async (record) => {
      try {
        return stored(await api.createNamespacedLease({ namespace, body: lease(name, namespace, undefined, record) }), description);
      } catch (error: unknown) {
        throw conflictOr(error, `Lease ${description} was created by someone else first`);
      }
    },
    replace: async (record, resourceVersion) => {
      try {
        return stored(await api.replaceNamespacedLease({ name, namespace, body: lease(name, namespace, resourceVersion, record) }), description);
      } catch (error: unknown) {
        throw conflictOr(error, `Lease ${description} changed since resourceVersion ${resourceVersion}`);
      }
    },
  };
}

function conflictOr(error: unknown, message: string): unknown {
  return error instanceof ApiException && error.code === 409 ? new LeaseConflict(message, { cause: error }) : error;
}

function stored(found: V1Lease, description: string): StoredLease {
  const resourceVersion = found.metadata?.resourceVersion;
  if (resourceVersion === undefined) throw new Error(`Lease ${description} came back without a resourceVersion`);
  const spec = found.spec ?? new V1LeaseSpec();
  return {
    resourceVersion,
    record: {
      holderIdentity: spec.holderIdentity,
      leaseDurationSeconds: spec.leaseDurationSeconds,
      acquireTime: instant(spec.acquireTime),
      renewTime: instant(spec.renewTime),
      leaseTransitions: spec.leaseTransitions,
    },
  };
}

/** client-node types MicroTime as a Date but hands the JSON string through unparsed; take either. */
function instant(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function lease(name: string, namespace: string, resourceVersion: string | undefined, record: LeaseRecord): V1Lease {
  const metadata = new V1ObjectMeta();
  metadata.name = name;
  metadata.namespace = namespace;
  if (resourceVersion !== undefined) metadata.resourceVersion = resourceVersion;
  const body = new V1Lease();
  body.metadata = metadata;
  body.spec = toSpec(record);
  return body;
}

function toSpec(record: LeaseRecord): V1LeaseSpec {
  const spec = new V1LeaseSpec();
  // Left out rather than empty: a released Lease has no holder.
  if (record.holderIdentity !== undefined && record.holderIdentity !== '') spec.holderIdentity = record.holderIdentity;
  if (record.leaseDurationSeconds !== undefined) spec.leaseDurationSeconds = record.leaseDurationSeconds;
  // MicroTime: the API server wants six fractional digits, which V1MicroTime writes (a Date writes three).
  if (record.acquireTime !== undefined) spec.acquireTime = new V1MicroTime(record.acquireTime.getTime());
  if (record.renewTime !== undefined) spec.renewTime = new V1MicroTime(record.renewTime.getTime());
  if (record.leaseTransitions !== undefined) spec.leaseTransitions = record.leaseTransitions;
  return spec;
}
