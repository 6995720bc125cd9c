// A small Kubernetes API client over node:https (the CA pinned, a bearer token), with list+watch
// "informers" that keep a live copy of a collection, so tests wait on observed state.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeList, KubeObject, WatchEventType } from './kube-types.ts';
import { keyOf } from './kube-types.ts';

export interface KubeCredentials {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** PEM of the CA that issued the API server's serving certificate. */
  readonly ca: string;
  readonly token: string;
}

export class KubeApiError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(method: string, path: string, status: number, body: string) {
    super(`${method} ${path}: HTTP ${status}: ${body.slice(0, 500)}`);
    this.name = 'KubeApiError';
    this.status = status;
    this.body = body;
  }
}

export type PatchType = 'merge' | 'strategic' | 'json';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export interface Informer<T extends KubeObject> {
  /** Resolves once the initial list is in. */
  readonly synced: Promise<void>;
  items(): T[];
  get(key: string): T | undefined;
  /** Called for every change after the initial list (and for each listed item as ADDED). */
  onEvent(listener: (type: WatchEventType, obj: T) => void): () => void;
  /** Resolves with the predicate's first non-undefined result, re-checked on every change. */
  waitFor<R>(description: string, predicate: (items: T[]) => R | undefined, timeoutMs: number): Promise<R>;
  stop(): void;
}

export interface KubeClient {
  readonly credentials: KubeCredentials;
  request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
  get<T>(path: string): Promise<T>;
  /** GET that resolves to undefined on 404. */
  find<T>(path: string): Promise<T | undefined>;
  create<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, body: unknown, type?: PatchType): Promise<T>;
  delete(path: string, body?: unknown): Promise<void>;
  informer<T extends KubeObject>(listPath: string): Informer<T>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

interface RawEvent {
  type: WatchEventType | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number };
}

export function kubeClient(credentials: KubeCredentials): KubeClient {
  const url = new URL(credentials.server);
  const agent = new https.Agent({ ca: credentials.ca, keepAlive: true, maxSockets: 16 });

  function send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${credentials.token}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
        },
        resolve,
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async function readBody(res: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await send(method, path, body, contentType);
    const text = await readBody(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw new KubeApiError(method, path, status, text);
    if (text === '') return undefined as T;
    // /healthz, /readyz and friends answer text/plain
    return (res.headers['content-type']?.includes('json') === true ? JSON.parse(text) : text) as T;
  }

  function informer<T extends KubeObject>(listPath: string): Informer<T> {
    const store = new Map<string, T>();
    const listeners = new Set<(type: WatchEventType, obj: T) => void>();
    const control = { stopped: false };
    const isStopped = (): boolean => control.stopped;
    let current: IncomingMessage | undefined;
    let resolveSynced: () => void = () => undefined;
    let rejectSynced: (error: unknown) => void = () => undefined;
    const synced = new Promise<void>((resolve, reject) => {
      resolveSynced = resolve;
      rejectSynced = reject;
    });
    let isSynced = false;

    const emit = (type: WatchEventType, obj: T): void => {
      if (type === 'DELETED') store.delete(keyOf(obj));
      else store.set(keyOf(obj), obj);
      for (const listener of [...listeners]) listener(type, obj);
    };

    async function relist(): Promise<string> {
      const list = await request<KubeList<T>>('GET', listPath);
      const seen = new Set<string>();
      for (const item of list.items) {
        seen.add(keyOf(item));
        const old = store.get(keyOf(item));
        if (old?.metadata.resourceVersion !== item.metadata.resourceVersion) emit(old === undefined ? 'ADDED' : 'MODIFIED', item);
      }
      for (const [key, old] of [...store]) if (!seen.has(key)) emit('DELETED', old);
      return list.metadata.resourceVersion ?? '0';
    }

    async function watchFrom(resourceVersion: string): Promise<string | undefined> {
      const sep = listPath.includes('?') ? '&' : '?';
      const res = await send('GET', `${listPath}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}`);
      if (res.statusCode !== 200) {
        await readBody(res);
        return undefined;
      }
      current = res;
      let rv: string | undefined = resourceVersion;
      let buffered = '';
      for await (const chunk of res) {
        buffered += (chunk as Buffer).toString('utf8');
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
          if (line === '') continue;
          const event = JSON.parse(line) as RawEvent;
          if (event.type === 'ERROR') return undefined; // e.g. 410 Gone: relist
          rv = event.object.metadata.resourceVersion ?? rv;
          if (event.type !== 'BOOKMARK') emit(event.type, event.object as T);
        }
      }
      return rv;
    }

    async function loop(): Promise<void> {
      let rv: string | undefined;
      while (!isStopped()) {
        try {
          rv ??= await relist();
          if (!isSynced) {
            isSynced = true;
            resolveSynced();
          }
          rv = await watchFrom(rv);
        } catch (error) {
          if (isStopped()) return;
          if (!isSynced) {
            rejectSynced(error);
            return;
          }
          rv = undefined;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
    void loop();

    return {
      synced,
      items: () => [...store.values()],
      get: (key) => store.get(key),
      onEvent(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      waitFor(description, predicate, timeoutMs) {
        return new Promise((resolve, reject) => {
          let finished = false;
          const finish = (): void => {
            finished = true;
            clearTimeout(timer);
            unsubscribe();
          };
          const check = (): void => {
            if (finished) return;
            let result: ReturnType<typeof predicate>;
            try {
              result = predicate([...store.values()]);
            } catch (error) {
              finish();
              reject(error instanceof Error ? error : new Error(String(error)));
              return;
            }
            if (result !== undefined) {
              finish();
              resolve(result);
            }
          };
          const timer = setTimeout(() => {
            finish();
            reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`));
          }, timeoutMs);
          const unsubscribe = this.onEvent(check);
          void synced.then(check, (error: unknown) => {
            finish();
            reject(error instanceof Error ? error : new Error(String(error)));
          });
        });
      },
      stop() {
        control.stopped = true;
        current?.destroy();
        listeners.clear();
      },
    };
  }

  return {
    credentials,
    request,
    get: (path) => request('GET', path),
    async find<T>(path: string) {
      try {
        return await request<T>('GET', path);
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) return undefined;
        throw error;
      }
    },
    create: (path, body) => request('POST', path, body),
    patch: (path, body, type = 'merge') => request('PATCH', path, body, PATCH_CONTENT_TYPES[type]),
    async delete(path, body) {
      try {
        await request('DELETE', path, body);
      } catch (error) {
        if (!(error instanceof KubeApiError && error.status === 404)) throw error;
      }
    },
    informer,
    close: () => {
      agent.destroy();
    },
  };
}
