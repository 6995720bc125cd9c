// The log of one container run, kept as a kubelet keeps it: complete lines, each with the time it
// was written (RFC 3339 with nanoseconds, UTC), and whether the container still runs. Fed from a
// node daemon's output (one ContainerLog per incarnation); read by the kubelet log server.

export interface LogLine {
  /** RFC 3339 with nanoseconds in UTC, as the kubelet's timestamps=true prints it. */
  readonly time: string;
  /** Nanoseconds since the epoch, for sinceTime comparisons. */
  readonly nanos: bigint;
  readonly text: string;
}

export interface LogListener {
  line(line: LogLine): void;
  end(): void;
}

export class ContainerLog {
  readonly #lines: LogLine[] = [];
  readonly #listeners = new Set<LogListener>();
  #partial = '';
  #running = true;
  #lastNanos = 0n;

  get running(): boolean {
    return this.#running;
  }

  lines(): readonly LogLine[] {
    return this.#lines;
  }

  /** Output as it came: complete lines are logged now, a trailing partial one when it is complete (or at the end). */
  append(text: string): void {
    if (!this.#running) return;
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const part of parts) this.#add(part);
  }

  /** The container exited: followers' streams end. */
  end(): void {
    if (!this.#running) return;
    if (this.#partial !== '') this.#add(this.#partial);
    this.#partial = '';
    this.#running = false;
    for (const listener of [...this.#listeners]) listener.end();
    this.#listeners.clear();
  }

  /** Lines logged from now on (and the end); returns a function that stops listening. */
  follow(listener: LogListener): () => void {
    if (!this.#running) {
      listener.end();
      return () => undefined;
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #add(text: string): void {
    // Strictly increasing times, as a kubelet's nanosecond clock gives in practice.
    const now = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    const nanos = now > this.#lastNanos ? now : this.#lastNanos + 1n;
    this.#lastNanos = nanos;
    const line: LogLine = { time: rfc3339Nano(nanos), nanos, text: text.endsWith('\r') ? text.slice(0, -1) : text };
    this.#lines.push(line);
    for (const listener of [...this.#listeners]) listener.line(line);
  }
}

export function rfc3339Nano(nanos: bigint): string {
  const millis = Number(nanos / 1_000_000n);
  const fraction = String(nanos % 1_000_000_000n).padStart(9, '0');
  return `${new Date(millis).toISOString().slice(0, 19)}.${fraction}Z`;
}
