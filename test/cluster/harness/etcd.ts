// etcd's own API (its JSON gateway on the client URL), for what kube-apiserver does not offer:
// compacting the history now, so a watch resumed from an older resourceVersion is answered with
// 410 Gone ("too old resource version") - what happens on a real cluster when a client is away
// longer than the history kept (kube-apiserver compacts every 5 min by default).

interface EtcdHeader {
  readonly header?: { readonly revision?: string };
}

async function call<T>(etcdUrl: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${etcdUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`etcd ${path}: HTTP ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** etcd's current revision: Kubernetes' latest resourceVersion. */
export async function etcdRevision(etcdUrl: string): Promise<number> {
  // any key: the answer's header carries the store's revision
  const answer = await call<EtcdHeader>(etcdUrl, '/v3/kv/range', { key: Buffer.from('/registry/health').toString('base64') });
  const revision = Number(answer.header?.revision);
  if (!Number.isSafeInteger(revision) || revision <= 0) throw new Error(`etcd answered no revision: ${JSON.stringify(answer)}`);
  return revision;
}

/** Compacts etcd's history up to its current revision (physically, before returning); returns that revision. */
export async function compactEtcd(etcdUrl: string): Promise<number> {
  const revision = await etcdRevision(etcdUrl);
  await call(etcdUrl, '/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}
