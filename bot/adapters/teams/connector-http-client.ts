// The HTTP transport under botbuilder's ConnectorClient (calls to the Bot Connector service at the
// conversation's serviceUrl). botbuilder's default pipeline retries 429 (after Retry-After) and
// 5xx by itself, up to three times, and would hold the outbox up meanwhile; the outbox must decide
// about retries (in order, across restarts). So this client answers every failure with a
// ConnectorHttpError, which the SDK's retry strategies pass through untouched (it is neither a
// system error nor a response), and the ChatPort turns it into a ChatDeliveryError.
import type { ConfigurationBotFrameworkAuthentication } from 'botbuilder';

type ConnectorClientOptions = NonNullable<ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[4]>;
export type ConnectorHttpClient = NonNullable<ConnectorClientOptions['httpClient']>;
type WebResource = Parameters<ConnectorHttpClient['sendRequest']>[0];
type CompatResponse = Awaited<ReturnType<ConnectorHttpClient['sendRequest']>>;
type HeadersLike = CompatResponse['headers'];
type RawHeaders = ReturnType<HeadersLike['rawHeaders']>;

/** A Bot Connector call that failed: HTTP status (none when the service was not reached) and Retry-After. */
export class ConnectorHttpError extends Error {
  override readonly name = 'ConnectorHttpError';
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export interface ConnectorHttpClientOptions {
  readonly timeoutMs: number;
  readonly now?: () => number;
}

export function connectorHttpClient(options: ConnectorHttpClientOptions): ConnectorHttpClient {
  const now = options.now ?? Date.now;
  return {
    async sendRequest(request: WebResource): Promise<CompatResponse> {
      const headers = new Headers();
      for (const header of request.headers.headersArray()) headers.set(header.name, header.value);
      const body: unknown = request.body;
      const what = `${request.method} ${pathOf(request.url)}`;
      let response: Response;
      try {
        response = await fetch(request.url, {
          method: request.method,
          headers,
          body: body === undefined || body === null ? null : typeof body === 'string' ? body : JSON.stringify(body),
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error: unknown) {
        const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : describe(error);
        throw new ConnectorHttpError(`${what}: Bot Connector not reachable (${reason})`, { cause: error });
      }
      const text = await response.text().catch(() => '');
      if (!response.ok) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
        throw new ConnectorHttpError(`${what}: Bot Connector answered HTTP ${response.status}${errorCode(text)}`, {
          status: response.status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      return { request, status: response.status, headers: new FetchHeaders(response.headers), bodyAsText: text };
    },
  };
}

/** Retry-After in seconds or as an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value.trim()) * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** The path only: conversation ids are not secret, but query strings might be. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(bad url)';
  }
}

/** The Bot Connector's error code from an error body (`{"error":{"code":"…"}}`), if any. */
function errorCode(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown } };
    const code = parsed.error?.code;
    return typeof code === 'string' && /^[\w.-]{1,60}$/.test(code) ? ` (${code})` : '';
  } catch {
    return '';
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** The response headers in the shape the SDK's compatibility layer reads. */
class FetchHeaders implements HeadersLike {
  readonly #headers: Map<string, { name: string; value: string }>;

  constructor(source: Headers | Iterable<[string, string]>) {
    this.#headers = new Map();
    for (const [name, value] of source) this.#headers.set(name.toLowerCase(), { name, value });
  }

  set(headerName: string, headerValue: string | number): void {
    this.#headers.set(headerName.toLowerCase(), { name: headerName, value: String(headerValue) });
  }

  get(headerName: string): string | undefined {
    return this.#headers.get(headerName.toLowerCase())?.value;
  }

  contains(headerName: string): boolean {
    return this.#headers.has(headerName.toLowerCase());
  }

  remove(headerName: string): boolean {
    return this.#headers.delete(headerName.toLowerCase());
  }

  rawHeaders(): RawHeaders {
    return this.toJson();
  }

  headersArray(): { name: string; value: string }[] {
    return [...this.#headers.values()];
  }

  headerNames(): string[] {
    return this.headersArray().map((header) => header.name);
  }

  headerValues(): string[] {
    return this.headersArray().map((header) => header.value);
  }

  clone(): HeadersLike {
    return new FetchHeaders(this.headersArray().map((header): [string, string] => [header.name, header.value]));
  }

  toJson(options: { preserveCase?: boolean } = {}): RawHeaders {
    const result: RawHeaders = {};
    for (const [key, header] of this.#headers) result[options.preserveCase === true ? header.name : key] = header.value;
    return result;
  }
}
