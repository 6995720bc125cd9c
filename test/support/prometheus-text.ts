// Reads Prometheus text exposition (what /metrics serves) into samples, so tests assert values
// by name and labels instead of matching lines whose label order is the library's business.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (match?.[1] === undefined || match[3] === undefined) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) labels[label[1] ?? ''] = (label[2] ?? '').replace(/\\(.)/g, (_all, escaped: string) => (escaped === 'n' ? '\n' : escaped));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** Samples of `name` whose labels include `labels`. */
export function samplesOf(text: string, name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
  return parseSamples(text).filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

/** The one sample of `name` with exactly these labels (le and quantile included), or an error saying what there is. */
export function sampleValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  const matching = samplesOf(text, name, labels).filter((sample) => Object.keys(sample.labels).length === Object.keys(labels).length);
  if (matching.length !== 1 || matching[0] === undefined) {
    const present = parseSamples(text).filter((sample) => sample.name === name);
    throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${matching.length}; ${name} has ${JSON.stringify(present.map((sample) => sample.labels))}`);
  }
  return matching[0].value;
}
