// Follows one container's log through the API server (GET pods/<pod>/log?follow=true), line by
// line, until closed: how the bot reads kured's log on a draining node.
// client-node's Log helper is not used: it replaces every failure by a bare "Error occurred in log
// request" and does not pass on a stream that breaks, so a follower built on it could hang
// unnoticed. This one asks with the kubeconfig's own connection options (TLS, token, exec plugin,
// proxy: applyToHTTPSOptions), reports every failure with the API server's message, and tries again
// with a backoff (1 s doubling to 30 s).
// The stream ends by itself when the container exits (the node reboots); it is then asked for again.
// Lines come with the kubelet's timestamps: a reconnect asks from the last second seen and skips
// what it already delivered, so each line is delivered once.
import http from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface PodLogFollowerOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** Each complete log line, without the kubelet's timestamp. */
  readonly onLine: (line: string) => void;
  /** Every failed attempt (the follower tries again after a backoff until closed). */
  readonly onError: (error: PodLogError) => void;
  readonly initialBackoffMs?: number | undefined;
  readonly maxBackoffMs?: number | undefined;
}

export class PodLogError extends Error {
  override readonly name = 'PodLogError';
  /** HTTP status of the API server's answer; undefined when none came. */
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** A kubelet timestamp as [epoch seconds, nanoseconds], for ordering lines. */
type LineTime = readonly [number, number];

const MAX_ERROR_BODY = 4096;

export class PodLogFollower {
  readonly #options: PodLogFollowerOptions;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #finished: Promise<void>;
  #closed = false;
  #request: ClientRequest | undefined;
  #wake: (() => void) | undefined;
  #last: { readonly text: string; readonly time: LineTime } | undefined;

  /** Starts following at once. */
  constructor(options: PodLogFollowerOptions) {
    this.#options = options;
    this.#initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#finished = this.#run();
  }

  get description(): string {
    return `${this.#options.namespace}/${this.#options.pod} (container ${this.#options.container})`;
  }

  /** Stops following; resolves once the connection is closed. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#request?.destroy();
    this.#wake?.();
    await this.#finished;
  }

  async #run(): Promise<void> {
    let backoffMs = this.#initialBackoffMs;
    while (!this.#closed) {
      try {
        await this.#followOnce();
        // Ended by the other side (the container exited): ask again, soon.
        backoffMs = this.#initialBackoffMs;
      } catch (error) {
        if (this.#isClosed()) return;
        this.#options.onError(
          error instanceof PodLogError ? error : new PodLogError(`following the log of ${this.description} failed: ${messageOf(error)}`, undefined, { cause: error }),
        );
      }
      if (this.#isClosed()) return;
      await this.#sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, this.#maxBackoffMs);
    }
  }

  /** A method, not the field: close() may have run during any await. */
  #isClosed(): boolean {
    return this.#closed;
  }

  async #followOnce(): Promise<void> {
    const { kubeConfig, namespace, pod, container } = this.#options;
    const server = kubeConfig.getCurrentCluster()?.server;
    if (server === undefined) throw new PodLogError('the kubeconfig has no current cluster', undefined);
    const url = new URL(`${server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`);
    url.searchParams.set('container', container);
    url.searchParams.set('follow', 'true');
    url.searchParams.set('timestamps', 'true');
    // RFC 3339 in whole seconds (what the API accepts); lines within that second already seen are skipped.
    if (this.#last !== undefined) url.searchParams.set('sinceTime', new Date(this.#last.time[0] * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'text/plain, */*' } };
    await kubeConfig.applyToHTTPSOptions(options);
    if (this.#isClosed()) return;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = (url.protocol === 'http:' ? http : https).request(url, options, resolve);
      this.#request = request;
      request.on('error', reject);
      request.on('socket', (socket) => {
        socket.setKeepAlive(true, 30_000);
      });
      request.end();
    });
    const status = response.statusCode ?? 0;
    if (status !== 200) throw new PodLogError(`the log of ${this.description}: HTTP ${status}: ${await errorMessage(response)}`, status);
    await this.#readLines(response);
  }

  #readLines(response: IncomingMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      let buffered = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          this.#deliver(buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
        }
      });
      response.on('end', () => {
        if (buffered !== '') this.#deliver(buffered);
        resolve();
      });
      response.on('error', (error) => {
        reject(new PodLogError(`the log stream of ${this.description} broke: ${error.message}`, 200, { cause: error }));
      });
      response.on('close', () => {
        if (!response.complete) reject(new PodLogError(`the log stream of ${this.description} was cut off`, 200));
      });
    });
  }

  #deliver(raw: string): void {
    if (this.#closed) return;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const space = line.indexOf(' ');
    const time = space > 0 ? lineTime(line.slice(0, space)) : undefined;
    if (time === undefined) {
      this.#options.onLine(line);
      return;
    }
    const text = line.slice(space + 1);
    const last = this.#last;
    if (last !== undefined) {
      const order = compareTimes(time, last.time);
      // Asked again from the start of the last second: skip what was delivered already.
      if (order < 0 || (order === 0 && text === last.text)) return;
    }
    this.#last = { text, time };
    this.#options.onLine(text);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

/** The kubelet's RFC 3339 timestamp (nanoseconds, UTC) at the start of a line; undefined when there is none. */
function lineTime(text: string): LineTime | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (match === null) return undefined;
  const seconds = Date.parse(`${match[1] ?? ''}${match[3] ?? 'Z'}`) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return [seconds, Number((match[2] ?? '').padEnd(9, '0'))];
}

function compareTimes(a: LineTime, b: LineTime): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** The message of a Kubernetes Status body, or the body itself (shortened). */
async function errorMessage(response: IncomingMessage): Promise<string> {
  let body = '';
  response.setEncoding('utf8');
  try {
    for await (const chunk of response) {
      body += String(chunk);
      if (body.length > MAX_ERROR_BODY) break;
    }
  } catch (error) {
    return `(no body: ${messageOf(error)})`;
  }
  try {
    const status = JSON.parse(body) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not a Status object: the text itself says what went wrong
  }
  return body.trim().slice(0, 500) || '(empty body)';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
