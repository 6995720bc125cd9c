// manifests/grafana/patchwindow-dashboard.json: valid JSON Grafana can import with the Prometheus
// data source chosen at import (${DS_PROMETHEUS}), panels laid out without overlap, and PromQL that
// only names series, labels and label values the bot registers, with a panel for each bot metric.
// Dashboard and code cannot drift apart: renaming a metric fails here until the dashboard follows.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { botMetricCatalog } from '../../support/bot-metric-catalog.ts';
import type { CatalogEntry } from '../../support/bot-metric-catalog.ts';

const PATH = new URL('../../../manifests/grafana/patchwindow-dashboard.json', import.meta.url);
/** Labels Prometheus adds at scrape time, not the bot. */
const TARGET_LABELS = new Set(['job', 'instance', 'namespace', 'pod']);

interface Target {
  readonly refId: string;
  readonly expr: string;
  readonly datasource: { readonly type: string; readonly uid: string };
}

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource?: { readonly type: string; readonly uid: string };
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
}

interface Dashboard {
  readonly __inputs: readonly { readonly name: string; readonly type: string; readonly pluginId: string }[];
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly datasource: unknown; readonly definition: string }[] };
}

const dashboard = JSON.parse(readFileSync(PATH, 'utf8')) as Dashboard;
const allPanels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const queryPanels = allPanels.filter((panel) => panel.type !== 'row');
const expressions = [
  ...queryPanels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `"${panel.title}" ${target.refId}`, expr: target.expr }))),
  ...dashboard.templating.list.map((variable) => ({ where: `variable ${variable.name}`, expr: variable.definition })),
];

let catalog: Map<string, CatalogEntry>;
beforeAll(async () => {
  catalog = await botMetricCatalog();
});

/** Series names an expression reads. */
function seriesIn(expr: string): string[] {
  return [...expr.matchAll(/\b(patchwindow_[a-z0-9_]+)\b/g)].map((match) => match[1] ?? '');
}

/** Every `JSON object` with a `datasource` key, wherever it is. */
function datasources(value: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const item of value) datasources(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'datasource') found.push(inner);
      else datasources(inner, found);
    }
  }
  return found;
}

describe('the Grafana dashboard', () => {
  it('is importable JSON asking for a Prometheus data source as DS_PROMETHEUS', () => {
    expect(dashboard.uid).toBe('patchwindow');
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    const used = datasources(dashboard).filter((source) => (source as { type?: string }).type !== 'grafana');
    expect(used.length).toBeGreaterThan(queryPanels.length);
    for (const source of used) expect(source).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
  });

  it('has unique panel ids, unique refIds per panel, a description on every panel, and no overlapping panels', () => {
    const ids = allPanels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of queryPanels) {
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(refIds.length, panel.title).toBeGreaterThan(0);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      expect(panel.description, panel.title).toMatch(/\S/);
    }
    for (const [index, a] of allPanels.entries()) {
      expect(a.gridPos.x + a.gridPos.w, a.title).toBeLessThanOrEqual(24);
      for (const b of allPanels.slice(index + 1)) {
        const apart =
          a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x || a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        expect(apart, `"${a.title}" and "${b.title}" overlap`).toBe(true);
      }
    }
  });

  it('queries only series the bot registers', () => {
    for (const { where, expr } of expressions) {
      const series = seriesIn(expr);
      expect(series.length, where).toBeGreaterThan(0);
      for (const name of series) expect(catalog.has(name), `${where}: ${name} is not registered by the bot`).toBe(true);
    }
  });

  it('has a panel for every metric of the bot', () => {
    const queried = new Set(expressions.flatMap(({ expr }) => seriesIn(expr)).map((name) => catalog.get(name)?.metric));
    const own = [...new Set([...catalog.values()].filter((entry) => !entry.standard).map((entry) => entry.metric))];
    expect(own.length).toBeGreaterThanOrEqual(12);
    for (const metric of own) expect(queried.has(metric), `no panel queries ${metric}`).toBe(true);
  });

  it('groups and matches only by labels the queried metrics have, with label values the bot uses', () => {
    for (const { where, expr } of expressions) {
      const labels = new Set(['le', ...TARGET_LABELS, ...seriesIn(expr).flatMap((name) => [...(catalog.get(name)?.labels ?? [])])]);
      for (const clause of expr.matchAll(/\bby \(([^)]*)\)/g)) {
        for (const label of (clause[1] ?? '').split(',').map((part) => part.trim())) expect(labels.has(label), `${where}: by ${label}`).toBe(true);
      }
      for (const matcher of expr.matchAll(/([a-z_]+)(=~|!=|!~|=)"([^"]*)"/g)) {
        const [, label = '', , value = ''] = matcher;
        expect(labels.has(label), `${where}: {${label}=…}`).toBe(true);
        if (!TARGET_LABELS.has(label)) expect(['open'], `${where}: ${label}="${value}"`).toContain(value);
      }
    }
  });

  it('takes quantiles from histogram buckets summed by le, and its PromQL is balanced', () => {
    let quantiles = 0;
    for (const { where, expr } of expressions) {
      for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}']] as const) {
        expect(expr.split(open).length, `${where}: ${open}${close} in ${expr}`).toBe(expr.split(close).length);
      }
      if (!expr.includes('histogram_quantile(')) continue;
      quantiles++;
      expect(expr, where).toMatch(/^histogram_quantile\(0\.\d+, sum by \(le\) \((rate|increase)\(patchwindow_[a-z_]+_seconds_bucket\{[^}]*\}\[[^\]]+\]\)\)\)$/);
      expect(catalog.get(seriesIn(expr)[0] ?? '')?.type, where).toBe('histogram');
    }
    // p50 and p95 of drain and reboot durations, over an hour and over the time range.
    expect(quantiles).toBe(8);
  });
});
