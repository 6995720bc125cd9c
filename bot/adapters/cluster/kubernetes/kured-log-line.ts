// One line of kured's pod log, read for what a drain is doing. kured emits no Kubernetes Events,
// so its log is the only place that says which eviction a PodDisruptionBudget refused.
//
// kured 1.23 logs with log/slog, text (default) or JSON (--log-format=json):
//   time=… level=INFO msg="Starting drain" node=node-1
//   time=… level=INFO msg="draining: results" node=node-1 stdout="evicting pod shop/web-0\n"
//   {"time":"…","level":"INFO","msg":"draining: results","node":"node-1","stderr":"error when evicting pods/\"web-0\" -n \"shop\" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.\n"}
//   time=… level=INFO msg="Triggering reboot for node node-1" node=node-1
//   time=… level=INFO msg="Waiting for reboot" node=node-1
// The drain itself is k8s.io/kubectl/pkg/drain, whose Out/ErrOut kured wraps as the stdout/stderr
// attribute of a "draining: results" record (one record per write, i.e. per library line). Older
// kured (logrus: `level=info msg="Draining node x"`, "Commanding reboot") let the library write
// straight to its stdout/stderr, so bare library lines are read too, as are the lines `kubectl
// drain` adds (`pod/web-0 evicted`).
// Pure: a line in, what it says out. Unknown lines say nothing.

export interface PodName {
  readonly namespace: string;
  readonly name: string;
}

export type KuredLogEvent =
  /** kured began cordoning and draining its node ("Starting drain", older "Draining node x"). */
  | { readonly kind: 'drain-started' }
  /** An eviction attempt (the first, or a retry after a refusal): not yet a success. */
  | { readonly kind: 'evicting'; readonly pod: PodName }
  /** The API server refused the eviction (HTTP 429) and the drain will retry it. */
  | { readonly kind: 'eviction-refused'; readonly pod: PodName; readonly byDisruptionBudget: boolean; readonly message: string }
  /** The eviction failed for good (the drain gives up on it). */
  | { readonly kind: 'eviction-failed'; readonly pod: PodName; readonly message: string }
  /** `kubectl drain` says the pod is gone (kured's library use prints nothing for this). */
  | { readonly kind: 'evicted'; readonly pod: { readonly namespace: string | undefined; readonly name: string } }
  /** The drain failed; kured uncordons and releases its lock. */
  | { readonly kind: 'drain-failed'; readonly message: string }
  /** The drain is over and the reboot was commanded. */
  | { readonly kind: 'reboot-triggered' }
  | { readonly kind: 'waiting-for-reboot' }
  /** After the reboot: kured makes its node schedulable again. */
  | { readonly kind: 'uncordoning' };

/** The events one log line carries (most carry none; a JSON or text record carries at most a few). */
export function parseKuredLogLine(line: string): KuredLogEvent[] {
  const text = line.trim();
  if (text === '') return [];
  const record = structuredRecord(text);
  if (record === undefined) return [...drainLibraryEvents(text), ...kuredMessageEvents(text)];
  const events: KuredLogEvent[] = [];
  const message = record['msg'] ?? '';
  events.push(...kuredMessageEvents(message));
  for (const stream of ['stdout', 'stderr']) {
    const output = record[stream];
    if (output === undefined) continue;
    for (const outputLine of output.split('\n')) events.push(...drainLibraryEvents(outputLine.trim()));
  }
  return events;
}

// --- kured's own messages ------------------------------------------------------------------

const KURED_MESSAGES: readonly (readonly [RegExp, (match: RegExpExecArray) => KuredLogEvent])[] = [
  [/^Starting drain\b/, () => ({ kind: 'drain-started' })],
  [/^Draining node \S+/, () => ({ kind: 'drain-started' })],
  [/^Triggering reboot\b/, () => ({ kind: 'reboot-triggered' })],
  [/^Commanding reboot\b/, () => ({ kind: 'reboot-triggered' })],
  [/^Running command: .* for node: \S+/, () => ({ kind: 'reboot-triggered' })],
  [/^Waiting for reboot\b/, () => ({ kind: 'waiting-for-reboot' })],
  [/^[Uu]ncordoning node\b/, () => ({ kind: 'uncordoning' })],
  [/^(Performing a best-effort uncordon after failed cordon and drain)/, (match) => ({ kind: 'drain-failed', message: match[1] ?? '' })],
  [/^(Error draining \S+: .*)/, (match) => ({ kind: 'drain-failed', message: match[1] ?? '' })],
];

function kuredMessageEvents(message: string): KuredLogEvent[] {
  for (const [pattern, event] of KURED_MESSAGES) {
    const match = pattern.exec(message);
    if (match !== null) return [event(match)];
  }
  return [];
}

// --- k8s.io/kubectl/pkg/drain output (and kubectl drain's own lines) ------------------------

// Kubernetes names never need escaping; %q quotes them plainly.
const QUOTED = '"([^"\\\\]*)"';
const EVICTING = /^evicting pod ([^/\s]+)\/(\S+)$/;
const RETRYING = new RegExp(`^error when evicting pods/${QUOTED} -n ${QUOTED} \\(will retry after [^)]*\\): (.*)$`);
const TERMINATING_NAMESPACE = new RegExp(`^error when evicting pod ${QUOTED} from terminating namespace ${QUOTED} \\(will retry after [^)]*\\): (.*)$`);
// Given up: the library returns it as an error; `kubectl drain` prints it inside its own error line.
const FAILED = new RegExp(`error when evicting pods/${QUOTED} -n ${QUOTED}: (.*?)(?=, error when |\\]|$)`, 'g');
const EVICTED = /^pod\/(\S+) evicted$/;

function drainLibraryEvents(line: string): KuredLogEvent[] {
  const evicting = EVICTING.exec(line);
  if (evicting !== null) return [{ kind: 'evicting', pod: podName(evicting[1], evicting[2]) }];
  const retrying = RETRYING.exec(line) ?? TERMINATING_NAMESPACE.exec(line);
  if (retrying !== null) {
    const message = retrying[3] ?? '';
    // Refused for the namespace being deleted is not a budget refusal, whatever the message says.
    const byDisruptionBudget = retrying.input.startsWith('error when evicting pods/') && /disruption budget/i.test(message);
    return [{ kind: 'eviction-refused', pod: podName(retrying[2], retrying[1]), byDisruptionBudget, message }];
  }
  const evicted = EVICTED.exec(line);
  if (evicted !== null) return [{ kind: 'evicted', pod: { namespace: undefined, name: evicted[1] ?? '' } }];
  return [...line.matchAll(FAILED)].map((match) => ({ kind: 'eviction-failed', pod: podName(match[2], match[1]), message: match[3] ?? '' }));
}

function podName(namespace: string | undefined, name: string | undefined): PodName {
  return { namespace: namespace ?? '', name: name ?? '' };
}

// --- record formats -------------------------------------------------------------------------

/** A JSON record or a logfmt record (slog text, logrus) as string attributes; undefined for a bare line. */
function structuredRecord(text: string): Readonly<Record<string, string>> | undefined {
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        const record: Record<string, string> = {};
        for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') record[key] = value;
        return record;
      }
    } catch {
      // not JSON after all: read it as a bare line
    }
    return undefined;
  }
  if (!/(?:^|\s)msg=/.test(text)) return undefined;
  return parseLogfmt(text);
}

/** key=value pairs; values quoted the Go way (strconv.Quote) where they need it. Lenient with a broken quote. */
export function parseLogfmt(text: string): Record<string, string> {
  const record: Record<string, string> = {};
  let at = 0;
  while (at < text.length) {
    while (text[at] === ' ') at++;
    const keyStart = at;
    while (at < text.length && text[at] !== '=' && text[at] !== ' ') at++;
    const key = text.slice(keyStart, at);
    if (text[at] !== '=') {
      if (key !== '') record[key] = '';
      continue;
    }
    at++;
    let value: string;
    if (text[at] === '"') {
      const [unquoted, end] = readQuoted(text, at + 1);
      value = unquoted;
      at = end;
    } else {
      const valueStart = at;
      while (at < text.length && text[at] !== ' ') at++;
      value = text.slice(valueStart, at);
    }
    if (key !== '') record[key] = value;
  }
  return record;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v', "'": "'" };

/** Reads a Go-quoted string from just after its opening quote; returns the text and the index after the closing quote. */
function readQuoted(text: string, start: number): [string, number] {
  let result = '';
  let at = start;
  while (at < text.length) {
    const char = text[at] ?? '';
    if (char === '"') return [result, at + 1];
    if (char !== '\\') {
      result += char;
      at++;
      continue;
    }
    const escape = text[at + 1] ?? '';
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) {
      result += simple;
      at += 2;
      continue;
    }
    const width = escape === 'x' ? 2 : escape === 'u' ? 4 : escape === 'U' ? 8 : 0;
    const hex = text.slice(at + 2, at + 2 + width);
    const codePoint = width > 0 && hex.length === width && /^[0-9a-fA-F]+$/.test(hex) ? Number.parseInt(hex, 16) : undefined;
    if (codePoint !== undefined && codePoint <= 0x10ffff) {
      result += String.fromCodePoint(codePoint);
      at += 2 + width;
      continue;
    }
    result += char;
    at++;
  }
  return [result, at];
}
