// README's Metrics section against the bot's registry: a row for every metric the bot registers,
// with its type and labels, no row for a metric it does not, and example alerts that query only
// registered series.
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { botMetricCatalog } from '../support/bot-metric-catalog.ts';
import type { CatalogEntry } from '../support/bot-metric-catalog.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = /\n## Metrics\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';

interface Row {
  readonly type: string;
  readonly labels: string[];
}

function metricRows(): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const line of section.split('\n')) {
    const match = /^\| `(patchwindow_[a-z_]+)` \| (\w+) \| ([^|]+) \| [^|]+ \|$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) continue;
    const labels = match[3].trim() === '–' ? [] : match[3].split(',').map((label) => label.trim().replace(/^`|`$/g, ''));
    rows.set(match[1], { type: match[2], labels });
  }
  return rows;
}

let own: CatalogEntry[];
let catalog: Map<string, CatalogEntry>;
beforeAll(async () => {
  catalog = await botMetricCatalog();
  own = [...new Map([...catalog.values()].filter((entry) => !entry.standard).map((entry) => [entry.metric, entry])).values()];
});

describe('README Metrics section', () => {
  it('has a row for every metric the bot registers, with its type and labels', () => {
    const rows = metricRows();
    expect(own.length).toBeGreaterThanOrEqual(12);
    for (const entry of own) {
      const row = rows.get(entry.metric);
      expect(row, `README has no row for ${entry.metric}`).toBeDefined();
      expect(row?.type, entry.metric).toBe(entry.type);
      expect(row?.labels.sort(), entry.metric).toEqual([...entry.labels].filter((label) => label !== 'le').sort());
    }
  });

  it('documents no metric the bot does not register', () => {
    const registered = new Set(own.map((entry) => entry.metric));
    expect([...metricRows().keys()].filter((name) => !registered.has(name))).toEqual([]);
  });

  it('gives example alerts that query registered series only, and names a dashboard that exists', () => {
    const alerts = /```promql\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const series = [...alerts.matchAll(/\b(patchwindow_[a-z0-9_]+)\b/g)].map((match) => match[1] ?? '');
    expect(series.length).toBeGreaterThan(0);
    for (const name of series) expect(catalog.has(name), name).toBe(true);
    const dashboard = /`(manifests\/grafana\/[^`]+\.json)`/.exec(section)?.[1];
    expect(dashboard).toBeDefined();
    expect(existsSync(new URL(`../../${dashboard ?? ''}`, import.meta.url))).toBe(true);
  });
});
